"""Listing crossings and referrals at every post, with filters and a limit, newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, tzinfo

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.registry.listings import Listing, one_of, page
from muster.screening.crossings import RESOLUTIONS, crossing_view
from muster.store.tables import crossings, referrals
from muster.timestamps import lowest_of_second
from muster.timezones import day_range

DECISIONS = ("clear", "authorized", "refer", "deny")
REFERRAL_STATUSES = ("open", *RESOLUTIONS)


def day_bounds(day: date, zone: tzinfo = UTC) -> tuple[str, str]:
    """The first moment of a day in `zone` and of the next (local midnights, in UTC), as
    bounds that find crossing times stored in either form (`Z`, or `+00:00` before migration
    0007)."""
    start, end = day_range(day, zone)
    return lowest_of_second(start), lowest_of_second(end)


@dataclass(frozen=True)
class CrossingFilter:
    """Which crossings (or referrals) to list: by post, day (in `zone`: midnight to
    midnight there; UTC unless told), decision or status; `posts` keeps to those an account
    may see (`crossings.visible_posts`; None: every post)."""

    post: str | None = None
    day: date | None = None
    decision: str | None = None
    posts: tuple[str, ...] | None = None
    zone: tzinfo = UTC


def list_crossings(conn: Connection, f: CrossingFilter, limit: int = 100) -> Listing:
    """Crossings at every post, newest first, that pass the filter."""
    query = select(crossings).order_by(crossings.c.at.desc(), crossings.c.id)
    if f.posts is not None:
        query = query.where(crossings.c.post_code.in_(f.posts))
    if f.post is not None:
        query = query.where(crossings.c.post_code == f.post.strip().upper())
    if f.day is not None:
        start, end = day_bounds(f.day, f.zone)
        query = query.where(crossings.c.at >= start, crossings.c.at < end)
    if one_of(f.decision, DECISIONS, "decision") is not None:
        query = query.where(crossings.c.decision == f.decision)
    rows, total = page(conn, query, limit)
    return Listing([crossing_view(r) for r in rows], total)


def list_referrals(
    conn: Connection, f: CrossingFilter, status: str | None = None, limit: int = 100
) -> Listing:
    """Referrals to secondary inspection at every post, newest first."""
    query = (
        select(referrals, crossings.c.at, crossings.c.reasons, crossings.c.person_id)
        .join(crossings, crossings.c.id == referrals.c.crossing_id)
        .order_by(crossings.c.at.desc(), crossings.c.id)
    )
    if f.posts is not None:
        query = query.where(referrals.c.post_code.in_(f.posts))
    if f.post is not None:
        query = query.where(referrals.c.post_code == f.post.strip().upper())
    if f.day is not None:
        start, end = day_bounds(f.day, f.zone)
        query = query.where(crossings.c.at >= start, crossings.c.at < end)
    if one_of(status, REFERRAL_STATUSES, "status") is not None:
        query = query.where(referrals.c.status == status)
    rows, total = page(conn, query, limit)
    return Listing(
        [
            {
                "crossing_id": r.crossing_id,
                "post": r.post_code,
                "at": r.at,
                "status": r.status,
                "person_id": r.person_id,
                "reasons": json.loads(r.reasons),
                "resolved_by": r.resolved_by,
                "resolved_at": r.resolved_at,
                "note": r.note,
            }
            for r in rows
        ],
        total,
    )
