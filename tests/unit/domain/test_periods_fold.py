"""`periods` carries each date's fold forward to the next: the same periods, and the same
refusals, as folding the person's whole timeline again at every date it can change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from muster.domain.errors import RefusedError
from muster.domain.kinds import Category, OrderKind
from muster.domain.roll import (
    OrderFacts,
    Period,
    PersonState,
    critical_dates,
    fold_person,
    opener,
    periods,
)

ENLISTED = PersonState(
    person_id=1,
    serial_number="GNB-0000001",
    national_id="V-15874895",
    given_names="JOSÉ GREGORIO",
    surnames="GONZÁLEZ PÉREZ",
    birth_date=date(1990, 5, 1),
    sex="M",
    component="GNB",
    rank="Sargento Primero",
    category=Category.ACTIVE,
    unit="Destacamento 211",
)
ENLIST = OrderFacts(0, "N0", OrderKind.ENLISTMENT, date(2014, 1, 1))
KINDS = (
    OrderKind.ABSENCE,
    OrderKind.STRIKE_OFF,
    OrderKind.REINSTATEMENT,
    OrderKind.DISCHARGE,
    OrderKind.CATEGORY_CHANGE,
    OrderKind.TRAVEL_AUTHORIZATION,
)


def refolded(
    enlisted: PersonState,
    enlistment: OrderFacts,
    orders: Sequence[OrderFacts],
    revoked_on: Mapping[str, date],
    revoked_by: Mapping[str, int] | None = None,
) -> list[Period]:
    """The periods as they were first computed: the whole fold again at every date."""
    found: list[Period] = []
    for day in critical_dates(enlistment, orders, revoked_on)[:-1]:
        assert day is not None
        state = fold_person(enlisted, enlistment, orders, revoked_on, day)
        if state is None or (found and found[-1].state == state):
            continue
        if found:
            last = found[-1]
            found[-1] = Period(last.start, day, last.state, last.opened_by)
        found.append(
            Period(day, None, state, opener(day, enlistment, orders, revoked_on, revoked_by))
        )
    return found


def outcome(fn: object, *args: object) -> object:
    try:
        return fn(*args)  # type: ignore[operator]
    except RefusedError as err:
        return (type(err), str(err))


days = st.integers(min_value=-400, max_value=3000).map(lambda n: date(2014, 1, 1) + timedelta(n))
categories = st.sampled_from([Category.RESERVE, Category.RETIRED_RESERVE, Category.ACTIVE])


@st.composite
def timelines(draw: st.DrawFn) -> tuple[list[OrderFacts], dict[str, date], dict[str, int]]:
    n = draw(st.integers(min_value=0, max_value=6))
    orders = []
    for seq in range(1, n + 1):
        kind = draw(st.sampled_from(KINDS))
        category = draw(categories) if kind is OrderKind.CATEGORY_CHANGE else None
        orders.append(OrderFacts(seq, f"N{seq}", kind, draw(days), category))
    draw(st.permutations(orders))  # recorded in any order
    revoked: dict[str, date] = {}
    revoker: dict[str, int] = {}
    for o in orders:
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            revoked[o.number] = draw(days)
            revoker[o.number] = 100 + o.seq
    return orders, revoked, revoker


@settings(max_examples=1000, deadline=None)
@given(timelines(), st.booleans())
def test_carried_fold_is_the_fold_at_every_date(
    timeline: tuple[list[OrderFacts], dict[str, date], dict[str, int]], with_revokers: bool
) -> None:
    orders, revoked, revoker = timeline
    by = revoker if with_revokers else None
    expected = outcome(refolded, ENLISTED, ENLIST, orders, revoked, by)
    assert outcome(periods, ENLISTED, ENLIST, orders, revoked, by) == expected


def test_a_revocation_between_two_orders_folds_again_without_the_revoked_one() -> None:
    absence = OrderFacts(1, "N1", OrderKind.ABSENCE, date(2016, 3, 1))
    reserve = OrderFacts(2, "N2", OrderKind.CATEGORY_CHANGE, date(2017, 6, 1), Category.RESERVE)
    revoked = {"N1": date(2017, 1, 1)}
    spans = periods(ENLISTED, ENLIST, [absence, reserve], revoked, {"N1": 9})
    assert spans == refolded(ENLISTED, ENLIST, [absence, reserve], revoked, {"N1": 9})
    assert [(p.start, p.state.status.value, p.state.category.value) for p in spans] == [
        (date(2014, 1, 1), "active", "active"),
        (date(2016, 3, 1), "absent", "active"),
        (date(2017, 1, 1), "active", "active"),
        (date(2017, 6, 1), "active", "reserve"),
    ]
