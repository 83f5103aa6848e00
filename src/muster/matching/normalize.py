"""Venezuelan names, cédulas and birth dates as written on documents, normalised for matching.

Pure and deterministic (standard library and `muster.domain` only). A name is a structure:
given names, then the paternal and maternal surnames (each with the particle written before
it), and a married woman's `DE <husband's surname>`. Handles accents and case; Ñ as N, NN or
NXX and Ü as U or UE; the ICAO 9303 machine-readable form (`<` separators, OCR digits in
names, a name cut at the field's end); particles written apart, joined or dropped; surnames
joined by a hyphen. Odd values never raise: they come back missing, with a note saying why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from muster.domain.errors import InvalidInputError
from muster.domain.national_id import InvalidNationalIdError, normalize_national_id

PARTICLES = ("DE LOS", "DE LAS", "DE LA", "DEL", "DE", "LA", "LAS", "LOS")
# Joined particles safe to split (`DELACRUZ`); `DEL` is not (DELGADO): joined keys cover it.
_JOINED = (("DELOS", "DE LOS"), ("DELAS", "DE LAS"), ("DELA", "DE LA"))
_OCR_IN_NAMES = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "6": "G", "2": "Z"})
_NOT_LETTER = re.compile(r"[^A-Z ]+")
_ALIASES = {"MA": "MARIA", "MA.": "MARIA"}  # assumption: common written abbreviations
T = TypeVar("T")


def _upper_bare(text: str) -> str:
    """Upper case, accents removed (Ñ→N, Ü→U)."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Upper case, accents removed (Ñ→N, Ü→U), punctuation and hyphens as spaces."""
    return " ".join(_NOT_LETTER.sub(" ", _upper_bare(text).replace("'", "")).split())


def attribute_value(text: str) -> str:
    """Another identifying attribute's value as compared (`Member.attributes`): upper case,
    accents removed, runs of spaces as one; blank when there is nothing but spaces."""
    return " ".join(_upper_bare(text).split())


_OCR_DIGIT_IN_WORD = re.compile(r"[A-Za-z][0-9]|[0-9][A-Za-z]")


def looks_like_mrz(text: str) -> bool:
    """True for a name field copied from a machine-readable zone: `<` separators, or a digit
    inside a word (OCR's 0 for O in `ALBERT0`; no typed name holds a digit)."""
    return "<" in text or _OCR_DIGIT_IN_WORD.search(text) is not None


def fold_mrz(text: str) -> str:
    """A name field read from a zone: `<` as spaces, OCR digits read as the letters they mimic."""
    return fold(text.upper().replace("<", " ").translate(_OCR_IN_NAMES))


_N_RUN = re.compile(r"N{2,}")


def spelling_key(word: str) -> str:
    """The same word however Ñ and Ü were written: Ñ as N, NN or NXX; GÜE/GÜI as GUEE/GUEI."""
    word = word.replace("NXX", "N")
    if "NN" in word:
        word = _N_RUN.sub("N", word)  # a run of N, however long (NNN: an N beside an Ñ as NN)
    return word.replace("GUEE", "GUE").replace("GUEI", "GUI")


@dataclass(frozen=True, slots=True)
class Surname:
    """One surname: its core word(s) and the particle written before it, if any."""

    core: str
    particle: str = ""

    @property
    def joined(self) -> str:
        """Particle and core as one word (`DELACRUZ`), the way some documents write it."""
        return (self.particle + self.core).replace(" ", "")


@dataclass(frozen=True, slots=True)
class PersonName:
    """Given names and surnames (paternal first); `married` is a `DE X` surname; `cut` marks a
    name read from a zone whose last word may be cut short."""

    given: tuple[str, ...]
    surnames: tuple[Surname, ...]
    married: Surname | None = None
    mrz: bool = False
    cut: bool = False

    @property
    def all_surnames(self) -> tuple[Surname, ...]:
        return (*self.surnames, self.married) if self.married else self.surnames


def split_particles(words: list[str]) -> list[Surname]:
    """Group surname words with the particles before them (`DE LA CRUZ` is one surname)."""
    out: list[Surname] = []
    i = 0
    while i < len(words):
        particle = ""
        for p in PARTICLES:
            size = p.count(" ") + 1
            if " ".join(words[i : i + size]) == p and i + size < len(words):
                particle, i = p, i + size
                break
        word = words[i]
        spelled = dict(_JOINED).get(word)
        if spelled and not particle and i + 1 < len(words):  # `DELA CRUZ`
            particle, i = spelled, i + 1
            word = words[i]
        for joined, spaced in _JOINED:
            if word.startswith(joined) and len(word) > len(joined) + 2:
                particle = f"{particle} {spaced}".strip()
                word = word[len(joined) :]
                break
        out.append(Surname(word, particle))
        i += 1
    return out


def parse_name(given_names: str, surnames: str) -> PersonName:
    """A person's name from its two fields, as typed or as copied from a zone (a whole zone name
    field or line 1 pasted into one field, the other left blank, is split at its `<<`)."""
    if not given_names.strip() and _is_whole_mrz_field(surnames):
        return parse_mrz_name(surnames)
    if not surnames.strip() and _is_whole_mrz_field(given_names):
        return parse_mrz_name(given_names)
    mrz = looks_like_mrz(given_names) or looks_like_mrz(surnames)
    clean = fold_mrz if mrz else fold
    words = [w for w in clean(given_names).split() if w not in ("DE", "DEL", "LA")]
    # A zone's last given name may be cut (`MA` of MARCOS): only a typed `MA` is MARÍA.
    given = tuple(
        w if mrz and i == len(words) - 1 else _ALIASES.get(w, w) for i, w in enumerate(words)
    )
    groups = split_particles(clean(surnames).split())
    married = None
    if len(groups) >= 2 and groups[-1].particle == "DE":
        married, groups = groups[-1], groups[:-1]  # "PÉREZ DE GONZÁLEZ": husband's surname
    # A zone's name field is cut at its end: the last word of any zone name may be short.
    return PersonName(given, tuple(groups), married, mrz, mrz)


def _is_whole_mrz_field(text: str) -> bool:
    """A zone name field with both parts (`PENA<DE<LA<CRUZ<<MARIA<JOSE<<<`), or a line 1."""
    text = text.strip().upper()
    return "<<" in text.strip("<") or _strip_document_code(text) != text


_DOCUMENT_CODE = re.compile(r"^[PIACV][A-Z<][A-Z<]{3}")


def _strip_document_code(text: str) -> str:
    """Line 1 without its document code and issuing state (`P<VEN`); a name field as it is.

    A full line 1 is 44 (TD3) or 36 (TD2) characters; one whose trailing fillers were dropped is
    recognised by the `<` in second place (`P<`, `I<`, `V<`), which no name field has.
    """
    if _DOCUMENT_CODE.match(text) and (len(text) in (36, 44) or text[1] == "<"):
        return text[5:]
    return text


def parse_mrz_name(field: str) -> PersonName:
    """A name from a TD3/TD2 name field or line 1 (`P<VENSURNAMES<<GIVEN<NAMES<<<`)."""
    text = _strip_document_code(field.strip().upper())
    surnames, _, given = text.partition("<<")
    name = parse_name(given.strip("<") or "<", surnames or "<")
    return PersonName(name.given, name.surnames, name.married, True, True)


class MonthFirstDate(date):
    """A birth date read with day and month swapped because it was written month first
    (`05/14/1987`): scored as a day/month swap, not as the date written."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """A value read from a field: the value (None when missing or odd) and a note if odd."""

    value: T | None
    note: str = ""


def parse_national_id(text: str) -> Parsed[str]:
    """A cédula in any common form → `V-12345678`; a number without its letter keeps `?`."""
    raw = text.strip()
    if not raw:
        return Parsed(None)
    try:
        value = normalize_national_id(raw, default_letter=None)
    except InvalidNationalIdError:
        try:
            digits = normalize_national_id(raw, default_letter="V").split("-")[1]
        except InvalidNationalIdError as err:
            return Parsed(None, f"national ID {raw!r} ignored ({err.why})")
        return Parsed(f"?-{digits}", f"national ID {raw!r} has no letter: digits compared")
    return Parsed(value)


def cedula_from_document(text: str) -> str | None:
    """A document number that may be a cédula number (6–9 digits, maybe dotted) → `#-digits`."""
    raw = text.strip().replace(".", "")
    if raw.upper().startswith(("V", "E")) and raw[1:].lstrip("-").isdigit():
        raw = raw[1:].lstrip("-")
    if raw.isdigit() and 6 <= len(raw.lstrip("0")) <= 9:
        return f"#-{raw.lstrip('0')}"
    return None


_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^(?P<yy>\d{2})(?P<m>\d{2})(?P<d>\d{2})$"),  # a zone's YYMMDD
)


BIRTH_DATE_FORMS = "YYYY-MM-DD (or DD/MM/YYYY, YYYYMMDD)"


def parse_birth_date(text: str, pivot_year: int = 2019) -> Parsed[date]:
    """A birth date as ISO, DD/MM/YYYY, YYYYMMDD or a zone's YYMMDD (two-digit years in the past
    of `pivot_year`); one whose month is over 12 and day is not is read with day and month
    swapped (`05/14/1987`, written month first), with a note; anything else is missing."""
    raw = text.strip()
    if not raw:
        return Parsed(None)
    for form in _DATE_FORMS:
        found = form.match(raw)
        if found is None:
            continue
        parts = found.groupdict()
        if parts.get("yy") is not None:
            yy = int(parts["yy"])
            year = 2000 + yy if 2000 + yy <= pivot_year else 1900 + yy
        else:
            year = int(parts["y"])
        month, day = int(parts["m"]), int(parts["d"])
        note = ""
        kind = date
        if month > 12 >= day:
            month, day, kind = day, month, MonthFirstDate
            note = f"birth date {raw!r} read with day and month swapped"
        try:
            return Parsed(kind(year, month, day), note)
        except ValueError:
            break
    return Parsed(None, f"birth date {raw!r} unreadable (expected {BIRTH_DATE_FORMS}), ignored")


class BirthDateError(InvalidInputError):
    """Raised when a typed birth date is in none of the forms `parse_birth_date` reads."""


def typed_birth_date(text: str, field: str = "birth date") -> Parsed[date]:
    """A birth date typed by an officer, read as `parse_birth_date` reads a travelers file's
    (`muster match`); one it cannot read is refused, where a file's is ignored with a note."""
    parsed = parse_birth_date(text)
    if parsed.value is None and text.strip():
        raise BirthDateError(
            f"{field}: {text.strip()!r} is not a date: expected {BIRTH_DATE_FORMS}"
        )
    return parsed


def parse_sex(text: str) -> Parsed[str]:
    """`M` or `F` (also `H`, `MASCULINO`, `FEMENINO`); anything else is missing, with a note."""
    raw = fold(text)
    if not raw:
        return Parsed(None)
    if raw in ("M", "H", "MASCULINO", "HOMBRE", "MALE"):
        return Parsed("M")
    if raw in ("F", "FEMENINO", "MUJER", "FEMALE"):
        return Parsed("F")
    return Parsed(None, f"sex {text.strip()!r} unreadable, ignored")
