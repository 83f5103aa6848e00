"""`muster crossing …`, `muster referral …`: what border posts recorded."""

from __future__ import annotations

import typer

from muster.cli import common, tables
from muster.config import registry_zone
from muster.screening import listings
from muster.screening.listings import CrossingFilter

crossing_app = common.typer_app("Crossings recorded at border posts.")
referral_app = common.typer_app("Referrals to secondary inspection at border posts.")

PostOption = typer.Option(None, "--post", help="Only this border post (its code).")
DayOption = typer.Option(
    None, "--day", help="Only this day (YYYY-MM-DD, in the registry's MUSTER_TIMEZONE)."
)
LimitOption = typer.Option(100, "--limit", min=1, help="Show at most this many.")


@crossing_app.command("list")
def crossing_list(
    post: str = PostOption,
    day: str = DayOption,
    decision: str = typer.Option(None, "--decision", help="clear, authorized, refer or deny."),
    limit: int = LimitOption,
    as_json: bool = common.JsonOption,
) -> None:
    """List crossings, newest first: by post, day and decision."""
    settings = common.settings()
    zone = registry_zone(settings)
    flt = CrossingFilter(post, common.parse_day(day, "--day"), decision, zone=zone)
    with common.engine(settings).connect() as conn:
        found = listings.list_crossings(conn, flt, limit)
    columns = [
        tables.field("id"),
        tables.field("at"),
        tables.field("post"),
        tables.field("direction"),
        tables.field("decision"),
        tables.field("officer"),
        ("person", lambda r: r["person_id"]),
        ("sealed in", lambda r: r["ledger_entry"]),
    ]
    tables.show(found, "crossings", columns, as_json)


@referral_app.command("list")
def referral_list(
    post: str = PostOption,
    day: str = DayOption,
    status: str = typer.Option(None, "--status", help="open, released, held or other."),
    limit: int = LimitOption,
    as_json: bool = common.JsonOption,
) -> None:
    """List referrals, newest first: by post, day and status (open, or how they ended)."""
    settings = common.settings()
    zone = registry_zone(settings)
    flt = CrossingFilter(post, common.parse_day(day, "--day"), zone=zone)
    with common.engine(settings).connect() as conn:
        found = listings.list_referrals(conn, flt, status, limit)
    columns = [
        ("crossing", lambda r: r["crossing_id"]),
        tables.field("at"),
        tables.field("post"),
        tables.field("status"),
        ("person", lambda r: r["person_id"]),
        ("reasons", lambda r: "; ".join(str(x.get("text", x)) for x in r["reasons"])),
        tables.field("resolved_by"),
        tables.field("note"),
    ]
    tables.show(found, "referrals", columns, as_json)
