"""People's standing on a day: the period of their state that holds on that date.

The roll table holds each person's state once every recorded order has taken effect. A
person whom an order other than their enlistment names also has periods (`person_periods`):
their state from one date until the next change. Everyone else holds their enlisted state
from their enlistment's effective date on. Every reader of "the status on day D" (screening,
people, statistics, the matcher's index) asks here, so that an order effective later changes
nothing before its date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection

from muster.domain.kinds import Category, OrderKind, Status
from muster.domain.roll import PersonState
from muster.store.roll_rows import as_date, records, row_to_state
from muster.store.tables import orders, person_periods, roll

CHUNK = 500
COUNT_CHUNK = 5_000  # people read by key in one query, when counting


def holding(day: date) -> Any:
    """The condition on `person_periods` for the period that holds on `day`."""
    return and_(
        person_periods.c.valid_from <= day,
        or_(person_periods.c.valid_until.is_(None), person_periods.c.valid_until > day),
    )


def states_on(
    conn: Connection, person_ids: Sequence[int], day: date, or_first: bool = False
) -> dict[int, PersonState | None]:
    """Each person's state on `day`; None for one not (yet) on the roll that day. With
    `or_first`, such a person's first state instead (the identity they enlist with)."""
    found: dict[int, PersonState | None] = {}
    for i in range(0, len(person_ids), CHUNK):
        chunk = list(person_ids[i : i + CHUNK])
        with_periods: dict[int, list[Any]] = {}
        for r in records(
            conn.execute(
                select(person_periods)
                .where(person_periods.c.person_id.in_(chunk))
                .order_by(person_periods.c.person_id, person_periods.c.valid_from)
            )
        ):
            with_periods.setdefault(int(r.person_id), []).append(r)
        for pid, rows in with_periods.items():
            found[pid] = pick_period(rows, day, or_first)
        plain = [pid for pid in chunk if pid not in with_periods]
        if plain:
            query = (
                select(roll, orders.c.effective.label("enlisted_on"))
                .join(orders, orders.c.seq == roll.c.enlisted_seq)
                .where(roll.c.person_id.in_(plain))
            )
            for r in records(conn.execute(query)):
                enlisted = or_first or as_date(r.enlisted_on) <= day
                found[int(r.person_id)] = row_to_state(r) if enlisted else None
    return found


def period_holds(row: Any, day: date) -> bool:
    """Whether a `person_periods` row holds on `day`."""
    until = row.valid_until
    return as_date(row.valid_from) <= day and (until is None or day < as_date(until))


def pick_period(rows: Sequence[Any], day: date, or_first: bool) -> PersonState | None:
    """The state of one person's period rows (oldest first) that holds on `day`; before
    their first, None, or (with `or_first`) the first."""
    for r in rows:
        if period_holds(r, day):
            return row_to_state(r)
    if or_first and as_date(rows[0].valid_from) > day:
        return row_to_state(rows[0])
    return None


def dated_states(conn: Connection, day: date, or_first: bool) -> dict[int, PersonState | None]:
    """Everyone with periods, as they stand on `day` (`pick_period`), read in one pass."""
    found: dict[int, PersonState | None] = {}
    current: list[Any] = []
    rows = conn.execute(
        select(person_periods).order_by(person_periods.c.person_id, person_periods.c.valid_from)
    )
    for r in records(rows):
        if current and current[0].person_id != r.person_id:
            found[int(current[0].person_id)] = pick_period(current, day, or_first)
            current = []
        current.append(r)
    if current:
        found[int(current[0].person_id)] = pick_period(current, day, or_first)
    return found


def state_on(conn: Connection, person_id: int, day: date) -> PersonState | None:
    """One person's state on `day` (None: not on the roll that day)."""
    return states_on(conn, [person_id], day).get(person_id)


STANDING_COLUMNS = (
    "person_id",
    "serial_number",
    "former_serials",
    "given_names",
    "surnames",
    "component",
    "rank",
    "category",
    "status",
    "reinstated",
)  # what `standing_on` returns, in its order


def _standing_query() -> Any:
    """One person's roll row beside each of their periods (or beside nothing, when they have
    none), with their enlistment's effective date: everything `standing_on` needs."""
    period = person_periods
    return (
        select(
            *(roll.c[k] for k in STANDING_COLUMNS),
            orders.c.effective,
            period.c.valid_from,
            period.c.valid_until,
            *(period.c[k] for k in STANDING_COLUMNS),
        )
        .join(orders, orders.c.seq == roll.c.enlisted_seq)
        .outerjoin(period, period.c.person_id == roll.c.person_id)
        .where(roll.c.person_id == bindparam("person_id"))
        .order_by(period.c.valid_from)
    )


_STANDING = _standing_query()  # built once: a screening reads one person per decision
# Positions in a row of `_STANDING` (the roll's and the period's columns share their names,
# so they are told apart by place): the roll's STANDING_COLUMNS, the enlistment's
# effective date, the period's dates, the period's STANDING_COLUMNS.
_WIDTH = len(STANDING_COLUMNS)
_ROLL = slice(0, _WIDTH)
_ENLISTED_ON, _PERIOD_FROM, _PERIOD_UNTIL = _WIDTH, _WIDTH + 1, _WIDTH + 2
_PERIOD = slice(_WIDTH + 3, None)


def standing_on(conn: Connection, person_id: int, day: date) -> tuple[Any, ...] | None:
    """One person's `STANDING_COLUMNS` as they stand on `day`, in one query; None when not
    on the roll that day. The same reading as `state_on`: the period that holds on `day`
    when they have periods, else the roll's row from their enlistment's effective date."""
    rows = conn.execute(_STANDING, {"person_id": person_id}).all()
    if not rows:
        return None
    first = rows[0]
    if first[_PERIOD_FROM] is None:  # no periods: the enlisted state, from enlistment on
        return tuple(first[_ROLL]) if as_date(first[_ENLISTED_ON]) <= day else None
    for r in rows:
        until = r[_PERIOD_UNTIL]
        if as_date(r[_PERIOD_FROM]) <= day and (until is None or day < as_date(until)):
            return tuple(r[_PERIOD])
    return None


def periods_of(conn: Connection, person_id: int) -> list[dict[str, Any]]:
    """A person's periods, oldest first: from, until, status, category, the opening order."""
    rows = conn.execute(
        select(
            person_periods.c.valid_from,
            person_periods.c.valid_until,
            person_periods.c.status,
            person_periods.c.category,
            person_periods.c.serial_number,
            person_periods.c.rank,
            orders.c.number,
            orders.c.kind,
        )
        .join(orders, orders.c.seq == person_periods.c.opened_by)
        .where(person_periods.c.person_id == person_id)
        .order_by(person_periods.c.valid_from)
    ).all()
    return [
        {
            "from": as_date(r.valid_from).isoformat(),
            "until": None if r.valid_until is None else as_date(r.valid_until).isoformat(),
            "status": r.status,
            "category": r.category,
            "serial_number": r.serial_number,
            "rank": r.rank,
            "order": r.number,
            "kind": r.kind,
        }
        for r in rows
    ]


def groups_on(conn: Connection, day: date) -> Counter[tuple[str, str, str]]:
    """How many people stand on the roll on `day`, by (component, status, category).

    Everyone without periods holds their roll row from their enlistment's effective date on.
    They are counted as every roll row grouped by enlistment, component, status and category
    (an index-only scan of `ix_roll_enlisted_component_status_category`, without reading the
    roll's rows), less the rows of the people who have periods (few, read by key), for the
    enlistments in effect on `day`; the people with periods are counted from the period that
    holds on `day`."""
    group = (roll.c.enlisted_seq, roll.c.component, roll.c.status, roll.c.category)
    in_effect = {
        int(seq)
        for seq, effective in conn.execute(
            select(orders.c.seq, orders.c.effective).where(
                orders.c.kind == OrderKind.ENLISTMENT.value
            )
        )
        if as_date(effective) <= day
    }
    found: Counter[tuple[str, str, str]] = Counter()
    everyone = select(*group, func.count()).group_by(*group)
    for seq, component, status, category, n in conn.execute(everyone):
        if int(seq) in in_effect:
            found[(component, status, category)] += n
    # The people with periods, by key a chunk at a time (a join lets PostgreSQL read the
    # whole roll to find a few thousand of its rows).
    named = list(conn.execute(select(person_periods.c.person_id).distinct()).scalars())
    for i in range(0, len(named), COUNT_CHUNK):
        query = (
            select(*group, func.count())
            .where(roll.c.person_id.in_(named[i : i + COUNT_CHUNK]))
            .group_by(*group)
        )
        for seq, component, status, category, n in conn.execute(query):
            if int(seq) in in_effect:
                found[(component, status, category)] -= n
    period = person_periods.c
    dated = (
        select(period.component, period.status, period.category, func.count())
        .where(holding(day))
        .group_by(period.component, period.status, period.category)
    )
    for component, status, category, n in conn.execute(dated):
        found[(component, status, category)] += n
    return +found  # without the groups that came to nothing


def counts_on(conn: Connection, day: date) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """How many people stand in each status, component and category on `day` (`groups_on`;
    every status and category named, with 0 where nobody stands)."""
    by_status: Counter[str] = Counter({s.value: 0 for s in Status})
    by_category: Counter[str] = Counter({c.value: 0 for c in Category})
    by_component: Counter[str] = Counter()
    for (component, status, category), n in groups_on(conn, day).items():
        by_status[status] += n
        by_component[component] += n
        by_category[category] += n
    return by_status, by_component, by_category


def changing_between(conn: Connection, a: date, b: date) -> list[int]:
    """People whose periods change after the earlier day and on or before the later one (as
    `states_on(..., or_first=True)` reads them: someone enlisted later keeps their enlisted
    identity, so only periods count)."""
    lo, hi = min(a, b), max(a, b)
    if lo == hi:
        return []
    query = (
        select(person_periods.c.person_id)
        .where(person_periods.c.valid_from > lo, person_periods.c.valid_from <= hi)
        .distinct()
    )
    return sorted(int(pid) for pid in conn.execute(query).scalars())


def scheduled(periods: Iterable[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """The periods that start after `day`: orders recorded but not yet in effect."""
    return [p for p in periods if date.fromisoformat(p["from"]) > day]
