"""The candidate index: every member ever on the roll, filed under a few exact blocking keys.

The roll is held in columns, not as a Python object per member: serial numbers and cédulas as
UTF-8 bytes with offsets; given names, surnames, birth dates and sexes as ids into tables of
their distinct values (a 2,000,000-member roll has about 25,000 distinct given names and
700,000 distinct surname pairs); birth date, cédula number and sex also as numbers, so the
candidates of a traveler are pre-scored on them in one vectorised step. A name is parsed once
per distinct given names and once per distinct surnames, and a member's keys are computed from
those parts with numpy.

Keys are 64-bit hashes (`keys.py` says which keys); the index keeps the distinct keys sorted
with the start of each key's members (compressed rows, members sorted within a key), so a
lookup of all of a traveler's keys is one `searchsorted`. Members added or amended later go to
a small overlay dict, so the roll's orders are followed without a rebuild. Saved as `.npz`
(loaded with `allow_pickle=False`: nothing in it can run code) beside a `.json` manifest
holding its SHA-256 digest, checked on load.

Other identifying attributes (`Member.attributes`) are held as one id column per attribute
name into a table of its distinct values (id 0: none); their frequencies are counted from
those columns.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import orjson

from muster.errors import MusterError
from muster.matching.keys import Key, given_tokens, member_keys, surname_tokens, traveler_keys
from muster.matching.normalize import (
    PersonName,
    Surname,
    attribute_value,
    parse_birth_date,
    parse_name,
    parse_national_id,
    parse_sex,
    spelling_key,
)
from muster.matching.records import Member, attributes_of
from muster.matching.scoring import LLR, AttributeFrequencies, Identity, NameFrequencies
from muster.matching.words import sound_key

FORMAT = "muster-match-index"
VERSION = 4  # 3: given names filed by `spoken_key`; 4: other identifying attributes
MAX_BUCKET = 50_000  # a key shared by more members than this says nothing useful
ENUMERATE = 3_000  # members read from a traveler's smallest keys; larger keys are only probed
SURNAME_LETTERS, GIVEN_LETTERS = 6.0, 3.0  # pre-score weight of the letter-pair overlap
PRESCORE_GAP = 20.0  # members pre-scored this far below the best are not compared in full
PARALLEL_FROM = 10_000  # distinct surnames worth parsing in several processes
ROW_BITS = 24  # a key is filed as (hash >> ROW_BITS, row): up to 16,777,216 members
MAX_ROWS = 1 << ROW_BITS
INDEX_STEPS = 3  # the steps `CandidateIndex.from_columns` reports to its `progress`
_KINDS = {"c": 1, "d": 2, "p": 3, "g": 4}
_LETTERS = ("", "V", "E", "?")
_SEXES = ("", "M", "F")
_CEDULA = re.compile(r"[VE]-[1-9][0-9]{0,8}")

Array = npt.NDArray[Any]
U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]


class IndexFileError(MusterError):
    """Raised when a saved index is missing, altered or of another format."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"match index {path}: {why}; build it again with `muster match --save-index`"
        )


@lru_cache(maxsize=1 << 18)
def _token(text: str) -> int:
    """A stable 64-bit hash of one word of a key (the same in every process and version)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _splitmix(x: U64) -> U64:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _mix(kind: int, first: U64, second: U64) -> U64:
    """The hash of keys of one kind from the numbers or word hashes of their two parts."""
    with np.errstate(over="ignore"):
        x = _splitmix(first ^ np.uint64(kind * 0x100000001B3))
        return _splitmix(x ^ second)


_M64 = (1 << 64) - 1


def _splitmix_int(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


@lru_cache(maxsize=1 << 18)
def key_hash(key: Key) -> int:
    """The 64-bit hash of one blocking key (`_mix`, in Python integers)."""
    kind, first, second = key
    if kind in ("c", "d"):
        a, b = int(first), 0
    else:
        a, b = _token(first), _token(second)
    return _splitmix_int(_splitmix_int(a ^ (_KINDS[kind] * 0x100000001B3)) ^ b)


def key_hashes(keys: Iterable[Key]) -> U64:
    """The 64-bit hashes of blocking keys, in the order given."""
    return np.array([key_hash(k) for k in keys], dtype=np.uint64)


class _Strings:
    """Strings as one UTF-8 blob with offsets; appended and replaced ones kept aside."""

    def __init__(self, blob: bytes, offsets: npt.NDArray[np.int64]) -> None:
        self._blob = blob
        self._offsets = offsets
        self._base = len(offsets) - 1
        self._extra: list[str] = []
        self._changed: dict[int, str] = {}

    @classmethod
    def of(cls, values: Sequence[str]) -> _Strings:
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
        merged = self if not (self._extra or self._changed) else _Strings.of(self.values())
        return np.frombuffer(merged._blob, dtype=np.uint8), merged._offsets

    @classmethod
    def from_arrays(cls, blob: Array, offsets: Array) -> _Strings:
        return cls(blob.tobytes(), offsets.astype(np.int64))


class _Parts:
    """The distinct values of a text column (ids into them are kept by the index)."""

    def __init__(self, strings: _Strings) -> None:
        self.strings = strings
        self._ids: dict[str, int] | None = None

    def intern(self, value: str) -> int:
        if self._ids is None:
            self._ids = {v: i for i, v in enumerate(self.strings.values())}
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = self.strings.append(value)
        return found


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
            for name in carried.keys() - self.attributes.keys():
                self.attributes[name] = []
            for name, values in self.attributes.items():
                values.extend([""] * (len(self.keys) - len(values)))
                values[row] = carried.get(name, "")

    def add_member(self, m: Member) -> None:
        self.add(m.key, m.serial_number, m.given_names, m.surnames, m.birth_date,
                 m.national_id, m.sex, m.attributes)  # fmt: skip


def _parse_cedula(text: str) -> tuple[int, int]:
    """(letter code, number) of a member's cédula; (0, 0) when missing or unreadable."""
    raw = text.strip()
    if _CEDULA.fullmatch(raw):
        return (1 if raw[0] == "V" else 2), int(raw[2:])
    value = parse_national_id(raw).value
    if value is None:
        return 0, 0
    letter, _, digits = value.partition("-")
    return _LETTERS.index(letter), int(digits)


def bloom(words: Iterable[str]) -> int:
    """The pairs of adjacent letters of the words by sound (and their first and last letters)
    as 64 bits: two renderings of one name share most of them despite a typo, a swap of the
    surnames or surnames written as one word."""
    bits = 0
    for word in words:
        bits |= _word_bloom(word)
    return bits


@lru_cache(maxsize=1 << 17)
def _word_bloom(word: str) -> int:
    key = f"^{sound_key(word)}$"
    bits = 0
    for a, b in itertools.pairwise(key):
        bits |= 1 << ((ord(a) * 37 + ord(b)) % 64)
    return bits


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int8)


def _popcount(x: U64) -> Array:
    count = getattr(np, "bitwise_count", None)  # numpy 2
    if count is not None:
        found: Array = count(x)
        return found
    counted: Array = _POPCOUNT[x.view(np.uint8)].reshape(-1, 8).sum(axis=1)
    return counted


def _dice(mine: int, theirs: U64) -> Array:
    """2|a∧b| / (|a| + |b|) of bit sets: how much two names' letter pairs overlap."""
    shared = _popcount(theirs & np.uint64(mine))
    sizes = _popcount(theirs) + int(mine).bit_count()
    dice: Array = 2.0 * shared / np.maximum(sizes, 1)
    return dice


def _yyyymmdd(born: date | None) -> int:
    return 0 if born is None else born.year * 10_000 + born.month * 100 + born.day


def _bcd(numbers: Array) -> U64:
    """Numbers of up to 16 decimal digits with one digit per 4 bits."""
    out = np.zeros(len(numbers), dtype=np.uint64)
    rest = numbers.astype(np.int64)
    for place in range(16):
        if not rest.any():
            break
        out |= (rest % 10).astype(np.uint64) << np.uint64(4 * place)
        rest = rest // 10
    return out


def _digits_differing(theirs: U64, mine: int) -> Array:
    """How many decimal digits differ between numbers held as `_bcd` and another number."""
    x = theirs ^ _bcd(np.array([mine], dtype=np.int64))[0]
    nibbles = (x | (x >> np.uint64(1)) | (x >> np.uint64(2)) | (x >> np.uint64(3))) & np.uint64(
        0x1111111111111111
    )
    return _popcount(nibbles)


def _given_letters(given: Sequence[str]) -> int:
    """The letter pairs (`bloom`) a name's first two given names are pre-scored by."""
    return bloom(given[:2])


def _surname_letters(name: PersonName) -> int:
    """The letter pairs (`bloom`) a name's surnames are pre-scored by."""
    return bloom(s.core for s in name.all_surnames)


def _given_bloom(text: str) -> int:
    mrz = "<" if "<" in text else ""
    return _given_letters(parse_name(text, mrz).given)


def _surname_bloom(text: str) -> int:
    mrz = "<" if "<" in text else ""
    return _surname_letters(parse_name(mrz, text))


@dataclass
class _SurnameParts:
    """Distinct surnames `start:stop` of the roll being built, parsed: their key words, letter
    pairs, counts of each surname word, and the parsed surnames (None: a zone's form)."""

    variants: list[list[int]]
    pairs: U64
    pair_b: U64
    joined: U64
    bloom: U64
    counted: Counter[str]
    parsed: list[tuple[tuple[Surname, ...], Surname | None] | None]


_BUILDING: tuple[list[str], Array] | None = None  # surnames and counts, for forked workers


def _surname_parts(start: int, stop: int) -> _SurnameParts:
    assert _BUILDING is not None
    texts, counts = _BUILDING[0][start:stop], _BUILDING[1][start:stop].tolist()
    size = len(texts)
    empty = np.zeros(size, dtype=np.uint64)
    out = _SurnameParts([], empty, empty.copy(), empty.copy(), empty.copy(), Counter(), [])
    for i, text in enumerate(texts):
        if "<" in text:
            out.bloom[i] = _surname_bloom(text)
            out.variants.append([])
            out.parsed.append(None)
            continue
        name = parse_name("", text)
        out.bloom[i] = _surname_letters(name)
        out.parsed.append((name.surnames, name.married))
        count = counts[i]
        for s in name.all_surnames:
            out.counted[spelling_key(s.core)] += count
        found, pair, one_word = surname_tokens(name)
        out.variants.append([_token(v) for v in found])
        if pair is not None:
            out.pairs[i], out.pair_b[i] = _token(pair[0]), _token(pair[1])
        if one_word:
            out.joined[i] = _token(one_word)
    return out


class CandidateIndex:
    """Members by blocking key, with the name frequencies learnt from them."""

    _NUMERIC = (
        ("given_id", np.int32), ("surname_id", np.int32), ("birth_id", np.int32),
        ("sex_id", np.int32), ("born", np.int32), ("cedula", np.int64),
        ("letter", np.int8), ("sex", np.int8),
    )  # fmt: skip

    # birth date and cédula number one decimal digit per 4 bits, to count differing digits
    _DERIVED = (("born_bcd", np.uint64), ("cedula_bcd", np.uint64))

    def __init__(self) -> None:
        self.freq = NameFrequencies()
        self.values = AttributeFrequencies()  # of the other identifying attributes
        self._attributes: dict[str, _Parts] = {}  # by name: distinct values, "" first (id 0)
        self._n = 0
        self._serials = _Strings.of([])
        self._keys: _Strings | None = None  # None: every member's key is their serial number
        self._national_ids = _Strings.of([])
        self._given = _Parts(_Strings.of([]))
        self._surnames = _Parts(_Strings.of([]))
        self._births = _Parts(_Strings.of([]))
        self._sexes = _Parts(_Strings.of([]))
        self._cols: dict[str, Array] = {
            n: np.zeros(0, dtype=t) for n, t in (*self._NUMERIC, *self._DERIVED)
        }
        self._bucket_keys: U64 = np.zeros(0, dtype=np.uint64)
        self._starts: npt.NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._ids: I32 = np.zeros(0, dtype=np.int32)
        self._given_bloom: U64 = np.zeros(0, dtype=np.uint64)
        self._surname_bloom: U64 = np.zeros(0, dtype=np.uint64)
        self._overlay: dict[int, list[int]] = {}
        self._odd: dict[int, PersonName] = {}  # rows whose name is in a zone's form
        self._given_parsed: dict[int, tuple[str, ...]] = {}
        self._surnames_parsed: dict[int, tuple[tuple[Surname, ...], Surname | None]] = {}
        self._rows: dict[str, int] | None = None

    def __len__(self) -> int:
        return self._n

    # -- building ------------------------------------------------------------------------

    @classmethod
    def build(cls, members: Iterable[Member]) -> CandidateIndex:
        """An index of all `members` (a later row with the same key replaces an earlier one)."""
        columns = RollColumns()
        for member in members:
            columns.add_member(member)
        return cls.from_columns(columns)

    @classmethod
    def from_columns(
        cls,
        columns: RollColumns,
        workers: int = 1,
        progress: Callable[[str], None] | None = None,
    ) -> CandidateIndex:
        """An index of a roll gathered as columns; with `workers` > 1 the distinct surnames are
        parsed in that many processes (forked: only from a process without other threads).
        `progress` is told each of the INDEX_STEPS steps as it starts."""
        step = progress or (lambda _message: None)
        step(f"indexing {len(columns):,} people: dates of birth and cédulas")
        index = cls()
        n = index._n = len(columns)
        if n >= MAX_ROWS:
            raise MusterError(f"a match index holds at most {MAX_ROWS - 1:,} members")
        index._serials = _Strings.of(columns.serials)
        if columns.keys != columns.serials:
            index._keys = _Strings.of(columns.keys)
        index._national_ids = _Strings.of(columns.national_ids)
        given, surnames, births, sexes = (list(d) for d in columns.values)
        index._given, index._surnames = _Parts(_Strings.of(given)), _Parts(_Strings.of(surnames))
        index._births, index._sexes = _Parts(_Strings.of(births)), _Parts(_Strings.of(sexes))
        cols = index._cols
        for name, ids in zip(
            ("given_id", "surname_id", "birth_id", "sex_id"), columns.ids, strict=True
        ):
            cols[name] = np.array(ids, dtype=np.int32)
        born = np.array([_yyyymmdd(parse_birth_date(b).value) for b in births], dtype=np.int32)
        cols["born"] = born[cols["birth_id"]]
        sex = np.array([_SEXES.index(parse_sex(s).value or "") for s in sexes], dtype=np.int8)
        cols["sex"] = sex[cols["sex_id"]]
        cedulas = [_parse_cedula(t) for t in columns.national_ids]
        cols["letter"] = np.fromiter((c[0] for c in cedulas), dtype=np.int8, count=n)
        cols["cedula"] = np.fromiter((c[1] for c in cedulas), dtype=np.int64, count=n)
        del cedulas
        index._derive()
        step(f"indexing {len(columns):,} people: names and their keys")
        index._set_keys(index._file_all(given, surnames, workers))
        step(f"indexing {len(columns):,} people: attributes")
        for name, values in columns.attributes.items():
            parts = index._attribute(name)
            found = (parts.intern(attribute_value(v)) for v in values)
            cols[_attribute_column(name)][:] = np.fromiter(found, np.int32, n)
        index._count_attributes()
        return index

    def _attribute(self, name: str) -> _Parts:
        """The table of attribute `name`'s distinct values, with its id column (made empty)."""
        parts = self._attributes.get(name)
        if parts is None:
            parts = self._attributes[name] = _Parts(_Strings.of([""]))
            self._cols[_attribute_column(name)] = np.zeros(len(self._cols["born"]), np.int32)
        return parts

    def _count_attributes(self) -> None:
        """The attributes' frequencies, counted from their columns."""
        self.values = AttributeFrequencies()
        for name, parts in self._attributes.items():
            counts = np.bincount(self._cols[_attribute_column(name)][: self._n])
            values = parts.strings.values()
            found = Counter({values[i]: int(c) for i, c in enumerate(counts.tolist()) if i and c})
            self.values.values[name] = found
            self.values.carrying[name] = sum(found.values())

    def _attributes_of(self, row: int) -> tuple[tuple[str, str], ...]:
        if not self._attributes:
            return ()
        found = []
        for name, parts in self._attributes.items():
            value = int(self._cols[_attribute_column(name)][row])
            if value:
                found.append((name, parts.strings[value]))
        return tuple(sorted(found))

    def _derive(self) -> None:
        cols = self._cols
        cols["born_bcd"], cols["cedula_bcd"] = _bcd(cols["born"]), _bcd(cols["cedula"])

    def _file_all(self, given: list[str], surnames: list[str], workers: int) -> Array:
        """Every member's keys as packed `(hash >> ROW_BITS) << ROW_BITS | row`, and the name
        frequencies; names parsed once per distinct given names and distinct surnames."""
        cols, n = self._cols, self._n
        gid, sid = cols["given_id"], cols["surname_id"]
        odd_given = np.array(["<" in g for g in given], dtype=bool)
        odd_surnames = np.array(["<" in s for s in surnames], dtype=bool)
        odd = odd_given[gid] | odd_surnames[sid]
        normal = ~odd
        g_count = np.bincount(gid[normal], minlength=len(given))
        s_count = np.bincount(sid[normal], minlength=len(surnames))
        freq = self.freq
        freq.people = int(normal.sum())
        g_tokens = np.zeros((len(given), 2), dtype=np.uint64)
        g_bloom = self._given_bloom = np.zeros(len(given), dtype=np.uint64)
        for i, text in enumerate(given):
            if odd_given[i]:
                g_bloom[i] = _given_bloom(text)
                continue
            words = self._given_parsed[i] = parse_name(text, "").given
            g_bloom[i] = _given_letters(words)
            count = int(g_count[i])
            for w in set(words):
                freq.given[spelling_key(w)] += count
            if words:
                freq.initials[words[0][0]] += count
            for j, t in enumerate(given_tokens(PersonName(words, ()))):
                g_tokens[i, j] = _token(t)
        ranges = np.linspace(0, len(surnames), max(1, workers) + 1).astype(int).tolist()
        global _BUILDING
        _BUILDING = (surnames, s_count)
        try:
            if workers > 1 and len(surnames) >= PARALLEL_FROM:
                with ProcessPoolExecutor(workers - 1, mp_context=get_context("fork")) as pool:
                    others = [
                        pool.submit(_surname_parts, a, b) for a, b in itertools.pairwise(ranges[1:])
                    ]
                    parts = [_surname_parts(ranges[0], ranges[1])]
                    parts.extend(f.result() for f in others)
            else:
                parts = [_surname_parts(0, len(surnames))]
        finally:
            _BUILDING = None
        interned: dict[Surname, Surname] = {}
        variants: list[list[int]] = []
        for start, part in zip(ranges, parts, strict=False):
            variants.extend(part.variants)
            freq.surnames.update(part.counted)
            for i, parsed in enumerate(part.parsed, start=start):
                if parsed is not None:
                    groups = tuple(interned.setdefault(x, x) for x in parsed[0])
                    married = parsed[1]
                    if married is not None:
                        married = interned.setdefault(married, married)
                    self._surnames_parsed[i] = (groups, married)
        pairs, pair_b, joined, s_bloom = (
            np.concatenate([getattr(part, name) for part in parts])
            for name in ("pairs", "pair_b", "joined", "bloom")
        )
        self._surname_bloom = s_bloom
        rows = np.arange(n, dtype=np.uint64)
        packed: list[U64] = []

        def file(hashes: U64, where: Array) -> None:
            packed.append(((hashes >> np.uint64(ROW_BITS)) << np.uint64(ROW_BITS)) | rows[where])

        has = cols["cedula"] > 0
        file(_mix(1, cols["cedula"][has].astype(np.uint64), np.zeros(1, np.uint64)), has)
        has = cols["born"] > 0
        file(_mix(2, cols["born"][has].astype(np.uint64), np.zeros(1, np.uint64)), has)
        pa, pb = pairs[sid], pair_b[sid]
        has = normal & (pa != 0)
        file(_mix(3, pa[has], pb[has]), has)
        width = max((len(v) for v in variants), default=0)
        table = np.zeros((len(surnames), width + 1), dtype=np.uint64)
        for i, v in enumerate(variants):
            table[i, : len(v)] = v
        table[:, width] = joined
        for g in range(2):
            first = g_tokens[gid, g]
            for j in range(width + 1):
                second = table[sid, j]
                has = normal & (first != 0) & (second != 0)
                if has.any():
                    file(_mix(4, first[has], second[has]), has)
        for row in np.flatnonzero(odd).tolist():
            self._file_odd(row, packed)
        return np.concatenate(packed) if packed else np.zeros(0, dtype=np.uint64)

    def _file_odd(self, row: int, packed: list[U64]) -> None:
        """A member whose name is written in a zone's form: parsed and filed on its own."""
        identity = self.identity(row)
        self.freq.add(identity.name)
        hashes = key_hashes(sorted(member_keys(identity)))
        packed.append(((hashes >> np.uint64(ROW_BITS)) << np.uint64(ROW_BITS)) | np.uint64(row))

    def _set_keys(self, packed: U64) -> None:
        """Compressed rows from packed keys: distinct keys, where each starts, member rows."""
        packed = np.sort(packed)
        if len(packed) > 1:  # each (key, member) once
            packed = packed[np.concatenate([[True], packed[1:] != packed[:-1]])]
        keys = packed >> np.uint64(ROW_BITS)
        self._ids = (packed & np.uint64(MAX_ROWS - 1)).astype(np.int32)
        del packed
        if not len(keys):
            self._bucket_keys, self._starts = keys, np.zeros(1, dtype=np.int64)
            return
        first = np.flatnonzero(np.diff(keys)) + 1
        self._bucket_keys = keys[np.concatenate([[0], first])]
        self._starts = np.concatenate([[0], first, [len(keys)]]).astype(np.int64)

    # -- members ------------------------------------------------------------------------

    @property
    def members(self) -> Iterator[Member]:
        """Every member ever filed, by row (read from the columns as they are reached)."""
        return (self.member(row) for row in range(self._n))

    def member(self, row: int) -> Member:
        cols = self._cols
        return Member(
            self.key(row),
            self._serials[row],
            self._given.strings[int(cols["given_id"][row])],
            self._surnames.strings[int(cols["surname_id"][row])],
            self._births.strings[int(cols["birth_id"][row])],
            self._national_ids[row],
            self._sexes.strings[int(cols["sex_id"][row])],
            dict(self._attributes_of(row)),
        )

    def serial(self, row: int) -> str:
        return self._serials[row]

    def key(self, row: int) -> str:
        return self._serials[row] if self._keys is None else self._keys[row]

    def identity(self, row: int) -> Identity:
        """The member in `row` as an identity (each distinct name part parsed once)."""
        return self.identities([row])[0]

    def identities(self, rows: Sequence[int]) -> list[Identity]:
        """The members in `rows` as identities (their columns read in one step)."""
        cols = self._cols
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
                f"{_LETTERS[letter]}-{cedula}" if letter else None,
                _SEXES[sex] or None,
                self._attributes_of(row),
            )
            for row, gid, sid, born, letter, cedula, sex in columns
        ]

    def _name(self, row: int, gid: int, sid: int) -> PersonName:
        name = self._odd.get(row)
        if name is not None:
            return name
        given = self._given_parsed.get(gid)
        if given is None:
            text = self._given.strings[gid]
            if "<" in text or "<" in self._surnames.strings[sid]:
                return self._odd_name(row)
            given = self._given_parsed[gid] = parse_name(text, "").given
        found = self._surnames_parsed.get(sid)
        if found is None:
            text = self._surnames.strings[sid]
            if "<" in text:
                return self._odd_name(row)
            if len(self._surnames_parsed) > 1_000_000:
                self._surnames_parsed.clear()
            parsed = parse_name("", text)
            found = self._surnames_parsed[sid] = (parsed.surnames, parsed.married)
        return PersonName(given, *found)

    def _odd_name(self, row: int) -> PersonName:
        """A member whose name is written in a zone's form, parsed whole and remembered."""
        member = self.member(row)
        name = self._odd[row] = parse_name(member.given_names, member.surnames)
        return name

    # -- following the roll ----------------------------------------------------------------

    def add(self, member: Member) -> None:
        """File a member (an enlistment), or replace the one with the same key (an amendment)."""
        if self._rows is None:
            self._rows = {self.key(i): i for i in range(self._n)}
        row = self._rows.get(member.key)
        if row is not None:
            old = self.identity(row)
            self.freq.add(old.name, sign=-1)
            self.values.add(old.attributes, sign=-1)
            self._serials.set(row, member.serial_number)
            self._national_ids.set(row, member.national_id)
        else:
            row = self._n
            if row >= MAX_ROWS - 1:
                raise MusterError(f"a match index holds at most {MAX_ROWS - 1:,} members")
            self._grow(row + 1)
            self._rows[member.key] = row
            self._serials.append(member.serial_number)
            self._national_ids.append(member.national_id)
            if self._keys is not None:
                self._keys.append(member.key)
        if self._keys is None and member.key != member.serial_number:
            self._keys = _Strings.of([self._serials[i] for i in range(self._n)])
            self._keys.set(row, member.key)
        self._set_columns(row, member)
        identity = self.identity(row)
        self.freq.add(identity.name)
        self.values.add(identity.attributes)
        for key in member_keys(identity):  # keys of the old version stay: only extra candidates
            trimmed = key_hash(key) >> ROW_BITS
            self._overlay.setdefault(trimmed, []).append(row)

    update = add

    def _grow(self, n: int) -> None:
        cols = self._cols
        if n > len(cols["born"]):
            size = max(n, len(cols["born"]) * 3 // 2 + 16)
            for name, array in cols.items():
                grown = np.zeros(size, dtype=array.dtype)
                grown[: len(array)] = array
                cols[name] = grown
        self._n = max(self._n, n)

    def _set_columns(self, row: int, m: Member) -> None:
        cols = self._cols
        gid = cols["given_id"][row] = self._given.intern(m.given_names)
        sid = cols["surname_id"][row] = self._surnames.intern(m.surnames)
        if gid >= len(self._given_bloom):
            self._given_bloom = np.append(self._given_bloom, np.uint64(_given_bloom(m.given_names)))
        if sid >= len(self._surname_bloom):
            self._surname_bloom = np.append(
                self._surname_bloom, np.uint64(_surname_bloom(m.surnames))
            )
        cols["birth_id"][row] = self._births.intern(m.birth_date)
        cols["sex_id"][row] = self._sexes.intern(m.sex)
        cols["born"][row] = _yyyymmdd(parse_birth_date(m.birth_date).value)
        cols["sex"][row] = _SEXES.index(parse_sex(m.sex).value or "")
        cols["letter"][row], cols["cedula"][row] = _parse_cedula(m.national_id)
        cols["born_bcd"][row] = _bcd(cols["born"][row : row + 1])[0]
        cols["cedula_bcd"][row] = _bcd(cols["cedula"][row : row + 1])[0]
        carried = dict(attributes_of(m.attributes))
        for name in carried.keys() - self._attributes.keys():
            self._attribute(name)
        for name, parts in self._attributes.items():
            value = carried.get(name)
            cols[_attribute_column(name)][row] = parts.intern(value) if value else 0
        self._odd.pop(row, None)

    # -- looking up ---------------------------------------------------------------------

    def candidates(self, traveler: Identity, limit: int) -> list[int]:
        """Rows of the `limit` members likeliest to be the traveler, best first.

        Each shared key weighs log(N / members under it); the traveler's smallest keys are
        read in full (at least one, about `ENUMERATE` members in all) and the larger ones only
        probed for the members found. Their sum is then corrected by the birth date, cédula and
        sex of each member against the traveler's (`scoring.LLR`), in one vectorised step.
        """
        keys = sorted(traveler_keys(traveler))
        if not keys or self._n == 0:
            return []
        wanted = np.array([key_hash(k) >> ROW_BITS for k in keys], dtype=np.uint64)
        if len(self._bucket_keys):
            pos = np.searchsorted(self._bucket_keys, wanted)
            pos[pos >= len(self._bucket_keys)] = 0
            hit = self._bucket_keys[pos] == wanted
            lo = np.where(hit, self._starts[pos], 0).tolist()
            hi = np.where(hit, self._starts[pos + 1], 0).tolist()
        else:
            lo = hi = [0] * len(keys)
        people = self._n + 1
        buckets: list[tuple[int, I32, list[int], bool]] = []
        for k, trimmed in enumerate(wanted.tolist()):
            extra = self._overlay.get(trimmed, []) if self._overlay else []
            size = hi[k] - lo[k] + len(extra)
            if 0 < size <= MAX_BUCKET:
                buckets.append((size, self._ids[lo[k] : hi[k]], extra, keys[k][0] in "pg"))
        if not buckets:
            return []
        buckets.sort(key=lambda b: b[0])
        read: list[I32] = []
        total = 0
        for size, members, extra, _ in buckets:
            if read and total + size > ENUMERATE:
                break
            read.append(members)
            if extra:
                read.append(np.array(extra, dtype=np.int32))
            total += size
        if len(read) == 1:
            rows = read[0]
        else:
            rows = np.sort(np.concatenate(read))
            rows = rows[np.concatenate([[True], rows[1:] != rows[:-1]])]
        score = np.zeros(len(rows))
        named = np.zeros(len(rows), dtype=bool)  # shares a name key
        known = np.zeros(len(rows), dtype=bool)  # shares the cédula or the birth date
        for size, members, extra, by_name in buckets:  # each key counts for its members
            if len(members) == len(rows) and not extra and members is rows:
                shares = np.ones(len(rows), dtype=bool)
            elif len(members):
                at = np.searchsorted(members, rows)
                at[at >= len(members)] = 0
                shares = members[at] == rows
            else:
                shares = np.zeros(len(rows), dtype=bool)
            if extra:
                shares |= np.isin(rows, np.array(extra, dtype=np.int32))
            score += shares * math.log(people / size)
            if by_name:
                named |= shares
            else:
                known |= shares
        score = score + self._fact_weights(traveler, rows)
        name = traveler.name
        if name.surnames or name.married:
            theirs = self._surname_bloom[self._cols["surname_id"][rows]]
            score += SURNAME_LETTERS * _dice(_surname_letters(name), theirs)
        if name.given:
            theirs = self._given_bloom[self._cols["given_id"][rows]]
            score += GIVEN_LETTERS * _dice(_given_letters(name.given), theirs)
        if len(rows) > limit:
            keep = np.argpartition(-score, limit - 1)[:limit]
            rows, score, named, known = rows[keep], score[keep], named[keep], known[keep]
        # Far below the best, only a relative or namesake with the traveler's birth date or
        # cédula is still worth comparing (to name as a runner-up); the others are strangers
        # who share a birth date or a common name.
        close = (score >= score.max() - PRESCORE_GAP) | (named & known)
        rows, score = rows[close], score[close]
        order = np.lexsort((rows, -score))
        return [int(r) for r in rows[order]]

    def _fact_weights(self, traveler: Identity, rows: I32) -> Array:
        """Birth date, cédula and sex of each member against the traveler's (exact agreements
        are already counted by their keys; here the near misses and the contradictions)."""
        cols = self._cols
        weights = np.zeros(len(rows))
        if traveler.birth_date is not None:
            mine = _yyyymmdd(traveler.birth_date)
            b = traveler.birth_date
            swapped = b.year * 10_000 + b.day * 100 + b.month
            theirs = cols["born"][rows]
            other = (theirs > 0) & (theirs != mine) & (theirs != swapped)
            if other.any():
                near = _digits_differing(cols["born_bcd"][rows], mine) == 1
                weights += np.where(
                    other, np.where(near, LLR["birth_near"], LLR["birth_differs"]), 0.0
                )
        if traveler.national_id and traveler.national_id[0] != "#":
            digits = traveler.national_id.partition("-")[2]
            if digits.isdigit():
                mine = int(digits)
                theirs = cols["cedula"][rows]
                other = (theirs > 0) & (theirs != mine)
                if other.any():
                    width = 10 ** (len(str(mine)) - 1)  # a near miss keeps the number of digits
                    near = (_digits_differing(cols["cedula_bcd"][rows], mine) == 1) & (
                        (theirs >= width) & (theirs < 10 * width)
                    )
                    swaps = [
                        int(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
                        for i in range(len(digits) - 1)
                        if digits[i] != digits[i + 1]
                    ]
                    if swaps:  # two adjacent digits swapped: as near as one digit off
                        near |= np.isin(theirs, swaps)
                    weights += np.where(
                        other, np.where(near, LLR["cedula_near"], LLR["cedula_differs"]), 0.0
                    )
        if traveler.sex:
            theirs = cols["sex"][rows]
            weights += ((theirs > 0) & (theirs != _SEXES.index(traveler.sex))) * LLR["sex_differs"]
        return weights

    # -- saving and loading ---------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write `path` (.npz) and its manifest `path.with_suffix('.json')` with the digest."""
        if self._overlay:
            sizes = np.diff(self._starts)
            main = (np.repeat(self._bucket_keys, sizes) << np.uint64(ROW_BITS)) | self._ids.astype(
                np.uint64
            )
            extra = np.fromiter(
                ((k << ROW_BITS) | r for k, rows in self._overlay.items() for r in rows),
                dtype=np.uint64,
            )
            self._set_keys(np.concatenate([main, extra]))
            self._overlay = {}
        arrays: dict[str, Array] = {
            "bucket_keys": self._bucket_keys,
            "starts": self._starts,
            "ids": self._ids,
            "odd": np.array(sorted(self._odd), dtype=np.int64),
            "given_bloom": self._given_bloom,
            "surname_bloom": self._surname_bloom,
            "frequencies": np.frombuffer(
                orjson.dumps(
                    {
                        "surnames": self.freq.surnames,
                        "given": self.freq.given,
                        "initials": self.freq.initials,
                        "people": self.freq.people,
                    }
                ),
                dtype=np.uint8,
            ),
        }
        for name, _ in self._NUMERIC:
            arrays[name] = self._cols[name][: self._n]
        names = list(self._attributes)
        if names:  # the names, and each attribute's values and id column by its position
            arrays["attribute_names_blob"], arrays["attribute_names_offsets"] = _Strings.of(
                names
            ).arrays()
            for i, name in enumerate(names):
                distinct = self._attributes[name].strings
                arrays[f"attribute{i}_blob"], arrays[f"attribute{i}_offsets"] = distinct.arrays()
                arrays[f"attribute{i}_ids"] = self._cols[_attribute_column(name)][: self._n]
        tables: dict[str, _Strings | None] = {
            "serials": self._serials,
            "keys": self._keys,
            "national_ids": self._national_ids,
            "given": self._given.strings,
            "surnames": self._surnames.strings,
            "births": self._births.strings,
            "sexes": self._sexes.strings,
        }
        for name, table in tables.items():
            if table is not None:
                arrays[f"{name}_blob"], arrays[f"{name}_offsets"] = table.arrays()
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **cast(dict[str, Any], arrays))
        data = buffer.getbuffer()
        path.write_bytes(data)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "members": self._n,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        path.with_suffix(".json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))

    @classmethod
    def load(cls, path: Path) -> CandidateIndex:
        """An index saved by `save`, refused if its digest or format does not match."""
        manifest_path = path.with_suffix(".json")
        if manifest_path == path:
            raise IndexFileError(path, "this is the manifest: give the .npz file beside it")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise IndexFileError(path, "no such file") from None
        except OSError as err:
            raise IndexFileError(path, f"cannot read it ({err.strerror or err})") from None
        try:
            manifest = orjson.loads(manifest_path.read_bytes())
        except FileNotFoundError:
            raise IndexFileError(path, f"its manifest {manifest_path} is missing") from None
        except (OSError, orjson.JSONDecodeError) as err:
            raise IndexFileError(
                path, f"cannot read its manifest {manifest_path} ({err})"
            ) from None
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT
            or manifest.get("version") != VERSION
        ):
            raise IndexFileError(path, "not a Muster match index of this version")
        if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
            raise IndexFileError(path, "SHA-256 digest does not match its manifest")
        index = cls()
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            del data
            index._bucket_keys = arrays["bucket_keys"].astype(np.uint64)
            index._starts = arrays["starts"].astype(np.int64)
            index._ids = arrays["ids"].astype(np.int32)
            index._given_bloom = arrays["given_bloom"].astype(np.uint64)
            index._surname_bloom = arrays["surname_bloom"].astype(np.uint64)
            for name, dtype in cls._NUMERIC:
                index._cols[name] = arrays[name].astype(dtype)
            index._n = len(index._cols["born"])
            index._derive()

            def strings(name: str) -> _Strings:
                return _Strings.from_arrays(arrays[f"{name}_blob"], arrays[f"{name}_offsets"])

            index._serials = strings("serials")
            index._keys = strings("keys") if "keys_blob" in arrays.files else None
            index._national_ids = strings("national_ids")
            index._given = _Parts(strings("given"))
            index._surnames = _Parts(strings("surnames"))
            index._births = _Parts(strings("births"))
            index._sexes = _Parts(strings("sexes"))
            if "attribute_names_blob" in arrays.files:
                for i, name in enumerate(strings("attribute_names").values()):
                    index._attributes[name] = _Parts(strings(f"attribute{i}"))
                    ids = arrays[f"attribute{i}_ids"].astype(np.int32)
                    index._cols[_attribute_column(name)] = ids
            odd = arrays["odd"].tolist()
            freq = orjson.loads(arrays["frequencies"].tobytes())
        index.freq = NameFrequencies(
            Counter(freq["surnames"]), Counter(freq["given"]), Counter(freq["initials"]),
            int(freq["people"]),
        )  # fmt: skip
        for row in odd:
            index._odd_name(int(row))
        index._count_attributes()
        return index


def _attribute_column(name: str) -> str:
    """The column of attribute `name`'s value ids among the index's numeric columns."""
    return f"attribute:{name}"
