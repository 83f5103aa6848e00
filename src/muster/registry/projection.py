"""An order as the registry's tables hold it, and the scope its authority must keep: the one
mapping and the one set of rules that recording applies and `muster verify` applies again to
the ledger (pure: no database; the callers read and write the rows)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import itemgetter
from typing import Any

from muster.domain import numbers
from muster.domain.errors import OrderOutOfScopeError, RefusedError
from muster.domain.kinds import OrderKind
from muster.domain.orders import OrderContent
from muster.domain.roll import Period
from muster.domain.roll_import import ROLL_COLUMNS, EnlistRow
from muster.errors import with_article
from muster.store.roll_rows import STATE_COLUMNS, name_key, name_keys

# Positions of ROLL_COLUMNS in an enlistment's rows: those rows stay tuples (or the lists
# of a signed table) because a roll of 2,000,000 is written and verified a row at a time.
SERIAL_AT = ROLL_COLUMNS.index("serial_number")
GIVEN_AT = ROLL_COLUMNS.index("given_names")
SURNAMES_AT = ROLL_COLUMNS.index("surnames")
COMPONENT_AT = ROLL_COLUMNS.index("component")
CATEGORY_AT = ROLL_COLUMNS.index("category")


@dataclass(frozen=True, slots=True)
class Scope:
    """What an authority may sign: order kinds and components (their codes)."""

    code: str
    kinds: tuple[str, ...]
    components: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RevokedOrder:
    """What the scope rules need of the order a revocation revokes, as it stands before."""

    number: str
    kind: str
    revoked_by: str | None


def check_revocable(target: RevokedOrder) -> None:
    """Refuses to revoke an order already revoked, an enlistment or a revocation."""
    if target.revoked_by is not None:
        raise RefusedError(f"order {target.number} is already revoked by {target.revoked_by}")
    if target.kind in (OrderKind.REVOCATION.value, OrderKind.ENLISTMENT.value):
        raise RefusedError(
            f"order {target.number} is {with_article(target.kind)}, which cannot be "
            "revoked; correct a roll with amendments or discharges"
        )


def check_scope(
    scope: Scope,
    kind: OrderKind,
    components: Iterable[str],
    revokes: RevokedOrder | None = None,
) -> None:
    """Refuses an order of a kind outside the authority's scope, the revocation of an order
    that cannot be revoked (before the scope: no authority may) or of a kind outside it, and
    subjects of a component outside it. `components`: the subjects' (for a revocation, those
    of the revoked order's subjects)."""
    if kind.value not in scope.kinds:
        raise OrderOutOfScopeError(
            f"authority {scope.code} may not sign {kind.value} orders "
            f"(its scope: {', '.join(scope.kinds)})"
        )
    if revokes is not None:
        check_revocable(revokes)
        if revokes.kind not in scope.kinds:
            raise OrderOutOfScopeError(
                f"authority {scope.code} may not revoke {revokes.kind} "
                f"order {revokes.number}: outside its scope"
            )
    outside = sorted(set(components) - set(scope.components))
    if outside:
        raise OrderOutOfScopeError(
            f"authority {scope.code} may not sign for component(s) {', '.join(outside)} "
            f"(its scope: {', '.join(scope.components) or 'no components'})"
        )


def enlisted_components(rows: Iterable[Sequence[Any]]) -> set[str]:
    """The components of an enlistment's rows (a column read in C: verification reads all
    2,000,000 rows of a roll's enlistment)."""
    return set(map(itemgetter(COMPONENT_AT), rows))


def order_values(
    seq: int, c: OrderContent, fingerprint: str, first_person_id: int | None
) -> dict[str, Any]:
    """An order's row of `orders` when it is recorded (not yet revoked; `number_dup` is 0,
    as recording refuses a number already used)."""
    details = None
    if c.changes:
        details = json.dumps(
            {"changes": dict(c.changes), "previous": dict(c.previous)},
            ensure_ascii=False,
            sort_keys=True,
        )
    return {
        "seq": seq,
        "number": c.number,
        "number_key": numbers.fold(c.number),
        "kind": c.kind.value,
        "authority_code": c.authority,
        "key_fingerprint": fingerprint,
        "signed_on": c.signed_on,
        "effective": c.effective,
        "subject_count": c.subjects.count if c.subjects else 0,
        "subjects_sha256": c.subjects.sha256 if c.subjects else None,
        "first_person_id": first_person_id,
        "category": c.category.value if c.category else None,
        "valid_from": c.valid_from,
        "valid_until": c.valid_until,
        "revokes": c.revokes,
        "revoked_by": None,
        "revoked_on": None,
        "details": details,
    }


ENLIST_COLUMNS = (
    *ROLL_COLUMNS,
    "person_id",
    "status",
    "reinstated",
    "enlisted_seq",
    "enlisted_category",
    "name_key",
    "serial_key",
)


def roll_values(rows: Sequence[EnlistRow], seq: int, first: int) -> Iterator[tuple[Any, ...]]:
    """The roll table's values (`ENLIST_COLUMNS`) of enlisted rows numbered from `first`:
    each row's own, then person id, status, reinstated, enlistment, enlisted category,
    folded name and serial number (built a column at a time)."""
    if not rows:
        return iter(())
    n, columns = len(rows), list(zip(*rows, strict=True))
    return zip(
        *columns,
        range(first, first + n),
        repeat("active", n),
        repeat(False, n),
        repeat(seq, n),
        columns[CATEGORY_AT],
        name_keys(columns[GIVEN_AT], columns[SURNAMES_AT]),
        map(numbers.fold, columns[SERIAL_AT]),
        strict=True,
    )


PERIOD_COLUMNS = (
    "person_id",
    "valid_from",
    "valid_until",
    "opened_by",
    "component",
    *(k for k in STATE_COLUMNS if k != "serial_key"),
)
# Positions in a row of PERIOD_COLUMNS: periods stay tuples, written and compared by the
# thousand (a strike-off writes a few for each of its subjects).
PERSON_AT, FROM_AT, UNTIL_AT, OPENED_BY_AT = range(4)
REINSTATED_AT = PERIOD_COLUMNS.index("reinstated")


def period_values(person_id: int, p: Period) -> tuple[Any, ...]:
    """A period as a row of `person_periods`, in the order of PERIOD_COLUMNS, dates as the
    ISO text the driver stores (the values `state_to_values` gives, built without its dict:
    a strike-off of thousands writes a few periods each)."""
    s = p.state
    return (
        person_id,
        iso_date(p.start),
        None if p.until is None else iso_date(p.until),
        p.opened_by,
        s.component,
        s.serial_number,
        s.national_id,
        s.given_names,
        s.surnames,
        iso_date(s.birth_date),
        s.sex,
        s.rank,
        s.category.value,
        s.unit,
        s.status.value,
        s.reinstated,
        ";".join(s.former_serial_numbers) or None,
        s.removed_rank,
        _name_key(s.given_names, s.surnames),
    )


_isos: dict[date, str] = {}
_name_keys: dict[tuple[str, str], str] = {}


def iso_date(day: date) -> str:
    """`day.isoformat()`, kept: a few thousand periods share a few dates (and formatting one
    costs more than looking it up)."""
    text = _isos.get(day)
    if text is None:
        if len(_isos) > 100_000:
            _isos.clear()
        text = _isos[day] = day.isoformat()
    return text


def _name_key(given_names: str, surnames: str) -> str:
    """`name_key`, kept for the periods of one person, which mostly share a name."""
    key = (given_names, surnames)
    found = _name_keys.get(key)
    if found is None:
        if len(_name_keys) > 100_000:
            _name_keys.clear()
        found = _name_keys[key] = name_key(given_names, surnames)
    return found
