"""`muster init`, `person`, `stats`: setting up and reading the registry."""

from __future__ import annotations

import sys

import typer

from muster.actor import Actor
from muster.cli import common
from muster.cli.text import print_fields, shown
from muster.domain.reference import fold_text
from muster.environment import today
from muster.registry import reading
from muster.registry.opening import PassphraseMissingError, init_registry

person_app = common.typer_app("People on the roll: show one, search by name.")


def init(
    origin: str = typer.Option(None, "--origin", help="The ledger's name in its checkpoints."),
    as_json: bool = common.JsonOption,
) -> None:
    """Create the registry schema and its signing key; a second run changes nothing."""
    s = common.settings()
    engine = common.engine(s)
    passphrase = s.registry_passphrase.get_secret_value() if s.registry_passphrase else None
    try:
        info = init_registry(engine, passphrase, origin or s.origin, Actor.current())
    except PassphraseMissingError:
        if not sys.stdin.isatty():
            raise
        passphrase = common.secret(
            "MUSTER_REGISTRY_PASSPHRASE", "New registry key passphrase", confirm=True
        )
        info = init_registry(engine, passphrase, origin or s.origin, Actor.current())
    if as_json:
        common.emit_json(
            {
                "created": info.created,
                "schema_changed": info.schema_changed,
                "schema_notes": list(info.schema_notes),
                "origin": info.origin,
                "registry_key": info.fingerprint,
                "database": engine.url.render_as_string(hide_password=True),
            }
        )
        return
    for text in info.schema_notes:
        common.say(f"schema upgrade: {text}")
    if info.created:
        what = "created"
    elif info.schema_changed:
        what = "already exists; its schema was upgraded to this version of Muster"
    else:
        what = "already exists; nothing changed"
    common.say(f"registry {info.origin} {what} ({engine.url.render_as_string(hide_password=True)})")
    common.say(
        f"registry key {info.fingerprint} (kept encrypted in the database, table "
        "registry; MUSTER_REGISTRY_PASSPHRASE unlocks it)"
    )


PERSON_FIELDS = (
    "serial_number",
    "national_id",
    "given_names",
    "surnames",
    "birth_date",
    "sex",
    "component",
    "rank",
    "category",
    "unit",
    "status",
    "reinstated",
    "former_serial_numbers",
)


@person_app.command("show")
def person_show(
    ref: str = typer.Argument(..., help="Serial number (current or former) or cédula."),
    as_of: str = typer.Option(
        None, "--as-of", help="Show the state on this date (YYYY-MM-DD); default today."
    ),
    as_json: bool = common.JsonOption,
) -> None:
    """Show a person: identity, service record and status on a day (default today), changes
    scheduled after it, and every order that touched them."""
    s = common.settings()
    day = common.parse_day(as_of, "--as-of") or today(s)
    with common.reading(s) as conn:
        view = reading.person_view(conn, ref, day)
    if as_json:
        common.emit_json(view)
        return
    fields = [(key.replace("_", " "), shown(view[key])) for key in PERSON_FIELDS]
    on_roll = "" if view["on_roll"] else " (not on the roll yet: enlisted later)"
    fields.append(("as of", f"{view['as_of']}{on_roll}"))
    for span in view["scheduled"]:
        fields.append(
            (
                "scheduled",
                f"from {span['from']}: {span['status']}, {span['category']} "
                f"({span['kind']} {span['order']})",
            )
        )
    print_fields(fields)
    print("history:")
    for ev in view["history"]:
        change = ", ".join(
            f"{k}: {shown(ev['before'][k])} → {shown(v)}"
            if k in ev["before"]
            else f"{k}: {shown(v)}"
            for k, v in ev["after"].items()
        )
        revoked = f" (revoked by {ev['revoked_by']})" if ev["revoked_by"] else ""
        print(
            f"  {ev['effective']}  {ev['kind']:<20} {ev['order']}  [{ev['authority']}]  "
            f"{change}{revoked}"
        )


def some_words(text: str) -> str:
    """The search text, when it holds a word to look for (else a usage error)."""
    if not fold_text(text).split():
        raise typer.BadParameter(f"{text!r}: give at least one word of a name")
    return text


@person_app.command("search")
def person_search(
    name: str = typer.Argument(
        ..., help="Words of the name, any case or accents.", callback=some_words
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many people."),
    as_json: bool = common.JsonOption,
) -> None:
    """Search the roll by name (every word must appear)."""
    s = common.settings()
    with common.reading(s) as conn:
        found = reading.search_people(conn, name, today(s), limit)
    if as_json:
        common.emit_json({"query": name, "people": found})
        return
    for p in found:
        print(
            f"{p['serial_number'] or '-':<14} {p['national_id']:<12} {p['given_names']} "
            f"{p['surnames']}  {p['birth_date']}  {p['component']}  {p['status'] or 'not yet'}"
        )
    common.say(f"{len(found)} found" + (" (limit reached)" if len(found) == limit else ""))


def stats(
    as_of: str = typer.Option(None, "--as-of", help="Count as of this date (YYYY-MM-DD)."),
    as_json: bool = common.JsonOption,
) -> None:
    """Counts of the roll by status, component and category on a date (default today)."""
    s = common.settings()
    day = common.parse_day(as_of, "--as-of") or today(s)
    with common.reading(s) as conn:
        result = reading.stats(conn, day)
    if as_json:
        common.emit_json(result)
        return
    from rich import box
    from rich.table import Table

    on = f" on {day}"
    common.out_console.print(f"people on the roll{on}: {result['total']:,}")
    for group, heading in (
        ("by_status", "status"),
        ("by_component", "component"),
        ("by_category", "category"),
    ):
        common.out_console.print()
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column(heading)
        table.add_column("people", justify="right")
        for value, count in result[group].items():
            table.add_row(value, f"{count:,}")
        common.out_console.print(table)
