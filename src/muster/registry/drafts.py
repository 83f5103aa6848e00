"""Drafting orders: the registry resolves subjects and builds the exact bytes to be signed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from muster.domain import numbers
from muster.domain.directive import validate_directive
from muster.domain.errors import (
    AmbiguousOrderNumberError,
    AmbiguousSubjectError,
    DuplicateSubjectError,
    InvalidInputError,
    NotFoundError,
    SubjectProblem,
    UnknownSubjectError,
)
from muster.domain.kinds import Category, OrderKind
from muster.domain.national_id import InvalidNationalIdError, normalize_national_id
from muster.domain.orders import (
    OrderContent,
    SubjectDigest,
    check_order_dates,
    check_order_fields,
)
from muster.domain.roll_import import ROLL_COLUMNS, EnlistRow, clean_text
from muster.environment import today
from muster.errors import with_article
from muster.ledger.canonical import canonical_json, canonical_table, sha256_hex
from muster.store.tables import former_serials, orders, roll

SUBJECT_COLUMNS = ("person_id", "ref")
NOT_ON_ROLL = "not on the roll"


@dataclass(frozen=True)
class Draft:
    """An order ready to sign: its content, its canonical bytes and its subject table."""

    content: OrderContent
    order_bytes: bytes
    table_bytes: bytes | None = None
    enlist_rows: Sequence[EnlistRow] | None = None
    subjects: Sequence[tuple[int, str]] | None = None


def _finish(content: OrderContent, table: bytes | None, **kw: Any) -> Draft:
    check_order_dates(content.number, content.signed_on, content.effective, today())
    check_order_fields(content)
    return Draft(content, canonical_json(content.to_json()), table, **kw)


def next_order_number(conn: Connection, prefix: str, signed_on: date) -> str:
    """A fresh order number such as `ENL-CG-GNB-20181221-0003`."""
    count = conn.execute(select(func.count()).select_from(orders)).scalar_one()
    n = int(count) + 1
    while True:
        number = f"{prefix}-{signed_on:%Y%m%d}-{n:04d}"
        taken = conn.execute(
            select(orders.c.seq).where(orders.c.number_key == numbers.fold(number))
        ).first()
        if taken is None:
            return number
        n += 1


def draft_enlistment(
    origin: str,
    rows: Sequence[EnlistRow],
    *,
    number: str,
    authority: str,
    signed_on: date,
    effective: date,
    grounds: str,
    table: bytes | None = None,
) -> Draft:
    """An enlistment order for checked roll rows; the rows are included by their digest.

    `table`: the rows' `canonical_table(ROLL_COLUMNS, rows)`, when the caller built it already.
    """
    if table is None:
        table = canonical_table(ROLL_COLUMNS, rows)
    content = OrderContent(
        registry=origin,
        kind=OrderKind.ENLISTMENT,
        number=number,
        authority=authority,
        signed_on=signed_on,
        effective=effective,
        grounds=grounds,
        subjects=SubjectDigest(len(rows), sha256_hex(table)),
    )
    return _finish(content, table, enlist_rows=rows)


@dataclass(frozen=True)
class OrderRequest:
    """What a person asks for when issuing an order other than an enlistment."""

    kind: OrderKind
    number: str
    authority: str
    signed_on: date
    effective: date
    grounds: str = ""
    refs: Sequence[str] = ()
    category: Category | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    revokes: str | None = None
    rules: Mapping[str, Any] | None = None
    changes: Mapping[str, str] | None = None
    source: str = "subjects"  # how the subjects' file is named in messages
    ref_lines: Sequence[int] = ()  # each ref's line in the subjects file, when it has one


def draft_order(conn: Connection, origin: str, req: OrderRequest) -> Draft:
    """An order with its subjects resolved to people on the roll."""
    subjects: list[tuple[int, str]] | None = None
    table = None
    digest = None
    if req.kind.has_subjects:
        if not req.refs:
            raise InvalidInputError(
                f"{with_article(req.kind.value)} order needs {{subjects}}", fields=("subjects",)
            )
        subjects = resolve_subjects(conn, req.refs, req.source, req.ref_lines)
        table = canonical_table(SUBJECT_COLUMNS, subjects)
        digest = SubjectDigest(len(subjects), sha256_hex(table))
    elif req.refs:
        raise InvalidInputError(
            f"{with_article(req.kind.value)} order takes no {{subjects}}", fields=("subjects",)
        )
    revokes = req.revokes
    if (
        revokes is not None and req.kind is OrderKind.REVOCATION
    ):  # signed as recorded: `a1` revokes the order numbered `A1`
        revokes = find_order(conn, revokes).number
    rules = None
    if req.rules is not None:
        rules = validate_directive(req.rules)
    changes: dict[str, str] = {}
    previous: dict[str, str] = {}
    if req.kind is OrderKind.AMENDMENT:
        if subjects is None or len(subjects) != 1:
            raise InvalidInputError("an amendment corrects exactly one person: one subject")
        changes, previous = amendment_values(conn, subjects[0][0], req.changes or {})
    elif req.changes:
        raise InvalidInputError(
            f"{with_article(req.kind.value)} order takes no {{changes}}", fields=("changes",)
        )
    content = OrderContent(
        registry=origin,
        kind=req.kind,
        number=req.number,
        authority=req.authority,
        signed_on=req.signed_on,
        effective=req.effective,
        grounds=req.grounds,
        subjects=digest,
        category=req.category,
        valid_from=req.valid_from,
        valid_until=req.valid_until,
        revokes=revokes,
        rules=rules,
        changes=changes,
        previous=previous,
    )
    return _finish(content, table, subjects=subjects)


def resolve_subjects(
    conn: Connection, refs: Sequence[str], source: str, lines: Sequence[int] = ()
) -> list[tuple[int, str]]:
    """Each reference's person: by current serial number, then cédula, then former serial;
    serial numbers in any case. Refused naming every reference not on the roll or naming a
    person again (by `lines`, their line numbers in the subjects file, when given), or every
    serial number that names several people."""
    texts = [r.strip() for r in refs]
    keys = {t: numbers.fold(t) for t in texts}
    ids = {}
    for t in texts:
        with suppress(InvalidNationalIdError):
            ids[t] = normalize_national_id(t)
    by_serial = _holders(conn, roll, list(set(keys.values())))
    by_former = _holders(conn, former_serials, list(set(keys.values())))
    by_id: dict[str, int] = {}
    for chunk in _chunks(list(set(ids.values()))):
        for nid, pid in conn.execute(
            select(roll.c.national_id, roll.c.person_id).where(roll.c.national_id.in_(chunk))
        ):
            by_id[nid] = int(pid)
    out: list[tuple[int, str]] = []
    problems: list[SubjectProblem] = []
    ambiguous: list[str] = []
    seen: dict[int, tuple[int | None, str]] = {}
    unknown = False
    for at, t in enumerate(texts):
        line = lines[at] if at < len(lines) else None
        current = by_serial.get(keys[t], [])
        held = current + [h for h in by_former.get(keys[t], []) if h not in current]
        pid = by_id.get(ids.get(t, ""))
        if current or pid is None:  # serial number first, then cédula, then former serial
            if len(held) > 1:
                named = ", ".join(f"{serial} (person {p})" for serial, p in held)
                ambiguous.append(f"{t!r} names {named}")
                continue
            pid = held[0][1] if held else None
        if pid is None:
            unknown = True
            problems.append(SubjectProblem(line, t, NOT_ON_ROLL))
        elif pid in seen:
            first_line, first = seen[pid]
            where = "" if first_line is None else f"line {first_line} "
            problems.append(SubjectProblem(line, t, f"the same person as {where}({first!r})"))
        else:
            seen[pid] = (line, t)
            out.append((pid, t))
    if ambiguous:
        raise AmbiguousSubjectError(
            f"{source}: {len(ambiguous)} serial number(s) name more than one person (serial "
            "numbers that differ only in case, enlisted before serial numbers were unique "
            "regardless of case); name them by cédula: " + "; ".join(ambiguous)
        )
    if problems:
        error = UnknownSubjectError if unknown else DuplicateSubjectError
        raise error.listing(source, problems)
    return out


def _holders(
    conn: Connection, table: Table, keys: Sequence[str]
) -> dict[str, list[tuple[str, int]]]:
    """The people holding each folded serial number: (serial as written, person id)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for chunk in _chunks(keys):
        for key, serial, pid in conn.execute(
            select(table.c.serial_key, table.c.serial_number, table.c.person_id)
            .where(table.c.serial_key.in_(chunk))
            .order_by(table.c.person_id)
        ):
            found.setdefault(key, []).append((serial, int(pid)))
    return found


def amendment_values(
    conn: Connection, person_id: int, changes: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Canonical new values and the values they replace, for one person's amendment."""
    row = conn.execute(select(roll).where(roll.c.person_id == person_id)).one()
    new: dict[str, str] = {}
    old: dict[str, str] = {}
    for field, raw in changes.items():
        value = clean_text(raw)
        if field == "national_id":
            value = normalize_national_id(value, default_letter=None)
            clash = conn.execute(
                select(roll.c.person_id).where(
                    roll.c.national_id == value, roll.c.person_id != person_id
                )
            ).first()
            if clash is not None:
                raise changed("{field}={value}: another person has it", field, value)
        elif field == "birth_date":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError:
                raise changed("{field}={value!r}: expected YYYY-MM-DD", field, raw) from None
        elif field == "sex":
            value = value.upper()
            if value not in ("M", "F"):
                raise changed("{field}={value!r}: expected M or F", field, raw)
        elif not value and field in ("given_names", "surnames"):
            raise changed("{field}=: a name cannot be empty", field, raw)
        current = getattr(row, field, None)
        if current is None and field not in ("unit",):
            raise changed("{field}: unknown field", field, raw)
        current_text = current.isoformat() if isinstance(current, date) else str(current or "")
        if current_text == value:
            raise changed("{field}={value}: that is already the value", field, value)
        new[field], old[field] = value, current_text
    if not new:
        raise InvalidInputError(
            "an amendment needs at least one change ({changes})", fields=("changes",)
        )
    return new, old


def changed(template: str, field: str, value: str) -> InvalidInputError:
    """A refused change of an amendment, naming the field changed (`changes.<field>`)."""
    return InvalidInputError(template, fields={"field": f"changes.{field}"}, value=value)


def find_order(conn: Connection, number: str) -> Any:
    """The orders row with a number, in any case; NotFoundError or AmbiguousOrderNumberError."""
    rows = conn.execute(
        select(orders).where(orders.c.number_key == numbers.fold(number)).order_by(orders.c.seq)
    ).all()
    if not rows:
        raise NotFoundError(f"no order numbered {number!r} in this registry")
    if len(rows) > 1:
        raise AmbiguousOrderNumberError(number, [(r.number, int(r.seq)) for r in rows])
    return rows[0]


def _chunks(items: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
