"""Crossings and referrals: each screening is recorded at once (durable before the officer
gets the answer); the registry seals them into the ledger in batches (`registry.sealing`)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from muster.accounts.accounts import Account, Role
from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.store.tables import crossings, referrals
from muster.timestamps import timestamp

RESOLUTIONS = ("released", "held", "other")
NOTE_MAX = 2000  # characters in a resolution's note (the API's body allows as many)


class CrossingNotFoundError(NotFoundError):
    """Raised when a crossing does not exist, or is at a post the account may not see (404)."""

    def __init__(self, crossing_id: str) -> None:
        self.crossing_id = crossing_id
        super().__init__(f"no crossing {crossing_id!r} at a post you may see")


class ReferralNotFoundError(NotFoundError):
    """Raised when a referral to resolve is not at one of the account's posts (404)."""

    def __init__(self, crossing_id: str) -> None:
        self.crossing_id = crossing_id
        super().__init__(f"no referral {crossing_id!r} at your posts")


class ReferralResolvedError(RefusedError):
    """Raised when a referral already resolved is resolved again (409); nothing changes."""

    def __init__(self, crossing_id: str, status: str, resolved_by: str | None) -> None:
        self.crossing_id, self.status, self.resolved_by = crossing_id, status, resolved_by
        super().__init__(f"referral {crossing_id} is already resolved ({status})")


@dataclass(frozen=True)
class CrossingRecord:
    """What one screening decided, as recorded."""

    post: str
    direction: str
    officer: str
    document: Mapping[str, Any]
    decision: str
    reasons: Sequence[Mapping[str, Any]]
    match: Mapping[str, Any]
    person_id: int | None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def new_crossing_id() -> str:
    """A fresh crossing id (random, so it can be handed out before the row is written)."""
    return "X" + secrets.token_hex(10)


def insert_crossings(conn: Connection, items: Sequence[tuple[str, CrossingRecord, str]]) -> None:
    """Store crossings (id, record, time) and a referral for each one referred."""
    conn.execute(
        crossings.insert(),
        [
            {
                "id": cid,
                "post_code": r.post,
                "direction": r.direction,
                "officer": r.officer,
                "at": at,
                "document": _json(r.document),
                "decision": r.decision,
                "reasons": _json(list(r.reasons)),
                "match": _json(r.match),
                "person_id": r.person_id,
            }
            for cid, r, at in items
        ],
    )
    referred = [
        {"crossing_id": cid, "post_code": r.post, "status": "open"}
        for cid, r, _at in items
        if r.decision == "refer"
    ]
    if referred:
        conn.execute(referrals.insert(), referred)


def visible_posts(account: Account) -> tuple[str, ...] | None:
    """The posts an account may see crossings of; None for all."""
    return account.posts if account.role in (Role.OFFICER, Role.SUPERVISOR) else None


def crossing_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "post": row.post_code,
        "direction": row.direction,
        "officer": row.officer,
        "at": row.at,
        "decision": row.decision,
        "reasons": json.loads(row.reasons),
        "match": json.loads(row.match),
        "document": json.loads(row.document),
        "person_id": row.person_id,
        "ledger_entry": row.batch_seq,
    }


def get_crossing(conn: Connection, crossing_id: str, account: Account) -> dict[str, Any]:
    """One crossing, if the account may see its post."""
    row = conn.execute(select(crossings).where(crossings.c.id == crossing_id)).first()
    posts = visible_posts(account)
    if row is None or (posts is not None and row.post_code not in posts):
        raise CrossingNotFoundError(crossing_id)
    view = crossing_view(row)
    if account.role is Role.OFFICER:
        view.pop("document")  # what the decision needs, not the whole file
        view.pop("person_id")
    return view


def list_crossings(
    conn: Connection, account: Account, post: str | None, limit: int
) -> list[dict[str, Any]]:
    """Recent crossings at the posts the account may see."""
    query = select(crossings).order_by(crossings.c.at.desc()).limit(limit)
    posts = visible_posts(account)
    if posts is not None:
        query = query.where(crossings.c.post_code.in_(posts))
    if post is not None:
        query = query.where(crossings.c.post_code == post.upper())
    return [crossing_view(r) for r in conn.execute(query)]


def list_referrals(conn: Connection, account: Account, status: str | None) -> list[dict[str, Any]]:
    """Referrals at the account's posts (all posts for auditors and admins)."""
    query = (
        select(referrals, crossings.c.at, crossings.c.decision, crossings.c.reasons)
        .join(crossings, crossings.c.id == referrals.c.crossing_id)
        .order_by(crossings.c.at)
    )
    posts = visible_posts(account)
    if posts is not None:
        query = query.where(referrals.c.post_code.in_(posts))
    if status is not None:
        query = query.where(referrals.c.status == status)
    return [
        {
            "crossing_id": r.crossing_id,
            "post": r.post_code,
            "status": r.status,
            "at": r.at,
            "reasons": json.loads(r.reasons),
            "resolved_by": r.resolved_by,
            "resolved_at": r.resolved_at,
            "note": r.note,
        }
        for r in conn.execute(query)
    ]


def resolve_referral(
    conn: Connection, crossing_id: str, outcome: str, note: str, account: Account
) -> dict[str, Any]:
    """A supervisor of the post records how a referral ended: released, held or other."""
    if outcome not in RESOLUTIONS:
        raise InvalidInputError(
            "{outcome} {value!r}: expected one of {allowed}",
            fields=("outcome",),
            value=outcome,
            allowed=", ".join(RESOLUTIONS),
        )
    if len(note) > NOTE_MAX:
        raise InvalidInputError(
            "{note}: {count} characters, expected at most {most}",
            fields=("note",),
            count=len(note),
            most=NOTE_MAX,
        )
    row = conn.execute(select(referrals).where(referrals.c.crossing_id == crossing_id)).first()
    if row is None or row.post_code not in account.posts:
        raise ReferralNotFoundError(crossing_id)
    if row.status != "open":
        raise ReferralResolvedError(crossing_id, row.status, row.resolved_by)
    done = conn.execute(
        update(referrals)
        .where(referrals.c.crossing_id == crossing_id, referrals.c.status == "open")
        .values(status=outcome, resolved_by=account.name, resolved_at=timestamp(), note=note)
    )
    if done.rowcount != 1:  # another supervisor resolved it since it was read
        now = conn.execute(select(referrals).where(referrals.c.crossing_id == crossing_id)).one()
        raise ReferralResolvedError(crossing_id, now.status, now.resolved_by)
    return {"crossing_id": crossing_id, "status": outcome, "resolved_by": account.name}
