"""`muster post …`: the border posts."""

from __future__ import annotations

import typer

from muster.cli import common, tables
from muster.registry import listings

post_app = common.typer_app("Border posts: bridges, airports and seaports.")


@post_app.command("list")
def post_list(
    post_type: str = typer.Option(None, "--type", help="Only posts of this type (land, air, sea)."),
    state: str = typer.Option(None, "--state", help="Only posts in this state (Táchira…)."),
    limit: int = typer.Option(1000, "--limit", min=1, help="Show at most this many."),
    as_json: bool = common.JsonOption,
) -> None:
    """List the border posts by code: name, type, state, neighbouring country, status."""
    with common.engine().connect() as conn:
        found = listings.list_posts(conn, post_type, state, limit)
    columns = [
        tables.field("code"),
        tables.field("name"),
        tables.field("type"),
        tables.field("state"),
        ("neighbour", lambda r: r["neighbour_country"]),
        tables.field("status"),
    ]
    tables.show(found, "posts", columns, as_json)
