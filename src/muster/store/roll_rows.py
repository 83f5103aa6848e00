"""Mapping between roll table rows and the domain's PersonState."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from muster.domain import numbers
from muster.domain.kinds import Category, Status
from muster.domain.reference import fold_text, fold_texts
from muster.domain.roll import PersonState


@lru_cache(maxsize=64)
def _record_type(keys: tuple[str, ...]) -> Any:
    return namedtuple("Record", keys)


def records(result: Any) -> Iterator[Any]:
    """A query's rows as named tuples, for loops that read many rows by column name: a
    SQLAlchemy Row finds a column by name only after Python's attribute look-up has failed
    (an AttributeError made and dropped inside, about a microsecond each time), a named
    tuple at once."""
    return map(_record_type(tuple(result.keys()))._make, result)


def as_date(value: Any) -> date:
    """A date from a driver value (SQLite may hand back text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def row_to_state(row: Any) -> PersonState:
    """The PersonState a roll row holds."""
    formers = tuple(s for s in (row.former_serials or "").split(";") if s)
    return PersonState(
        person_id=int(row.person_id),
        serial_number=row.serial_number,
        national_id=row.national_id,
        given_names=row.given_names,
        surnames=row.surnames,
        birth_date=as_date(row.birth_date),
        sex=row.sex,
        component=row.component,
        rank=row.rank,
        category=Category(row.category),
        unit=row.unit,
        status=Status(row.status),
        reinstated=bool(row.reinstated),
        former_serial_numbers=formers,
        removed_rank=row.removed_rank,
    )


def name_key(given_names: str, surnames: str) -> str:
    """The folded full name the roll is searched by."""
    return fold_text(f"{given_names} {surnames}")


def name_keys(given_names: Sequence[str], surnames: Sequence[str]) -> list[str]:
    """`name_key` of each person, folded together (`fold_texts`)."""
    return fold_texts(list(map(" ".join, zip(given_names, surnames, strict=True))))


STATE_COLUMNS = (
    "serial_number",
    "serial_key",
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
    "former_serials",
    "removed_rank",
    "name_key",
)  # what `state_to_values` returns, in its order


def state_to_values(state: PersonState) -> dict[str, Any]:
    """The roll columns that orders can change, from a PersonState."""
    return {
        "serial_number": state.serial_number,
        "serial_key": None if state.serial_number is None else numbers.fold(state.serial_number),
        "national_id": state.national_id,
        "given_names": state.given_names,
        "surnames": state.surnames,
        "birth_date": state.birth_date,
        "sex": state.sex,
        "rank": state.rank,
        "category": state.category.value,
        "unit": state.unit,
        "status": state.status.value,
        "reinstated": state.reinstated,
        "former_serials": ";".join(state.former_serial_numbers) or None,
        "removed_rank": state.removed_rank,
        "name_key": name_key(state.given_names, state.surnames),
    }
