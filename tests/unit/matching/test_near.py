"""One rule of a near birth date or cédula: the pre-score and the scorer agree on every pair."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muster.matching.columns import LETTERS, bcd, yyyymmdd
from muster.matching.lookup import fact_weights, near_numbers
from muster.matching.near import Near, adjacent_swaps, date_digits, near
from muster.matching.normalize import PersonName
from muster.matching.scoring import LLR, Identity, birth_evidence, cedula_evidence

PROPERTY = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
NOBODY = PersonName((), ())


@st.composite
def slipped(draw: st.DrawFn, digits: str) -> str:
    """`digits` as typed: as it is, one digit changed, two adjacent digits swapped, or other."""
    how = draw(st.sampled_from(("same", "digit", "swap", "swap", "other")))
    if how == "digit":
        at = draw(st.integers(0, len(digits) - 1))
        return digits[:at] + str(draw(st.integers(0, 9))) + digits[at + 1 :]
    if how == "swap" and len(digits) > 1:
        at = draw(st.integers(0, len(digits) - 2))
        return digits[:at] + digits[at + 1] + digits[at] + digits[at + 2 :]
    if how == "other":
        return draw(st.from_regex(r"[0-9]{1,9}", fullmatch=True))
    return digits


def _as_date(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


@st.composite
def date_pairs(draw: st.DrawFn) -> tuple[date, date]:
    mine = draw(st.dates())
    typed = draw(slipped(date_digits(mine)))
    theirs = _as_date(typed) if len(typed) == 8 else None
    return mine, theirs or draw(st.dates())


@st.composite
def cedula_pairs(draw: st.DrawFn) -> tuple[str, str]:
    mine = str(draw(st.integers(1, 999_999_999)))
    theirs = str(int(draw(slipped(mine))))  # a member's cédula has no leading zero
    return mine, theirs if theirs != "0" else "1"


V = np.array([LETTERS.index("V")], np.int8)  # a member's cédula letter, V


def _near_in_prescore(theirs: int, mine: str, padded: bool) -> bool:
    numbers = np.array([theirs], dtype=np.int64)
    return bool(near_numbers(numbers, bcd(numbers), mine, padded)[0])


@PROPERTY
@given(date_pairs())
def test_the_prescore_and_the_scorer_agree_on_near_birth_dates(pair: tuple[date, date]) -> None:
    mine, theirs = pair
    rule = near(date_digits(mine), date_digits(theirs)) is not None
    assert _near_in_prescore(yyyymmdd(theirs), date_digits(mine), padded=True) == rule
    evidence = birth_evidence(mine, theirs)
    assert evidence is not None
    if evidence.kind in ("birth_near", "birth_differs"):  # exact or swapped: counted by keys
        cols = {"born": np.array([yyyymmdd(theirs)], np.int32)}
        cols["born_bcd"] = bcd(cols["born"])
        traveler = Identity(NOBODY, birth_date=mine)
        prescore = fact_weights(cols, traveler, np.zeros(1, dtype=np.int32))
        assert prescore[0] == evidence.weight, (mine, theirs, evidence)


@PROPERTY
@given(cedula_pairs())
def test_the_prescore_and_the_scorer_agree_on_near_cedulas(pair: tuple[str, str]) -> None:
    mine, theirs = pair
    assert _near_in_prescore(int(theirs), mine, padded=False) == (near(mine, theirs) is not None)
    evidence = cedula_evidence(f"V-{mine}", f"V-{theirs}")
    assert evidence is not None
    if evidence.kind != "cedula_exact":
        cols = {"cedula": np.array([int(theirs)], np.int64), "letter": V}
        cols["cedula_bcd"] = bcd(cols["cedula"])
        traveler = Identity(NOBODY, national_id=f"V-{mine}")
        prescore = fact_weights(cols, traveler, np.zeros(1, dtype=np.int32))
        assert prescore[0] == evidence.weight, (mine, theirs, evidence)


def test_a_birth_date_with_two_adjacent_digits_swapped_is_near_in_the_prescore_too() -> None:
    traveler = Identity(NOBODY, birth_date=date(1985, 3, 4))
    cols = {"born": np.array([19580304], np.int32)}
    cols["born_bcd"] = bcd(cols["born"])
    weights = fact_weights(cols, traveler, np.zeros(1, dtype=np.int32))
    assert weights[0] == LLR["birth_near"]
    found = birth_evidence(date(1985, 3, 4), date(1958, 3, 4))
    assert found is not None and found.kind == "birth_near"


def test_a_cedula_swapped_into_a_leading_zero_is_not_near() -> None:
    """V-10234567 with its first two digits swapped is 01234567: not a cédula of 8 digits."""
    traveler = Identity(NOBODY, national_id="V-10234567")
    cols = {"cedula": np.array([1234567], np.int64), "letter": V}
    cols["cedula_bcd"] = bcd(cols["cedula"])
    weights = fact_weights(cols, traveler, np.zeros(1, dtype=np.int32))
    assert weights[0] == LLR["cedula_differs"]
    found = cedula_evidence("V-10234567", "V-1234567")
    assert found is not None and found.kind == "cedula_differs"


@pytest.mark.parametrize(
    ("mine", "theirs", "weight"),
    [
        ("E-12345678", "V", LLR["cedula_differs"]),  # another person's number, as the scorer says
        ("V-12345678", "E", LLR["cedula_differs"]),
        ("V-12345678", "V", 0.0),  # the same cédula: counted by its key, not here
        ("?-12345678", "V", 0.0),  # a letter not read agrees with either
        ("E-12345678", "?", 0.0),
    ],
)
def test_the_prescore_reads_the_cedulas_letter_as_the_scorer_does(
    mine: str, theirs: str, weight: float
) -> None:
    cols = {
        "cedula": np.array([12345678], np.int64),
        "letter": np.array([LETTERS.index(theirs)], np.int8),
    }
    cols["cedula_bcd"] = bcd(cols["cedula"])
    prescore = fact_weights(cols, Identity(NOBODY, national_id=mine), np.zeros(1, dtype=np.int32))
    assert prescore[0] == weight
    evidence = cedula_evidence(mine, f"{theirs}-12345678")
    assert evidence is not None
    assert (evidence.kind == "cedula_differs") == (weight != 0.0)


def test_the_rule() -> None:
    assert near("3559682", "3559862") is Near.SWAPPED
    assert near("3559682", "3559683") is Near.ONE_DIGIT
    assert near("3559682", "3559682") is None
    assert near("3559682", "3596582") is None  # two digits, not adjacent and swapped
    assert near("3559682", "359682") is None  # another length
    assert adjacent_swaps("1123") == ["1213", "1132"]
