"""One proof checked alone: the one shape of each kind that the CLI and the API give, the
shapes earlier releases gave, against checkpoints signed by the registry key, and every
other shape refused."""

from __future__ import annotations

from typing import Any

import pytest

from muster.ledger import merkle, note, proofs, signing

ORIGIN = "muster.test/registry"
KEY = signing.generate_private_key()
VERIFIER = note.parse_verifier_key(note.verifier_key(ORIGIN, signing.public_key_raw(KEY)))
TREE = merkle.MemoryNodes(merkle.leaf_hash(b"entry %d" % i) for i in range(9))


def checkpoint(size: int, key: Any = KEY) -> str:
    body = note.format_checkpoint(note.Checkpoint(ORIGIN, size, merkle.root(size, TREE)))
    return note.sign_note(body, ORIGIN, key)


def inclusion(entry: int = 5, size: int = 9, earlier: bool = False) -> dict[str, Any]:
    """An inclusion proof as `muster ledger proof --entry` and the API give it (or as the
    API gave it earlier, without its checkpoint)."""
    obj = {
        "entry": entry,
        "leaf_hash": TREE.node(0, entry).hex(),
        "tree_size": size,
        "root": merkle.root(size, TREE).hex(),
        "proof": [h.hex() for h in merkle.inclusion_proof(entry, size, TREE)],
    }
    return obj if earlier else {**obj, "checkpoint": checkpoint(size)}


def consistency(old: int = 3, new: int = 9, earlier: str = "") -> dict[str, Any]:
    """A consistency proof as `muster ledger proof --consistency-from` and the API give it,
    or as an earlier release gave it (`earlier`: "api" without the checkpoint, "cli" naming
    the newer tree `tree_size` and `root`)."""
    path = [h.hex() for h in merkle.consistency_proof(old, new, TREE)]
    roots = merkle.root(old, TREE).hex(), merkle.root(new, TREE).hex()
    obj = {"old_size": old, "old_root": roots[0], "new_size": new, "new_root": roots[1]}
    if earlier == "cli":
        obj = {"old_size": old, "old_root": roots[0], "tree_size": new, "root": roots[1]}
    if earlier:
        return obj | {"proof": path}
    return obj | {"proof": path, "checkpoint": checkpoint(new)}


def check(obj: dict[str, Any], *given: str) -> proofs.ProofReport:
    cps = [(f"cp{i}", text) for i, text in enumerate(given)]
    return proofs.check_proof(proofs.parse_proof(obj, "p.json"), cps, VERIFIER)


def test_the_shapes_given_hold() -> None:
    report = check(inclusion())
    assert report.ok, report.problems
    assert report.checkpoints == ["the checkpoint in the proof"]
    assert report.origin == ORIGIN and report.key_fingerprint == signing.fingerprint(
        VERIFIER.public_key
    )
    assert report.to_json()["entry"] == 5 and report.to_json()["kind"] == "inclusion"
    carried = check(consistency())
    assert carried.ok and carried.checkpoints == ["the checkpoint in the proof"]
    assert carried.to_json()["tree_size"] == 9 and carried.to_json()["old_size"] == 3
    # the old checkpoint too, when the auditor kept it
    both = check(consistency(), checkpoint(3))
    assert both.ok and both.checkpoints == ["the checkpoint in the proof", "cp0"]


def test_the_shapes_of_earlier_releases_hold() -> None:
    assert check(inclusion(earlier=True), checkpoint(9)).ok
    assert check(consistency(earlier="api"), checkpoint(9)).ok
    assert check(consistency(earlier="cli"), checkpoint(9)).ok
    both = check(consistency(earlier="cli"), checkpoint(3), checkpoint(9))
    assert both.ok and both.checkpoints == ["cp0", "cp1"]


def test_a_consistency_proof_is_checked_against_its_own_checkpoint() -> None:
    moved = {**consistency(), "checkpoint": checkpoint(8)}
    report = check(moved)
    assert report.problems[0] == (
        "the checkpoint in the proof: signed at size 8, but the proof is of size 3 or 9"
    )


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "p.json: expected a JSON object"),
        ({"entry": 1}, "p.json: the fields entry are not a proof"),
        ({**inclusion(), "extra": 1}, "the fields checkpoint, entry, extra,"),
        ({**inclusion(), "entry": "5"}, r"entry: expected a whole number"),
        ({**inclusion(), "entry": True}, r"entry: expected a whole number"),
        ({**inclusion(), "tree_size": -1}, r"tree_size: expected a whole number"),
        ({**inclusion(), "root": "zz"}, r"root: expected a hash in hexadecimal, got 'zz'"),
        ({**inclusion(), "proof": "ab"}, r"proof: expected a list"),
        ({**inclusion(), "proof": [1]}, r"proof\[0\]: expected a hash in hexadecimal"),
        ({**inclusion(), "checkpoint": 3}, r"checkpoint: expected the signed note"),
        ({**consistency(), "new_root": None}, r"new_root: expected a hash"),
        ({**consistency(earlier="api"), "new_root": None}, r"new_root: expected a hash"),
        ({**consistency(earlier="cli"), "root": None}, r"root: expected a hash"),
    ],
)
def test_other_shapes_are_refused(obj: Any, message: str) -> None:
    with pytest.raises(proofs.ProofFormatError, match=message):
        proofs.parse_proof(obj, "p.json")


def test_a_proof_without_a_checkpoint_needs_one() -> None:
    with pytest.raises(proofs.NoCheckpointError, match="give the one it was made against"):
        check(inclusion(earlier=True))


def test_the_first_thing_that_does_not_verify_is_named() -> None:
    other = signing.generate_private_key()
    theirs = check(inclusion(earlier=True), checkpoint(9, other))
    assert theirs.problems[0].startswith("cp0: not signed by the registry key")
    assert theirs.problems[1:] == []  # the proof itself holds, for what it is worth
    altered = check(inclusion(earlier=True), checkpoint(9).replace("\n9\n", "\n8\n"))
    assert len(altered.problems) == 1
    assert altered.problems[0].startswith("cp0: the signature by the registry key")
    moved = check({**inclusion(earlier=True), "entry": 4}, checkpoint(9))
    assert moved.problems == [
        "the inclusion proof: the proof does not lead from the leaf hash at 4 to the root hash"
    ]
    other_root = check({**inclusion(earlier=True), "root": TREE.node(0, 0).hex()}, checkpoint(9))
    assert other_root.problems[0].startswith(
        "cp0: the registry signed the root " + merkle.root(9, TREE).hex() + " at size 9; "
    )
    short_root = check({**consistency(earlier="api"), "old_root": "00" * 12}, checkpoint(9))
    assert short_root.problems == [
        "the consistency proof: the old root hash is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    ]
    wrong_old = check(consistency(earlier="api"), checkpoint(4), checkpoint(9))
    assert wrong_old.problems == ["cp0: signed at size 4, but the proof is of size 3 or 9"]
    stale = check(consistency(earlier="api"), checkpoint(8))
    assert stale.problems == ["cp0: signed at size 8, but the proof is of size 3 or 9"]
    old_only = check(consistency(earlier="api"), checkpoint(3))
    assert old_only.problems == ["no checkpoint signed by the registry at size 9"]
    forged_old = check(
        {**consistency(earlier="api"), "old_root": TREE.node(0, 0).hex()}, checkpoint(3)
    )
    assert forged_old.problems[0].startswith("cp0: the registry signed the root ")
