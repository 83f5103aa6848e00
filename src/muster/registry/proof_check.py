"""`muster verify --proof FILE`: one downloaded proof checked with no database, against the
registry key and the signed checkpoints given."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from muster.domain.errors import InvalidInputError
from muster.ledger import proofs
from muster.registry.trust import TrustedKey


def check_proof_file(
    path: Path, checkpoint_files: Sequence[Path], trust: TrustedKey
) -> proofs.ProofReport:
    """Read the proof and the checkpoint files, and check the proof with the key given."""
    if trust.verifier is None:
        raise InvalidInputError("--proof needs the registry's key: --key registry.vkey")
    proof = proofs.parse_proof(read_json(path, "the proof"), str(path))
    given = [(str(p), read_checkpoint_file(p)) for p in checkpoint_files]
    return proofs.check_proof(proof, given, trust.verifier)


def read_json(path: Path, what: str) -> object:
    """A JSON file's value; InvalidInputError naming the file when it is not one."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file ({what})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInputError(f"{path}: cannot be read ({err})") from None
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{path}: not JSON ({err}); expected {what}") from None


def read_checkpoint_file(path: Path) -> str:
    """A checkpoint's signed note: the text `muster ledger checkpoint` prints, or the JSON
    object GET /ledger/checkpoint answers (its `checkpoint` field)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file (--checkpoint)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInputError(f"{path}: cannot be read ({err})") from None
    if not text.lstrip().startswith("{"):
        return text
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInputError(f"{path}: not JSON ({err}), nor a signed note") from None
    note = obj.get("checkpoint") if isinstance(obj, dict) else None
    if not isinstance(note, str):
        raise InvalidInputError(
            f"{path}: expected a signed checkpoint, or the JSON of GET /ledger/checkpoint "
            "with its `checkpoint` text"
        )
    return note
