"""The registry benchmark's floor: what an import stored, inserted and hashed again."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from bench.import_floor import (
    ROLL_TABLE_COLUMNS,
    FloorMismatchError,
    measure_floor,
    read_imported,
)
from sqlalchemy import Engine

from muster.domain.kinds import OrderKind as K
from muster.ledger.canonical import sha256_hex
from tests.factories import enlist, new_authority, new_registry, roll_rows


@pytest.fixture
def imported(engine: Engine) -> str:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    enlist(engine, clerk, roll_rows(25), "ENL-1")
    return str(engine.url.render_as_string(hide_password=False))


def test_floor_inserts_the_stored_rows_and_hashes_the_recorded_bytes(
    imported: str, tmp_path: Path
) -> None:
    data = read_imported(imported)
    assert len(data.rows) == 25 and data.rows[0][0] == 1
    assert sha256_hex(data.table) == data.table_sha256
    assert data.root is not None and len(data.entries) == 4  # registry, authority, key, order
    floor = measure_floor(data, tmp_path)
    assert floor.insert_s > 0 and floor.hash_s > 0
    with sqlite3.connect(tmp_path / "floor.db") as conn:
        cols = ", ".join(ROLL_TABLE_COLUMNS)
        again = conn.execute(f"SELECT {cols} FROM roll ORDER BY person_id").fetchall()
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert again == data.rows
    assert "ix_roll_birth_date" in indexes


def test_floor_refuses_bytes_the_import_did_not_hash(imported: str, tmp_path: Path) -> None:
    data = read_imported(imported)
    with pytest.raises(FloorMismatchError):
        measure_floor(replace(data, entries=data.entries[:-1]), tmp_path)
    with pytest.raises(FloorMismatchError):
        measure_floor(replace(data, table=data.table + b" "), tmp_path)
