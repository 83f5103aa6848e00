"""Migrations move data with their own SQL and the pure domain only: a migration must not
change when the registry's code does."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "muster"


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def outside(path: Path, allowed: tuple[str, ...]) -> list[str]:
    """What a module imports beyond the standard library and `allowed`."""
    return sorted(
        name
        for name in imports_of(path)
        if name.split(".")[0] not in (*sys.stdlib_module_names, "__future__")
        and not name.startswith(allowed)
    )


@pytest.mark.parametrize(
    "path",
    sorted((SRC / "store" / "migrations" / "versions").glob("0*.py")),
    ids=lambda p: p.stem,
)
def test_a_migration_uses_only_its_own_sql_and_the_pure_domain(path: Path) -> None:
    """A migration must not change when the registry's code does."""
    assert outside(path, ("sqlalchemy", "alembic", "muster.domain")) == []
