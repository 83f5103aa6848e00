"""Folding names for lookups: the Latin-1 byte table folds as the general translation does."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from muster.domain.reference import _LATIN, _strip_marks, fold_text


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
