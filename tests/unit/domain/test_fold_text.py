"""Folding names for lookups: the Latin-1 byte table folds as the general translation does."""

from __future__ import annotations

from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from muster.domain.reference import _LATIN, _strip_marks, fold_text, fold_texts


def folded_by_translation(text: str) -> str:
    """The general way, for any text."""
    bare = text.translate(_LATIN)
    if not bare.isascii():
        bare = _strip_marks(bare)
    return " ".join(bare.casefold().split())


def test_every_latin_1_character_folds_as_by_translation() -> None:
    for cp in range(256):
        assert fold_text(f"A{chr(cp)}b") == folded_by_translation(f"A{chr(cp)}b"), hex(cp)


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=30))
@example("JOSÉ GREGORIO GONZÁLEZ PÉREZ")
@example("MUÑOZ  Ǆ ÆØ ß\u00a0ÿ")
def test_fold_text_is_the_translation(text: str) -> None:
    assert fold_text(text) == folded_by_translation(text)


NAMES = st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=12)
PLAIN = st.sampled_from(["JOSÉ GREGORIO", "MUÑOZ", "DE LA CRUZ", "ÆSIR", "O'NEILL", "ß", "ÿ"])


@settings(max_examples=500)
@given(st.lists(st.one_of(PLAIN, PLAIN, NAMES), max_size=8))
@example(["ANA", "LUIS\nPÉREZ"])  # a line break inside a text
@example(["ANA ", "LUIS"])  # spaces to collapse: trailing, leading, doubled, other
@example(["ANA", " LUIS"])
@example(["LUIS", "ANA "])
@example([" ANA"])
@example(["A  B"])
@example(["A\tB"])
@example(["A\x1fB", "C"])
@example(["Ǆ", "Ş"])  # not Latin-1
@example(["ÆSIR"])  # Latin-1 with no ASCII letter to fold to
@example(["MUÑOZ", "ß"])
@example([""])
def test_folding_texts_together_folds_each(texts: list[str]) -> None:
    assert fold_texts(texts) == [fold_text(t) for t in texts]


def test_plain_names_are_folded_together() -> None:
    with mock.patch("muster.domain.reference.fold_text") as one_by_one:
        assert fold_texts(["JOSÉ GREGORIO", "MUÑOZ PÉREZ"]) == ["jose gregorio", "munoz perez"]
    assert one_by_one.call_count == 0
