"""Listing what the registry holds: orders, border posts and tokens, each with filters and a
limit, newest first where time orders them (crossings and referrals: `screening.listings`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError
from muster.domain.kinds import OrderKind
from muster.store.tables import orders, posts, tokens, users
from muster.timestamps import timestamp

TOKEN_STATES = ("active", "expired", "revoked")


@dataclass(frozen=True)
class Listing:
    """Some rows of a listing, and how many rows the filters matched in all."""

    rows: list[dict[str, Any]]
    total: int

    def to_json(self, name: str) -> dict[str, Any]:
        return {name: self.rows, "shown": len(self.rows), "total": self.total}


def page(conn: Connection, query: Select[Any], limit: int) -> tuple[list[Any], int]:
    if limit < 1:
        raise InvalidInputError(
            "{limit} {value}: expected a positive number", fields=("limit",), value=limit
        )
    total = conn.execute(select(func.count()).select_from(query.order_by(None).subquery()))
    return list(conn.execute(query.limit(limit))), int(total.scalar_one())


def one_of(value: str | None, allowed: Sequence[str], field: str) -> str | None:
    """`value` if it is one of `allowed` (or None), else refused naming the filter's `field`."""
    if value is None:
        return None
    if value not in allowed:
        raise InvalidInputError(
            "{field} {value!r}: expected one of {allowed}",
            fields={"field": field},
            value=value,
            allowed=", ".join(allowed),
        )
    return value


@dataclass(frozen=True)
class OrderFilter:
    """Which orders to list: by kind, authority, and signing or effective dates (inclusive)."""

    kind: OrderKind | None = None
    authority: str | None = None
    signed_from: date | None = None
    signed_until: date | None = None
    effective_from: date | None = None
    effective_until: date | None = None


def list_orders(conn: Connection, f: OrderFilter, limit: int = 100) -> Listing:
    """Orders in ledger order, newest first, that pass the filter."""
    query = select(orders).order_by(orders.c.seq.desc())
    if f.kind is not None:
        query = query.where(orders.c.kind == f.kind.value)
    if f.authority is not None:
        query = query.where(func.upper(orders.c.authority_code) == f.authority.strip().upper())
    for column, low, high in (
        (orders.c.signed_on, f.signed_from, f.signed_until),
        (orders.c.effective, f.effective_from, f.effective_until),
    ):
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    rows, total = page(conn, query, limit)
    return Listing([_order_row(r) for r in rows], total)


def _order_row(r: Any) -> dict[str, Any]:
    return {
        "number": r.number,
        "kind": r.kind,
        "authority": r.authority_code,
        "signed_on": str(r.signed_on),
        "effective": str(r.effective),
        "subjects": int(r.subject_count),
        "ledger_entry": int(r.seq),
        "revokes": r.revokes,
        "revoked_by": r.revoked_by,
    }


def list_posts(
    conn: Connection, post_type: str | None = None, state: str | None = None, limit: int = 1000
) -> Listing:
    """The border posts, by code; filtered by type (land, air, sea…) and state."""
    query = select(posts).order_by(posts.c.code)
    if post_type is not None:
        query = query.where(func.lower(posts.c.type) == post_type.strip().lower())
    if state is not None:
        query = query.where(func.lower(posts.c.state) == state.strip().lower())
    rows, total = page(conn, query, limit)
    return Listing(
        [
            {
                "code": r.code,
                "name": r.name,
                "type": r.type,
                "state": r.state,
                "neighbour_country": r.neighbour_country,
                "status": r.status,
            }
            for r in rows
        ],
        total,
    )


def list_tokens(
    conn: Connection,
    user: str | None = None,
    state: str | None = None,
    limit: int = 100,
    now: datetime | None = None,
) -> Listing:
    """Machines' bearer tokens (never the tokens themselves), newest first."""
    one_of(state, TOKEN_STATES, "state")
    moment = timestamp(now)
    query = (
        select(tokens, users.c.name)
        .join(users, users.c.id == tokens.c.user_id)
        .where(tokens.c.kind == "token")
        .order_by(tokens.c.created_at.desc(), tokens.c.id.desc())
    )
    if user is not None:
        query = query.where(users.c.name == user)
    unexpired = or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > moment)
    if state == "revoked":
        query = query.where(tokens.c.revoked_at.is_not(None))
    elif state == "expired":
        query = query.where(tokens.c.revoked_at.is_(None), ~unexpired)
    elif state == "active":
        query = query.where(tokens.c.revoked_at.is_(None), unexpired)
    rows, total = page(conn, query, limit)
    return Listing([_token_row(r, moment) for r in rows], total)


def _token_row(r: Any, moment: str) -> dict[str, Any]:
    if r.revoked_at is not None:
        state = "revoked"
    elif r.expires_at is not None and r.expires_at <= moment:
        state = "expired"
    else:
        state = "active"
    return {
        "id": r.token_hash[:12],  # the id `muster token create` printed
        "user": r.name,
        "created_at": r.created_at,
        "expires_at": r.expires_at,
        "revoked_at": r.revoked_at,
        "state": state,
    }
