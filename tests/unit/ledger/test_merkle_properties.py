"""Properties of the Merkle proofs: every proof verifies, every alteration fails."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from muster.ledger import merkle

EXHAUSTIVE = 48  # every size, index and pair of sizes up to here
LARGE = 4100  # hypothesis draws sizes up to here


@cache
def leaves(n: int) -> tuple[bytes, ...]:
    """Distinct leaf hashes (equal leaves would make some indices interchangeable)."""
    return tuple(merkle.leaf_hash(b"entry %d" % i) for i in range(n))


@cache
def big_tree() -> merkle.MemoryNodes:
    return merkle.MemoryNodes(leaves(LARGE))


def naive_root(hashes: tuple[bytes, ...]) -> bytes:
    """MTH straight from RFC 9162 §2.1.1."""
    if not hashes:
        return merkle.EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return merkle.node_hash(naive_root(hashes[:k]), naive_root(hashes[k:]))


def altered(h: bytes, bit: int = 0) -> bytes:
    b = bytearray(h)
    b[bit // 8 % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


def check_inclusion(tree: merkle.MemoryNodes, index: int, size: int, others: list[int]) -> None:
    """The proof verifies; an altered leaf, element, index, size or length does not."""
    proof = merkle.inclusion_proof(index, size, tree)
    root = merkle.root(size, tree)
    leaf = tree.node(0, index)
    assert merkle.verify_inclusion(leaf, index, size, proof, root)
    assert not merkle.verify_inclusion(altered(leaf), index, size, proof, root)
    for i in range(len(proof)):
        bad = [*proof[:i], altered(proof[i], 8 * i + 3), *proof[i + 1 :]]
        assert not merkle.verify_inclusion(leaf, index, size, bad, root)
    if proof:
        assert not merkle.verify_inclusion(leaf, index, size, proof[:-1], root)
        assert not merkle.verify_inclusion(leaf, index, size, proof[1:], root)
    assert not merkle.verify_inclusion(leaf, index, size, [*proof, root], root)
    assert not merkle.verify_inclusion(leaf, index, size, [root, *proof], root)
    for other in others:
        if other != index and other < size:
            assert not merkle.verify_inclusion(leaf, other, size, proof, root)
        if other != size and index < other <= tree.size:
            # Against the real root of that other size.
            other_root = merkle.root(other, tree)
            assert not merkle.verify_inclusion(leaf, index, other, proof, other_root)


def check_consistency(tree: merkle.MemoryNodes, old: int, new: int, others: list[int]) -> None:
    """The proof verifies; altered, truncated or extended proofs and wrong sizes do not."""
    proof = merkle.consistency_proof(old, new, tree)
    r1, r2 = merkle.root(old, tree), merkle.root(new, tree)
    assert merkle.verify_consistency(old, new, r1, r2, proof)
    assert not merkle.verify_consistency(old, new, altered(r1), r2, proof)
    assert not merkle.verify_consistency(old, new, r1, altered(r2), proof)
    for i in range(len(proof)):
        bad = [*proof[:i], altered(proof[i], 8 * i + 5), *proof[i + 1 :]]
        assert not merkle.verify_consistency(old, new, r1, r2, bad)
    if proof:
        assert not merkle.verify_consistency(old, new, r1, r2, proof[:-1])
        assert not merkle.verify_consistency(old, new, r1, r2, proof[1:])
    assert not merkle.verify_consistency(old, new, r1, r2, [*proof, r2])
    assert not merkle.verify_consistency(old, new, r1, r2, [r1, *proof])
    for other in others:
        if 0 < other <= new and other != old:
            other_root = merkle.root(other, tree)
            assert not merkle.verify_consistency(other, new, r1, r2, proof)
            if merkle.consistency_proof(other, new, tree) != proof:
                assert not merkle.verify_consistency(other, new, other_root, r2, proof)
        if old <= other <= tree.size and other != new:
            other_root = merkle.root(other, tree)
            assert not merkle.verify_consistency(old, other, r1, other_root, proof)


def test_root_agrees_with_naive_mth_for_every_size() -> None:
    tree = big_tree()
    for size in range(0, 300):
        assert merkle.root(size, tree) == naive_root(leaves(size))


def test_every_inclusion_proof_in_small_trees() -> None:
    tree = big_tree()
    sizes = list(range(1, EXHAUSTIVE + 1))
    for size in sizes:
        for index in range(size):
            check_inclusion(tree, index, size, sizes)


def test_every_consistency_proof_in_small_trees() -> None:
    tree = big_tree()
    sizes = list(range(1, EXHAUSTIVE + 1))
    for new in sizes:
        for old in range(1, new + 1):
            check_consistency(tree, old, new, [old - 1, old + 1, new - 1, new + 1, 2 * new])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_inclusion_in_larger_trees(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, LARGE))
    index = data.draw(st.integers(0, size - 1))
    others = data.draw(st.lists(st.integers(1, LARGE), max_size=4))
    check_inclusion(big_tree(), index, size, [index + 1, index - 1, size + 1, size - 1, *others])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_consistency_in_larger_trees(data: st.DataObject) -> None:
    new = data.draw(st.integers(1, LARGE))
    old = data.draw(st.integers(1, new))
    others = data.draw(st.lists(st.integers(1, LARGE), max_size=4))
    check_consistency(big_tree(), old, new, [old - 1, old + 1, new + 1, *others])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.binary(max_size=12), min_size=1, max_size=200),
    st.lists(st.binary(min_size=32, max_size=32), max_size=40),
)
def test_arbitrary_proofs_never_raise(entries: list[bytes], junk: list[bytes]) -> None:
    tree = merkle.MemoryNodes(merkle.leaf_hash(e) for e in entries)
    size = tree.size
    root = merkle.root(size, tree)
    merkle.verify_inclusion(tree.node(0, 0), 0, size, junk, root)
    merkle.verify_consistency(1, size, tree.node(0, 0), root, junk)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=600))
def test_appending_one_by_one_gives_the_same_nodes(entries: list[bytes]) -> None:
    hashes = [merkle.leaf_hash(e) for e in entries]
    stored: dict[tuple[int, int], bytes] = {}

    class DictNodes:
        def node(self, level: int, index: int) -> bytes:
            return stored[(level, index)]

    for size, h in enumerate(hashes):
        for level, index, node in merkle.appended_nodes(size, h, DictNodes()):
            assert (level, index) not in stored
            stored[(level, index)] = node
    built = merkle.MemoryNodes(hashes)
    expected = {
        (level, index): h for level, row in enumerate(built.levels) for index, h in enumerate(row)
    }
    assert stored == expected
    if hashes:
        assert merkle.root(len(hashes), DictNodes()) == naive_root(tuple(hashes))


def test_appending_to_a_large_tree_matches_building_it() -> None:
    grown = merkle.MemoryNodes()
    for h in leaves(LARGE):
        grown.append(h)
    assert grown.levels == big_tree().levels
