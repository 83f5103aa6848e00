"""What the supervisors of border posts read: the referral queue of their posts (the open
referrals first, oldest first, as a queue is worked; then those of the day's crossings already
resolved), a crossing with the outcome of its referral, the day's decisions counted, and the
traveler as the officer saw them (the document's zone, or the identity typed)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection

from muster.accounts.accounts import Account, Role
from muster.registry.listings import page
from muster.screening.crossings import get_crossing, visible_posts
from muster.screening.listings import DECISIONS, day_bounds
from muster.store.tables import crossings, referrals

QUEUE_LIMIT = 200  # open referrals shown at once; the queue says how many wait in all
TRAVELER_FIELDS = (
    "given_names",
    "surnames",
    "birth_date",
    "sex",
    "national_id",
    "document_number",
    "nationality",
    "issuing_state",
    "expiry_date",
)


@dataclass(frozen=True)
class Queue:
    """The referral queue: open referrals (oldest first, at most the limit), how many are open
    in all, and the referrals of the day's crossings already resolved (latest first)."""

    open: list[dict[str, Any]]
    open_total: int
    resolved: list[dict[str, Any]]


def presented(document: Mapping[str, Any]) -> dict[str, str]:
    """The traveler as the officer saw them: the identity typed (screened when it was typed,
    even beside a zone that failed its checks), else the zone's holder; `source` says which
    (`typed`, `zone`, or `unknown` for a crossing recorded without either); a field not
    given is empty."""
    typed = document.get("identity")
    zone = document.get("zone")
    found: Mapping[str, Any] = {}
    source = "unknown"
    if isinstance(typed, Mapping) and typed:
        found, source = typed, "typed"
    elif isinstance(zone, Mapping):
        found, source = zone, "zone"
    return {"source": source, **{k: str(found.get(k) or "") for k in TRAVELER_FIELDS}}


def _queue_query(account: Account) -> Select[Any]:
    query = select(
        referrals,
        crossings.c.at,
        crossings.c.direction,
        crossings.c.officer,
        crossings.c.document,
        crossings.c.reasons,
        crossings.c.match,
        crossings.c.person_id,
    ).join(crossings, crossings.c.id == referrals.c.crossing_id)
    posts = visible_posts(account)
    return query if posts is None else query.where(referrals.c.post_code.in_(posts))


def _queue_row(r: Any) -> dict[str, Any]:
    match = json.loads(r.match)
    return {
        "crossing_id": r.crossing_id,
        "post": r.post_code,
        "status": r.status,
        "at": r.at,
        "direction": r.direction,
        "officer": r.officer,
        "traveler": presented(json.loads(r.document)),
        "reasons": json.loads(r.reasons),
        "verdict": match.get("verdict"),
        "score": match.get("score"),
        "person_id": r.person_id,
        "resolved_by": r.resolved_by,
        "resolved_at": r.resolved_at,
        "note": r.note,
    }


def referral_queue(
    conn: Connection,
    account: Account,
    day: date,
    limit: int = QUEUE_LIMIT,
    zone: tzinfo = UTC,
) -> Queue:
    """The referrals at the account's posts (every post for auditors and admins): every open
    one, whatever its day, and those of `day`'s crossings (a day in `zone`) already resolved."""
    base = _queue_query(account)
    opened, total = page(
        conn,
        base.where(referrals.c.status == "open").order_by(crossings.c.at, crossings.c.id),
        limit,
    )
    start, end = day_bounds(day, zone)
    resolved, _count = page(
        conn,
        base.where(
            referrals.c.status != "open", crossings.c.at >= start, crossings.c.at < end
        ).order_by(referrals.c.resolved_at.desc(), crossings.c.id),
        limit,
    )
    return Queue([_queue_row(r) for r in opened], total, [_queue_row(r) for r in resolved])


def crossing_with_referral(conn: Connection, crossing_id: str, account: Account) -> dict[str, Any]:
    """One crossing as `crossings.get_crossing` shows it to the account, with its referral
    (`status`, `resolved_by`, `resolved_at`, `note`; None when it was not referred). An officer
    sees the decision and its reasons only, as the API shows them."""
    view = get_crossing(conn, crossing_id, account)
    if account.role is Role.OFFICER:
        return view
    row = conn.execute(select(referrals).where(referrals.c.crossing_id == crossing_id)).first()
    view["referral"] = (
        None
        if row is None
        else {
            "status": row.status,
            "resolved_by": row.resolved_by,
            "resolved_at": row.resolved_at,
            "note": row.note,
        }
    )
    return view


def decisions_of_day(
    conn: Connection,
    account: Account,
    day: date,
    post: str | None = None,
    zone: tzinfo = UTC,
) -> dict[str, int]:
    """How many crossings of `day` (a day in `zone`) each decision had at the account's posts
    (or one post)."""
    start, end = day_bounds(day, zone)
    query = (
        select(crossings.c.decision, func.count())
        .where(crossings.c.at >= start, crossings.c.at < end)
        .group_by(crossings.c.decision)
    )
    posts = visible_posts(account)
    if posts is not None:
        query = query.where(crossings.c.post_code.in_(posts))
    if post is not None:
        query = query.where(crossings.c.post_code == post.strip().upper())
    counted = {str(d): int(n) for d, n in conn.execute(query)}
    return {d: counted.get(d, 0) for d in DECISIONS}


def referral_statuses(conn: Connection, crossing_ids: list[str]) -> dict[str, str]:
    """The status of the referral of each of these crossings that was referred."""
    found: dict[str, str] = {}
    for i in range(0, len(crossing_ids), 500):
        chunk = crossing_ids[i : i + 500]
        query = select(referrals.c.crossing_id, referrals.c.status).where(
            referrals.c.crossing_id.in_(chunk)
        )
        found.update({str(c): str(s) for c, s in conn.execute(query)})
    return found
