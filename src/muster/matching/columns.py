"""The roll held in columns, not as a Python object per member, and read back as identities.

Serial numbers and cédulas are UTF-8 bytes with offsets (`Strings`); given names, surnames,
birth dates and sexes ids into tables of their distinct values (`Distinct`: a 2,000,000-member
roll has about 25,000 distinct given names and 700,000 distinct surname pairs); birth date,
cédula number and sex also as numbers, and the birth date and cédula once more one decimal digit
per 4 bits, for the vectorised pre-score. Other identifying attributes (`Member.attributes`)
are one id column per attribute name into a table of its distinct values (id 0: none).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from muster.matching.frequencies import AttributeFrequencies
from muster.matching.hashes import given_bloom, surname_bloom
from muster.matching.normalize import (
    PersonName,
    Surname,
    parse_birth_date,
    parse_name,
    parse_national_id,
    parse_sex,
)
from muster.matching.records import Member, attributes_of
from muster.matching.scoring import Identity

LETTERS = ("", "V", "E", "?")  # a cédula's letter by its code in the `letter` column
SEXES = ("", "M", "F")  # a sex by its code in the `sex` column
_CEDULA = re.compile(r"[VE]-[1-9][0-9]{0,8}")

Array = npt.NDArray[Any]
U64 = npt.NDArray[np.uint64]


class Strings:
    """Strings as one UTF-8 blob with offsets; appended and replaced ones kept aside."""

    def __init__(self, blob: bytes, offsets: npt.NDArray[np.int64]) -> None:
        self._blob = blob
        self._offsets = offsets
        self._base = len(offsets) - 1
        self._extra: list[str] = []
        self._changed: dict[int, str] = {}

    @classmethod
    def of(cls, values: Sequence[str]) -> Strings:
        text = "".join(values)
        blob = text.encode()
        if len(blob) == len(text):
            lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        else:
            lengths = np.fromiter((len(v.encode()) for v in values), np.int64, len(values))
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(blob, offsets)

    def __len__(self) -> int:
        return self._base + len(self._extra)

    def __getitem__(self, i: int) -> str:
        if i >= self._base:
            return self._extra[i - self._base]
        if self._changed and i in self._changed:
            return self._changed[i]
        return self._blob[self._offsets[i] : self._offsets[i + 1]].decode()

    def append(self, value: str) -> int:
        self._extra.append(value)
        return len(self) - 1

    def set(self, i: int, value: str) -> None:
        if i >= self._base:
            self._extra[i - self._base] = value
        else:
            self._changed[i] = value

    def values(self) -> list[str]:
        """Every string, in order."""
        text = self._blob.decode()
        if len(text) == len(self._blob):
            o = self._offsets.tolist()
            out = [text[o[i] : o[i + 1]] for i in range(self._base)]
        else:
            out = [self[i] for i in range(self._base)]
        for i, v in self._changed.items():
            out[i] = v
        return out + self._extra

    def arrays(self) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
        merged = self if not (self._extra or self._changed) else Strings.of(self.values())
        return np.frombuffer(merged._blob, dtype=np.uint8), merged._offsets

    @classmethod
    def from_arrays(cls, blob: Array, offsets: Array) -> Strings:
        return cls(blob.tobytes(), offsets.astype(np.int64))


class Distinct:
    """The distinct values of a text column (ids into them are kept in the columns)."""

    def __init__(self, strings: Strings) -> None:
        self.strings = strings
        self._ids: dict[str, int] | None = None

    def intern(self, value: str) -> int:
        if self._ids is None:
            self._ids = {v: i for i, v in enumerate(self.strings.values())}
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = self.strings.append(value)
        return found


def parse_cedula(text: str) -> tuple[int, int]:
    """(letter code, number) of a member's cédula; (0, 0) when missing or unreadable."""
    raw = text.strip()
    if _CEDULA.fullmatch(raw):
        return (1 if raw[0] == "V" else 2), int(raw[2:])
    value = parse_national_id(raw).value
    if value is None:
        return 0, 0
    letter, _, digits = value.partition("-")
    return LETTERS.index(letter), int(digits)


def yyyymmdd(born: date | None) -> int:
    """A birth date as the number YYYYMMDD (0: missing)."""
    return 0 if born is None else born.year * 10_000 + born.month * 100 + born.day


def bcd(numbers: Array) -> U64:
    """Numbers of up to 16 decimal digits with one digit per 4 bits."""
    out = np.zeros(len(numbers), dtype=np.uint64)
    rest = numbers.astype(np.int64)
    for place in range(16):
        if not rest.any():
            break
        out |= (rest % 10).astype(np.uint64) << np.uint64(4 * place)
        rest = rest // 10
    return out


def attribute_column(name: str) -> str:
    """The column of attribute `name`'s value ids among the numeric columns."""
    return f"attribute:{name}"


class MemberColumns:
    """Every member ever filed, by row: their text columns, numbers and parsed names."""

    NUMERIC = (
        ("given_id", np.int32), ("surname_id", np.int32), ("birth_id", np.int32),
        ("sex_id", np.int32), ("born", np.int32), ("cedula", np.int64),
        ("letter", np.int8), ("sex", np.int8),
    )  # fmt: skip

    # birth date and cédula number one decimal digit per 4 bits, to count differing digits
    DERIVED = (("born_bcd", np.uint64), ("cedula_bcd", np.uint64))

    def __init__(self) -> None:
        self.n = 0
        self.serials = Strings.of([])
        self.keys: Strings | None = None  # None: every member's key is their serial number
        self.national_ids = Strings.of([])
        self.given = Distinct(Strings.of([]))
        self.surnames = Distinct(Strings.of([]))
        self.births = Distinct(Strings.of([]))
        self.sexes = Distinct(Strings.of([]))
        self.cols: dict[str, Array] = {
            n: np.zeros(0, dtype=t) for n, t in (*self.NUMERIC, *self.DERIVED)
        }
        self.attributes: dict[str, Distinct] = {}  # by name: distinct values, "" first (id 0)
        # the letter pairs (`hashes.bloom`) of each distinct given names and surnames
        self.given_bloom: U64 = np.zeros(0, dtype=np.uint64)
        self.surname_bloom: U64 = np.zeros(0, dtype=np.uint64)
        self.odd: dict[int, PersonName] = {}  # rows whose name is in a zone's form
        self.given_parsed: dict[int, tuple[str, ...]] = {}
        self.surnames_parsed: dict[int, tuple[tuple[Surname, ...], Surname | None]] = {}

    def __len__(self) -> int:
        return self.n

    @classmethod
    def of(
        cls, keys: list[str], serials: list[str], national_ids: list[str],
        values: Sequence[list[str]], ids: Sequence[list[int]],
    ) -> MemberColumns:  # fmt: skip
        """The columns of a roll gathered as `RollColumns`, names not parsed yet: `values`
        the distinct given names, surnames, birth dates and sexes, `ids` each row's ids."""
        found = cls()
        n = found.n = len(keys)
        found.serials = Strings.of(serials)
        if keys != serials:
            found.keys = Strings.of(keys)
        found.national_ids = Strings.of(national_ids)
        given, surnames, births, sexes = values
        found.given, found.surnames = Distinct(Strings.of(given)), Distinct(Strings.of(surnames))
        found.births, found.sexes = Distinct(Strings.of(births)), Distinct(Strings.of(sexes))
        cols = found.cols
        for name, column in zip(("given_id", "surname_id", "birth_id", "sex_id"), ids, strict=True):
            cols[name] = np.array(column, dtype=np.int32)
        born = np.array([yyyymmdd(parse_birth_date(b).value) for b in births], dtype=np.int32)
        cols["born"] = born[cols["birth_id"]]
        sex = np.array([SEXES.index(parse_sex(s).value or "") for s in sexes], dtype=np.int8)
        cols["sex"] = sex[cols["sex_id"]]
        cedulas = [parse_cedula(t) for t in national_ids]
        cols["letter"] = np.fromiter((c[0] for c in cedulas), dtype=np.int8, count=n)
        cols["cedula"] = np.fromiter((c[1] for c in cedulas), dtype=np.int64, count=n)
        del cedulas
        found.derive()
        return found

    def derive(self) -> None:
        """The columns worked out from others (`DERIVED`)."""
        cols = self.cols
        cols["born_bcd"], cols["cedula_bcd"] = bcd(cols["born"]), bcd(cols["cedula"])

    # -- other identifying attributes ---------------------------------------------------

    def attribute(self, name: str) -> Distinct:
        """The table of attribute `name`'s distinct values, with its id column (made empty)."""
        parts = self.attributes.get(name)
        if parts is None:
            parts = self.attributes[name] = Distinct(Strings.of([""]))
            self.cols[attribute_column(name)] = np.zeros(len(self.cols["born"]), np.int32)
        return parts

    def count_attributes(self) -> AttributeFrequencies:
        """The attributes' frequencies, counted from their columns."""
        counted = AttributeFrequencies()
        for name, parts in self.attributes.items():
            counts = np.bincount(self.cols[attribute_column(name)][: self.n])
            values = parts.strings.values()
            found = Counter({values[i]: int(c) for i, c in enumerate(counts.tolist()) if i and c})
            counted.values[name] = found
            counted.carrying[name] = sum(found.values())
        return counted

    def attributes_of(self, row: int) -> tuple[tuple[str, str], ...]:
        if not self.attributes:
            return ()
        found = []
        for name, parts in self.attributes.items():
            value = int(self.cols[attribute_column(name)][row])
            if value:
                found.append((name, parts.strings[value]))
        return tuple(sorted(found))

    # -- reading members ------------------------------------------------------------------

    def member(self, row: int) -> Member:
        cols = self.cols
        return Member(
            self.key(row),
            self.serials[row],
            self.given.strings[int(cols["given_id"][row])],
            self.surnames.strings[int(cols["surname_id"][row])],
            self.births.strings[int(cols["birth_id"][row])],
            self.national_ids[row],
            self.sexes.strings[int(cols["sex_id"][row])],
            dict(self.attributes_of(row)),
        )

    def key(self, row: int) -> str:
        return self.serials[row] if self.keys is None else self.keys[row]

    def identities(self, rows: Sequence[int]) -> list[Identity]:
        """The members in `rows` as identities (their columns read in one step, each distinct
        name part parsed once)."""
        cols = self.cols
        at = np.asarray(rows, dtype=np.int64)
        columns = zip(
            rows,
            cols["given_id"][at].tolist(),
            cols["surname_id"][at].tolist(),
            cols["born"][at].tolist(),
            cols["letter"][at].tolist(),
            cols["cedula"][at].tolist(),
            cols["sex"][at].tolist(),
            strict=True,
        )
        return [
            Identity(
                self._name(row, gid, sid),
                date(born // 10_000, born // 100 % 100, born % 100) if born else None,
                f"{LETTERS[letter]}-{cedula}" if letter else None,
                SEXES[sex] or None,
                self.attributes_of(row),
            )
            for row, gid, sid, born, letter, cedula, sex in columns
        ]

    def _name(self, row: int, gid: int, sid: int) -> PersonName:
        name = self.odd.get(row)
        if name is not None:
            return name
        given = self.given_parsed.get(gid)
        if given is None:
            text = self.given.strings[gid]
            if "<" in text or "<" in self.surnames.strings[sid]:
                return self.odd_name(row)
            given = self.given_parsed[gid] = parse_name(text, "").given
        found = self.surnames_parsed.get(sid)
        if found is None:
            text = self.surnames.strings[sid]
            if "<" in text:
                return self.odd_name(row)
            if len(self.surnames_parsed) > 1_000_000:
                self.surnames_parsed.clear()
            parsed = parse_name("", text)
            found = self.surnames_parsed[sid] = (parsed.surnames, parsed.married)
        return PersonName(given, *found)

    def odd_name(self, row: int) -> PersonName:
        """A member whose name is written in a zone's form, parsed whole and remembered."""
        member = self.member(row)
        name = self.odd[row] = parse_name(member.given_names, member.surnames)
        return name

    # -- writing a member -----------------------------------------------------------------

    def grow(self, n: int) -> None:
        """Room for `n` members (more, so that members added one by one are cheap)."""
        cols = self.cols
        if n > len(cols["born"]):
            size = max(n, len(cols["born"]) * 3 // 2 + 16)
            for name, array in cols.items():
                grown = np.zeros(size, dtype=array.dtype)
                grown[: len(array)] = array
                cols[name] = grown
        self.n = max(self.n, n)

    def set_row(self, row: int, m: Member) -> None:
        """Member `m`'s values in `row` (its serial number, key and cédula text aside)."""
        cols = self.cols
        gid = cols["given_id"][row] = self.given.intern(m.given_names)
        sid = cols["surname_id"][row] = self.surnames.intern(m.surnames)
        if gid >= len(self.given_bloom):
            self.given_bloom = np.append(self.given_bloom, np.uint64(given_bloom(m.given_names)))
        if sid >= len(self.surname_bloom):
            self.surname_bloom = np.append(self.surname_bloom, np.uint64(surname_bloom(m.surnames)))
        cols["birth_id"][row] = self.births.intern(m.birth_date)
        cols["sex_id"][row] = self.sexes.intern(m.sex)
        cols["born"][row] = yyyymmdd(parse_birth_date(m.birth_date).value)
        cols["sex"][row] = SEXES.index(parse_sex(m.sex).value or "")
        cols["letter"][row], cols["cedula"][row] = parse_cedula(m.national_id)
        cols["born_bcd"][row] = bcd(cols["born"][row : row + 1])[0]
        cols["cedula_bcd"][row] = bcd(cols["cedula"][row : row + 1])[0]
        carried = dict(attributes_of(m.attributes))
        for name in sorted(carried.keys() - self.attributes.keys()):
            self.attribute(name)
        for name, parts in self.attributes.items():
            value = carried.get(name)
            cols[attribute_column(name)][row] = parts.intern(value) if value else 0
        self.odd.pop(row, None)


class RollColumns:
    """A roll gathered as columns, for `CandidateIndex.from_columns`.

    A later row with the same key replaces an earlier one.
    """

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.serials: list[str] = []
        self.national_ids: list[str] = []
        self.values: tuple[dict[str, int], ...] = ({}, {}, {}, {})  # given, surnames, born, sex
        self.ids: tuple[list[int], ...] = ([], [], [], [])
        # other identifying attributes: by name, one value per row ("" none)
        self.attributes: dict[str, list[str]] = {}
        self._rows: dict[str, int] | None = {}

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def of(
        cls,
        keys: list[str],
        serials: list[str],
        given: list[str],
        surnames: list[str],
        born: list[str],
        national_ids: list[str],
        sex: list[str],
    ) -> RollColumns:
        """Columns of equal length, row by row (the usual case, keys all different, is read a
        column at a time)."""
        if len(set(keys)) != len(keys):
            columns = cls()
            for row in zip(keys, serials, given, surnames, born, national_ids, sex, strict=True):
                columns.add(*row)
            return columns
        columns = cls()
        columns.keys, columns.serials, columns.national_ids = keys, serials, national_ids
        columns._rows = None
        for values, ids, column in zip(
            columns.values, columns.ids, (given, surnames, born, sex), strict=True
        ):
            ids.extend([values.setdefault(v, len(values)) for v in column])
        return columns

    def add(
        self,
        key: str,
        serial: str,
        given: str,
        surnames: str,
        born: str,
        nid: str,
        sex: str,
        attributes: Mapping[str, str] | None = None,
    ) -> None:
        if self._rows is None:
            self._rows = {k: i for i, k in enumerate(self.keys)}
        row = self._rows.setdefault(key, len(self.keys))
        codes = [
            d.setdefault(v, len(d))
            for d, v in zip(self.values, (given, surnames, born, sex), strict=True)
        ]
        if row == len(self.keys):
            self.keys.append(key)
            self.serials.append(serial)
            self.national_ids.append(nid)
            for ids, code in zip(self.ids, codes, strict=True):
                ids.append(code)
        else:
            self.serials[row] = serial
            self.national_ids[row] = nid
            for ids, code in zip(self.ids, codes, strict=True):
                ids[row] = code
        if attributes or self.attributes:
            carried = dict(attributes_of(attributes or {}))
            for name in sorted(carried.keys() - self.attributes.keys()):
                self.attributes[name] = []
            for name, values in self.attributes.items():
                values.extend([""] * (len(self.keys) - len(values)))
                values[row] = carried.get(name, "")

    def add_member(self, m: Member) -> None:
        self.add(m.key, m.serial_number, m.given_names, m.surnames, m.birth_date,
                 m.national_id, m.sex, m.attributes)  # fmt: skip
