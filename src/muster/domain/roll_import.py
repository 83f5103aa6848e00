"""Checking a roll file before it becomes an enlistment order: every bad row, all at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from operator import itemgetter
from typing import cast

from muster.domain import numbers
from muster.domain.errors import InvalidInputError
from muster.domain.kinds import Category
from muster.domain.national_id import (
    InvalidNationalIdError,
    normalize_national_id,
    normalize_national_ids,
)
from muster.domain.reference import Reference

ROLL_COLUMNS = (
    "serial_number", "national_id", "given_names", "surnames", "birth_date", "sex",
    "component", "rank", "category", "unit",
)  # fmt: skip
EnlistRow = tuple[str, str, str, str, str, str, str, str, str, str]
_CATEGORIES = frozenset(c.value for c in Category)
_SEXES = frozenset(("M", "F"))
EARLIEST_BIRTH = date(1900, 1, 1)
_PRINTABLE_LATIN_1 = bytes(b for b in range(256) if chr(b).isprintable())
_ISO_DAYS = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}\n)*")
PROGRESS_EVERY = 20_000


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad value: where it is, what it was, what was expected."""

    row: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.value!r}: {self.expected}"


class RollFileError(InvalidInputError):
    """Raised when a roll file has bad rows; lists every one (row, column, value, expected)."""

    def __init__(self, source: str, problems: Sequence[RowProblem], shown: int = 50) -> None:
        self.source, self.problems = source, list(problems)
        lines = [str(p) for p in self.problems[:shown]]
        more = len(self.problems) - shown
        if more > 0:
            lines.append(f"… and {more} more (use --json for the full list)")
        super().__init__(
            f"{source}: {len(self.problems)} problem(s), nothing imported:\n  " + "\n  ".join(lines)
        )


def clean_text(value: str) -> str:
    """Text in Unicode NFC with surrounding and repeated spaces removed."""
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if "  " in value or value[:1].isspace() or value[-1:].isspace() or not value.isprintable():
        value = " ".join(value.split())
    return value


def _is_clean(joined: str) -> bool:
    """Whether values joined by `|` are each printable, NFC and free of doubled, leading and
    trailing spaces: `|` is printable and composes with nothing, so the joined text is all
    that exactly when every value is."""
    try:
        data = joined.encode("latin-1")
    except UnicodeEncodeError:
        return _is_clean_text(joined)
    # Latin-1 text is NFC (no character of it composes with another or has a mark to
    # reorder), and its bytes are its characters: bytes say the rest, at memory speed.
    return (
        not data.translate(None, _PRINTABLE_LATIN_1)
        and b"  " not in data
        and b" |" not in data
        and b"| " not in data
        and data[:1] != b" "
        and data[-1:] != b" "
    )


def _is_clean_text(joined: str) -> bool:
    """`_is_clean` of any text."""
    return (
        joined.isprintable()
        and "  " not in joined
        and " |" not in joined
        and "| " not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
        and unicodedata.is_normalized("NFC", joined)
    )


def clean_values(values: tuple[str, ...]) -> tuple[str, ...]:
    """`clean_text` of each value; a row with nothing to clean is checked whole, at C speed."""
    if _is_clean("|".join(values)):
        return values
    return tuple(clean_text(v) for v in values)


def check_header(header: Sequence[str], source: str) -> dict[str, int]:
    """Positions of the roll columns in a header; refuses one that lacks any."""
    names = [clean_text(h.lstrip("\ufeff")).lower() for h in header]
    missing = [c for c in ROLL_COLUMNS if c not in names]
    if missing:
        raise InvalidInputError(
            f"{source}: header lacks column(s) {', '.join(missing)}; "
            f"expected {','.join(ROLL_COLUMNS)} (extra columns are ignored)"
        )
    return {c: names.index(c) for c in ROLL_COLUMNS}


def _width(raw: Sequence[str], header_width: int | None, width: int) -> str:
    if header_width is None:
        return f"{width} columns expected, found {len(raw)}"
    why = "a value with a comma must be in double quotes"
    if len(raw) < header_width:
        why = "every row has as many fields as the header"
    return f"{len(raw)} fields, the header has {header_width} ({why})"


class FirstRows:
    """Keys seen so far (serial numbers, cédulas) and the row each was first seen on.

    A chunk of good rows adds its keys at once, to a set; the row of such a key is worked
    out only when a later row repeats it (`_check_rows` reporting the repetition), so a
    good file never builds a dictionary of every key and row."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self._rows: dict[str, int] = {}
        self._chunks: list[tuple[int, Sequence[str]]] = []  # keys not yet in `_rows`

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def __getitem__(self, key: str) -> int:
        self._work_out_rows()
        return self._rows[key]

    def __setitem__(self, key: str, row: int) -> None:
        self.keys.add(key)
        self._rows[key] = row

    def add_chunk(self, start: int, keys: Sequence[str], distinct: set[str]) -> None:
        """Keys first seen on consecutive rows from `start` (`distinct`: the same, as a set)."""
        self.keys |= distinct
        self._chunks.append((start, keys))

    def rows(self) -> dict[str, int]:
        """Every key with the row it was first seen on."""
        self._work_out_rows()
        return dict(self._rows)

    def _work_out_rows(self) -> None:
        for start, keys in self._chunks:
            self._rows.update(zip(keys, range(start, start + len(keys)), strict=True))
        self._chunks = []


class RollChecker:
    """Checks a roll file's rows chunk by chunk, remembering every problem until `finish`.

    Row numbers run on across chunks (the first data row is 2). With `header_width` (the
    header's number of fields) a row of any other width is refused: an unquoted comma would
    otherwise shift or cut the values that get signed. `on_roll_serials` holds the folded
    serial numbers (`numbers.fold`) held now or before.
    """

    def __init__(
        self,
        positions: dict[str, int],
        reference: Reference,
        *,
        source: str,
        on_roll_serials: Container[str] = (),
        on_roll_ids: Container[str] = (),
        latest_birth: date | None = None,
        progress: Callable[[int], None] | None = None,
        header_width: int | None = None,
    ) -> None:
        self.positions, self.reference, self.source = positions, reference, source
        self.on_roll_serials, self.on_roll_ids = on_roll_serials, on_roll_ids
        self.latest = latest_birth or date.max
        self.progress, self.header_width = progress, header_width
        self.problems: list[RowProblem] = []
        self.accepted = 0
        self.next_row = 2
        self.seen_serial = FirstRows()  # folded serial numbers
        self.seen_id = FirstRows()
        self.rank_cache: dict[tuple[str, str], str | None] = {}

    def check(self, rows: Iterable[Sequence[str]]) -> list[EnlistRow]:
        """The canonical rows of the good ones among the next rows; bad ones are remembered."""
        rows = rows if isinstance(rows, list) else list(rows)
        whole = self._check_good_chunk(rows)
        return whole if whole is not None else self._check_rows(rows)

    def _check_good_chunk(self, rows: list[Sequence[str]]) -> list[EnlistRow] | None:
        """The canonical rows when every row is good, checked a column at a time; None, with
        nothing remembered, when any row is not (`_check_rows` then finds which, and why).

        The same checks as `_check_rows`, made on whole columns by the built-in functions
        (a file's rows are nearly always all good): a chunk passes only if each of its rows
        would, and then gives what `_check_rows` would give, progress calls included."""
        columns = self._clean_columns(rows)
        if columns is None:
            return None
        serials, nids, given, surnames, births, sexes, comps, ranks, cats, units = columns
        if not (all(serials) and all(given) and all(surnames)):
            return None
        identities = self._new_identities(serials, nids)
        values = self._known_values(births, sexes, comps, ranks, cats)
        if identities is None or values is None:
            return None
        (keys, distinct_keys), (ids, distinct_ids) = identities
        start, n = self.next_row, len(rows)
        self.seen_serial.add_chunk(start, keys, distinct_keys)
        self.seen_id.add_chunk(start, ids, distinct_ids)
        if self.progress is not None:
            for _ in range(-(-start // PROGRESS_EVERY) * PROGRESS_EVERY, start + n, PROGRESS_EVERY):
                self.progress(PROGRESS_EVERY)
        self.next_row, self.accepted = start + n, self.accepted + n
        return list(zip(serials, ids, given, surnames, *values, units, strict=True))

    def _clean_columns(self, rows: list[Sequence[str]]) -> list[tuple[str, ...]] | None:
        """The roll's columns of rows that all have the header's width and clean values."""
        idx = [self.positions[c] for c in ROLL_COLUMNS]
        lengths = set(map(len, rows))
        if not rows or min(lengths) <= max(idx):
            return None
        if self.header_width is not None and lengths != {self.header_width}:
            return None
        picked = list(map(itemgetter(*idx), rows))
        if not _is_clean("|".join(chain.from_iterable(picked))):
            return None
        return list(zip(*picked, strict=True))

    def _new_identities(
        self, serials: Sequence[str], nids: Sequence[str]
    ) -> tuple[tuple[list[str], set[str]], tuple[list[str], set[str]]] | None:
        """Folded serial numbers and canonical cédulas (each also as a set), when each is
        valid and new."""
        keys = numbers.fold_all(serials)
        distinct_keys = set(keys)
        if len(distinct_keys) != len(keys) or not self.seen_serial.keys.isdisjoint(distinct_keys):
            return None
        if any(map(self.on_roll_serials.__contains__, keys)):
            return None
        try:
            ids = normalize_national_ids(nids, default_letter=None)
        except InvalidNationalIdError:
            return None
        distinct_ids = set(ids)
        if len(distinct_ids) != len(ids) or not self.seen_id.keys.isdisjoint(distinct_ids):
            return None
        if any(map(self.on_roll_ids.__contains__, ids)):
            return None
        return (keys, distinct_keys), (ids, distinct_ids)

    def _known_values(
        self,
        births: Sequence[str],
        sexes: Sequence[str],
        comps: Sequence[str],
        ranks: Sequence[str],
        cats: Sequence[str],
    ) -> tuple[Iterable[str], ...] | None:
        """Birth dates, sexes, components, ranks and categories in their canonical forms,
        when each is one the roll takes."""
        try:
            born = list(map(date.fromisoformat, births))
        except ValueError:
            return None
        if min(born) < EARLIEST_BIRTH or max(born) > self.latest:
            return None
        sexes, comps, cats = (
            tuple(map(str.upper, sexes)),
            tuple(map(str.upper, comps)),
            tuple(map(str.lower, cats)),
        )
        if not (_SEXES.issuperset(sexes) and _CATEGORIES.issuperset(cats)):
            return None
        if not set(comps).issubset(self.reference.components):
            return None
        pairs = list(zip(comps, ranks, strict=True))
        for key in set(pairs).difference(self.rank_cache):
            found = self.reference.find_rank(*key)
            self.rank_cache[key] = None if found is None else found.name_es
        canonical_ranks = list(map(self.rank_cache.__getitem__, pairs))
        if None in canonical_ranks:
            return None
        ranked = cast(list[str], canonical_ranks)  # None is not among them
        # A date written YYYY-MM-DD is its own ISO form; any other form is written as one.
        iso = births if _ISO_DAYS.fullmatch("\n".join(births) + "\n") else map(date.isoformat, born)
        return iso, sexes, comps, ranked, cats

    def _check_rows(self, rows: list[Sequence[str]]) -> list[EnlistRow]:
        """`check`, row by row: every problem of every row."""
        out = list[EnlistRow]()
        progress, header_width = self.progress, self.header_width
        idx = [self.positions[c] for c in ROLL_COLUMNS]
        width = max(idx) + 1
        pick = itemgetter(*idx)
        row_no = self.next_row - 1
        for row_no, raw in enumerate(rows, start=self.next_row):
            if progress is not None and row_no % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
            if len(raw) < width or (header_width is not None and len(raw) != header_width):
                if any(v.strip() for v in raw):  # a blank line is skipped
                    self._refuse(row_no, "(row)", ",".join(raw), _width(raw, header_width, width))
                continue
            row = self._check_row(row_no, clean_values(pick(raw)))
            if row is not None:
                out.append(row)
        self.next_row = row_no + 1
        self.accepted += len(out)
        return out

    def _refuse(self, row_no: int, column: str, value: str, expected: str) -> None:
        self.problems.append(RowProblem(row_no, column, value, expected))

    def _check_row(self, row_no: int, values: tuple[str, ...]) -> EnlistRow | None:
        """One row's canonical values, or None with its every problem remembered."""
        serial, nid, given, surnames, birth, sex, comp, rank, cat, unit = values
        bad = len(self.problems)
        self._check_serial(row_no, serial)
        nid = self._check_national_id(row_no, nid)
        for column, value in (("given_names", given), ("surnames", surnames)):
            if not value:
                self._refuse(row_no, column, value, "at least one name")
        birth = self._check_birth(row_no, birth)
        sex = sex.upper()
        if sex not in _SEXES:
            self._refuse(row_no, "sex", sex, "M or F")
        comp, rank = self._check_rank(row_no, comp.upper(), rank)
        cat = cat.lower()
        if cat not in _CATEGORIES:
            self._refuse(row_no, "category", cat, "one of " + ", ".join(sorted(_CATEGORIES)))
        if len(self.problems) != bad:
            return None
        return (serial, nid, given, surnames, birth, sex, comp, rank, cat, unit)

    def _check_serial(self, row_no: int, serial: str) -> None:
        """A serial number is given, and new in the file and on the roll (in any case)."""
        serial_key = numbers.fold(serial)  # `gnb-1` and `GNB-1` are one serial number
        if not serial:
            self._refuse(row_no, "serial_number", serial, "a serial number")
        elif serial_key in self.seen_serial:
            first = self.seen_serial[serial_key]
            self._refuse(row_no, "serial_number", serial, f"unique; row {first} has it too")
        elif serial_key in self.on_roll_serials:
            expected = "unique; a person on the roll holds or held it"
            self._refuse(row_no, "serial_number", serial, expected)
        else:
            self.seen_serial[serial_key] = row_no

    def _check_national_id(self, row_no: int, nid: str) -> str:
        """The cédula in canonical form, new in the file and on the roll."""
        try:
            nid = normalize_national_id(nid, default_letter=None)
        except InvalidNationalIdError as err:
            expected = f"a cédula such as V-12345678 ({err.why})"
            self._refuse(row_no, "national_id", nid, expected)
            return nid
        if nid in self.seen_id:
            self._refuse(row_no, "national_id", nid, f"unique; row {self.seen_id[nid]} has it too")
        elif nid in self.on_roll_ids:
            self._refuse(row_no, "national_id", nid, "unique; a person on the roll has it")
        else:
            self.seen_id[nid] = row_no
        return nid

    def _check_birth(self, row_no: int, birth: str) -> str:
        """The birth date in ISO form, between `EARLIEST_BIRTH` and the latest allowed."""
        try:
            born = date.fromisoformat(birth)
        except ValueError:
            self._refuse(row_no, "birth_date", birth, "an ISO date YYYY-MM-DD")
            return birth
        if not EARLIEST_BIRTH <= born <= self.latest:
            expected = f"a date between {EARLIEST_BIRTH} and {self.latest}"
            self._refuse(row_no, "birth_date", birth, expected)
        return born.isoformat()

    def _check_rank(self, row_no: int, comp: str, rank: str) -> tuple[str, str]:
        """A known component, and the rank's canonical name among that component's ranks."""
        reference = self.reference
        if comp not in reference.components:
            self._refuse(row_no, "component", comp, "one of " + ", ".join(reference.components))
            return comp, rank
        key = (comp, rank)
        if key not in self.rank_cache:
            found = reference.find_rank(comp, rank)
            self.rank_cache[key] = None if found is None else found.name_es
        canonical = self.rank_cache[key]
        if canonical is None:
            expected = f"a rank of {comp}: " + ", ".join(reference.rank_names(comp))
            self._refuse(row_no, "rank", rank, expected)
            return comp, rank
        return comp, canonical

    def finish(self) -> None:
        """Refuses the file if any row was bad, or if it had no rows at all."""
        if self.problems:
            raise RollFileError(self.source, self.problems)
        if not self.accepted:
            raise InvalidInputError(f"{self.source}: no rows to import")


def check_roll_rows(
    rows: Iterable[Sequence[str]],
    positions: dict[str, int],
    reference: Reference,
    *,
    source: str,
    on_roll_serials: Container[str] = (),
    on_roll_ids: Container[str] = (),
    latest_birth: date | None = None,
    progress: Callable[[int], None] | None = None,
    header_width: int | None = None,
) -> list[EnlistRow]:
    """Canonical enlistment rows, or RollFileError naming every bad row (see `RollChecker`)."""
    checker = RollChecker(
        positions,
        reference,
        source=source,
        on_roll_serials=on_roll_serials,
        on_roll_ids=on_roll_ids,
        latest_birth=latest_birth,
        progress=progress,
        header_width=header_width,
    )
    out = checker.check(rows)
    checker.finish()
    return out
