"""The ledger in the database: entries, complete Merkle subtree nodes, signed checkpoints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import TextClause, func, select, text
from sqlalchemy.engine import Connection

from muster.ledger import merkle, note
from muster.store.tables import checkpoints, ledger_entries, merkle_nodes


class SqlNodeReader:
    """Reads complete subtree hashes from the merkle_nodes table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def node(self, level: int, index: int) -> bytes:
        row = self.conn.execute(
            select(merkle_nodes.c.hash).where(
                merkle_nodes.c.level == level, merkle_nodes.c.idx == index
            )
        ).first()
        if row is None:
            raise KeyError(f"merkle node level {level} index {index} is missing")
        return bytes(row[0])

    def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[int, int], bytes] = {}
        for start in range(0, len(wanted), 200):
            chunk = wanted[start : start + 200]
            params = {}
            for i, (level, index) in enumerate(chunk):
                params[f"l{i}"], params[f"i{i}"] = level, index
            for level, idx, h in self.conn.execute(_nodes_query(len(chunk)), params):
                found[(int(level), int(idx))] = bytes(h)
        missing = [k for k in wanted if k not in found]
        if missing:
            raise KeyError(f"merkle nodes missing: {missing[:5]}")
        return found


@cache
def _nodes_query(n: int) -> TextClause:
    """Fetch n nodes by key in one statement that uses the primary key on every backend."""
    terms = " OR ".join(f"(level = :l{i} AND idx = :i{i})" for i in range(n))
    return text(f"SELECT level, idx, hash FROM merkle_nodes WHERE {terms}")


def tree_size(conn: Connection) -> int:
    """How many entries the ledger holds."""
    return int(conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one())


def append_entry(conn: Connection, entry_type: str, data: bytes) -> int:
    """Append one entry and the Merkle nodes it completes; returns its position."""
    size = tree_size(conn)
    leaf = merkle.leaf_hash(data)
    conn.execute(
        ledger_entries.insert().values(seq=size, entry_type=entry_type, data=data, leaf_hash=leaf)
    )
    nodes = merkle.appended_nodes(size, leaf, SqlNodeReader(conn))
    conn.execute(
        merkle_nodes.insert(), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes]
    )
    return size


def publish_checkpoint(conn: Connection, origin: str, key: Ed25519PrivateKey) -> note.Checkpoint:
    """Sign and store a checkpoint for the ledger as it stands in this transaction."""
    size = tree_size(conn)
    root = merkle.root(size, SqlNodeReader(conn))
    checkpoint = note.Checkpoint(origin=origin, size=size, root_hash=root)
    text = note.sign_note(note.format_checkpoint(checkpoint), origin, key)
    existing = conn.execute(select(checkpoints.c.size).where(checkpoints.c.size == size)).first()
    if existing is None:
        conn.execute(checkpoints.insert().values(size=size, root=root, note=text))
    return checkpoint


def latest_checkpoint(conn: Connection) -> str | None:
    """The newest signed checkpoint note, or None before the first entry."""
    row = conn.execute(
        select(checkpoints.c.note).order_by(checkpoints.c.size.desc()).limit(1)
    ).first()
    return None if row is None else str(row[0])


def iter_entries(conn: Connection, batch: int = 5000) -> Iterator[tuple[int, str, bytes, bytes]]:
    """Every entry in ledger order: (seq, type, data, stored leaf hash)."""
    last = -1
    while True:
        rows = conn.execute(
            select(
                ledger_entries.c.seq,
                ledger_entries.c.entry_type,
                ledger_entries.c.data,
                ledger_entries.c.leaf_hash,
            )
            .where(ledger_entries.c.seq > last)
            .order_by(ledger_entries.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for seq, kind, data, leaf in rows:
            yield int(seq), str(kind), bytes(data), bytes(leaf)
        last = int(rows[-1][0])
