"""Reading the registry: people, orders, statistics (as of any date)."""

from __future__ import annotations

import zlib
from collections import Counter
from datetime import date
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from muster.domain.errors import NotFoundError, UnknownSubjectError
from muster.domain.kinds import Category, Status
from muster.domain.reference import fold_text
from muster.domain.roll import PersonState, fold_person, history
from muster.ledger import entries
from muster.ledger.canonical import parse_table
from muster.services.drafts import find_order, resolve_subjects
from muster.services.recording import PersonFile, load_person_files, revoked_map
from muster.store.tables import ledger_entries, order_subjects, orders, roll, subject_lists


def order_view(conn: Connection, number: str) -> dict[str, Any]:
    """An order as recorded: its signed content, signature, key, ledger position, status."""
    row = find_order(conn, number)
    data = conn.execute(
        select(ledger_entries.c.data).where(ledger_entries.c.seq == row.seq)
    ).scalar_one()
    entry = entries.read_entry(bytes(data))
    content = orjson.loads(entries.unb64(entry["order"]))
    return {
        "number": row.number,
        "kind": row.kind,
        "authority": row.authority_code,
        "signed_on": str(row.signed_on),
        "effective": str(row.effective),
        "subjects": row.subject_count,
        "ledger_entry": int(row.seq),
        "key": entry["key"],
        "signature": entry["signature"],
        "recorded": entry["recorded"],
        "revoked_by": row.revoked_by,
        "revoked_on": None if row.revoked_on is None else str(row.revoked_on),
        "content": content,
    }


def order_subjects_table(conn: Connection, number: str) -> tuple[list[str], list[list[Any]]]:
    """The subject table an order was signed over, read back from storage."""
    row = find_order(conn, number)
    if row.subjects_sha256 is None:
        raise NotFoundError(f"order {number} ({row.kind}) has no subjects")
    blob = conn.execute(
        select(subject_lists.c.data).where(subject_lists.c.sha256 == row.subjects_sha256)
    ).scalar_one()
    return parse_table(zlib.decompress(bytes(blob)))


def find_person(conn: Connection, ref: str) -> int:
    """A person's id from a serial number (current or former) or any cédula form."""
    try:
        return resolve_subjects(conn, [ref], "person")[0][0]
    except UnknownSubjectError:
        raise NotFoundError(f"nobody on the roll has serial number or cédula {ref!r}") from None


def person_view(conn: Connection, ref: str) -> dict[str, Any]:
    """A person's identity, service record, status and every order that touched them."""
    pid = find_person(conn, ref)
    f = load_person_files(conn, [pid])[pid]
    revoked = revoked_map(conn)
    enlisted = f.enlisted(revoked)
    numbers = {
        int(r.seq): r
        for r in conn.execute(
            select(orders.c.seq, orders.c.authority_code, orders.c.signed_on).where(
                orders.c.seq.in_([f.enlistment.seq, *[o.seq for o in f.orders]])
            )
        )
    }
    events = []
    for e in history(enlisted, f.enlistment, f.orders, revoked):
        meta = numbers[e.seq]
        events.append(
            {
                "order": e.number,
                "kind": e.kind.value,
                "effective": e.effective.isoformat(),
                "signed_on": str(meta.signed_on),
                "authority": meta.authority_code,
                "ledger_entry": e.seq,
                "before": dict(e.before),
                "after": dict(e.after),
                "revoked_by": find_order(conn, e.number).revoked_by
                if "revoked" in e.after
                else None,
            }
        )
    return {"person_id": pid, **state_json(f.state), "history": events}


def state_json(s: PersonState) -> dict[str, Any]:
    return {
        "serial_number": s.serial_number,
        "national_id": s.national_id,
        "given_names": s.given_names,
        "surnames": s.surnames,
        "birth_date": s.birth_date.isoformat(),
        "sex": s.sex,
        "component": s.component,
        "rank": s.rank,
        "category": s.category.value,
        "unit": s.unit,
        "status": s.status.value,
        "reinstated": s.reinstated,
        "former_serial_numbers": list(s.former_serial_numbers),
    }


def search_people(conn: Connection, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """People whose name contains every word of the text (any case, any accents)."""
    words = fold_text(text).split()
    if not words:
        return []
    query = select(roll).where(*[roll.c.name_key.contains(w, autoescape=True) for w in words])
    rows = conn.execute(query.order_by(roll.c.person_id).limit(limit)).all()
    return [
        {
            "person_id": int(r.person_id),
            "serial_number": r.serial_number,
            "national_id": r.national_id,
            "given_names": r.given_names,
            "surnames": r.surnames,
            "birth_date": str(r.birth_date),
            "component": r.component,
            "status": r.status,
        }
        for r in rows
    ]


def stats(conn: Connection, as_of: date | None) -> dict[str, Any]:
    """Counts by status, component and category, as of a date (None: the whole ledger)."""
    by_status: Counter[str] = Counter({s.value: 0 for s in Status})
    by_category: Counter[str] = Counter({c.value: 0 for c in Category})
    by_component: Counter[str] = Counter()
    if as_of is None:
        for st, comp, cat, n in conn.execute(
            select(roll.c.status, roll.c.component, roll.c.category, func.count()).group_by(
                roll.c.status, roll.c.component, roll.c.category
            )
        ):
            by_status[st] += n
            by_component[comp] += n
            by_category[cat] += n
    else:
        touched = select(order_subjects.c.person_id).distinct()
        enlisted_by = orders.alias("e")
        for comp, cat, n in conn.execute(
            select(roll.c.component, roll.c.enlisted_category, func.count())
            .join(enlisted_by, enlisted_by.c.seq == roll.c.enlisted_seq)
            .where(enlisted_by.c.effective <= as_of, roll.c.person_id.not_in(touched))
            .group_by(roll.c.component, roll.c.enlisted_category)
        ):
            by_status[Status.ACTIVE.value] += n
            by_component[comp] += n
            by_category[cat] += n
        pids = [int(r[0]) for r in conn.execute(touched)]
        revoked = revoked_map(conn)
        for f in load_person_files(conn, pids).values():
            state = fold_at(f, revoked, as_of)
            if state is not None:
                by_status[state.status.value] += 1
                by_component[state.component] += 1
                by_category[state.category.value] += 1
    total = sum(by_status.values())
    return {
        "as_of": None if as_of is None else as_of.isoformat(),
        "total": total,
        "by_status": dict(by_status),
        "by_component": dict(sorted(by_component.items())),
        "by_category": dict(by_category),
    }


def fold_at(f: PersonFile, revoked: dict[str, date], as_of: date) -> PersonState | None:
    return fold_person(f.enlisted(revoked), f.enlistment, f.orders, revoked, as_of)


def roll_size(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(roll)).scalar_one())
