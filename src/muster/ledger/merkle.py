"""RFC 9162 (Certificate Transparency v2) Merkle trees over SHA-256: hashes, roots and proofs.

The store keeps the hash of every complete aligned subtree: node `(level, index)` covers the
leaves `[index * 2**level, (index + 1) * 2**level)`, level 0 being the leaf hashes. Every
hash the RFC 9162 algorithms need is a combination of such nodes, so a proof first works out
which nodes it needs, reads them in one call, and then hashes.

Pure: the standard library only, no storage and no clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Key = tuple[int, int]


@runtime_checkable
class NodeReader(Protocol):
    """Reads stored complete subtree hashes; raises KeyError for a node it does not hold."""

    def node(self, level: int, index: int) -> bytes: ...


@runtime_checkable
class BatchNodeReader(NodeReader, Protocol):
    """A NodeReader that can also read many nodes in one call (one query for a database)."""

    def nodes(self, keys: Sequence[Key]) -> dict[Key, bytes]: ...


def leaf_hash(data: bytes) -> bytes:
    """The RFC 9162 hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_complete(start: int, end: int) -> bool:
    """Whether [start, end) is one complete aligned subtree."""
    size = end - start
    return size > 0 and size & (size - 1) == 0 and start % size == 0


def _node_key(start: int, end: int) -> Key:
    level = (end - start).bit_length() - 1
    return level, start >> level


def _plan(start: int, end: int, out: list[Key]) -> None:
    """Append the stored nodes that MTH(D[start:end]) is built from."""
    while not _is_complete(start, end):
        k = _split(end - start)
        _plan(start, start + k, out)
        start += k
    out.append(_node_key(start, end))


def _combine(start: int, end: int, known: dict[Key, bytes]) -> bytes:
    """MTH(D[start:end]) from the nodes `_plan` listed for it."""
    if _is_complete(start, end):
        return known[_node_key(start, end)]
    k = _split(end - start)
    return node_hash(_combine(start, start + k, known), _combine(start + k, end, known))


def read_nodes(reader: NodeReader, keys: Sequence[Key]) -> dict[Key, bytes]:
    """The hashes of these nodes, in one batch call when the reader offers one."""
    wanted = list(dict.fromkeys(keys))
    if isinstance(reader, BatchNodeReader):
        found = reader.nodes(wanted)
        missing = [key for key in wanted if key not in found]
        if missing:
            raise KeyError(f"Merkle nodes missing: {missing[:5]}")
        return found
    return {key: reader.node(*key) for key in wanted}


def _hash_ranges(ranges: Sequence[tuple[int, int]], reader: NodeReader) -> list[bytes]:
    """MTH of each range, reading every node needed in one batch."""
    keys: list[Key] = []
    for start, end in ranges:
        _plan(start, end, keys)
    known = read_nodes(reader, keys)
    return [_combine(start, end, known) for start, end in ranges]


def subtree_hash(start: int, end: int, reader: NodeReader) -> bytes:
    """MTH(D[start:end]) for 0 <= start < end, from stored complete subtree nodes."""
    if not 0 <= start < end:
        raise ValueError(f"subtree [{start}, {end}): expected 0 <= start < end")
    return _hash_ranges([(start, end)], reader)[0]


def root(size: int, reader: NodeReader) -> bytes:
    """The root hash of the tree of the first `size` leaves (SHA-256 of nothing when empty)."""
    if size < 0:
        raise ValueError(f"tree size {size}: expected 0 or more")
    return EMPTY_ROOT if size == 0 else subtree_hash(0, size, reader)


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PATH(index, D[0:size]), leaf end first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} in a tree of {size}: expected 0 <= index < size")
    start, end = 0, size
    siblings: list[tuple[int, int]] = []
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            start += k
    siblings.reverse()
    return siblings


def inclusion_proof(index: int, size: int, reader: NodeReader) -> list[bytes]:
    """The RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves."""
    return _hash_ranges(inclusion_ranges(index, size), reader)


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PROOF(old_size, D[0:new_size]), leaf end first."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"sizes {old_size} and {new_size}: expected 0 <= old <= new")
    if old_size == 0:
        return []
    start, end, m, whole = 0, new_size, old_size, True
    out: list[tuple[int, int]] = []
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        out.append((start, end))
    out.reverse()
    return out


def consistency_proof(old_size: int, new_size: int, reader: NodeReader) -> list[bytes]:
    """The RFC 9162 §2.1.4.1 proof that the tree of `old_size` is a prefix of `new_size`."""
    return _hash_ranges(consistency_ranges(old_size, new_size), reader)


def _hash_problem(what: str, value: object) -> str | None:
    """Why `value` is not an RFC 9162 SHA-256 hash, naming it as `what`; None when it is."""
    if not isinstance(value, bytes):
        return f"{what} is not bytes (it is of type {type(value).__name__})"
    if len(value) != HASH_SIZE:
        return f"{what} is {len(value)} bytes; an RFC 9162 SHA-256 hash is {HASH_SIZE}"
    return None


def _hashes_problem(named: Sequence[tuple[str, object]], proof: Sequence[object]) -> str | None:
    """The first of these values, then the proof's hashes, that is not a 32-byte hash."""
    for what, value in [*named, *((f"proof hash {i}", h) for i, h in enumerate(proof))]:
        problem = _hash_problem(what, value)
        if problem:
            return problem
    return None


def _hashes(count: int) -> str:
    return f"{count} hash" if count == 1 else f"{count} hashes"


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def inclusion_problem(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> str | None:
    """Why `proof` does not show leaf hash `leaf` at `index` in the tree of `size` with this
    root, in words; None when it does.

    A hash that is not 32 bytes (a root, the leaf, a proof hash) is refused by name, before
    any hashing: RFC 9162 trees over SHA-256 hold no other.
    """
    if not (_is_size(index) and _is_size(size)):
        return f"leaf index {index!r} and tree size {size!r}: expected whole numbers, 0 or more"
    if not index < size:
        return f"leaf index {index} is outside a tree of {size} entries"
    problem = _hashes_problem([("the root hash", root_hash), ("the leaf hash", leaf)], proof)
    if problem:
        return problem
    wanted = len(inclusion_ranges(index, size))
    if len(proof) != wanted:
        return (
            f"the proof has {_hashes(len(proof))}; leaf {index} of a tree of {size} needs {wanted}"
        )
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            break
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root_hash:
        return f"the proof does not lead from the leaf hash at {index} to the root hash"
    return None


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Whether `proof` shows leaf hash `leaf` at `index` in the tree of `size` with this root."""
    return inclusion_problem(leaf, index, size, proof, root_hash) is None


def consistency_problem(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> str | None:
    """Why `proof` does not show the tree of `old_size` with `old_root` to be a prefix of the
    tree of `new_size` with `new_root`, in words; None when it does.

    Equal sizes need an empty proof and equal roots; size 0 needs an empty proof and the
    empty tree's root. A hash that is not 32 bytes is refused by name, before any hashing.
    """
    if not (_is_size(old_size) and _is_size(new_size)):
        return f"tree sizes {old_size!r} and {new_size!r}: expected whole numbers, 0 or more"
    if old_size > new_size:
        return f"the old tree size {old_size} is larger than the new one, {new_size}"
    problem = _hashes_problem(
        [("the old root hash", old_root), ("the new root hash", new_root)], proof
    )
    if problem:
        return problem
    wanted = len(consistency_ranges(old_size, new_size))
    if len(proof) != wanted:
        return (
            f"the proof has {_hashes(len(proof))}; from a tree of {old_size} to one of "
            f"{new_size} it needs {wanted}"
        )
    if old_size == 0:
        if old_root != EMPTY_ROOT:
            return "the old tree is empty, but its root hash is not the empty tree's"
        return None
    if old_size == new_size:
        return None if old_root == new_root else "the sizes are equal, but the roots differ"
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            break
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root:
        return "the proof does not lead to the old root hash"
    if sr != new_root:
        return "the proof does not lead to the new root hash"
    return None


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree of `old_size` with `old_root` is a prefix of the new one."""
    return consistency_problem(old_size, new_size, old_root, new_root, proof) is None


def appended_nodes(size: int, leaf: bytes, reader: NodeReader) -> list[tuple[int, int, bytes]]:
    """The complete nodes (level, index, hash) that appending `leaf` at position `size` creates.

    The leaf itself comes first (level 0); each further node closes a subtree whose left half
    is already stored.
    """
    if size < 0:
        raise ValueError(f"tree size {size}: expected 0 or more")
    count = size + 1
    levels = (count & -count).bit_length() - 1  # trailing zero bits: subtrees closed
    lefts = [(level, (count >> level) - 2) for level in range(levels)]
    known = read_nodes(reader, lefts) if lefts else {}
    out = [(0, size, leaf)]
    h = leaf
    for level in range(levels):
        h = node_hash(known[(level, (count >> level) - 2)], h)
        out.append((level + 1, (count >> (level + 1)) - 1, h))
    return out


class MemoryNodes:
    """Every complete subtree hash of a tree, in memory, built from its leaf hashes."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        level = 0
        while len(self.levels[level]) > 1:
            below = self.levels[level]
            sha, prefix = hashlib.sha256, b"\x01"
            above = [
                sha(prefix + below[i] + below[i + 1]).digest() for i in range(0, len(below) - 1, 2)
            ]
            self.levels.append(above)
            level += 1

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return len(self.levels[0])

    def node(self, level: int, index: int) -> bytes:
        """The hash of complete subtree (level, index); KeyError when there is none."""
        if 0 <= level < len(self.levels) and 0 <= index < len(self.levels[level]):
            return self.levels[level][index]
        raise KeyError(f"Merkle node level {level} index {index} is not in a tree of {self.size}")

    def nodes(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """The hashes of these complete subtrees."""
        return {key: self.node(*key) for key in keys}

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append one leaf hash; returns the nodes it completed, as `appended_nodes` does."""
        created = appended_nodes(self.size, leaf, self)
        for level, _index, h in created:
            if level == len(self.levels):
                self.levels.append([])
            self.levels[level].append(h)
        return created
