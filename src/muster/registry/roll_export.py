"""The roll as of a date, and written back in the roll file's columns (it imports again)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.domain.kinds import Status
from muster.domain.roll import PersonState
from muster.domain.roll_import import ROLL_COLUMNS
from muster.registry import standing
from muster.store.roll_rows import row_to_state
from muster.store.tables import orders, roll

CHUNK = 5_000
EXPORT_COLUMNS = (*ROLL_COLUMNS, "status")  # `status` is extra: an import ignores it


def roll_as_of(conn: Connection, day: date) -> Iterator[PersonState]:
    """Everyone on the roll on `day` (enlisted by an order effective by then), by person id,
    in the state of the period that holds that day (`registry/standing.py`)."""
    dated = standing.dated_states(conn, day, or_first=False)
    enlisted_by = orders.alias("e")
    query = (
        select(roll)
        .join(enlisted_by, enlisted_by.c.seq == roll.c.enlisted_seq)
        .where(enlisted_by.c.effective <= day)
        .order_by(roll.c.person_id)
    )
    for row in conn.execution_options(yield_per=CHUNK).execute(query):
        pid = int(row.person_id)
        if pid in dated:
            state = dated[pid]
            if state is not None:
                yield state
        else:
            yield row_to_state(row)


def export_row(state: PersonState) -> list[str]:
    """A person as a roll file row: a struck-off person with the serial number and the rank
    they last held, so that the row imports again."""
    serial = state.serial_number or (state.former_serial_numbers or ("",))[-1]
    rank = state.rank or state.removed_rank or ""
    return [
        serial,
        state.national_id,
        state.given_names,
        state.surnames,
        state.birth_date.isoformat(),
        state.sex,
        state.component,
        rank,
        state.category.value,
        state.unit,
        state.status.value,
    ]


def export_rows(
    conn: Connection, day: date, statuses: frozenset[Status] | None = None
) -> Iterator[list[str]]:
    """The roll on `day` as roll file rows (EXPORT_COLUMNS), only `statuses` when given."""
    for state in roll_as_of(conn, day):
        if statuses is None or state.status in statuses:
            yield export_row(state)
