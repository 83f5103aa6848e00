"""Drafting orders: the registry resolves subjects and builds the exact bytes to be signed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from muster.domain.directive import validate_directive
from muster.domain.errors import (
    DuplicateSubjectError,
    InvalidInputError,
    NotFoundError,
    UnknownSubjectError,
)
from muster.domain.kinds import Category, OrderKind
from muster.domain.national_id import InvalidNationalIdError, normalize_national_id
from muster.domain.orders import OrderContent, SubjectDigest, check_order_fields
from muster.domain.roll_import import ROLL_COLUMNS, EnlistRow, clean_text
from muster.errors import with_article
from muster.ledger.canonical import canonical_json, canonical_table, sha256_hex
from muster.store.tables import former_serials, orders, roll

SUBJECT_COLUMNS = ("person_id", "ref")


@dataclass(frozen=True)
class Draft:
    """An order ready to sign: its content, its canonical bytes and its subject table."""

    content: OrderContent
    order_bytes: bytes
    table_bytes: bytes | None = None
    enlist_rows: Sequence[EnlistRow] | None = None
    subjects: Sequence[tuple[int, str]] | None = None


def _finish(content: OrderContent, table: bytes | None, **kw: Any) -> Draft:
    check_order_fields(content)
    return Draft(content, canonical_json(content.to_json()), table, **kw)


def next_order_number(conn: Connection, prefix: str, signed_on: date) -> str:
    """A fresh order number such as `ENL-CG-GNB-20181221-0003`."""
    count = conn.execute(select(func.count()).select_from(orders)).scalar_one()
    n = int(count) + 1
    while True:
        number = f"{prefix}-{signed_on:%Y%m%d}-{n:04d}"
        taken = conn.execute(select(orders.c.seq).where(orders.c.number == number)).first()
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
) -> Draft:
    """An enlistment order for checked roll rows; the rows are included by their digest."""
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
    source: str = "--subjects"


def draft_order(conn: Connection, origin: str, req: OrderRequest) -> Draft:
    """An order with its subjects resolved to people on the roll."""
    subjects: list[tuple[int, str]] | None = None
    table = None
    digest = None
    if req.kind.has_subjects:
        if not req.refs:
            raise InvalidInputError(f"{with_article(req.kind.value)} order needs --subjects FILE")
        subjects = resolve_subjects(conn, req.refs, req.source)
        table = canonical_table(SUBJECT_COLUMNS, subjects)
        digest = SubjectDigest(len(subjects), sha256_hex(table))
    elif req.refs:
        raise InvalidInputError(f"{with_article(req.kind.value)} order takes no --subjects")
    rules = None
    if req.rules is not None:
        rules = validate_directive(req.rules, "--rules")
    changes: dict[str, str] = {}
    previous: dict[str, str] = {}
    if req.kind is OrderKind.AMENDMENT:
        if subjects is None or len(subjects) != 1:
            raise InvalidInputError("an amendment corrects exactly one person: one subject")
        changes, previous = amendment_values(conn, subjects[0][0], req.changes or {})
    elif req.changes:
        raise InvalidInputError(f"{with_article(req.kind.value)} order takes no --set")
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
        revokes=req.revokes,
        rules=rules,
        changes=changes,
        previous=previous,
    )
    return _finish(content, table, subjects=subjects)


def resolve_subjects(conn: Connection, refs: Sequence[str], source: str) -> list[tuple[int, str]]:
    """Each reference's person: by current serial number, then cédula, then former serial."""
    by_serial: dict[str, int] = {}
    by_id: dict[str, int] = {}
    by_former: dict[str, int] = {}
    texts = [r.strip() for r in refs]
    ids = {}
    for t in texts:
        with suppress(InvalidNationalIdError):
            ids[t] = normalize_national_id(t)
    for chunk in _chunks(texts):
        for serial, pid in conn.execute(
            select(roll.c.serial_number, roll.c.person_id).where(roll.c.serial_number.in_(chunk))
        ):
            by_serial[serial] = int(pid)
        for serial, pid in conn.execute(
            select(former_serials.c.serial_number, former_serials.c.person_id).where(
                former_serials.c.serial_number.in_(chunk)
            )
        ):
            by_former[serial] = int(pid)
    for chunk in _chunks(list(set(ids.values()))):
        for nid, pid in conn.execute(
            select(roll.c.national_id, roll.c.person_id).where(roll.c.national_id.in_(chunk))
        ):
            by_id[nid] = int(pid)
    out: list[tuple[int, str]] = []
    unknown: list[str] = []
    seen: dict[int, str] = {}
    duplicates: list[str] = []
    for t in texts:
        pid = by_serial.get(t) or by_id.get(ids.get(t, "")) or by_former.get(t)
        if pid is None:
            unknown.append(t)
        elif pid in seen:
            duplicates.append(f"{t!r} and {seen[pid]!r} are the same person")
        else:
            seen[pid] = t
            out.append((pid, t))
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        raise UnknownSubjectError(
            f"{source}: {len(unknown)} subject(s) not on the roll (no serial number, former "
            f"serial number or cédula matches): {shown}{more}"
        )
    if duplicates:
        raise DuplicateSubjectError(f"{source}: duplicate subjects: " + "; ".join(duplicates))
    return out


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
                raise InvalidInputError(f"--set national_id={value}: another person has it")
        elif field == "birth_date":
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError:
                raise InvalidInputError(f"--set birth_date={raw!r}: expected YYYY-MM-DD") from None
        elif field == "sex":
            value = value.upper()
            if value not in ("M", "F"):
                raise InvalidInputError(f"--set sex={raw!r}: expected M or F")
        elif not value and field in ("given_names", "surnames"):
            raise InvalidInputError(f"--set {field}=: a name cannot be empty")
        current = getattr(row, field, None)
        if current is None and field not in ("unit",):
            raise InvalidInputError(f"--set {field}: unknown field")
        current_text = current.isoformat() if isinstance(current, date) else str(current or "")
        if current_text == value:
            raise InvalidInputError(f"--set {field}={value}: that is already the value")
        new[field], old[field] = value, current_text
    if not new:
        raise InvalidInputError("an amendment needs at least one --set FIELD=VALUE")
    return new, old


def find_order(conn: Connection, number: str) -> Any:
    """The orders row with a number; NotFoundError otherwise."""
    row = conn.execute(select(orders).where(orders.c.number == number)).first()
    if row is None:
        raise NotFoundError(f"no order numbered {number!r} in this registry")
    return row


def _chunks(items: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
