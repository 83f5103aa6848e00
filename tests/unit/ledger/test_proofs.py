"""One proof checked alone: the four shapes the CLI and the API give, against checkpoints
signed by the registry key, and every other shape refused."""

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


def inclusion(entry: int = 5, size: int = 9, api: bool = False) -> dict[str, Any]:
    """An inclusion proof as `muster ledger proof --entry` (or the API, without checkpoint)."""
    obj = {
        "entry": entry,
        "tree_size": size,
        "leaf_hash": TREE.node(0, entry).hex(),
        "root": merkle.root(size, TREE).hex(),
        "proof": [h.hex() for h in merkle.inclusion_proof(entry, size, TREE)],
    }
    return obj if api else {**obj, "checkpoint": checkpoint(size)}


def consistency(old: int = 3, new: int = 9, api: bool = False) -> dict[str, Any]:
    """A consistency proof as `muster ledger proof --consistency-from` or the API gives it."""
    path = [h.hex() for h in merkle.consistency_proof(old, new, TREE)]
    roots = merkle.root(old, TREE).hex(), merkle.root(new, TREE).hex()
    if api:
        return {"old_size": old, "new_size": new, "old_root": roots[0], "new_root": roots[1]} | {
            "proof": path
        }
    return {"old_size": old, "old_root": roots[0], "tree_size": new, "root": roots[1]} | {
        "proof": path
    }


def check(obj: dict[str, Any], *given: str) -> proofs.ProofReport:
    cps = [(f"cp{i}", text) for i, text in enumerate(given)]
    return proofs.check_proof(proofs.parse_proof(obj, "p.json"), cps, VERIFIER)


def test_the_four_shapes_hold() -> None:
    report = check(inclusion())
    assert report.ok, report.problems
    assert report.checkpoints == ["the checkpoint in the proof"]
    assert report.origin == ORIGIN and report.key_fingerprint == signing.fingerprint(
        VERIFIER.public_key
    )
    assert report.to_json()["entry"] == 5 and report.to_json()["kind"] == "inclusion"
    assert check(inclusion(api=True), checkpoint(9)).ok
    assert check(consistency(), checkpoint(9)).ok
    assert check(consistency(api=True), checkpoint(9)).ok
    # the old checkpoint too, when the auditor kept it
    both = check(consistency(), checkpoint(3), checkpoint(9))
    assert both.ok and both.checkpoints == ["cp0", "cp1"]
    assert both.to_json()["old_size"] == 3


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
        ({**consistency(api=True), "new_root": None}, r"new_root: expected a hash"),
    ],
)
def test_other_shapes_are_refused(obj: Any, message: str) -> None:
    with pytest.raises(proofs.ProofFormatError, match=message):
        proofs.parse_proof(obj, "p.json")


def test_a_proof_without_a_checkpoint_needs_one() -> None:
    with pytest.raises(proofs.NoCheckpointError, match="give the one it was made against"):
        check(inclusion(api=True))


def test_the_first_thing_that_does_not_verify_is_named() -> None:
    other = signing.generate_private_key()
    theirs = check(inclusion(api=True), checkpoint(9, other))
    assert theirs.problems[0].startswith("cp0: not signed by the registry key")
    assert theirs.problems[1:] == []  # the proof itself holds, for what it is worth
    altered = check(inclusion(api=True), checkpoint(9).replace("\n9\n", "\n8\n"))
    assert len(altered.problems) == 1
    assert altered.problems[0].startswith("cp0: the signature by the registry key")
    moved = check({**inclusion(api=True), "entry": 4}, checkpoint(9))
    assert moved.problems == [
        "the inclusion proof: the proof does not lead from the leaf hash at 4 to the root hash"
    ]
    other_root = check({**inclusion(api=True), "root": TREE.node(0, 0).hex()}, checkpoint(9))
    assert other_root.problems[0].startswith(
        "cp0: the registry signed the root " + merkle.root(9, TREE).hex() + " at size 9; "
    )
    short_root = check({**consistency(), "old_root": "00" * 12}, checkpoint(9))
    assert short_root.problems == [
        "the consistency proof: the old root hash is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    ]
    wrong_old = check(consistency(), checkpoint(4), checkpoint(9))
    assert wrong_old.problems == ["cp0: signed at size 4, but the proof is of size 3 or 9"]
    stale = check(consistency(), checkpoint(8))
    assert stale.problems == ["cp0: signed at size 8, but the proof is of size 3 or 9"]
    old_only = check(consistency(), checkpoint(3))
    assert old_only.problems == ["no checkpoint signed by the registry at size 9"]
    forged_old = check({**consistency(), "old_root": TREE.node(0, 0).hex()}, checkpoint(3))
    assert forged_old.problems[0].startswith("cp0: the registry signed the root ")
