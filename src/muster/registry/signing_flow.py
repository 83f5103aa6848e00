"""Orders through the API: the registry drafts and keeps the bytes, the signer sends only a
signature over them (a private key never reaches the server). A draft awaiting its signature
may instead be closed: withdrawn by whoever drafted it, or declined by its authority with a
reason; a closed draft is never signed. Drafts are unsigned proposals: keeping, signing
refused or closing one touches neither the roll nor the ledger."""

from __future__ import annotations

import json
import secrets
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from muster.actor import Actor
from muster.domain.errors import (
    DraftClosedError,
    DraftNotYoursError,
    InvalidInputError,
    NotFoundError,
    RefusedError,
)
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
    row = open_row(conn, draft_id)
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


def refuse_unless_open(row: Any) -> None:
    """Refused (RefusedError) when a kept draft's row is recorded or closed."""
    if row.recorded_seq is not None:
        raise RefusedError(
            f"draft {row.id} was already signed and recorded (ledger entry {row.recorded_seq})"
        )
    if row.closed_as is not None:
        raise DraftClosedError(row.id, row.closed_as, row.closed_by, row.closed_at)


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
    marked = conn.execute(
        update(drafts).where(drafts.c.id == draft_id, *OPEN).values(recorded_seq=result.seq)
    )
    if marked.rowcount != 1:  # closed or recorded meanwhile: the whole write is rolled back
        refuse_unless_open(conn.execute(select(drafts).where(drafts.c.id == draft_id)).one())
        raise RefusedError(f"draft {draft_id} changed while it was being signed")
    return result


WITHDRAWN, DECLINED = "withdrawn", "declined"
NOTE_MAX = 500  # characters of a withdrawal's note or a refusal's reason
OPEN = (drafts.c.recorded_seq.is_(None), drafts.c.closed_as.is_(None))


def withdraw_draft(conn: Connection, draft_id: str, by: str, note: str = "") -> None:
    """Close a draft awaiting its signature as withdrawn, by the account that drafted it
    (`by`), with an optional note."""
    text = _note(note, "note", required=False)
    row = open_row(conn, draft_id)
    if row.created_by != by:
        raise DraftNotYoursError(
            f"draft {draft_id} was drafted by {row.created_by}: only they withdraw it"
        )
    _close(conn, draft_id, WITHDRAWN, by, text)


def decline_draft(conn: Connection, draft_id: str, by: str, authority: str, reason: str) -> None:
    """Close a draft awaiting its signature as declined, by an account of the authority it
    awaits (`authority`), with the reason the drafter reads."""
    text = _note(reason, "reason", required=True)
    row = open_row(conn, draft_id)
    if row.authority_code != authority:
        raise DraftNotYoursError(
            f"draft {draft_id} awaits the signature of {row.authority_code}: only it declines it"
        )
    _close(conn, draft_id, DECLINED, by, text)


def _note(text: str, field: str, *, required: bool) -> str | None:
    cleaned = text.strip()
    if required and not cleaned:
        raise InvalidInputError(
            f"{{{field}}} is required: say why the draft is declined", fields=(field,)
        )
    if len(cleaned) > NOTE_MAX:
        raise InvalidInputError(
            f"{{{field}}}: at most {NOTE_MAX} characters, not {len(cleaned)}", fields=(field,)
        )
    return cleaned or None


def open_row(conn: Connection, draft_id: str) -> Any:
    """A kept draft's row, awaiting its signature: NotFoundError when there is none,
    refused (`refuse_unless_open`) when it is recorded or closed."""
    row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).first()
    if row is None:
        raise NotFoundError(f"no draft {draft_id!r}")
    refuse_unless_open(row)
    return row


def _close(conn: Connection, draft_id: str, closed_as: str, by: str, note: str | None) -> None:
    done = conn.execute(
        update(drafts)
        .where(drafts.c.id == draft_id, *OPEN)
        .values(closed_as=closed_as, closed_by=by, closed_at=timestamp(), closed_note=note)
    )
    if done.rowcount != 1:  # signed or closed since it was read: say which
        refuse_unless_open(conn.execute(select(drafts).where(drafts.c.id == draft_id)).one())
        raise RefusedError(f"draft {draft_id} changed while it was being closed")
