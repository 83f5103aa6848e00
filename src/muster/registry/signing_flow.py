"""Orders through the API: the registry drafts and keeps the bytes, the signer sends only a
signature over them (a private key never reaches the server)."""

from __future__ import annotations

import json
import secrets

import orjson
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from muster.actor import Actor
from muster.domain.errors import NotFoundError, RefusedError
from muster.domain.kinds import OrderKind
from muster.domain.orders import OrderContent
from muster.domain.roll_import import ROLL_COLUMNS, EnlistRow
from muster.ledger.canonical import canonical_table, parse_table
from muster.registry.drafts import SUBJECT_COLUMNS, Draft
from muster.registry.opening import OpenRegistry
from muster.registry.recording import RecordedOrder, record_order
from muster.registry.roll_draft import recheck_enlistment
from muster.store.tables import drafts
from muster.timestamps import timestamp


def save_draft(conn: Connection, draft: Draft, created_by: str) -> str:
    """Keep a draft until it is signed; returns its id. An enlistment keeps its rows (its
    canonical subject table, whose digest it signs); any other order its resolved subjects."""
    draft_id = "d_" + secrets.token_urlsafe(12)
    subjects = None if draft.subjects is None else json.dumps([list(s) for s in draft.subjects])
    if draft.enlist_rows is not None:
        table = draft.table_bytes or canonical_table(ROLL_COLUMNS, draft.enlist_rows)
        subjects = table.decode()
    conn.execute(
        drafts.insert().values(
            id=draft_id,
            created_by=created_by,
            created_at=timestamp(),
            authority_code=draft.content.authority,
            number=draft.content.number,
            order_bytes=draft.order_bytes,
            subjects=subjects,
        )
    )
    return draft_id


def load_draft(conn: Connection, draft_id: str) -> Draft:
    """A kept draft, exactly as it was drafted."""
    row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
    if row is None:
        raise NotFoundError(f"no draft {draft_id!r}")
    if row.recorded_seq is not None:
        raise RefusedError(
            f"draft {draft_id} was already signed and recorded (ledger entry {row.recorded_seq})"
        )
    order_bytes = bytes(row.order_bytes)
    content = OrderContent.from_json(orjson.loads(order_bytes))
    subjects = None
    table = None
    if row.subjects is not None and content.kind is OrderKind.ENLISTMENT:
        _columns, kept = parse_table(row.subjects.encode())
        rows: list[EnlistRow] = [tuple(r) for r in kept]
        return Draft(content, order_bytes, canonical_table(ROLL_COLUMNS, rows), enlist_rows=rows)
    if row.subjects is not None:
        subjects = [(int(pid), str(ref)) for pid, ref in json.loads(row.subjects)]
        table = canonical_table(SUBJECT_COLUMNS, subjects)
    return Draft(content, order_bytes, table, subjects=subjects)


def submit_signature(
    conn: Connection,
    reg: OpenRegistry,
    actor: Actor,
    draft_id: str,
    signature: bytes,
    fingerprint: str,
) -> RecordedOrder:
    """Record a kept draft with the signature sent for it; all checks run again now (an
    enlistment's rows too, against the roll as it is now)."""
    draft = load_draft(conn, draft_id)
    if draft.enlist_rows is not None:
        recheck_enlistment(conn, draft.enlist_rows, draft.content.effective)
    result = record_order(conn, reg, actor, draft, signature, fingerprint)
    conn.execute(update(drafts).where(drafts.c.id == draft_id).values(recorded_seq=result.seq))
    return result
