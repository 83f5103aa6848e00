"""Reading the registry: people, orders, statistics (as of any date)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError, NotFoundError, UnknownSubjectError
from muster.domain.kinds import OrderKind
from muster.domain.reference import fold_text
from muster.domain.roll import PersonState, history
from muster.ledger import entries
from muster.ledger.canonical import parse_table
from muster.registry import standing
from muster.registry.drafts import find_order, resolve_subjects
from muster.registry.recording import load_person_files, revoked_map
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


@dataclass(frozen=True)
class SubjectsPage:
    """Some of an order's subjects, in the order of their person ids, and how many in all."""

    total: int
    offset: int
    people: list[dict[str, Any]]


def order_subjects_page(conn: Connection, number: str, offset: int, limit: int) -> SubjectsPage:
    """Subjects `offset` to `offset + limit` of an order (an enlistment: the people it put on
    the roll), each with the reference the order named them by and who they are now, so that
    an order of thousands is read a page at a time."""
    if offset < 0 or limit < 1:
        raise InvalidInputError(
            "{offset} {value}: expected 0 or more, with a limit of 1 or more",
            fields=("offset",),
            value=offset,
        )
    row = find_order(conn, number)
    columns = (
        roll.c.person_id,
        roll.c.serial_number,
        roll.c.former_serials,
        roll.c.national_id,
        roll.c.given_names,
        roll.c.surnames,
        roll.c.component,
    )
    if row.kind == OrderKind.ENLISTMENT.value:
        query = select(*columns, roll.c.serial_number.label("ref")).where(
            roll.c.enlisted_seq == row.seq
        )
    else:
        query = (
            select(*columns, order_subjects.c.ref)
            .join(order_subjects, order_subjects.c.person_id == roll.c.person_id)
            .where(order_subjects.c.order_seq == row.seq)
        )
    rows = conn.execute(query.order_by(roll.c.person_id).offset(offset).limit(limit)).all()
    people = [
        {
            "person_id": int(r.person_id),
            "ref": enlisted_as(r) if row.kind == OrderKind.ENLISTMENT.value else r.ref,
            "serial_number": r.serial_number,
            "national_id": r.national_id,
            "given_names": r.given_names,
            "surnames": r.surnames,
            "component": r.component,
        }
        for r in rows
    ]
    return SubjectsPage(int(row.subject_count), offset, people)


def enlisted_as(r: Any) -> str:
    """The serial number a person was enlisted with: the oldest they held."""
    held = [s for s in (r.former_serials or "").split(";") if s]
    return held[0] if held else (r.serial_number or "")


def find_person(conn: Connection, ref: str) -> int:
    """A person's id from a serial number (current or former) or any cédula form."""
    try:
        return resolve_subjects(conn, [ref], "person")[0][0]
    except UnknownSubjectError:
        raise NotFoundError(f"nobody on the roll has serial number or cédula {ref!r}") from None


def person_view(conn: Connection, ref: str, day: date) -> dict[str, Any]:
    """A person's identity, service record and status on `day`, the periods of their state
    (those that start after `day` are scheduled: recorded, not yet in effect) and every order
    that touched them."""
    return person_view_of(conn, find_person(conn, ref), day)


def person_view_of(conn: Connection, pid: int, day: date) -> dict[str, Any]:
    """`person_view` of the person with id `pid` (as a crossing names the person it matched)."""
    files = load_person_files(conn, [pid])
    if pid not in files:
        raise NotFoundError(f"no person {pid} on the roll")
    f = files[pid]
    spans = standing.periods_of(conn, pid)
    on_day = standing.state_on(conn, pid, day)
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
    shown = on_day or f.enlisted(revoked)
    return {
        "person_id": pid,
        "as_of": day.isoformat(),
        "on_roll": on_day is not None,
        **state_json(shown),
        "periods": spans,
        "scheduled": standing.scheduled(spans, day),
        "history": events,
    }


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


def search_people(conn: Connection, text: str, day: date, limit: int = 50) -> list[dict[str, Any]]:
    """People whose name contains every word of the text (any case, any accents), with their
    status on `day` (None: not on the roll that day)."""
    words = fold_text(text).split()
    if not words:
        return []
    query = select(roll).where(*[roll.c.name_key.contains(w, autoescape=True) for w in words])
    rows = conn.execute(query.order_by(roll.c.person_id).limit(limit)).all()
    on_day = standing.states_on(conn, [int(r.person_id) for r in rows], day)
    found = []
    for r in rows:
        state = on_day.get(int(r.person_id))
        found.append(
            {
                "person_id": int(r.person_id),
                "serial_number": r.serial_number if state is None else state.serial_number,
                "national_id": r.national_id,
                "given_names": r.given_names,
                "surnames": r.surnames,
                "birth_date": str(r.birth_date),
                "component": r.component,
                "status": None if state is None else state.status.value,
            }
        )
    return found


def one_slip(word: str) -> list[str]:
    """LIKE patterns for a word written with one letter wrong, missing or extra."""
    if len(word) < 4:
        return [word]
    wrong = [word[:j] + "_" + word[j + 1 :] for j in range(len(word))]
    missing = [word[:j] + "_" + word[j:] for j in range(1, len(word))]
    extra = [word[:j] + word[j + 1 :] for j in range(len(word))]
    return list(dict.fromkeys([*wrong, *missing, *extra]))


def people_near_words(conn: Connection, text: str, limit: int) -> list[dict[str, Any]]:
    """People whose name holds every word of the text but one exactly, and that one with a
    letter wrong, missing or extra (the roll's identities, for the matcher to compare):
    a name misspelt where the matcher's keys all changed (`ALBERTO LOXEZ` for LÓPEZ)."""
    words = [w for w in fold_text(text).split() if w.isalpha()]
    if len(words) < 2:
        return []
    found: dict[int, Any] = {}
    for i, slipped in enumerate(words):
        if len(slipped) < 4:
            continue
        exact = [
            roll.c.name_key.contains(w, autoescape=True) for j, w in enumerate(words) if j != i
        ]
        near = or_(*[roll.c.name_key.like(f"%{p}%") for p in one_slip(slipped)])
        query = select(roll).where(*exact, near).order_by(roll.c.person_id).limit(limit)
        for r in conn.execute(query):
            found.setdefault(int(r.person_id), r)
    return [
        {
            "person_id": pid,
            "serial_number": r.serial_number,
            "former_serials": r.former_serials or "",
            "national_id": r.national_id,
            "given_names": r.given_names,
            "surnames": r.surnames,
            "birth_date": str(r.birth_date),
            "sex": r.sex,
        }
        for pid, r in sorted(found.items())[:limit]
    ]


def stats(conn: Connection, day: date) -> dict[str, Any]:
    """Counts by status, component and category of the people on the roll on `day`."""
    by_status, by_component, by_category = standing.counts_on(conn, day)
    return {
        "as_of": day.isoformat(),
        "total": sum(by_status.values()),
        "by_status": dict(by_status),
        "by_component": dict(sorted(by_component.items())),
        "by_category": dict(by_category),
    }


def roll_size(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(roll)).scalar_one())
