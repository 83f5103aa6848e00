"""Candidate lookup: the members sharing a traveler's keys, pre-scored in one vectorised step.

Each shared key weighs log(N / members under it); the traveler's smallest keys are read in
full (at least one, about `ENUMERATE` members in all) and the larger ones only probed for the
members found. Their sum is then corrected by the birth date, cédula and sex of each member
against the traveler's (`scoring.LLR`, near misses by the rule of `near`) and by how much the
letters of their names overlap; only the best `limit` are compared in full by the scorer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from muster.matching.columns import LETTERS, SEXES, MemberColumns, bcd, yyyymmdd
from muster.matching.filing import KeyTable
from muster.matching.hashes import ROW_BITS, given_letters, key_hash, surname_letters
from muster.matching.keys import traveler_keys
from muster.matching.near import adjacent_swaps, date_digits
from muster.matching.scoring import LLR, Identity

MAX_BUCKET = 50_000  # a key shared by more members than this says nothing useful
ENUMERATE = 3_000  # members read from a traveler's smallest keys; larger keys are only probed
SURNAME_LETTERS, GIVEN_LETTERS = 6.0, 3.0  # pre-score weight of the letter-pair overlap
PRESCORE_GAP = 20.0  # members pre-scored this far below the best are not compared in full

Array = npt.NDArray[Any]
U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
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


def _digits_differing(theirs: U64, mine: int) -> Array:
    """How many decimal digits differ between numbers held as `bcd` and another number."""
    x = theirs ^ bcd(np.array([mine], dtype=np.int64))[0]
    nibbles = (x | (x >> np.uint64(1)) | (x >> np.uint64(2)) | (x >> np.uint64(3))) & np.uint64(
        0x1111111111111111
    )
    return _popcount(nibbles)


def near_numbers(theirs: Array, theirs_bcd: U64, mine: str, padded: bool) -> Array:
    """`near.near(mine, text)` is not None, for the text of each of the numbers `theirs`
    (held also as `bcd`): written with `len(mine)` digits, zeros in front (`padded`: a birth
    date's YYYYMMDD), or as it is (a cédula)."""
    width = len(mine)
    if not mine.isdigit() or width > 16:  # no number of the columns is written so long
        return np.zeros(len(theirs), dtype=bool)
    same_length = theirs < 10**width
    if not padded:
        same_length &= theirs >= 10 ** (width - 1)
    close = _digits_differing(theirs_bcd, int(mine)) == 1
    for swapped in adjacent_swaps(mine):  # a few numbers: compared one by one, not `isin`
        close |= theirs == int(swapped)
    found: Array = same_length & close
    return found


def candidates(
    table: KeyTable, columns: MemberColumns, traveler: Identity, limit: int
) -> list[int]:
    """Rows of the `limit` members likeliest to be the traveler, best first."""
    keys = sorted(traveler_keys(traveler))
    if not keys or columns.n == 0:
        return []
    wanted = np.array([key_hash(k) >> ROW_BITS for k in keys], dtype=np.uint64)
    if len(table.bucket_keys):
        pos = np.searchsorted(table.bucket_keys, wanted)
        pos[pos >= len(table.bucket_keys)] = 0
        hit = table.bucket_keys[pos] == wanted
        lo = np.where(hit, table.starts[pos], 0).tolist()
        hi = np.where(hit, table.starts[pos + 1], 0).tolist()
    else:
        lo = hi = [0] * len(keys)
    people = columns.n + 1
    overlay = table.overlay
    buckets: list[tuple[int, I32, list[int], bool]] = []
    for k, trimmed in enumerate(wanted.tolist()):
        extra = overlay.get(trimmed, []) if overlay else []
        size = hi[k] - lo[k] + len(extra)
        if 0 < size <= MAX_BUCKET:
            buckets.append((size, table.ids[lo[k] : hi[k]], extra, keys[k][0] in "pg"))
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
    score = score + fact_weights(columns.cols, traveler, rows)
    name = traveler.name
    if name.surnames or name.married:
        theirs = columns.surname_bloom[columns.cols["surname_id"][rows]]
        score += SURNAME_LETTERS * _dice(surname_letters(name), theirs)
    if name.given:
        theirs = columns.given_bloom[columns.cols["given_id"][rows]]
        score += GIVEN_LETTERS * _dice(given_letters(name.given), theirs)
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


def fact_weights(cols: dict[str, Array], traveler: Identity, rows: I32) -> Array:
    """Birth date, cédula and sex of each member against the traveler's (exact agreements
    are already counted by their keys; here the near misses and the contradictions)."""
    weights = np.zeros(len(rows))
    if traveler.birth_date is not None:
        b = traveler.birth_date
        swapped = b.year * 10_000 + b.day * 100 + b.month
        theirs = cols["born"][rows]
        other = (theirs > 0) & (theirs != yyyymmdd(b)) & (theirs != swapped)
        if other.any():
            near = near_numbers(theirs, cols["born_bcd"][rows], date_digits(b), padded=True)
            weights += np.where(other, np.where(near, LLR["birth_near"], LLR["birth_differs"]), 0.0)
    if traveler.national_id and traveler.national_id[0] != "#":
        letter, _, digits = traveler.national_id.partition("-")
        if digits.isdigit():
            theirs = cols["cedula"][rows]
            other = (theirs > 0) & (theirs != int(digits))
            if other.any():
                near = near_numbers(theirs, cols["cedula_bcd"][rows], digits, padded=False)
                weights += np.where(
                    other, np.where(near, LLR["cedula_near"], LLR["cedula_differs"]), 0.0
                )
            if letter in ("V", "E"):  # the same number of the other letter: another person's,
                # as the scorer reads it (`scoring.cedula_evidence`; "?" agrees with either)
                their_letter = cols["letter"][rows]
                known = (their_letter == LETTERS.index("V")) | (their_letter == LETTERS.index("E"))
                other_letter = (
                    (theirs == int(digits)) & known & (their_letter != LETTERS.index(letter))
                )
                weights += other_letter * LLR["cedula_differs"]
    if traveler.sex:
        theirs = cols["sex"][rows]
        weights += ((theirs > 0) & (theirs != SEXES.index(traveler.sex))) * LLR["sex_differs"]
    return weights
