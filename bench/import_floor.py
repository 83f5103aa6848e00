"""The floor of a roll import: its rows bulk-inserted into a fresh SQLite file, its bytes hashed.

What no import of the same rows can avoid: putting them, as the roll table stores them, into
a table with the roll's indexes in one committed transaction (the project's own table
definition; the registry's SQLite settings with the page cache of its bulk insert), and
hashing what the ledger holds of them: the SHA-256 of the enlistment's subject table and the
Merkle tree of the ledger's entries up to its root. The inputs are read back from a registry
the import has just written, so the floor handles exactly the rows and bytes the import
stored and hashed; everything else the import does (reading and checking the file, folding
names, signing, compressing the table, starting a process) is its overhead over the floor.
"""

from __future__ import annotations

import hashlib
import time
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from muster.domain.kinds import OrderKind
from muster.ledger import merkle
from muster.store.dialects import BULK_CACHE_KIB, make_engine
from muster.store.tables import checkpoints, ledger_entries, metadata, orders, roll, subject_lists

ROLL_TABLE_COLUMNS = tuple(c.name for c in roll.columns)


@dataclass(frozen=True)
class ImportedBytes:
    """What one import stored: the roll rows as stored, the subject table, the ledger."""

    rows: list[tuple[Any, ...]]
    table: bytes
    table_sha256: str
    entries: list[bytes]
    root: bytes | None  # the registry's checkpoint root over these entries, when it has one


def stored_value(value: Any) -> Any:
    """A driver value as SQLite stores it through the roll table (dates ISO, booleans 0/1)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_imported(db_url: str) -> ImportedBytes:
    """The rows, subject table and ledger entries of a registry holding one enlistment."""
    engine = make_engine(db_url)
    cols = ", ".join(ROLL_TABLE_COLUMNS)
    with engine.connect() as conn:
        rows = [
            tuple(stored_value(v) for v in r)
            for r in conn.exec_driver_sql(f"SELECT {cols} FROM roll ORDER BY person_id")
        ]
        digest = conn.execute(
            select(orders.c.subjects_sha256).where(orders.c.kind == OrderKind.ENLISTMENT.value)
        ).scalar_one()
        blob = conn.execute(
            select(subject_lists.c.data).where(subject_lists.c.sha256 == digest)
        ).scalar_one()
        entries = [
            bytes(r[0])
            for r in conn.execute(select(ledger_entries.c.data).order_by(ledger_entries.c.seq))
        ]
        root = conn.execute(
            select(checkpoints.c.root).where(checkpoints.c.size == len(entries))
        ).scalar()
    engine.dispose()
    return ImportedBytes(
        rows, zlib.decompress(bytes(blob)), digest, entries, None if root is None else bytes(root)
    )


@dataclass(frozen=True)
class Floor:
    """Seconds the floor took: the bulk insert with its commit, and the hashing."""

    insert_s: float
    hash_s: float

    @property
    def total_s(self) -> float:
        return self.insert_s + self.hash_s


class FloorMismatchError(Exception):
    """Raised when the floor's hashes differ from what the registry recorded."""


def measure_floor(data: ImportedBytes, workdir: Path) -> Floor:
    """Insert the rows into a fresh SQLite roll table and hash the subject table and ledger."""
    path = workdir / "floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    metadata.create_all(engine, tables=[roll])
    raw = engine.raw_connection()  # the registry's own SQLite settings (WAL, full sync)
    cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
    marks = ", ".join("?" for _ in ROLL_TABLE_COLUMNS)
    sql = f"INSERT INTO roll ({', '.join(ROLL_TABLE_COLUMNS)}) VALUES ({marks})"
    cur.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")  # as the import's bulk insert has it
    started = time.perf_counter()
    cur.execute("BEGIN IMMEDIATE")
    cur.executemany(sql, data.rows)
    cur.execute("COMMIT")
    inserted = time.perf_counter()
    digest = hashlib.sha256(data.table).hexdigest()
    leaves = [merkle.leaf_hash(e) for e in data.entries]
    root = merkle.root(len(leaves), merkle.MemoryNodes(leaves))
    hashed = time.perf_counter()
    cur.close()
    raw.close()
    engine.dispose()
    if digest != data.table_sha256 or (data.root is not None and root != data.root):
        raise FloorMismatchError("the floor hashed other bytes than the import recorded")
    return Floor(inserted - started, hashed - inserted)
