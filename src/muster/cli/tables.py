"""Listings as readable tables on stdout (Rich), with how many were shown on stderr."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from muster.cli import common
from muster.registry.listings import Listing

Column = tuple[str, Callable[[Mapping[str, Any]], Any]]


def cell(value: Any) -> str:
    """A value as a table shows it: nothing as a dash."""
    return "-" if value is None or value == "" else str(value)


def field(name: str) -> Column:
    """A column showing one field of each row, headed by its name."""
    return name, lambda row: row.get(name)


def show(listing: Listing, what: str, columns: Sequence[Column], as_json: bool) -> None:
    """A listing as one JSON object, or as a table and a count of what the limit left out."""
    if as_json:
        common.emit_json(listing.to_json(what))
        return
    if not listing.rows:
        common.say(f"no {what} match")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for title, _value in columns:
        table.add_column(title, overflow="fold")
    for row in listing.rows:
        table.add_row(*(common.escape(cell(value(row))) for _title, value in columns))
    console = common.out_console
    if not console.is_terminal:  # piped or redirected: whole rows, never folded to 80 columns
        console = Console(width=100_000, highlight=False, soft_wrap=True)
    console.print(table)
    if listing.total > len(listing.rows):
        common.say(
            f"{len(listing.rows):,} of {listing.total:,} {what} shown; raise --limit for more"
        )
