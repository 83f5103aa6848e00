"""Status and category rules: which orders may move a person from which standing.

These tables are the whole of the registry's transition rules; every order goes through
`check_transition` (status) or `check_category_change` (category) before it is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from muster.domain.errors import RefusedError, TransitionRefusedError
from muster.domain.kinds import CATEGORY_ORDER, Category, OrderKind, Status


@dataclass(frozen=True)
class Transition:
    """An order kind's effect on status: the statuses it applies to and the one it leaves."""

    applies_to: tuple[Status, ...]
    leaves: Status | None  # None: status unchanged


TRANSITIONS: dict[OrderKind, Transition] = {
    OrderKind.ABSENCE: Transition((Status.ACTIVE,), Status.ABSENT),
    OrderKind.STRIKE_OFF: Transition((Status.ABSENT,), Status.STRUCK_OFF),
    OrderKind.REINSTATEMENT: Transition((Status.ABSENT, Status.STRUCK_OFF), Status.ACTIVE),
    OrderKind.DISCHARGE: Transition((Status.ACTIVE, Status.ABSENT), Status.DISCHARGED),
    OrderKind.CATEGORY_CHANGE: Transition((Status.ACTIVE, Status.ABSENT), None),
    OrderKind.TRAVEL_AUTHORIZATION: Transition((Status.ACTIVE,), None),
    OrderKind.AMENDMENT: Transition(tuple(Status), None),
}


def check_transition(kind: OrderKind, status: Status, who: str, on: str) -> Status:
    """The status a person holds after an order of `kind`; refuses a forbidden move."""
    rule = TRANSITIONS.get(kind)
    if rule is None:
        raise RefusedError(f"{kind.value} orders do not apply to people")
    if status not in rule.applies_to:
        raise TransitionRefusedError(
            kind.value, who, status.value, tuple(s.value for s in rule.applies_to), on
        )
    return rule.leaves or status


def check_category_change(current: Category, new: Category, who: str, on: str) -> Category:
    """The new service category; refuses a move backwards or to the same category."""
    if CATEGORY_ORDER.index(new) <= CATEGORY_ORDER.index(current):
        raise RefusedError(
            f"category-change refused for {who}: category on {on} is {current.value!r}; "
            f"a category only moves forward (active → reserve → retired_reserve), "
            f"not to {new.value!r}"
        )
    return new
