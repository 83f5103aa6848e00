"""RFC 9162 Merkle tree: reference vectors, node storage, batching, bad input."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from muster.ledger import merkle

# The RFC 6962 reference leaves, complete subtree hashes and roots that the Certificate
# Transparency implementations share (transparency-dev/merkle, testonly/constants.go).
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (index, size, proof) and (old size, new size, proof) from transparency-dev/merkle
# proof/verify_test.go, whose leaf numbers count from 1.
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def full(prefix: str) -> bytes:
    """The reference node hash starting with these hex digits."""
    found = [h for level in NODE_HASHES for h in level if h.startswith(prefix)]
    assert len(found) == 1, prefix
    return bytes.fromhex(found[0])


@pytest.fixture(scope="module")
def tree() -> merkle.MemoryNodes:
    return merkle.MemoryNodes(merkle.leaf_hash(d) for d in LEAF_INPUTS)


class CountingReader:
    """A batch reader over another that counts its calls."""

    def __init__(self, inner: merkle.MemoryNodes) -> None:
        self.inner = inner
        self.node_calls = 0
        self.batch_calls = 0

    def node(self, level: int, index: int) -> bytes:
        self.node_calls += 1
        return self.inner.node(level, index)

    def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        self.batch_calls += 1
        return self.inner.nodes(keys)


class SingleReader:
    """A reader with no batch method."""

    def __init__(self, inner: merkle.MemoryNodes) -> None:
        self.inner = inner

    def node(self, level: int, index: int) -> bytes:
        return self.inner.node(level, index)


def test_leaf_and_node_hash_prefixes() -> None:
    assert merkle.leaf_hash(b"").hex() == ROOTS[1]
    a, b = (merkle.leaf_hash(d) for d in LEAF_INPUTS[:2])
    assert merkle.node_hash(a, b).hex() == ROOTS[2]
    assert merkle.EMPTY_ROOT.hex() == ROOTS[0]


def test_memory_nodes_hold_every_reference_subtree(tree: merkle.MemoryNodes) -> None:
    for level, hashes in enumerate(NODE_HASHES):
        for index, h in enumerate(hashes):
            assert tree.node(level, index).hex() == h
    with pytest.raises(KeyError):
        tree.node(0, 8)
    with pytest.raises(KeyError):
        tree.node(4, 0)


def test_roots_match_the_reference(tree: merkle.MemoryNodes) -> None:
    for size, want in enumerate(ROOTS):
        assert merkle.root(size, tree).hex() == want


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_reference(
    tree: merkle.MemoryNodes, index: int, size: int, proof: list[str]
) -> None:
    want = [full(p) for p in proof]
    assert merkle.inclusion_proof(index, size, tree) == want
    leaf = tree.node(0, index)
    root = bytes.fromhex(ROOTS[size])
    assert merkle.verify_inclusion(leaf, index, size, want, root)


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_corruptions_are_rejected(
    tree: merkle.MemoryNodes, index: int, size: int, proof: list[str]
) -> None:
    path = [full(p) for p in proof]
    leaf = tree.node(0, index)
    root = bytes.fromhex(ROOTS[size])
    bad: list[tuple[bytes, int, int, list[bytes], bytes]] = [
        (leaf, index - 1, size, path, root),
        (leaf, index + 1, size, path, root),
        (leaf, index ^ 2, size, path, root),
        (leaf, index, size * 2, path, root),
        (leaf, index, size // 2, path, root),
        (b"WrongLeaf", index, size, path, root),
        (SOME_HASH, index, size, path, root),
        (leaf, index, size, path, merkle.EMPTY_ROOT),
        (leaf, index, size, path, SOME_HASH),
        (leaf, index, size, [*path, b""], root),
        (leaf, index, size, [*path, root], root),
        (leaf, index, size, [b"", *path], root),
        (leaf, index, size, [root, *path], root),
    ]
    for i in range(len(path)):
        flipped = bytearray(path[i])
        flipped[0] ^= 8
        bad.append((leaf, index, size, [*path[:i], bytes(flipped), *path[i + 1 :]], root))
    if path:
        bad.append((leaf, index, size, path[:-1], root))
    if len(path) > 1:
        bad.append((leaf, index, size, [path[0], SOME_HASH, *path[1:]], root))
    for case in bad:
        if case[1] < 0:
            continue
        assert not merkle.verify_inclusion(*case), case[1:3]


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(
    tree: merkle.MemoryNodes, old: int, new: int, proof: list[str]
) -> None:
    want = [full(p) for p in proof]
    assert merkle.consistency_proof(old, new, tree) == want
    old_root, new_root = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    assert merkle.verify_consistency(old, new, old_root, new_root, want)


@pytest.mark.parametrize(("old", "new", "proof"), [c for c in CONSISTENCY if c[2]])
def test_consistency_corruptions_are_rejected(old: int, new: int, proof: list[str]) -> None:
    path = [full(p) for p in proof]
    r1, r2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    bad: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (old - 1, new, r1, r2, path),
        (old + 1, new, r1, r2, path),
        (old ^ 2, new, r1, r2, path),
        (old, new * 2, r1, r2, path),
        (old, new // 2, r1, r2, path),
        (old, new, b"WrongRoot", r2, path),
        (old, new, r1, b"WrongRoot", path),
        (old, new, r2, r1, path),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*path, b""]),
        (old, new, r1, r2, [*path, r1]),
        (old, new, r1, r2, [*path, r2]),
        (old, new, r1, r2, [b"", *path]),
        (old, new, r1, r2, [r1, *path]),
        (old, new, r1, r2, [r2, *path]),
        (old, new, r1, r2, [path[0], *path]),
        (old, new, r1, r2, path[:-1]),
    ]
    for i in range(len(path)):
        flipped = bytearray(path[i])
        flipped[0] ^= 16
        bad.append((old, new, r1, r2, [*path[:i], bytes(flipped), *path[i + 1 :]]))
    for case in bad:
        assert not merkle.verify_consistency(*case), case[:2]


def test_consistency_edge_sizes() -> None:
    r1, r2 = merkle.leaf_hash(b"1"), merkle.leaf_hash(b"2")
    empty = merkle.EMPTY_ROOT
    assert merkle.verify_consistency(1, 1, r1, r1, [])
    assert not merkle.verify_consistency(1, 1, r1, r2, [])
    assert not merkle.verify_consistency(1, 1, r1, r1, [empty])
    assert not merkle.verify_consistency(1, 0, r1, r2, [])
    assert not merkle.verify_consistency(2, 1, r1, r2, [])
    assert not merkle.verify_consistency(1, 2, r1, r2, [])
    # The empty tree is a prefix of every tree, and its root is fixed.
    assert merkle.verify_consistency(0, 5, empty, r2, [])
    assert merkle.verify_consistency(0, 0, empty, empty, [])
    assert not merkle.verify_consistency(0, 5, r1, r2, [])
    assert not merkle.verify_consistency(0, 1, empty, empty, [empty])


def test_inclusion_in_a_one_leaf_tree() -> None:
    h = merkle.leaf_hash(b"data")
    assert merkle.verify_inclusion(h, 0, 1, [], h)
    assert not merkle.verify_inclusion(b"", 0, 1, [], h)
    assert not merkle.verify_inclusion(h, 0, 1, [], b"")
    for index, size in [(0, 0), (1, 0), (2, 1), (-1, 1)]:
        assert not merkle.verify_inclusion(SOME_HASH, index, size, [], merkle.EMPTY_ROOT)


@pytest.mark.parametrize(
    "proof",
    [[b"short"], [None], ["a" * 32], [bytearray(32)], [b"x" * 33]],
)
def test_malformed_proofs_return_false(tree: merkle.MemoryNodes, proof: list[object]) -> None:
    root = merkle.root(8, tree)
    leaf = tree.node(0, 0)
    assert not merkle.verify_inclusion(leaf, 0, 8, proof, root)  # type: ignore[arg-type]
    assert not merkle.verify_consistency(3, 8, root, root, proof)  # type: ignore[arg-type]


def test_malformed_sizes_return_false(tree: merkle.MemoryNodes) -> None:
    root = merkle.root(8, tree)
    leaf = tree.node(0, 0)
    assert not merkle.verify_inclusion(leaf, "0", 8, [], root)  # type: ignore[arg-type]
    assert not merkle.verify_inclusion(leaf, 0, 8.0, [], root)  # type: ignore[arg-type]
    assert not merkle.verify_consistency(1.0, 8, root, root, [root])  # type: ignore[arg-type]
    assert not merkle.verify_consistency(-1, 8, root, root, [root])


def test_proof_arguments_out_of_range_raise(tree: merkle.MemoryNodes) -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_proof(8, 8, tree)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(-1, 8, tree)
    with pytest.raises(ValueError):
        merkle.consistency_proof(5, 4, tree)
    with pytest.raises(ValueError):
        merkle.subtree_hash(3, 3, tree)
    with pytest.raises(ValueError):
        merkle.root(-1, tree)
    with pytest.raises(KeyError):
        merkle.root(9, tree)


def test_subtree_hash_of_any_range(tree: merkle.MemoryNodes) -> None:
    leaves = [tree.node(0, i) for i in range(8)]

    def mth(hs: list[bytes]) -> bytes:
        if len(hs) == 1:
            return hs[0]
        k = 1 << ((len(hs) - 1).bit_length() - 1)
        return merkle.node_hash(mth(hs[:k]), mth(hs[k:]))

    for start in range(8):
        for end in range(start + 1, 9):
            assert merkle.subtree_hash(start, end, tree) == mth(leaves[start:end])


def test_a_proof_reads_its_nodes_in_one_batch(tree: merkle.MemoryNodes) -> None:
    reader = CountingReader(tree)
    merkle.inclusion_proof(2, 7, reader)
    merkle.consistency_proof(3, 7, reader)
    merkle.root(7, reader)
    merkle.appended_nodes(7, merkle.leaf_hash(b"x"), reader)
    assert (reader.batch_calls, reader.node_calls) == (4, 0)


def test_a_reader_without_batches_is_enough(tree: merkle.MemoryNodes) -> None:
    reader = SingleReader(tree)
    assert merkle.inclusion_proof(2, 7, reader) == merkle.inclusion_proof(2, 7, tree)
    assert merkle.consistency_proof(3, 7, reader) == merkle.consistency_proof(3, 7, tree)


def test_a_missing_node_is_reported() -> None:
    class Gappy:
        def node(self, level: int, index: int) -> bytes:
            raise KeyError((level, index))

        def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
            return {}

    with pytest.raises(KeyError, match="missing"):
        merkle.root(3, Gappy())


def test_appended_nodes_close_subtrees(tree: merkle.MemoryNodes) -> None:
    leaf = tree.node(0, 7)
    created = merkle.appended_nodes(7, leaf, tree)
    assert [(lv, ix) for lv, ix, _h in created] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert [h.hex() for _lv, _ix, h in created] == [
        NODE_HASHES[0][7],
        NODE_HASHES[1][3],
        NODE_HASHES[2][1],
        NODE_HASHES[3][0],
    ]
    assert merkle.appended_nodes(4, tree.node(0, 4), tree) == [(0, 4, tree.node(0, 4))]


def test_memory_nodes_append_builds_the_same_tree(tree: merkle.MemoryNodes) -> None:
    grown = merkle.MemoryNodes()
    assert grown.size == 0 and merkle.root(0, grown) == merkle.EMPTY_ROOT
    for i in range(8):
        grown.append(tree.node(0, i))
    assert grown.levels == tree.levels


def test_inclusion_proof_on_a_large_tree_reads_logarithmically_many_nodes() -> None:
    # How fast a proof is belongs to the registry benchmark (bench/registry.py, proof_ms); what
    # makes it fast is that it reads O(log n) stored nodes, never the leaves.
    size = 1 << 17
    big = merkle.MemoryNodes(merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size))
    n = size - 5
    top = merkle.root(n, big)

    class Counting:
        reads = 0

        def node(self, level: int, index: int) -> bytes:
            Counting.reads += 1
            return big.node(level, index)

    for i in range(0, n, n // 200):
        Counting.reads = 0
        proof = merkle.inclusion_proof(i, n, Counting())
        assert len(proof) <= n.bit_length()
        assert Counting.reads <= 2 * n.bit_length()
        assert merkle.verify_inclusion(merkle.leaf_hash(i.to_bytes(4, "big")), i, n, proof, top)


def test_hashes_of_the_wrong_length_are_refused_by_name(tree: merkle.MemoryNodes) -> None:
    root, leaf = merkle.root(8, tree), tree.node(0, 0)
    path = merkle.inclusion_proof(0, 8, tree)
    short = b"don't care 2"
    assert merkle.inclusion_problem(leaf, 0, 8, path, short) == (
        "the root hash is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    )
    assert merkle.inclusion_problem(short, 0, 8, path, root) == (
        "the leaf hash is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    )
    assert merkle.inclusion_problem(leaf, 0, 8, [path[0], short, path[2]], root) == (
        "proof hash 1 is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    )
    # equal sizes compare the roots alone, but only once both are SHA-256 hashes
    assert merkle.consistency_problem(1, 1, short, short, []) == (
        "the old root hash is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    )
    assert merkle.consistency_problem(1, 1, root, short, []) == (
        "the new root hash is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    )


def test_a_proof_that_does_not_hold_says_why(tree: merkle.MemoryNodes) -> None:
    root, leaf = merkle.root(8, tree), tree.node(0, 3)
    path = merkle.inclusion_proof(3, 8, tree)
    assert merkle.inclusion_problem(leaf, 3, 8, path, root) is None
    assert merkle.inclusion_problem(leaf, 8, 8, path, root) == (
        "leaf index 8 is outside a tree of 8 entries"
    )
    assert merkle.inclusion_problem(leaf, 3, 8, path[:2], root) == (
        "the proof has 2 hashes; leaf 3 of a tree of 8 needs 3"
    )
    assert merkle.inclusion_problem(leaf, 2, 8, path, root) == (
        "the proof does not lead from the leaf hash at 2 to the root hash"
    )
    old = merkle.root(3, tree)
    proof = merkle.consistency_proof(3, 8, tree)
    assert merkle.consistency_problem(3, 8, old, root, proof) is None
    assert merkle.consistency_problem(9, 8, old, root, proof) == (
        "the old tree size 9 is larger than the new one, 8"
    )
    assert merkle.consistency_problem(3, 8, old, merkle.EMPTY_ROOT, proof) == (
        "the proof does not lead to the new root hash"
    )
    assert merkle.consistency_problem(3, 8, merkle.EMPTY_ROOT, root, proof) == (
        "the proof does not lead to the old root hash"
    )
    assert merkle.consistency_problem(1, 1, old, root, []) == (
        "the sizes are equal, but the roots differ"
    )
