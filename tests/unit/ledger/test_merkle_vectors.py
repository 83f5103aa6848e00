"""The transparency-dev/merkle inclusion and consistency test vectors, every one of them.

Vendored in vectors/transparency-dev/ (Apache-2.0, see its README). One case differs on
purpose: Muster refuses roots that are not 32-byte SHA-256 hashes even where the Go
verifier does not look at them.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from muster.ledger import merkle

VECTORS = Path(__file__).parent / "vectors" / "transparency-dev"
# Equal sizes and equal 12-byte roots: Go accepts (it only compares the roots), Muster
# refuses a root that is not a SHA-256 hash, and names it.
REFUSED_ON_PURPOSE = {
    "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json": (
        "the old root hash is 12 bytes; an RFC 9162 SHA-256 hash is 32"
    ),
}


def cases(kind: str) -> list[str]:
    return sorted(p.relative_to(VECTORS).as_posix() for p in (VECTORS / kind).rglob("*.json"))


def unb64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


def check(case: dict[str, Any]) -> tuple[str | None, bool]:
    """What `merkle` says of a case: the problem it names (None: holds), and the verdict."""
    proof = [unb64(h) for h in case["proof"] or []]
    if "leafIdx" in case:
        args = (unb64(case["leafHash"]), case["leafIdx"], case["treeSize"], proof)
        root = unb64(case["root"])
        return merkle.inclusion_problem(*args, root), merkle.verify_inclusion(*args, root)
    sizes = (case["size1"], case["size2"], unb64(case["root1"]), unb64(case["root2"]))
    return merkle.consistency_problem(*sizes, proof), merkle.verify_consistency(*sizes, proof)


def test_the_vectors_are_all_there() -> None:
    assert len(cases("inclusion")) == 98 and len(cases("consistency")) == 98
    assert set(REFUSED_ON_PURPOSE) <= set(cases("consistency"))


@pytest.mark.parametrize("name", cases("inclusion") + cases("consistency"))
def test_vector(name: str) -> None:
    case = json.loads((VECTORS / name).read_text())
    found, holds = check(case)
    assert holds == (found is None)
    if name in REFUSED_ON_PURPOSE:
        assert not case["wantErr"]  # the expected difference, refused with a reason
        assert found == REFUSED_ON_PURPOSE[name]
        return
    assert holds == (not case["wantErr"]), (case["desc"], found)
