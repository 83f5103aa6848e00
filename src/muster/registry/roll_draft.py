"""A roll file as an enlistment draft: the whole file checked against the roll, every bad row
named, and nothing written but the draft, which its authority then signs as any order (the
rows go into the roll only when the signed order is recorded)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError
from muster.domain.kinds import OrderKind
from muster.domain.roll_import import ROLL_COLUMNS, EnlistRow, RollChecker
from muster.reference_data import load_reference
from muster.registry import drafts
from muster.registry.authorities import list_authorities
from muster.registry.recording import check_number_free
from muster.registry.roll_file import RollFile
from muster.registry.roll_import import EnlistmentRequest, national_ids_on_roll, serials_ever_held

Progress = Callable[[int], None]  # rows checked so far


@dataclass(frozen=True)
class EnlistingAuthority:
    """An authority that may sign enlistments, and the components it enlists."""

    code: str
    name: str
    components: tuple[str, ...]


def enlisting_authorities(conn: Connection) -> list[EnlistingAuthority]:
    """The authorities whose scope holds enlistment orders."""
    return [
        EnlistingAuthority(a.code, a.name, a.components)
        for a in list_authorities(conn)
        if OrderKind.ENLISTMENT.value in a.kinds
    ]


def check_roll_file(
    conn: Connection,
    file: RollFile,
    latest_birth: date,
    source: str,
    progress: Progress | None = None,
) -> list[EnlistRow]:
    """Every row of a roll file checked as `muster roll import` checks it (against the serial
    numbers and cédulas held now or before); RollFileError names every bad row."""
    checker = RollChecker(
        file.positions,
        load_reference(),
        source=source,
        on_roll_serials=serials_ever_held(conn),
        on_roll_ids=national_ids_on_roll(conn),
        latest_birth=latest_birth,
        header_width=len(file.header),
    )
    rows: list[EnlistRow] = []
    for chunk in file.chunks:
        rows.extend(checker.check(chunk))
        if progress is not None:
            progress(checker.next_row - 2)
    checker.finish()
    return rows


def draft_roll_file(
    conn: Connection,
    origin: str,
    file: RollFile,
    request: EnlistmentRequest,
    source: str,
    progress: Progress | None = None,
) -> drafts.Draft:
    """The enlistment draft of a whole roll file, for an authority that may sign it; refuses a
    number already recorded (an empty one gets the next free one) and a file with any bad
    row (RollFileError, every row named)."""
    if request.authority not in {a.code for a in enlisting_authorities(conn)}:
        raise InvalidInputError(
            f"authority {request.authority!r} does not sign enlistments", fields=("authority",)
        )
    number = request.number or drafts.next_order_number(
        conn, f"ENL-{request.authority}", request.signed_on
    )
    check_number_free(conn, number)
    rows = check_roll_file(conn, file, request.effective, source, progress)
    return drafts.draft_enlistment(
        origin,
        rows,
        number=number,
        authority=request.authority,
        signed_on=request.signed_on,
        effective=request.effective,
        grounds=request.grounds,
    )


def recheck_enlistment(conn: Connection, rows: Sequence[EnlistRow], effective: date) -> None:
    """Refuses an enlistment draft whose rows the roll no longer admits (a serial number or
    cédula enlisted since it was drafted), naming every such row as the file's row."""
    checker = RollChecker(
        {c: i for i, c in enumerate(ROLL_COLUMNS)},
        load_reference(),
        source="the draft",
        on_roll_serials=serials_ever_held(conn),
        on_roll_ids=national_ids_on_roll(conn),
        latest_birth=effective,
        header_width=len(ROLL_COLUMNS),
    )
    checker.check([list(r) for r in rows])
    checker.finish()
