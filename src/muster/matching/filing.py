"""Filing a roll under its blocking keys: names parsed once per distinct value, keys in bulk.

A name is parsed once per distinct given names and once per distinct surnames (the surnames,
the many, in several forked processes if asked), and every member's keys are computed from
those parts with numpy. The keys are kept sorted with the start of each key's members
(compressed rows, members sorted within a key: `KeyTable`), so a lookup of all of a
traveler's keys is one `searchsorted`; members filed later go to a small overlay dict.
"""

from __future__ import annotations

import itertools
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import numpy as np
import numpy.typing as npt

from muster.matching.columns import MemberColumns
from muster.matching.frequencies import NameFrequencies
from muster.matching.hashes import (
    MAX_ROWS,
    ROW_BITS,
    given_bloom,
    given_letters,
    key_hashes,
    mix,
    pack,
    surname_bloom,
    surname_letters,
    token,
)
from muster.matching.keys import given_tokens, member_keys, surname_tokens
from muster.matching.normalize import PersonName, Surname, parse_name, spelling_key

PARALLEL_FROM = 10_000  # distinct surnames worth parsing in several processes

Array = npt.NDArray[Any]
U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]


@dataclass
class KeyTable:
    """Member rows by key hash: the distinct keys (`hash >> ROW_BITS`) sorted, where each
    key's rows start, the rows; and the keys of members filed since, in `overlay`."""

    bucket_keys: U64 = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    starts: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    ids: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    overlay: dict[int, list[int]] = field(default_factory=dict)

    def set_keys(self, packed: U64) -> None:
        """Compressed rows from packed keys (`hashes.pack`); the overlay emptied."""
        packed = np.sort(packed)
        if len(packed) > 1:  # each (key, member) once
            packed = packed[np.concatenate([[True], packed[1:] != packed[:-1]])]
        keys = packed >> np.uint64(ROW_BITS)
        self.ids = (packed & np.uint64(MAX_ROWS - 1)).astype(np.int32)
        del packed
        self.overlay = {}
        if not len(keys):
            self.bucket_keys, self.starts = keys, np.zeros(1, dtype=np.int64)
            return
        first = np.flatnonzero(np.diff(keys)) + 1
        self.bucket_keys = keys[np.concatenate([[0], first])]
        self.starts = np.concatenate([[0], first, [len(keys)]]).astype(np.int64)

    def merge_overlay(self) -> None:
        """The overlay's keys taken into the compressed rows."""
        if not self.overlay:
            return
        sizes = np.diff(self.starts)
        main = (np.repeat(self.bucket_keys, sizes) << np.uint64(ROW_BITS)) | self.ids.astype(
            np.uint64
        )
        extra = np.fromiter(
            ((k << ROW_BITS) | r for k, rows in self.overlay.items() for r in rows),
            dtype=np.uint64,
        )
        self.set_keys(np.concatenate([main, extra]))

    def file(self, row: int, hashes: list[int]) -> None:
        """Member `row` filed under more keys (full 64-bit hashes), in the overlay."""
        for hashed in hashes:
            self.overlay.setdefault(hashed >> ROW_BITS, []).append(row)


@dataclass
class SurnameParts:
    """Distinct surnames of the roll being built, parsed: their key words, letter pairs,
    counts of each surname word, and the parsed surnames (None: a zone's form)."""

    variants: list[list[int]]
    pairs: U64
    pair_b: U64
    joined: U64
    bloom: U64
    counted: Counter[str]
    parsed: list[tuple[tuple[Surname, ...], Surname | None] | None]


def surname_parts(texts: list[str], counts: list[int]) -> SurnameParts:
    """Distinct surnames `texts` parsed, each borne by `counts` members."""
    size = len(texts)
    empty = np.zeros(size, dtype=np.uint64)
    out = SurnameParts([], empty, empty.copy(), empty.copy(), empty.copy(), Counter(), [])
    for i, text in enumerate(texts):
        if "<" in text:
            out.bloom[i] = surname_bloom(text)
            out.variants.append([])
            out.parsed.append(None)
            continue
        name = parse_name("", text)
        out.bloom[i] = surname_letters(name)
        out.parsed.append((name.surnames, name.married))
        count = counts[i]
        for s in name.all_surnames:
            out.counted[spelling_key(s.core)] += count
        found, pair, one_word = surname_tokens(name)
        out.variants.append([token(v) for v in found])
        if pair is not None:
            out.pairs[i], out.pair_b[i] = token(pair[0]), token(pair[1])
        if one_word:
            out.joined[i] = token(one_word)
    return out


# A worker's share of the distinct surnames: set in each worker process by `_start_worker`
# from the arguments its pool was made with (inherited by the fork, not pickled), never in
# the process that builds the index.
_worker_input: tuple[list[str], Array] = ([], np.zeros(0, dtype=np.int64))


def _start_worker(texts: list[str], counts: Array) -> None:
    global _worker_input
    _worker_input = (texts, counts)


def _worker_parts(start: int, stop: int) -> SurnameParts:
    texts, counts = _worker_input
    return surname_parts(texts[start:stop], counts[start:stop].tolist())


def parse_surnames(surnames: list[str], counts: Array, workers: int) -> list[SurnameParts]:
    """The distinct surnames parsed in `workers` slices (forked processes but the first)."""
    ranges = np.linspace(0, len(surnames), max(1, workers) + 1).astype(int).tolist()
    if workers <= 1 or len(surnames) < PARALLEL_FROM:
        return [surname_parts(surnames, counts.tolist())]
    with ProcessPoolExecutor(
        workers - 1,
        mp_context=get_context("fork"),
        initializer=_start_worker,
        initargs=(surnames, counts),
    ) as pool:
        others = [pool.submit(_worker_parts, a, b) for a, b in itertools.pairwise(ranges[1:])]
        a, b = ranges[0], ranges[1]
        parts = [surname_parts(surnames[a:b], counts[a:b].tolist())]
        parts.extend(f.result() for f in others)
    return parts


def file_roll(
    columns: MemberColumns, freq: NameFrequencies, given: list[str], surnames: list[str],
    workers: int,
) -> U64:  # fmt: skip
    """Every member's keys, packed (`hashes.pack`); the name frequencies counted into `freq`;
    the letter pairs and parsed names of the distinct given names and surnames kept in
    `columns`."""
    cols, n = columns.cols, columns.n
    gid, sid = cols["given_id"], cols["surname_id"]
    odd_given = np.array(["<" in g for g in given], dtype=bool)
    odd_surnames = np.array(["<" in s for s in surnames], dtype=bool)
    odd = odd_given[gid] | odd_surnames[sid]
    normal = ~odd
    g_count = np.bincount(gid[normal], minlength=len(given))
    s_count = np.bincount(sid[normal], minlength=len(surnames))
    freq.people = int(normal.sum())
    g_tokens = np.zeros((len(given), 2), dtype=np.uint64)
    g_bloom = columns.given_bloom = np.zeros(len(given), dtype=np.uint64)
    for i, text in enumerate(given):
        if odd_given[i]:
            g_bloom[i] = given_bloom(text)
            continue
        words = columns.given_parsed[i] = parse_name(text, "").given
        g_bloom[i] = given_letters(words)
        count = int(g_count[i])
        for w in set(words):
            freq.given[spelling_key(w)] += count
        if words:
            freq.initials[words[0][0]] += count
        for j, t in enumerate(given_tokens(PersonName(words, ()))):
            g_tokens[i, j] = token(t)
    parts = parse_surnames(surnames, s_count, workers)
    interned: dict[Surname, Surname] = {}
    variants: list[list[int]] = []
    start = 0
    for part in parts:
        variants.extend(part.variants)
        freq.surnames.update(part.counted)
        for i, parsed in enumerate(part.parsed, start=start):
            if parsed is not None:
                groups = tuple(interned.setdefault(x, x) for x in parsed[0])
                married = parsed[1]
                if married is not None:
                    married = interned.setdefault(married, married)
                columns.surnames_parsed[i] = (groups, married)
        start += len(part.parsed)
    pairs, pair_b, joined, s_bloom = (
        np.concatenate([getattr(part, name) for part in parts])
        for name in ("pairs", "pair_b", "joined", "bloom")
    )
    columns.surname_bloom = s_bloom
    rows = np.arange(n, dtype=np.uint64)
    packed: list[U64] = []

    def file(hashes: U64, where: Array) -> None:
        packed.append(pack(hashes, rows[where]))

    has = cols["cedula"] > 0
    file(mix("c", cols["cedula"][has].astype(np.uint64), np.zeros(1, np.uint64)), has)
    has = cols["born"] > 0
    file(mix("d", cols["born"][has].astype(np.uint64), np.zeros(1, np.uint64)), has)
    pa, pb = pairs[sid], pair_b[sid]
    has = normal & (pa != 0)
    file(mix("p", pa[has], pb[has]), has)
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
                file(mix("g", first[has], second[has]), has)
    for row in np.flatnonzero(odd).tolist():
        packed.append(_file_odd(columns, freq, row))
    return np.concatenate(packed) if packed else np.zeros(0, dtype=np.uint64)


def _file_odd(columns: MemberColumns, freq: NameFrequencies, row: int) -> U64:
    """A member whose name is written in a zone's form: parsed and filed on its own."""
    identity = columns.identities([row])[0]
    freq.add(identity.name)
    return pack(key_hashes(sorted(member_keys(identity))), np.uint64(row))
