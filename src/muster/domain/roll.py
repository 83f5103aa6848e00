"""The roll as a fold of orders: `apply(state, order)` per person, and "as of" cuts.

"As of D" counts every order whose effective date is on or before D, folded in the order of
their effective dates (orders effective the same day in ledger order), except orders revoked
by a revocation effective on or before D. A backdated order is therefore judged where it takes
effect, not where it was recorded. `periods` cuts a person's fold into the spans over which
their state holds: the projection that every reader of "the status on day D" uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date

from muster.domain.errors import RefusedError
from muster.domain.kinds import Category, OrderKind, Status
from muster.domain.rules import check_category_change, check_transition


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the fold needs to know of an accepted order."""

    seq: int
    number: str
    kind: OrderKind
    effective: date
    category: Category | None = None
    changes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonState:
    """A person's identity and service record at one point of the fold."""

    person_id: int
    serial_number: str | None
    national_id: str
    given_names: str
    surnames: str
    birth_date: date
    sex: str
    component: str
    rank: str | None
    category: Category
    unit: str
    status: Status = Status.ACTIVE
    reinstated: bool = False
    former_serial_numbers: tuple[str, ...] = ()
    removed_rank: str | None = None

    @property
    def label(self) -> str:
        ident = self.serial_number or (self.former_serial_numbers or ("?",))[-1]
        return f"{ident} ({self.national_id}, {self.given_names} {self.surnames})"


_STATE_FIELDS = tuple(f.name for f in fields(PersonState))
_STATE_FIELD_SET = frozenset(_STATE_FIELDS)
_new_object = object.__new__
_set_slot = object.__setattr__


def evolve(state: PersonState, **changes: object) -> PersonState:
    """The state with some fields changed: `dataclasses.replace` for the fold's hot path,
    without its per-call look-up of the fields (the fold makes one per order and person).
    Only fields of PersonState may be named."""
    unknown = changes.keys() - _STATE_FIELD_SET
    if unknown:
        raise TypeError(f"PersonState has no field(s) {', '.join(sorted(unknown))}")
    new = _new_object(PersonState)
    for name in _STATE_FIELDS:
        _set_slot(new, name, changes[name] if name in changes else getattr(state, name))
    return new


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One order's effect on one person, for the person's history."""

    seq: int
    number: str
    kind: OrderKind
    effective: date
    before: Mapping[str, str]
    after: Mapping[str, str]


def apply(state: PersonState, order: OrderFacts) -> PersonState:
    """The person's state after `order`; raises when the rules forbid it."""
    on = order.effective.isoformat()
    status = check_transition(order.kind, state.status, state.label, on)
    if order.kind is OrderKind.STRIKE_OFF:
        assert state.serial_number is not None or state.former_serial_numbers
        formers = state.former_serial_numbers
        if state.serial_number is not None:
            formers = (*formers, state.serial_number)
        return evolve(
            state,
            status=status,
            serial_number=None,
            rank=None,
            removed_rank=state.rank,
            former_serial_numbers=formers,
        )
    if order.kind is OrderKind.REINSTATEMENT:
        if state.status is Status.STRUCK_OFF:
            formers = state.former_serial_numbers
            return evolve(
                state,
                status=status,
                reinstated=True,
                serial_number=formers[-1] if formers else None,
                former_serial_numbers=formers[:-1],
                rank=state.removed_rank,
                removed_rank=None,
            )
        return evolve(state, status=status, reinstated=True)
    if order.kind is OrderKind.CATEGORY_CHANGE:
        if order.category is None:
            raise RefusedError(f"category-change order {order.number} names no category")
        category = check_category_change(state.category, order.category, state.label, on)
        return evolve(state, category=category)
    if order.kind is OrderKind.AMENDMENT:
        return amend(state, order.changes)
    return evolve(state, status=status)


def amend(state: PersonState, changes: Mapping[str, str]) -> PersonState:
    """The state with identity fields corrected; values are canonical strings."""
    values: dict[str, object] = dict(changes)
    if "birth_date" in values:
        values["birth_date"] = date.fromisoformat(str(values["birth_date"]))
    return replace(state, **values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days over which a person's state holds: from `start` until the day before
    `until` (None: open), opened by the order at ledger position `opened_by`."""

    start: date
    until: date | None
    state: PersonState
    opened_by: int

    def holds_on(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day < self.until)


def in_effect_order(orders: Iterable[OrderFacts]) -> list[OrderFacts]:
    """Orders in the order the fold applies them: by effective date, then ledger position."""
    return sorted(orders, key=lambda o: (o.effective, o.seq))


def counts(order: OrderFacts, as_of: date | None, revoked_on: Mapping[str, date]) -> bool:
    """Whether an order counts in the fold as of a date (None: the whole ledger)."""
    if as_of is not None and order.effective > as_of:
        return False
    revoked = revoked_on.get(order.number)
    return revoked is None or (as_of is not None and revoked > as_of)


def fold_person(
    enlisted: PersonState,
    enlistment: OrderFacts,
    orders: Sequence[OrderFacts],
    revoked_on: Mapping[str, date],
    as_of: date | None = None,
) -> PersonState | None:
    """A person's state as of a date, or None when they are not on the roll then."""
    if not counts(enlistment, as_of, revoked_on):
        for order in orders:
            if counts(order, as_of, revoked_on):
                raise RefusedError(
                    f"{order.kind.value} {order.number} (effective {order.effective}) names "
                    f"{enlisted.label}, who is not on the roll on that date "
                    f"(enlistment {enlistment.number} effective {enlistment.effective})"
                )
        return None
    state = enlisted
    for order in in_effect_order(orders):
        if counts(order, as_of, revoked_on):
            state = apply(state, order)
    return state


def critical_dates(
    enlistment: OrderFacts, orders: Iterable[OrderFacts], revoked_on: Mapping[str, date]
) -> list[date | None]:
    """The dates at which a person's fold can change, and None for the whole ledger."""
    dates: set[date] = {enlistment.effective}
    for order in (enlistment, *orders):
        dates.add(order.effective)
        if order.number in revoked_on:
            dates.add(revoked_on[order.number])
    return [*sorted(dates), None]


def periods(
    enlisted: PersonState,
    enlistment: OrderFacts,
    orders: Sequence[OrderFacts],
    revoked_on: Mapping[str, date],
    revoked_by: Mapping[str, int] | None = None,
) -> list[Period]:
    """A person's states over time, from their enlistment's effective date, one period per
    change (the last one open). Refuses unless the fold holds on every date it can change.

    `revoked_by` gives the ledger position of each revoking order, so that a period opened by
    a revocation names it; without it such a period names the last order effective that day.
    """
    found: list[Period] = []
    ordered = in_effect_order(orders)
    revocation_days = {revoked_on[o.number] for o in orders if o.number in revoked_on}
    # The fold on the date before, carried forward; before the first date, the enlisted
    # state with no order folded (None: the enlistment did not count on the date before).
    state: PersonState | None = enlisted
    folded = 0  # how many of `ordered` take effect by the date before
    for day in critical_dates(enlistment, orders, revoked_on)[:-1]:
        assert day is not None
        upto = folded
        while upto < len(ordered) and ordered[upto].effective <= day:
            upto += 1
        if state is not None and carries_forward(
            day, enlistment, ordered[:folded], revoked_on, revocation_days
        ):
            # The fold of `day` is the fold of the date before, then the orders that take
            # effect after it and by `day`: they come last in the order the fold applies.
            for order in ordered[folded:upto]:
                if counts(order, day, revoked_on):
                    state = apply(state, order)
        else:
            state = fold_person(enlisted, enlistment, orders, revoked_on, day)
        folded = upto
        if state is None or (found and found[-1].state == state):
            continue
        if found:
            last = found[-1]
            found[-1] = Period(last.start, day, last.state, last.opened_by)
        found.append(
            Period(day, None, state, opener(day, enlistment, orders, revoked_on, revoked_by))
        )
    return found


def carries_forward(
    day: date,
    enlistment: OrderFacts,
    earlier: Sequence[OrderFacts],
    revoked_on: Mapping[str, date],
    revocation_days: set[date],
) -> bool:
    """Whether the fold of `day` extends the fold of the critical date before it (which
    folded `earlier`, the orders effective by then): the enlistment counts on `day`, and no
    revocation taking effect on `day` takes away an order that counted the date before."""
    if not counts(enlistment, day, revoked_on):
        return False
    return day not in revocation_days or all(revoked_on.get(o.number) != day for o in earlier)


def opener(
    day: date,
    enlistment: OrderFacts,
    orders: Sequence[OrderFacts],
    revoked_on: Mapping[str, date],
    revoked_by: Mapping[str, int] | None,
) -> int:
    """The ledger position of the last order that takes effect on `day` for this person."""
    seqs = [o.seq for o in (enlistment, *orders) if o.effective == day]
    if revoked_by:
        seqs += [
            revoked_by[o.number]
            for o in orders
            if revoked_on.get(o.number) == day and o.number in revoked_by
        ]
    return max(seqs, default=enlistment.seq)


def check_timeline(
    enlisted: PersonState,
    enlistment: OrderFacts,
    orders: Sequence[OrderFacts],
    revoked_on: Mapping[str, date],
) -> PersonState | None:
    """Refuses unless the person's fold holds on every date; returns the final state."""
    found = periods(enlisted, enlistment, orders, revoked_on)
    return found[-1].state if found else None


def history(
    enlisted: PersonState,
    enlistment: OrderFacts,
    orders: Sequence[OrderFacts],
    revoked_on: Mapping[str, date],
) -> list[HistoryEvent]:
    """Every order that touched a person, with the fields it changed."""
    events = [
        HistoryEvent(
            enlistment.seq,
            enlistment.number,
            enlistment.kind,
            enlistment.effective,
            {},
            {"status": Status.ACTIVE.value},
        )
    ]
    state = enlisted
    for order in in_effect_order(orders):
        if not counts(order, None, revoked_on):
            events.append(
                HistoryEvent(
                    order.seq, order.number, order.kind, order.effective, {}, {"revoked": "yes"}
                )
            )
            continue
        new = apply(state, order)
        before, after = diff(state, new)
        events.append(
            HistoryEvent(order.seq, order.number, order.kind, order.effective, before, after)
        )
        state = new
    return events


_DIFF_FIELDS = (
    "serial_number",
    "national_id",
    "given_names",
    "surnames",
    "birth_date",
    "sex",
    "rank",
    "category",
    "unit",
    "status",
    "reinstated",
)


def diff(old: PersonState, new: PersonState) -> tuple[dict[str, str], dict[str, str]]:
    """The fields that differ between two states, as printable strings."""
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for name in _DIFF_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            before[name] = "" if a is None else str(a)
            after[name] = "" if b is None else str(b)
    return before, after


def enlisted_state(
    current: PersonState,
    enlisted_category: Category,
    amendments: Sequence[OrderFacts],
    previous: Mapping[int, Mapping[str, str]],
    revoked_on: Mapping[str, date],
) -> PersonState:
    """A person's state at enlistment, recovered from their current state.

    Identity fields are unwound through the amendments that count (each carries the values
    it replaced); rank and serial number come back from a strike-off; status and category
    are those every enlistment starts with.
    """
    state = current
    for order in sorted(amendments, key=lambda o: o.seq, reverse=True):
        if counts(order, None, revoked_on):
            state = amend(state, previous[order.seq])
    formers = state.former_serial_numbers
    return evolve(
        state,
        serial_number=formers[0] if formers else state.serial_number,
        rank=state.rank if state.rank is not None else state.removed_rank,
        category=enlisted_category,
        status=Status.ACTIVE,
        reinstated=False,
        former_serial_numbers=(),
        removed_rank=None,
    )
