"""The candidate index: every member ever on the roll, filed under a few exact blocking keys.

Keys are 64-bit hashes held in sorted numpy arrays (about 12 bytes per key instead of a Python
object per key, which is what lets a 2,000,000-member roll fit in memory and load in seconds);
members added or amended later go to a small in-memory overlay, so the roll's orders are
followed without a rebuild. Saved as `.npz` (loaded with `allow_pickle=False`: nothing in it
can run code) beside a `.json` manifest holding its SHA-256 digest, checked on load.
"""

from __future__ import annotations

import hashlib
import io
import math
from array import array
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import orjson

from muster.errors import MusterError
from muster.matching.keys import member_keys, traveler_keys
from muster.matching.records import Member
from muster.matching.scoring import Identity, NameFrequencies

FORMAT = "muster-match-index"
VERSION = 1
MAX_BUCKET = 50_000  # a key shared by more members than this says nothing useful


class IndexFileError(MusterError):
    """Raised when a saved index is missing, altered or of another format."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"match index {path}: {why}; build it again with `muster match --save`")


def key_hash(key: str) -> int:
    """A stable 64-bit hash of a blocking key (the same in every process and version)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


class CandidateIndex:
    """Members by blocking key, with the name frequencies learnt from them."""

    def __init__(self) -> None:
        self.members: list[Member] = []
        self.rows: dict[str, int] = {}
        self.freq = NameFrequencies()
        self._hashes: npt.NDArray[np.uint64] = np.zeros(0, dtype=np.uint64)
        self._ids: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._overlay: dict[int, list[int]] = {}
        self._identities: dict[int, Identity] = {}

    def __len__(self) -> int:
        return len(self.members)

    @classmethod
    def build(cls, members: Iterable[Member]) -> CandidateIndex:
        """An index of all `members` (a later row with the same key replaces an earlier one)."""
        index = cls()
        hashes, ids = array("Q"), array("i")
        for member in members:
            row = index._store(member)
            identity = member.identity()
            index.freq.add(identity.name)
            for key in member_keys(identity):
                hashes.append(key_hash(key))
                ids.append(row)
        index._set_arrays(np.frombuffer(hashes, dtype=np.uint64), np.frombuffer(ids, np.int32))
        return index

    def _set_arrays(self, hashes: npt.NDArray[np.uint64], ids: npt.NDArray[np.int32]) -> None:
        order = np.argsort(hashes, kind="stable")
        self._hashes, self._ids = hashes[order], ids[order]

    def _store(self, member: Member) -> int:
        row = self.rows.get(member.key)
        if row is None:
            row = len(self.members)
            self.members.append(member)
            self.rows[member.key] = row
        else:
            self.members[row] = member
            self._identities.pop(row, None)
        return row

    def add(self, member: Member) -> None:
        """File a member (an enlistment), or replace the one with the same key (an amendment)."""
        old = self.rows.get(member.key)
        if old is not None:
            self.freq.add(self.identity(old).name, sign=-1)
        row = self._store(member)
        identity = self.identity(row)
        self.freq.add(identity.name)
        for key in member_keys(identity):  # keys of the old version stay: only extra candidates
            self._overlay.setdefault(key_hash(key), []).append(row)

    update = add

    def identity(self, row: int) -> Identity:
        """The member in `row` as an identity (parsed once, then remembered)."""
        found = self._identities.get(row)
        if found is None:
            if len(self._identities) > 1_000_000:
                self._identities.clear()
            found = self._identities[row] = self.members[row].identity()
        return found

    def candidates(self, traveler: Identity, limit: int) -> list[int]:
        """Rows of the members sharing the most telling keys with the traveler, best first."""
        people = max(len(self.members), 1)
        parts: list[npt.NDArray[np.int32]] = []
        weights: list[float] = []
        for key in sorted(traveler_keys(traveler)):
            h = key_hash(key)
            needle = np.uint64(h)
            lo = int(np.searchsorted(self._hashes, needle, side="left"))
            hi = int(np.searchsorted(self._hashes, needle, side="right"))
            extra = self._overlay.get(h, ())
            size = hi - lo + len(extra)
            if size == 0 or size > MAX_BUCKET:
                continue
            found = self._ids[lo:hi]
            if extra:
                found = np.concatenate([found, np.asarray(extra, dtype=np.int32)])
            found = np.unique(found)
            parts.append(found)
            weights.append(math.log((people + 1) / len(found)))
        if not parts:
            return []
        rows = np.concatenate(parts)
        score = np.repeat(np.asarray(weights), [len(p) for p in parts])
        unique, inverse = np.unique(rows, return_inverse=True)
        totals = np.bincount(inverse, weights=score)
        if len(unique) > limit:
            keep = np.argpartition(-totals, limit)[:limit]
            unique, totals = unique[keep], totals[keep]
        order = np.lexsort((unique, -totals))
        return [int(r) for r in unique[order]]

    def save(self, path: Path) -> None:
        """Write `path` (.npz) and its manifest `path.with_suffix('.json')` with the digest."""
        hashes, ids = self._hashes, self._ids
        if self._overlay:
            extra_h = np.fromiter(
                (h for h, rows in self._overlay.items() for _ in rows), dtype=np.uint64
            )
            extra_i = np.fromiter(
                (r for rows in self._overlay.values() for r in rows), dtype=np.int32
            )
            hashes, ids = np.concatenate([hashes, extra_h]), np.concatenate([ids, extra_i])
        order = np.argsort(hashes, kind="stable")
        table = [
            [m.key, m.serial_number, m.given_names, m.surnames, m.birth_date, m.national_id, m.sex]
            for m in self.members
        ]
        freq = {
            "surnames": self.freq.surnames,
            "given": self.freq.given,
            "initials": self.freq.initials,
            "people": self.freq.people,
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            hashes=hashes[order],
            ids=ids[order],
            members=np.frombuffer(orjson.dumps(table), dtype=np.uint8),
            frequencies=np.frombuffer(orjson.dumps(freq), dtype=np.uint8),
        )
        data = buffer.getvalue()
        path.write_bytes(data)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "members": len(self.members),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        path.with_suffix(".json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))

    @classmethod
    def load(cls, path: Path) -> CandidateIndex:
        """An index saved by `save`, refused if its digest or format does not match."""
        try:
            manifest = orjson.loads(path.with_suffix(".json").read_bytes())
            data = path.read_bytes()
        except (OSError, orjson.JSONDecodeError) as err:
            raise IndexFileError(path, f"cannot read it ({err})") from None
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise IndexFileError(path, "not a Muster match index of this version")
        if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
            raise IndexFileError(path, "SHA-256 digest does not match its manifest")
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            index = cls()
            index._hashes = arrays["hashes"].astype(np.uint64)
            index._ids = arrays["ids"].astype(np.int32)
            table = orjson.loads(arrays["members"].tobytes())
            freq = orjson.loads(arrays["frequencies"].tobytes())
        index.members = [Member(*row) for row in table]
        index.rows = {m.key: i for i, m in enumerate(index.members)}
        index.freq = NameFrequencies(
            Counter(freq["surnames"]), Counter(freq["given"]), Counter(freq["initials"]),
            int(freq["people"]),
        )  # fmt: skip
        return index
