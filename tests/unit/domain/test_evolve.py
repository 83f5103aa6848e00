"""`evolve`, the fold's copy of a person's state with some fields changed."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest

from muster.domain.kinds import Category, Status
from muster.domain.roll import PersonState, evolve

STATE = PersonState(
    person_id=7,
    serial_number="GNB-0000007",
    national_id="V-10000007",
    given_names="JOSÉ",
    surnames="PÉREZ",
    birth_date=date(1990, 1, 2),
    sex="M",
    component="GNB",
    rank="Sargento Primero",
    category=Category.ACTIVE,
    unit="Destacamento 11",
    former_serial_numbers=("GNB-0000001",),
)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"status": Status.STRUCK_OFF, "serial_number": None, "rank": None},
        {"removed_rank": "Cabo", "former_serial_numbers": ()},
        {name.name: getattr(STATE, name.name) for name in fields(PersonState)},
    ],
)
def test_evolve_is_dataclasses_replace(changes: dict[str, object]) -> None:
    new = evolve(STATE, **changes)
    assert new == replace(STATE, **changes)  # type: ignore[arg-type]
    assert type(new) is PersonState and new is not STATE
    assert STATE.status is Status.ACTIVE  # the old state is untouched


def test_evolve_refuses_a_field_persons_do_not_have() -> None:
    with pytest.raises(TypeError, match="no field"):
        evolve(STATE, status=Status.ABSENT, grade="x")


def test_an_evolved_state_stays_frozen() -> None:
    with pytest.raises(AttributeError):
        evolve(STATE).status = Status.ABSENT  # type: ignore[misc]
