"""One path writes crossings: the crossing writer (in the server, or in its own process)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "muster"
WRITER = "screening/crossing_writer.py"


def callers_of(name: str) -> set[str]:
    """The modules of `src/muster` that call `name`, other than the one defining it."""
    found = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    found.add(str(path.relative_to(SRC)))
    return found


def test_only_the_crossing_writer_inserts_crossings() -> None:
    assert callers_of("insert_crossings") == {WRITER}


def test_the_decision_records_nothing() -> None:
    from muster.screening import decision

    assert not hasattr(decision, "screen"), "decide_crossing decides; the writer records"
