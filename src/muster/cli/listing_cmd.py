"""`muster order list`, `muster token list`: listings added to existing command groups."""

from __future__ import annotations

import typer

from muster.cli import common, tables
from muster.domain.kinds import OrderKind
from muster.registry import listings
from muster.registry.listings import OrderFilter

LimitOption = typer.Option(100, "--limit", min=1, help="Show at most this many.")


def order_list(
    kind: OrderKind = typer.Option(None, "--kind", help="Only orders of this kind."),
    authority: str = typer.Option(None, "--authority", help="Only this authority's orders."),
    signed_from: str = typer.Option(None, "--signed-from", help="Signed on or after DATE."),
    signed_until: str = typer.Option(None, "--signed-until", help="Signed on or before DATE."),
    effective_from: str = typer.Option(
        None, "--effective-from", help="Effective on or after DATE."
    ),
    effective_until: str = typer.Option(
        None, "--effective-until", help="Effective on or before DATE."
    ),
    limit: int = LimitOption,
    as_json: bool = common.JsonOption,
) -> None:
    """List orders, newest first: by kind, authority, signing and effective dates."""
    flt = OrderFilter(
        kind=kind,
        authority=authority,
        signed_from=common.parse_day(signed_from, "--signed-from"),
        signed_until=common.parse_day(signed_until, "--signed-until"),
        effective_from=common.parse_day(effective_from, "--effective-from"),
        effective_until=common.parse_day(effective_until, "--effective-until"),
    )
    with common.engine().connect() as conn:
        found = listings.list_orders(conn, flt, limit)
    columns = [
        tables.field("number"),
        tables.field("kind"),
        tables.field("authority"),
        tables.field("signed_on"),
        tables.field("effective"),
        tables.field("subjects"),
        ("entry", lambda r: r["ledger_entry"]),
        tables.field("revoked_by"),
    ]
    tables.show(found, "orders", columns, as_json)


def token_list(
    user: str = typer.Option(None, "--user", help="Only this user's tokens."),
    state: str = typer.Option(None, "--state", help="active, expired or revoked."),
    limit: int = LimitOption,
    as_json: bool = common.JsonOption,
) -> None:
    """List bearer tokens, newest first: id, user, dates and state (never the token)."""
    with common.engine().connect() as conn:
        found = listings.list_tokens(conn, user, state, limit)
    columns = [
        tables.field("id"),
        tables.field("user"),
        tables.field("state"),
        tables.field("created_at"),
        tables.field("expires_at"),
        tables.field("revoked_at"),
    ]
    tables.show(found, "tokens", columns, as_json)
