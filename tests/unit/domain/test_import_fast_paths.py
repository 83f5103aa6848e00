"""The roll import's fast paths give exactly what the value-by-value checks give."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from muster.domain import numbers
from muster.domain.national_id import (
    InvalidNationalIdError,
    normalize_national_id,
    normalize_national_ids,
)
from muster.domain.roll_import import _is_clean, _is_clean_text, clean_text, clean_values

# Spaces of every kind, the separator, combining marks, letters with accents, control
# characters and text that is not in NFC: what makes a value need cleaning.
TRICKY = st.sampled_from(
    [" ", "  ", "|", "\u00a0", "\t", "\n", "\u0301", "e\u0301", "É", "\u2028", "\x00", "ß"]
)
VALUE = st.lists(st.one_of(TRICKY, st.text(max_size=3)), max_size=6).map("".join)


@settings(max_examples=500)
@given(st.lists(VALUE, min_size=1, max_size=10).map(tuple))
@example(("JOSÉ", "e|\u0301", "| A", "A |", " ", ""))
@example(("GONZÁLEZ PÉREZ", "V-12345678", "Destacamento 211"))
@example(("A ", "B"))
@example(("A", " B"))
@example(("A", "B "))
def test_clean_values_is_clean_text_of_each(values: tuple[str, ...]) -> None:
    assert clean_values(values) == tuple(clean_text(v) for v in values)


def test_a_clean_row_comes_back_as_it_is() -> None:
    row = ("GNB-0412345", "V-15874895", "JOSÉ GREGORIO", "GONZÁLEZ PÉREZ", "1988-03-14")
    assert clean_values(row) is row
    assert clean_values(("JOSÉ  GREGORIO ", "e\u0301")) == ("JOSÉ GREGORIO", "é")


def slow_normalize(text: str) -> str | None:
    """The general parse alone: the canonical form with a hyphen added after the letter."""
    try:
        return normalize_national_id(f" {text}", default_letter=None)
    except InvalidNationalIdError:
        return None


@settings(max_examples=500)
@given(st.from_regex(r"[VEve]?[-. ]?[0-9٠-٩.]{0,11}", fullmatch=True))
@example("V-0123")
@example("V-1234567890")
@example("E-84123456")
def test_canonical_cedulas_parse_as_any_other_form(text: str) -> None:
    try:
        fast = normalize_national_id(text, default_letter=None)
    except InvalidNationalIdError:
        fast = None
    assert fast == slow_normalize(text)


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=8), st.text(alphabet="gnbGNB-0123ñÑ\u0303ß", max_size=8)))
@example("gnb-0412345")
@example("n\u0303")
def test_folding_an_ascii_number_is_the_general_fold(number: str) -> None:
    assert numbers.fold(number) == unicodedata.normalize("NFC", number).upper()


@given(st.lists(st.one_of(st.text(max_size=6), st.text(alphabet="gnb-01ñÑ\u0303", max_size=6))))
def test_folding_numbers_together_folds_each(texts: list[str]) -> None:
    assert numbers.fold_all(texts) == [numbers.fold(t) for t in texts]


LATIN_1 = st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=12)


@settings(max_examples=500)
@given(st.one_of(LATIN_1, VALUE, st.lists(LATIN_1, max_size=4).map("|".join)))
@example("JOSÉ|GONZÁLEZ PÉREZ|1988-03-14")
@example("A\u00a0B")  # no-break space: not printable
@example("A\u00adB")  # soft hyphen: not printable
@example("A|B ")
def test_values_latin_1_are_clean_as_any_text_is(joined: str) -> None:
    assert _is_clean(joined) == _is_clean_text(joined)


def test_latin_1_text_is_always_nfc() -> None:
    latin_1 = [chr(b) for b in range(256)]
    assert not any(unicodedata.combining(c) for c in latin_1)
    assert all(unicodedata.is_normalized("NFC", a + b) for a in latin_1 for b in latin_1)


@settings(max_examples=300)
@given(st.lists(st.one_of(st.from_regex(r"[VEve]?[-. ]?[0-9.]{1,10}", fullmatch=True), st.text())))
@example(["V-1", "E-84123456"])
@example(["V-1\nV-2"])  # a line break inside a value
@example([])
def test_cedulas_normalized_together_as_each_alone(texts: list[str]) -> None:
    def alone(text: str) -> str | None:
        try:
            return normalize_national_id(text, default_letter=None)
        except InvalidNationalIdError:
            return None

    each = [alone(t) for t in texts]
    if None in each:
        with pytest.raises(InvalidNationalIdError):
            normalize_national_ids(texts, default_letter=None)
    else:
        assert normalize_national_ids(texts, default_letter=None) == each
