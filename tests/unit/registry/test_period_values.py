"""`period_values`: a period as its `person_periods` row, built without `state_to_values`'s
dict but to the same values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from muster.domain.kinds import Status
from muster.domain.roll import Period
from muster.registry.projection import PERIOD_COLUMNS, period_values
from muster.store.roll_rows import state_to_values
from tests.unit.domain.test_evolve import STATE


def by_state_values(person_id: int, p: Period) -> tuple[object, ...]:
    """The row as `state_to_values` names it, dates as ISO text."""
    values = state_to_values(p.state)
    values["birth_date"] = p.state.birth_date.isoformat()
    head = (
        person_id,
        p.start.isoformat(),
        None if p.until is None else p.until.isoformat(),
        p.opened_by,
        p.state.component,
    )
    return (*head, *(values[k] for k in PERIOD_COLUMNS[5:]))


@pytest.mark.parametrize(
    "period",
    [
        Period(date(2014, 1, 1), date(2016, 1, 1), STATE, 3),
        Period(date(2016, 1, 1), None, replace(STATE, status=Status.ABSENT), 5),
        Period(
            date(2018, 12, 21),
            None,
            replace(
                STATE,
                status=Status.STRUCK_OFF,
                serial_number=None,
                rank=None,
                removed_rank="Cabo",
                former_serial_numbers=("GNB-0000001", "GNB-0000007"),
                reinstated=True,
            ),
            9,
        ),
    ],
)
def test_period_values_are_the_state_values(period: Period) -> None:
    assert period_values(7, period) == by_state_values(7, period)
    assert len(period_values(7, period)) == len(PERIOD_COLUMNS)
