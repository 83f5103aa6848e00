"""`muster roll export`: the roll as of a date, as a roll file that imports again."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import typer

from muster.cli import common
from muster.domain.errors import InvalidInputError
from muster.domain.kinds import Status
from muster.environment import today
from muster.registry.roll_export import EXPORT_COLUMNS, export_rows


def parse_statuses(text: str | None) -> frozenset[Status] | None:
    """Statuses from a comma-separated list, with a clear error for an unknown one."""
    if text is None:
        return None
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    allowed = [s.value for s in Status]
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise InvalidInputError(
            f"--status {text!r}: expected a comma-separated list of {', '.join(allowed)}"
        )
    return frozenset(Status(n) for n in names)


def roll_export(
    as_of: str = typer.Option(None, "--as-of", help="The roll on this day (default: today)."),
    status: str = typer.Option(
        None, "--status", help="Only people of these statuses (comma-separated)."
    ),
    out: Path = typer.Option(None, "--out", help="Write the CSV here instead of stdout."),
    as_json: bool = common.JsonOption,
) -> None:
    """Write the roll as of a date in the roll file's columns (plus `status`), by person id."""
    day = common.parse_day(as_of, "--as-of") or today()
    statuses = parse_statuses(status)
    if as_json and out is None:
        raise InvalidInputError("--json summarises a file: give --out FILE (or drop --json)")
    counts: Counter[str] = Counter()
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        writer = csv.writer(stream)
        writer.writerow(EXPORT_COLUMNS)
        with (
            common.engine().connect() as conn,
            common.err_console.status(f"reading the roll as of {day}…"),
        ):
            for row in export_rows(conn, day, statuses):
                writer.writerow(row)
                counts[row[-1]] += 1
    finally:
        if out:
            stream.close()
    total = sum(counts.values())
    if as_json:
        common.emit_json(
            {"as_of": day.isoformat(), "people": total, "by_status": dict(counts), "out": str(out)}
        )
    elif out:
        common.say(f"{total:,} people on the roll as of {day} written to {out}")
