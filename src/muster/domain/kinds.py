"""The vocabulary of the roll: order kinds, statuses, service categories, outcomes."""

from __future__ import annotations

from enum import StrEnum


class OrderKind(StrEnum):
    """What an order does; the value is its command-line and canonical name."""

    ENLISTMENT = "enlistment"
    ABSENCE = "absence"
    STRIKE_OFF = "strike-off"
    REINSTATEMENT = "reinstatement"
    DISCHARGE = "discharge"
    CATEGORY_CHANGE = "category-change"
    AMENDMENT = "amendment"
    TRAVEL_AUTHORIZATION = "travel-authorization"
    EXIT_CONTROL = "exit-control"
    REVOCATION = "revocation"

    @property
    def has_subjects(self) -> bool:
        """Whether orders of this kind name people (and so fall under a component scope)."""
        return self not in (OrderKind.EXIT_CONTROL, OrderKind.REVOCATION)


class Status(StrEnum):
    """A person's standing on the roll, derived from orders."""

    ACTIVE = "active"
    ABSENT = "absent"
    STRUCK_OFF = "struck_off"
    DISCHARGED = "discharged"


class Category(StrEnum):
    """Service category; it only moves forward: active, reserve, retired reserve."""

    ACTIVE = "active"
    RESERVE = "reserve"
    RETIRED_RESERVE = "retired_reserve"


CATEGORY_ORDER = (Category.ACTIVE, Category.RESERVE, Category.RETIRED_RESERVE)

AMENDABLE_FIELDS = ("given_names", "surnames", "birth_date", "sex", "national_id", "unit")


def parse_kinds(text: str) -> tuple[OrderKind, ...]:
    """Order kinds from a comma-separated list of their names."""
    from muster.domain.errors import InvalidInputError

    kinds = []
    for part in text.split(","):
        name = part.strip()
        if not name:
            continue
        try:
            kinds.append(OrderKind(name))
        except ValueError:
            known = ", ".join(k.value for k in OrderKind)
            raise InvalidInputError(
                f"unknown order kind {name!r}; expected one of {known}"
            ) from None
    if not kinds:
        raise InvalidInputError("no order kind given; expected a comma-separated list")
    return tuple(dict.fromkeys(kinds))
