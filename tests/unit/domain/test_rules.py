from datetime import date

import pytest

from muster.domain.errors import RefusedError, TransitionRefusedError
from muster.domain.kinds import Category, OrderKind, Status
from muster.domain.roll import (
    OrderFacts,
    PersonState,
    apply,
    check_timeline,
    fold_person,
    history,
    periods,
)
from muster.domain.rules import TRANSITIONS, check_category_change, check_transition

ALLOWED = {
    (OrderKind.ABSENCE, Status.ACTIVE): Status.ABSENT,
    (OrderKind.STRIKE_OFF, Status.ABSENT): Status.STRUCK_OFF,
    (OrderKind.REINSTATEMENT, Status.ABSENT): Status.ACTIVE,
    (OrderKind.REINSTATEMENT, Status.STRUCK_OFF): Status.ACTIVE,
    (OrderKind.DISCHARGE, Status.ACTIVE): Status.DISCHARGED,
    (OrderKind.DISCHARGE, Status.ABSENT): Status.DISCHARGED,
}
STATUS_KINDS = (
    OrderKind.ABSENCE,
    OrderKind.STRIKE_OFF,
    OrderKind.REINSTATEMENT,
    OrderKind.DISCHARGE,
)


@pytest.mark.parametrize("kind", STATUS_KINDS)
@pytest.mark.parametrize("status", list(Status))
def test_status_transition_table(kind: OrderKind, status: Status) -> None:
    expected = ALLOWED.get((kind, status))
    if expected is None:
        with pytest.raises(TransitionRefusedError) as err:
            check_transition(kind, status, "GNB-1 (V-1, A B)", "2018-12-21")
        assert kind.value in str(err.value) and repr(status.value) in str(err.value)
    else:
        assert check_transition(kind, status, "x", "2018-12-21") is expected


def test_orders_without_people_have_no_transition() -> None:
    assert OrderKind.EXIT_CONTROL not in TRANSITIONS
    with pytest.raises(RefusedError):
        check_transition(OrderKind.EXIT_CONTROL, Status.ACTIVE, "x", "d")


@pytest.mark.parametrize(
    ("old", "new", "ok"),
    [
        (Category.ACTIVE, Category.RESERVE, True),
        (Category.RESERVE, Category.RETIRED_RESERVE, True),
        (Category.ACTIVE, Category.RETIRED_RESERVE, True),
        (Category.RESERVE, Category.ACTIVE, False),
        (Category.RESERVE, Category.RESERVE, False),
        (Category.RETIRED_RESERVE, Category.RESERVE, False),
    ],
)
def test_category_moves_forward_only(old: Category, new: Category, ok: bool) -> None:
    if ok:
        assert check_category_change(old, new, "x", "d") is new
    else:
        with pytest.raises(RefusedError, match="only moves forward"):
            check_category_change(old, new, "x", "d")


def person(**kw: object) -> PersonState:
    values: dict[str, object] = dict(
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
    values.update(kw)
    return PersonState(**values)  # type: ignore[arg-type]


def order(seq: int, kind: OrderKind, eff: str, **kw: object) -> OrderFacts:
    return OrderFacts(seq=seq, number=f"N{seq}", kind=kind, effective=date.fromisoformat(eff), **kw)  # type: ignore[arg-type]


ENLIST = order(0, OrderKind.ENLISTMENT, "2014-01-01")


def test_strike_off_removes_rank_and_serial_and_reinstatement_restores_them() -> None:
    s = apply(person(), order(1, OrderKind.ABSENCE, "2016-03-01"))
    s = apply(s, order(2, OrderKind.STRIKE_OFF, "2018-12-21"))
    assert (s.status, s.serial_number, s.rank) == (Status.STRUCK_OFF, None, None)
    assert s.former_serial_numbers == ("GNB-0000001",)
    s = apply(s, order(3, OrderKind.REINSTATEMENT, "2019-02-01"))
    assert s.status is Status.ACTIVE and s.reinstated
    assert (s.serial_number, s.rank) == ("GNB-0000001", "Sargento Primero")


def test_amendment_keeps_old_values_in_history() -> None:
    orders = [
        order(
            1,
            OrderKind.AMENDMENT,
            "2015-01-01",
            changes={"surnames": "GONZÁLES PÉREZ", "birth_date": "1990-01-05"},
        )
    ]
    final = fold_person(person(), ENLIST, orders, {})
    assert final is not None and final.surnames == "GONZÁLES PÉREZ"
    assert final.birth_date == date(1990, 1, 5)
    events = history(person(), ENLIST, orders, {})
    assert events[1].before["surnames"] == "GONZÁLEZ PÉREZ"
    assert events[1].after["surnames"] == "GONZÁLES PÉREZ"


def test_as_of_cuts_by_effective_date_and_revocation_date() -> None:
    absence = order(1, OrderKind.ABSENCE, "2016-03-01")
    revoked = {"N1": date(2017, 1, 1)}
    assert fold_person(person(), ENLIST, [absence], {}, date(2016, 2, 1)).status is Status.ACTIVE  # type: ignore[union-attr]
    assert fold_person(person(), ENLIST, [absence], {}, date(2016, 3, 1)).status is Status.ABSENT  # type: ignore[union-attr]
    assert (
        fold_person(person(), ENLIST, [absence], revoked, date(2016, 6, 1)).status is Status.ABSENT
    )  # type: ignore[union-attr]
    assert (
        fold_person(person(), ENLIST, [absence], revoked, date(2017, 1, 1)).status is Status.ACTIVE
    )  # type: ignore[union-attr]
    assert fold_person(person(), ENLIST, [absence], revoked).status is Status.ACTIVE  # type: ignore[union-attr]
    assert fold_person(person(), ENLIST, [absence], {}, date(2013, 1, 1)) is None


def test_timeline_refuses_revoking_an_order_a_later_one_depends_on() -> None:
    orders = [
        order(1, OrderKind.ABSENCE, "2016-03-01"),
        order(2, OrderKind.STRIKE_OFF, "2018-12-21"),
    ]
    assert check_timeline(person(), ENLIST, orders, {}).status is Status.STRUCK_OFF  # type: ignore[union-attr]
    with pytest.raises(TransitionRefusedError, match="strike-off refused"):
        check_timeline(person(), ENLIST, orders, {"N1": date(2019, 1, 1)})


def test_timeline_refuses_an_order_before_enlistment() -> None:
    with pytest.raises(RefusedError, match="not on the roll on that date"):
        check_timeline(person(), ENLIST, [order(1, OrderKind.ABSENCE, "2013-06-01")], {})


def test_backdated_absence_before_a_discharge_is_judged_where_it_takes_effect() -> None:
    # A discharge recorded first, then an absence backdated before it: the fold applies
    # orders by effective date, so the absence comes first and the discharge follows it.
    orders = [
        order(1, OrderKind.DISCHARGE, "2018-06-01"),
        order(2, OrderKind.ABSENCE, "2018-01-01"),
    ]
    final = check_timeline(person(), ENLIST, orders, {})
    assert final is not None and final.status is Status.DISCHARGED
    spans = periods(person(), ENLIST, orders, {})
    assert [(p.start, p.until, p.state.status, p.opened_by) for p in spans] == [
        (date(2014, 1, 1), date(2018, 1, 1), Status.ACTIVE, 0),
        (date(2018, 1, 1), date(2018, 6, 1), Status.ABSENT, 2),
        (date(2018, 6, 1), None, Status.DISCHARGED, 1),
    ]
    events = history(person(), ENLIST, orders, {})
    assert [e.number for e in events] == ["N0", "N2", "N1"]


def test_backdated_order_that_breaks_a_later_one_is_refused() -> None:
    # An absence effective after a discharge already in force: the rules forbid it there.
    orders = [
        order(1, OrderKind.DISCHARGE, "2018-01-01"),
        order(2, OrderKind.ABSENCE, "2018-06-01"),
    ]
    with pytest.raises(TransitionRefusedError, match="status on 2018-06-01 is 'discharged'"):
        check_timeline(person(), ENLIST, orders, {})


def test_periods_follow_effective_dates_and_revocations() -> None:
    orders = [
        order(1, OrderKind.ABSENCE, "2016-03-01"),
        order(2, OrderKind.STRIKE_OFF, "2018-12-21"),
        order(3, OrderKind.CATEGORY_CHANGE, "2015-01-01", category=Category.RESERVE),
    ]
    spans = periods(person(), ENLIST, orders, {})
    assert [(p.start, p.state.status, p.state.category) for p in spans] == [
        (date(2014, 1, 1), Status.ACTIVE, Category.ACTIVE),
        (date(2015, 1, 1), Status.ACTIVE, Category.RESERVE),
        (date(2016, 3, 1), Status.ABSENT, Category.RESERVE),
        (date(2018, 12, 21), Status.STRUCK_OFF, Category.RESERVE),
    ]
    assert [p.until for p in spans] == [date(2015, 1, 1), date(2016, 3, 1), date(2018, 12, 21), None]
    assert spans[-1].state.serial_number is None and spans[2].state.serial_number == "GNB-0000001"
    # Every period holds exactly on the days the fold gives the same state.
    for day in (date(2014, 1, 1), date(2016, 2, 29), date(2016, 3, 1), date(2020, 1, 1)):
        holding = [p for p in spans if p.holds_on(day)]
        assert len(holding) == 1
        assert holding[0].state == fold_person(person(), ENLIST, orders, {}, day)
    assert not [p for p in spans if p.holds_on(date(2013, 12, 31))]


def test_a_revocation_opens_the_period_it_ends() -> None:
    orders = [order(1, OrderKind.ABSENCE, "2016-03-01")]
    spans = periods(person(), ENLIST, orders, {"N1": date(2017, 1, 1)}, {"N1": 9})
    assert [(p.start, p.state.status, p.opened_by) for p in spans] == [
        (date(2014, 1, 1), Status.ACTIVE, 0),
        (date(2016, 3, 1), Status.ABSENT, 1),
        (date(2017, 1, 1), Status.ACTIVE, 9),
    ]


def test_an_order_that_changes_nothing_opens_no_period() -> None:
    orders = [order(1, OrderKind.TRAVEL_AUTHORIZATION, "2016-03-01")]
    spans = periods(person(), ENLIST, orders, {})
    assert [(p.start, p.until) for p in spans] == [(date(2014, 1, 1), None)]
