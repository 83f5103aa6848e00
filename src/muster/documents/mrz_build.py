"""Building valid machine-readable zones, for tests, demos and benchmarks (Doc 9303 rules)."""

from __future__ import annotations

import unicodedata
from datetime import date

from muster.documents.mrz import check_digit

_SPECIAL = {"Ñ": "N", "Ü": "UE", "Æ": "AE", "Ø": "OE", "ß": "SS"}


def transliterate(text: str) -> str:
    """A name as Doc 9303 writes it: Á→A, Ñ→N, Ü→UE; spaces and hyphens → `<`; `'` dropped."""
    out = []
    for ch in text.upper():
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in " -":
            out.append("<")
        elif ch == "'":
            continue
        else:
            base = unicodedata.normalize("NFKD", ch)[0]
            out.append(base if base.isascii() and (base.isalnum()) else "")
    return "".join(out)


def name_field(surnames: str, given_names: str, width: int) -> str:
    """The name field, cut at the field's width when too long."""
    text = (
        transliterate(" ".join(surnames.split()))
        + "<<"
        + transliterate(" ".join(given_names.split()))
    )
    return text[:width].ljust(width, "<")


def yymmdd(d: date | None) -> str:
    return "<<<<<<" if d is None else d.strftime("%y%m%d")


def _field(value: str, width: int) -> str:
    return value.upper()[:width].ljust(width, "<")


def _data_line(number: str, nationality: str, birth: date | None, sex: str, expiry: date) -> str:
    """Document number, nationality, birth date, sex and expiry with their check digits."""
    doc, birth_s, expiry_s = _field(number, 9), yymmdd(birth), yymmdd(expiry)
    return (
        doc
        + str(check_digit(doc))
        + _field(nationality, 3)
        + birth_s
        + str(check_digit(birth_s))
        + (sex or "<")
        + expiry_s
        + str(check_digit(expiry_s))
    )


def make_td3(
    *,
    surnames: str,
    given_names: str,
    number: str,
    nationality: str = "VEN",
    state: str = "VEN",
    birth: date | None,
    sex: str,
    expiry: date,
    personal: str = "",
) -> list[str]:
    """A passport zone (2×44) with correct check digits."""
    line1 = "P<" + _field(state, 3) + name_field(surnames, given_names, 39)
    opt = _field(personal, 14)
    opt_digit = "<" if not personal else str(check_digit(opt))
    body = _data_line(number, nationality, birth, sex, expiry) + opt + opt_digit
    composite = body[0:10] + body[13:20] + body[21:43]
    return [line1, body + str(check_digit(composite))]


def make_td1(
    *,
    surnames: str,
    given_names: str,
    number: str,
    nationality: str,
    state: str,
    birth: date | None,
    sex: str,
    expiry: date,
) -> list[str]:
    """An identity-card zone (3×30) with correct check digits (numbers of 9 characters)."""
    doc = _field(number, 9)
    line1 = "I<" + _field(state, 3) + doc + str(check_digit(doc)) + "<" * 15
    birth_s, expiry_s = yymmdd(birth), yymmdd(expiry)
    line2 = (
        birth_s
        + str(check_digit(birth_s))
        + (sex or "<")
        + expiry_s
        + str(check_digit(expiry_s))
        + _field(nationality, 3)
        + "<" * 11
    )
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    return [line1, line2 + str(check_digit(composite)), name_field(surnames, given_names, 30)]


def make_td2(
    *,
    surnames: str,
    given_names: str,
    number: str,
    nationality: str,
    state: str,
    birth: date | None,
    sex: str,
    expiry: date,
) -> list[str]:
    """A TD2 zone (2×36) with correct check digits."""
    line1 = "I<" + _field(state, 3) + name_field(surnames, given_names, 31)
    body = _data_line(number, nationality, birth, sex, expiry) + "<" * 7
    composite = body[0:10] + body[13:20] + body[21:35]
    return [line1, body + str(check_digit(composite))]
