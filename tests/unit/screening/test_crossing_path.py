"""One path writes crossings: the crossing writer (in the server, or in its own process)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "muster"
WRITER = "screening/crossing_writer.py"


def called(path: Path) -> set[str]:
    """The names of what the module at `path` calls (`f(...)` or `x.f(...)`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name is not None:
                found.add(name)
    return found


def callers_of(name: str) -> set[str]:
    """The modules of `src/muster` that call `name`, other than the one defining it."""
    return {str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if name in called(p)}


def test_only_the_crossing_writer_inserts_crossings() -> None:
    assert callers_of("insert_crossings") == {WRITER}


def test_the_decision_records_nothing() -> None:
    """decide_crossing decides; the writer records."""
    writes = {"insert", "update", "delete", "insert_crossings", "new_crossing_id", "commit"}
    assert not called(SRC / "screening" / "decision.py") & writes
