"""Mapping people's states to roll rows."""

from __future__ import annotations

from muster.store.roll_rows import STATE_COLUMNS, state_to_values
from tests.unit.domain.test_evolve import STATE


def test_state_columns_name_what_state_to_values_returns() -> None:
    assert tuple(state_to_values(STATE)) == STATE_COLUMNS
