"""The domain core imports only the standard library and itself; imports point inward."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "muster"
PURE = {
    "domain": ("muster.domain", "muster.errors"),
    "ledger/merkle.py": ("muster.ledger.merkle",),
    "documents/mrz.py": ("muster.documents", "muster.errors"),
    "documents/findings.py": ("muster.documents", "muster.errors"),
    **{
        f"matching/{name}.py": ("muster.matching", "muster.domain", "muster.errors")
        for name in (
            "normalize",
            "words",
            "near",
            "evidence",
            "frequencies",
            "keys",
            "scoring",
            "verdict",
            "records",
        )
    },
}
FORBIDDEN_CALLS = ("datetime.now", "date.today", "random.")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files(target: str) -> list[Path]:
    path = SRC / target
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@pytest.mark.parametrize("target", list(PURE))
def test_pure_core_imports_only_stdlib_and_itself(target: str) -> None:
    allowed = PURE[target]
    for path in files(target):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            assert name.startswith(allowed), f"{path.relative_to(SRC)} imports {name}"
        text = path.read_text()
        for call in FORBIDDEN_CALLS:
            assert f"{call}(" not in text and f"import {call.rstrip('.')}" not in text, (
                f"{path.relative_to(SRC)} uses {call}: pass time and randomness in"
            )


@pytest.mark.parametrize(
    "inner",
    [
        "domain",
        "ledger",
        "store",
        "accounts",
        "registry",
        "screening",
        "demo",
        "matching",
        "documents",
    ],
)
def test_inner_layers_never_import_entry_points(inner: str) -> None:
    for path in files(inner):
        for name in imports_of(path):
            assert not name.startswith(("muster.cli", "muster.api", "muster.web")), (
                f"{path.relative_to(SRC)} imports {name}"
            )
