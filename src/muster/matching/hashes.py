"""Bits of the index: 64-bit hashes of blocking keys, and the letter pairs of names as 64 bits.

A key's hash is the same in every process and version (`_token` is blake2b, `_mix` splitmix64),
so a saved index is looked up with the keys of a traveler of any later run. A name's letter
pairs (`bloom`) are what the pre-score measures the overlap of two names by.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from muster.matching.keys import Key
from muster.matching.normalize import PersonName, parse_name
from muster.matching.words import sound_key

ROW_BITS = 24  # a key is filed as (hash >> ROW_BITS, row): up to 16,777,216 members
MAX_ROWS = 1 << ROW_BITS
KINDS = {"c": 1, "d": 2, "p": 3, "g": 4}  # the number of each kind of key in its hash

Array = npt.NDArray[Any]
U64 = npt.NDArray[np.uint64]
_M64 = (1 << 64) - 1


@lru_cache(maxsize=1 << 18)
def token(text: str) -> int:
    """A stable 64-bit hash of one word of a key (the same in every process and version)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _splitmix(x: U64) -> U64:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def mix(kind: str, first: U64, second: U64) -> U64:
    """The hashes of keys of one kind (`c`, `d`, `p`, `g`) from the numbers or word hashes of
    their two parts: `key_hash` of each, in one step."""
    with np.errstate(over="ignore"):
        x = _splitmix(first ^ np.uint64(KINDS[kind] * 0x100000001B3))
        return _splitmix(x ^ second)


def _splitmix_int(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


@lru_cache(maxsize=1 << 18)
def key_hash(key: Key) -> int:
    """The 64-bit hash of one blocking key (`mix`, in Python integers)."""
    kind, first, second = key
    if kind in ("c", "d"):
        a, b = int(first), 0
    else:
        a, b = token(first), token(second)
    return _splitmix_int(_splitmix_int(a ^ (KINDS[kind] * 0x100000001B3)) ^ b)


def key_hashes(keys: Iterable[Key]) -> U64:
    """The 64-bit hashes of blocking keys, in the order given."""
    return np.array([key_hash(k) for k in keys], dtype=np.uint64)


def pack(hashes: U64, rows: Array | np.uint64) -> U64:
    """Keys filed as `(hash >> ROW_BITS) << ROW_BITS | row`: sorted, they group by key."""
    return ((hashes >> np.uint64(ROW_BITS)) << np.uint64(ROW_BITS)) | rows


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


def given_letters(given: Sequence[str]) -> int:
    """The letter pairs (`bloom`) a name's first two given names are pre-scored by."""
    return bloom(given[:2])


def surname_letters(name: PersonName) -> int:
    """The letter pairs (`bloom`) a name's surnames are pre-scored by."""
    return bloom(s.core for s in name.all_surnames)


def given_bloom(text: str) -> int:
    """`given_letters` of a member's given names as the roll holds them."""
    mrz = "<" if "<" in text else ""
    return given_letters(parse_name(text, mrz).given)


def surname_bloom(text: str) -> int:
    """`surname_letters` of a member's surnames as the roll holds them."""
    mrz = "<" if "<" in text else ""
    return surname_letters(parse_name(mrz, text))
