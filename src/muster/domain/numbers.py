"""Order numbers and serial numbers compare without regard to case: the key they are kept by."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def fold(number: str) -> str:
    """The key an order or serial number is stored, compared and looked up by.

    Upper case, as numbers are usually written (`a1` and `A1` are one number), after
    Unicode NFC so that a composed and a decomposed `Ñ` are one letter too.
    """
    if number.isascii():  # NFC leaves ASCII as it is: the fast path of a roll's numbers
        return number.upper()
    return unicodedata.normalize("NFC", number).upper()


def fold_all(numbers: Sequence[str]) -> list[str]:
    """`fold` of each number; ASCII numbers (nearly all) in one pass."""
    if "".join(numbers).isascii():
        return list(map(str.upper, numbers))
    return list(map(fold, numbers))
