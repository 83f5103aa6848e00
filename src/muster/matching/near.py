"""When a birth date or cédula nearly agrees: the one rule the scorer and the pre-score share.

Two numbers written with the same number of digits are near when one digit differs, or when
two adjacent digits are swapped (3559682 / 3559862): the two slips of a clerk or an officer
typing a number. A birth date is written YYYYMMDD (`date_digits`); a cédula as its digits.
`scoring` decides on `near`; the index's vectorised pre-score (`lookup.near_numbers`) is the
same rule on columns of numbers, proven to agree by tests/unit/matching/test_near.py.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Near(StrEnum):
    """How two numbers nearly agree (the value is the officer-facing text)."""

    ONE_DIGIT = "one digit differs"
    SWAPPED = "two adjacent digits swapped"


def date_digits(born: date) -> str:
    """A birth date as the eight digits YYYYMMDD it is compared by."""
    return f"{born.year:04d}{born.month:02d}{born.day:02d}"


def adjacent_swaps(digits: str) -> list[str]:
    """`digits` with two adjacent different digits swapped, each way there is."""
    return [
        digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        for i in range(len(digits) - 1)
        if digits[i] != digits[i + 1]
    ]


def near(a: str, b: str) -> Near | None:
    """How digit strings `a` and `b` nearly agree: of one length, with one digit differing or
    two adjacent digits swapped; None when they agree or differ more."""
    if len(a) != len(b):
        return None
    differing = sum(x != y for x, y in zip(a, b, strict=True))
    if differing == 1:
        return Near.ONE_DIGIT
    if differing == 2 and b in adjacent_swaps(a):
        return Near.SWAPPED
    return None
