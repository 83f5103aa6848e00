"""Sealing crossings into the ledger: the crossings not yet sealed become one batch entry,
their table stored by its digest, as tamper-evident as orders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from muster.actor import Actor
from muster.ledger import entries
from muster.ledger.canonical import canonical_table, sha256_hex
from muster.registry.recording import store_subject_list
from muster.store import ledger_store
from muster.store.tables import crossings

CROSSING_COLUMNS = (
    "id", "post", "direction", "officer", "at", "decision", "person_id", "document",
    "reasons", "match",
)  # fmt: skip
BATCH_SIZE = 5000


def crossing_rows(rows: Sequence[Any]) -> list[list[str]]:
    """Crossing rows as the cells of the sealed table (all text, canonical JSON inside)."""
    return [
        [
            r.id,
            r.post_code,
            r.direction,
            r.officer,
            r.at,
            r.decision,
            "" if r.person_id is None else str(r.person_id),
            r.document,
            r.reasons,
            r.match,
        ]
        for r in rows
    ]


def seal_crossings(conn: Connection, actor: Actor, limit: int = BATCH_SIZE) -> int | None:
    """Append the crossings not yet in the ledger as one batch entry; its position, or None."""
    rows = conn.execute(
        select(crossings)
        .where(crossings.c.batch_seq.is_(None))
        .order_by(crossings.c.at, crossings.c.id)
        .limit(limit)
    ).all()
    if not rows:
        return None
    table = canonical_table(CROSSING_COLUMNS, crossing_rows(rows))
    store_subject_list(conn, table, len(rows))
    body = {
        "crossings": {"count": len(rows), "sha256": sha256_hex(table)},
        "first": rows[0].id,
        "last": rows[-1].id,
    }
    data = entries.make_entry(entries.CROSSING_BATCH, body, actor.recorded())
    seq = ledger_store.append_entry(conn, entries.CROSSING_BATCH, data)
    ids = [r.id for r in rows]
    for i in range(0, len(ids), 500):
        conn.execute(
            update(crossings).where(crossings.c.id.in_(ids[i : i + 500])).values(batch_seq=seq)
        )
    return seq
