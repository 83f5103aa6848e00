"""One downloaded proof checked alone: an inclusion or consistency proof, as `muster ledger
proof` and the API give it, against checkpoints signed by the registry key.

The shape of each kind is one, the same from the CLI and the API (docs/api.md, "Ledger
proofs"); the shapes earlier releases gave are read too, so that a proof kept then still
checks. Anything else is refused and the shapes named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from muster.errors import MusterError
from muster.ledger import merkle, note, signing

INCLUSION, CONSISTENCY = "inclusion", "consistency"
INCLUSION_FIELDS = {"entry", "leaf_hash", "tree_size", "root", "proof", "checkpoint"}
CONSISTENCY_FIELDS = {"old_size", "old_root", "new_size", "new_root", "proof", "checkpoint"}
PROOF_FIELDS = {
    "`muster ledger proof --order/--entry` and GET /ledger/proofs/inclusion": (
        INCLUSION,
        INCLUSION_FIELDS,
    ),
    "`muster ledger proof --consistency-from` and GET /ledger/proofs/consistency": (
        CONSISTENCY,
        CONSISTENCY_FIELDS,
    ),
    # earlier releases: the API's proofs without their checkpoint, and the CLI's
    # consistency proof naming the newer tree as `tree_size` and `root`
    "an earlier GET /ledger/proofs/inclusion": (INCLUSION, INCLUSION_FIELDS - {"checkpoint"}),
    "an earlier GET /ledger/proofs/consistency": (
        CONSISTENCY,
        CONSISTENCY_FIELDS - {"checkpoint"},
    ),
    "an earlier `muster ledger proof --consistency-from`": (
        CONSISTENCY,
        {"old_size", "old_root", "tree_size", "root", "proof"},
    ),
}


class ProofError(MusterError):
    """Root of the errors about a proof to check; never raised itself."""


class ProofFormatError(ProofError):
    """Raised when a proof is not one of the shapes `muster ledger proof` and the API give."""


class NoCheckpointError(ProofError):
    """Raised when a proof is to be checked with no signed checkpoint to check it against."""


@dataclass(frozen=True, slots=True)
class Proof:
    """A proof as read: its kind, the tree it proves against, and what it proves of it."""

    kind: str
    tree_size: int
    root: bytes
    path: tuple[bytes, ...]
    entry: int = 0  # inclusion: the entry's position and leaf hash
    leaf_hash: bytes = b""
    old_size: int = 0  # consistency: the older tree
    old_root: bytes = b""
    checkpoint: str | None = None  # the signed checkpoint the proof carries, if any


@dataclass
class ProofReport:
    """What checking one proof found: the tree, the key, the checkpoints used, problems."""

    proof: Proof
    origin: str
    key_fingerprint: str
    checkpoints: list[str] = field(default_factory=list)  # where each verified one came from
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        p = self.proof
        facts: dict[str, Any] = (
            {"entry": p.entry, "leaf_hash": p.leaf_hash.hex()}
            if p.kind == INCLUSION
            else {"old_size": p.old_size, "old_root": p.old_root.hex()}
        )
        return {
            "ok": self.ok,
            "kind": p.kind,
            **facts,
            "tree_size": p.tree_size,
            "root": p.root.hex(),
            "origin": self.origin,
            "key_fingerprint": self.key_fingerprint,
            "checkpoints": self.checkpoints,
            "problems": self.problems,
        }


def parse_proof(obj: object, source: str) -> Proof:
    """The proof in a JSON object of one of the shapes read; ProofFormatError otherwise."""
    if not isinstance(obj, dict):
        raise ProofFormatError(f"{source}: expected a JSON object, {_shapes()}")
    shape = next((s for s, (_k, keys) in PROOF_FIELDS.items() if set(obj) == keys), None)
    if shape is None:
        raise ProofFormatError(
            f"{source}: the fields {', '.join(sorted(obj)) or '(none)'} are not a proof; "
            f"{_shapes()}"
        )
    kind = PROOF_FIELDS[shape][0]
    where = f"{source} ({kind} proof, in the shape of {shape})"
    path = obj["proof"]
    if not isinstance(path, list):
        raise ProofFormatError(f"{where}: proof: expected a list of hexadecimal hashes")
    hashes = tuple(_hex(where, f"proof[{i}]", h) for i, h in enumerate(path))
    checkpoint = obj.get("checkpoint")
    if checkpoint is not None and not isinstance(checkpoint, str):
        raise ProofFormatError(f"{where}: checkpoint: expected the signed note's text")
    if kind == INCLUSION:
        return Proof(
            kind,
            _size(where, "tree_size", obj["tree_size"]),
            _hex(where, "root", obj["root"]),
            hashes,
            entry=_size(where, "entry", obj["entry"]),
            leaf_hash=_hex(where, "leaf_hash", obj["leaf_hash"]),
            checkpoint=checkpoint,
        )
    new_size, new_root = ("new_size", "new_root") if "new_size" in obj else ("tree_size", "root")
    return Proof(
        kind,
        _size(where, new_size, obj[new_size]),
        _hex(where, new_root, obj[new_root]),
        hashes,
        old_size=_size(where, "old_size", obj["old_size"]),
        old_root=_hex(where, "old_root", obj["old_root"]),
        checkpoint=checkpoint,
    )


def _shapes() -> str:
    listed = "; ".join(f"{', '.join(sorted(keys))} ({s})" for s, (_k, keys) in PROOF_FIELDS.items())
    return f"a proof has exactly the fields of one of: {listed}"


def _size(where: str, name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofFormatError(f"{where}: {name}: expected a whole number, 0 or more")
    return value


def _hex(where: str, name: str, value: object) -> bytes:
    """A hash as hexadecimal text; its length is for the Merkle checks to judge."""
    try:
        if isinstance(value, str):
            return bytes.fromhex(value)
    except ValueError:
        pass
    raise ProofFormatError(f"{where}: {name}: expected a hash in hexadecimal, got {value!r}")


def check_proof(
    proof: Proof, checkpoints: Sequence[tuple[str, str]], verifier: note.Verifier
) -> ProofReport:
    """Check a proof against signed checkpoints: `checkpoints` is (where it came from, note
    text) for each given, the proof's own checkpoint being read first. Every checkpoint must
    be signed by the registry key and at a size the proof speaks of; one must be at the
    proof's tree size, with its root; then the proof must hold. The first problem the report
    lists is the first thing that does not verify."""
    given = [("the checkpoint in the proof", proof.checkpoint)] if proof.checkpoint else []
    given += list(checkpoints)
    if not given:
        raise NoCheckpointError(
            "the proof carries no signed checkpoint: give the one it was made against with "
            "--checkpoint FILE (`muster ledger checkpoint`, or GET /ledger/checkpoint)"
        )
    report = ProofReport(proof, verifier.name, signing.fingerprint(verifier.public_key))
    signed_at_size = False
    for where, text in given:
        try:
            cp = note.open_checkpoint(text, verifier)
        except note.NoteError as err:
            report.problems.append(f"{where}: {err}")
            continue
        report.checkpoints.append(where)
        problem = checkpoint_problem(proof, cp)
        if problem:
            report.problems.append(f"{where}: {problem}")
        signed_at_size = signed_at_size or cp.size == proof.tree_size
    if not signed_at_size and not report.problems:
        report.problems.append(f"no checkpoint signed by the registry at size {proof.tree_size}")
    problem = (
        merkle.inclusion_problem(
            proof.leaf_hash, proof.entry, proof.tree_size, proof.path, proof.root
        )
        if proof.kind == INCLUSION
        else merkle.consistency_problem(
            proof.old_size, proof.tree_size, proof.old_root, proof.root, proof.path
        )
    )
    if problem:
        report.problems.append(f"the {proof.kind} proof: {problem}")
    return report


def checkpoint_problem(proof: Proof, cp: note.Checkpoint) -> str | None:
    """Why a signed checkpoint disagrees with the proof; None when it agrees."""
    if cp.size == proof.tree_size:
        if cp.root_hash != proof.root:
            return (
                f"the registry signed the root {cp.root_hash.hex()} at size {cp.size}; "
                f"the proof's root is {proof.root.hex()}"
            )
        return None
    if proof.kind == CONSISTENCY and cp.size == proof.old_size:
        if cp.root_hash != proof.old_root:
            return (
                f"the registry signed the root {cp.root_hash.hex()} at size {cp.size}; "
                f"the proof's old root is {proof.old_root.hex()}"
            )
        return None
    sizes = (
        f"{proof.old_size} or {proof.tree_size}"
        if proof.kind == CONSISTENCY
        else str(proof.tree_size)
    )
    return f"signed at size {cp.size}, but the proof is of size {sizes}"
