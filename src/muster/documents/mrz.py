"""ICAO Doc 9303 machine-readable zones: TD3 (passport, 2×44), TD1 (3×30), TD2 (2×36).

Every check digit is verified (weights 7-3-1; `<` is 0, digits are themselves, A–Z are
10–35). Two-digit years: a birth year is the latest year not after the reference date; an
expiry year is within the 30 years before or the 20 after it (documents expire at most ten
years after issue, and expired ones are still shown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from muster.errors import MusterError

_VALID = re.compile(r"^[A-Z0-9<]+$")
FORMATS = {(2, 44): "TD3", (3, 30): "TD1", (2, 36): "TD2"}


@dataclass(frozen=True)
class ZoneProblem:
    """One thing wrong with a zone, as data: its `code`, and what fills its words (the field
    or line it names, what was expected and what was found). `str()` is its English text,
    as the API and the command line show it; a page words it in its viewer's language from
    the code and the parameters alone.

    Codes: `check_digit` (a check digit that does not match), `check_not_digit` (a check
    digit that is not a digit), `not_a_date` (a date field that is not YYMMDD), `sex` (a sex
    that is not M, F, X or <); and for a zone that cannot be read at all, `shape` (not 2×44,
    3×30 or 2×36), `line_length` (one line too short or long), `characters` (characters a
    zone cannot hold)."""

    code: str
    field: str = ""  # "document number", "birth date", "expiry date", "personal number"…
    expected: str = ""
    found: str = ""
    line: int = 0  # the zone's line (1, 2 or 3), for the codes about a line
    lengths: tuple[int, ...] = ()  # for `shape`: the length of each line read

    def __str__(self) -> str:
        return _TEXTS[self.code].format(p=self, count=len(self.lengths), lengths=list(self.lengths))


_TEXTS = {
    "check_digit": "{p.field} check digit: expected {p.expected}, found {p.found}",
    "check_not_digit": "{p.field} check digit: expected a digit, found {p.found!r}",
    "not_a_date": "{p.field}: {p.found!r} is not a date YYMMDD",
    "sex": "sex: expected M, F, X or <, found {p.found!r}",
    "shape": "expected 2 lines of 44 (passport), 3 of 30 (ID card) or 2 of 36 characters; "
    "found {count} line(s) of {lengths}",
    "line_length": "line {p.line}: expected {p.expected} characters, found {p.found}",
    "characters": "line {p.line}: characters not allowed in a zone: {p.found!r}",
}


class MrzError(MusterError):
    """Raised when a machine-readable zone cannot be read; `problem` says why, as data."""

    def __init__(self, problem: ZoneProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))


@dataclass(frozen=True)
class Zone:
    """The fields of a machine-readable zone, and every check that failed."""

    format: str
    document_code: str
    issuing_state: str
    surnames: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date | None
    sex: str | None
    expiry_date: date | None
    optional_data: str
    name_truncated: bool
    problems: tuple[ZoneProblem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {
            "format": self.format,
            "document_code": self.document_code,
            "issuing_state": self.issuing_state,
            "surnames": self.surnames,
            "given_names": self.given_names,
            "document_number": self.document_number,
            "nationality": self.nationality,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "optional_data": self.optional_data,
            "name_truncated": self.name_truncated,
            "checks_passed": self.valid,
            "problems": [str(p) for p in self.problems],
        }


def check_digit(field: str) -> int:
    """The 7-3-1 check digit of a field."""
    total = 0
    for i, ch in enumerate(field):
        value = 0 if ch == "<" else int(ch) if ch.isdigit() else ord(ch) - 55
        total += value * (7, 3, 1)[i % 3]
    return total % 10


def clean_lines(lines: list[str]) -> tuple[str, list[str]]:
    """The zone's format and its lines, upper-cased and trimmed; MrzError if malformed."""
    rows = [line.strip().upper() for line in lines if line.strip()]
    shape = (len(rows), len(rows[0]) if rows else 0)
    fmt = FORMATS.get(shape)
    if fmt is None:
        raise MrzError(ZoneProblem("shape", lengths=tuple(len(r) for r in rows)))
    for n, row in enumerate(rows, start=1):
        if len(row) != shape[1]:
            raise MrzError(
                ZoneProblem("line_length", expected=str(shape[1]), found=str(len(row)), line=n)
            )
        if not _VALID.match(row):
            bad = sorted({c for c in row if not (c.isascii() and (c.isalnum() or c == "<"))})
            raise MrzError(ZoneProblem("characters", found="".join(bad), line=n))
    return fmt, rows


def _year(two: int, today: date, future_span: int) -> int:
    year = 2000 + two
    while year > today.year + future_span:
        year -= 100
    return year


def read_date(
    text: str, today: date, what: str, problems: list[ZoneProblem], future_span: int
) -> date | None:
    if text == "<<<<<<":
        return None
    try:
        yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
        return date(_year(yy, today, future_span), mm, dd)
    except ValueError:
        problems.append(ZoneProblem("not_a_date", what, "YYMMDD", text))
        return None


def verify(
    field: str, digit: str, what: str, problems: list[ZoneProblem], optional: bool = False
) -> None:
    if optional and set(field) == {"<"} and digit in ("<", "0"):
        return
    if not digit.isdigit():
        problems.append(ZoneProblem("check_not_digit", what, "0-9", digit))
    elif check_digit(field) != int(digit):
        problems.append(ZoneProblem("check_digit", what, str(check_digit(field)), digit))


def names(field: str) -> tuple[str, str, bool]:
    """Surnames and given names of a name field; whether the name fills the field."""
    primary, _, secondary = field.partition("<<")
    surname = " ".join(p for p in primary.split("<") if p)
    given = " ".join(p for p in secondary.split("<") if p)
    return surname, given, not field.endswith("<")


def parse_mrz(lines: list[str], today: date) -> Zone:
    """Read a zone; structural errors raise MrzError, failed checks are listed in `problems`."""
    fmt, rows = clean_lines(lines)
    problems: list[ZoneProblem] = []
    if fmt == "TD1":
        l1, l2, l3 = rows
        number, number_digit, opt1 = l1[5:14], l1[14], l1[15:30]
        if number_digit == "<" and opt1.strip("<"):  # long document number (Doc 9303 part 5)
            tail, _, rest = opt1.partition("<")
            number, number_digit, opt1 = number + tail[:-1], tail[-1], rest
        verify(number, number_digit, "document number", problems)
        birth, sex, expiry = l2[0:6], l2[7], l2[8:14]
        verify(birth, l2[6], "birth date", problems)
        verify(expiry, l2[14], "expiry date", problems)
        composite = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
        verify(composite, l2[29], "composite", problems)
        surname, given, cut = names(l3)
        nationality, optional = l2[15:18], (opt1 + l2[18:29]).strip("<")
        code, state = l1[0:2], l1[2:5]
    else:
        l1, l2 = rows
        code, state = l1[0:2], l1[2:5]
        surname, given, cut = names(l1[5:])
        number, nationality, birth, sex, expiry = l2[0:9], l2[10:13], l2[13:19], l2[20], l2[21:27]
        verify(number, l2[9], "document number", problems)
        verify(birth, l2[19], "birth date", problems)
        verify(expiry, l2[27], "expiry date", problems)
        if fmt == "TD3":
            optional = l2[28:42]
            verify(optional, l2[42], "personal number", problems, optional=True)
            verify(l2[0:10] + l2[13:20] + l2[21:43], l2[43], "composite", problems)
        else:
            optional = l2[28:35]
            verify(l2[0:10] + l2[13:20] + l2[21:35], l2[35], "composite", problems)
        optional = optional.strip("<")
    if sex not in ("M", "F", "<", "X"):
        problems.append(ZoneProblem("sex", "sex", "M, F, X or <", sex))
    return Zone(
        fmt,
        code.strip("<"),
        state.strip("<"),
        surname,
        given,
        number.strip("<"),
        nationality.strip("<"),
        read_date(birth, today, "birth date", problems, 0),
        sex if sex in ("M", "F") else None,
        read_date(expiry, today, "expiry date", problems, 20),
        optional,
        cut,
        tuple(problems),
    )
