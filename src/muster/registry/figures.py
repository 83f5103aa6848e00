"""Figures of the roll as of a day, for reports: members by component and status, and the
people reported absent, struck off and reinstated each month, by component.

Both read the status periods (`person_periods`) as every reader of a day does
(`registry.standing`), written so that a registry of 2,000,000 people answers in well under a
second: the people without periods (nearly all of them) are counted from a covering index of
the roll, without reading its rows (`standing.groups_on`); then only the periods (a few for
each person an order has named) and the subjects of the orders that change a status are
read.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from muster.domain.kinds import OrderKind, Status
from muster.domain.rules import TRANSITIONS
from muster.registry import standing
from muster.store.roll_rows import as_date
from muster.store.tables import order_subjects, orders, person_periods

# The changes of status a report counts, each made by one kind of order: the status the
# order leaves (from the registry's rules) and the order's kind.
ABSENT, STRUCK_OFF, REINSTATED = "absent", "struck_off", "reinstated"


def _made_by(kind: OrderKind) -> tuple[Status, OrderKind]:
    leaves = TRANSITIONS[kind].leaves
    assert leaves is not None  # each kind counted changes the status
    return leaves, kind


CHANGES = {
    ABSENT: _made_by(OrderKind.ABSENCE),
    STRUCK_OFF: _made_by(OrderKind.STRIKE_OFF),
    REINSTATED: _made_by(OrderKind.REINSTATEMENT),
}


def members_on(conn: Connection, day: date) -> Counter[tuple[str, str]]:
    """How many people stand on the roll on `day`, by (component, status): the counts of
    `standing.groups_on`, every category together."""
    found: Counter[tuple[str, str]] = Counter()
    for (component, status, _category), n in standing.groups_on(conn, day).items():
        found[(component, status)] += n
    return found


def changes_by_month(conn: Connection, day: date) -> Counter[tuple[str, str, str]]:
    """How many people were reported absent, struck off and reinstated in each month up to
    `day`, by ("YYYY-MM", component, change): each subject of an order of that kind
    effective by `day` for whom it took effect, that is, whose period opening on the order's
    effective date has the status the order leaves (`CHANGES`).

    An order later revoked counts where it held (its period opened); one revoked before it
    took effect opened none. The revocation that ends an order's effect is no change of
    these kinds, nor is an enlistment, a discharge or an amendment."""
    took_effect = or_(
        *(
            and_(orders.c.kind == kind.value, person_periods.c.status == status.value)
            for status, kind in CHANGES.values()
        )
    )
    group = (orders.c.effective, person_periods.c.component, orders.c.kind)
    query = (
        select(*group, func.count())
        .select_from(
            orders.join(order_subjects, order_subjects.c.order_seq == orders.c.seq).join(
                person_periods,
                and_(
                    person_periods.c.person_id == order_subjects.c.person_id,
                    person_periods.c.valid_from == orders.c.effective,
                ),
            )
        )
        .where(
            orders.c.kind.in_([kind.value for _status, kind in CHANGES.values()]),
            orders.c.effective <= day,
            took_effect,
        )
        .group_by(*group)
    )
    change_of = {kind.value: name for name, (_status, kind) in CHANGES.items()}
    found: Counter[tuple[str, str, str]] = Counter()
    for effective, component, kind, n in conn.execute(query):
        found[(as_date(effective).strftime("%Y-%m"), component, change_of[kind])] += n
    return found
