"""Mapping people's states to roll rows."""

from __future__ import annotations

from muster.store.roll_rows import STATE_COLUMNS, state_to_values
from tests.unit.domain.test_evolve import STATE


def test_state_columns_name_what_state_to_values_returns() -> None:
    assert tuple(state_to_values(STATE)) == STATE_COLUMNS


def test_records_are_the_rows_as_named_tuples() -> None:
    from sqlalchemy import create_engine, text

    from muster.store.roll_rows import records

    with create_engine("sqlite://").connect() as conn:
        rows = list(records(conn.execute(text("SELECT 1 AS person_id, 'absent' AS status"))))
        again = list(records(conn.execute(text("SELECT 2 AS person_id, 'active' AS status"))))
    assert rows == [(1, "absent")] and (rows[0].person_id, rows[0].status) == (1, "absent")
    assert type(again[0]) is type(rows[0])  # one class for the same columns
