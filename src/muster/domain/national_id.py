"""Venezuelan national identity numbers (cédulas): parse any common written form.

A cédula is written `V-12.345.678`, `V12345678`, `V 12345678`, `12.345.678` or `12345678`.
`V` marks a Venezuelan, `E` a foreign resident. There is no check digit. Muster stores it as
the letter, a hyphen and the digits without leading zeros: `V-6586325`, `E-84123456`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from muster.errors import MusterError

LETTERS = ("V", "E")
_FORM = re.compile(r"^\s*(?:([VvEe])\s*[-.\s]?\s*)?(\d{1,3}(?:\.\d{3})+|\d+)\s*$")
MAX_DIGITS = 9
_CANONICAL = re.compile(r"[VE]-[1-9][0-9]{0,8}")  # already as Muster stores it
_CANONICAL_LINES = re.compile(f"(?:{_CANONICAL.pattern}\n)*")  # each of them, a line each


class InvalidNationalIdError(MusterError, ValueError):
    """Raised when a text is not a cédula in any form Muster recognises."""

    def __init__(self, text: str, why: str) -> None:
        self.text = text
        self.why = why
        super().__init__(
            f"{text!r} is not a national ID ({why}); expected a cédula such as "
            "V-12.345.678, V12345678 or 12345678 (letter V or E, up to 9 digits)"
        )


def normalize_national_id(text: str, default_letter: str | None = "V") -> str:
    """The canonical form `V-6586325` of a cédula written in any common form.

    A number without its letter takes `default_letter`; pass None to refuse it instead.
    """
    if _CANONICAL.fullmatch(text):
        return text
    match = _FORM.match(text)
    if match is None:
        raise InvalidNationalIdError(text, "unexpected characters")
    letter, digits = match.group(1), match.group(2).replace(".", "")
    if letter is None:
        if default_letter is None:
            raise InvalidNationalIdError(text, "the letter V or E is missing")
        letter = default_letter
    number = digits.lstrip("0")
    if not number:
        raise InvalidNationalIdError(text, "the number is zero")
    if len(number) > MAX_DIGITS:
        raise InvalidNationalIdError(text, f"more than {MAX_DIGITS} digits")
    return f"{letter.upper()}-{number}"


def normalize_national_ids(texts: Sequence[str], default_letter: str | None = "V") -> list[str]:
    """`normalize_national_id` of each text; texts already canonical (nearly all the cédulas
    of a roll file) are known to be in one pass over them all."""
    joined = "\n".join(texts)
    if texts and joined.count("\n") == len(texts) - 1 and _CANONICAL_LINES.fullmatch(joined + "\n"):
        return list(texts)
    return [normalize_national_id(t, default_letter) for t in texts]


def looks_like_national_id(text: str) -> bool:
    """True when the text parses as a cédula (with or without its letter)."""
    try:
        normalize_national_id(text)
    except InvalidNationalIdError:
        return False
    return True
