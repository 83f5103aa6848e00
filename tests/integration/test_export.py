"""An export in open formats verifies with no database, and catches a changed file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from muster.services.export import export_ledger, verify_export
from tests.integration.test_verify import built

__all__ = ["built"]


def test_export_verifies_without_a_database(built: Engine, tmp_path: Path) -> None:
    out = tmp_path / "export"
    with built.connect() as conn:
        info = export_ledger(conn, out)
    assert info["tree_size"] == 9
    assert (out / "checkpoint").is_file() and (out / "keys" / "registry.vkey").is_file()
    report = verify_export(out)
    assert report.ok, report.problems
    assert report.people == 12 and report.last_order == "AMD-1"
    # a changed subject table is caught by its digest
    table = next((out / "subjects").glob("*.json"))
    table.write_bytes(table.read_bytes().replace(b"GNB", b"GNX"))
    assert not verify_export(out).ok
