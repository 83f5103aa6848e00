"""What the exit-control policy reads from the registry: directives, authorizations, people."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from muster.domain.kinds import OrderKind
from muster.ledger import entries
from muster.registry import standing
from muster.store.roll_rows import as_date
from muster.store.tables import ledger_entries, order_subjects, orders


@dataclass(frozen=True)
class DirectiveRecord:
    """An exit-control order as recorded: number, authority, dates, rules, revocation."""

    number: str
    authority: str
    effective: date
    rules: dict[str, Any]
    revoked_on: date | None


@dataclass(frozen=True)
class AuthorizationRecord:
    """A travel authorization naming a person."""

    number: str
    valid_from: date
    valid_until: date
    revoked_on: date | None


@dataclass(frozen=True)
class PersonFacts:
    """The facts about a person on the roll that the policy and the officer need."""

    person_id: int
    serial_number: str | None
    former_serial_numbers: tuple[str, ...]
    name: str
    component: str
    rank: str | None
    category: str
    status: str
    reinstated: bool


def load_directives(conn: Connection) -> list[DirectiveRecord]:
    """Every exit-control directive, with its rules read from the signed order bytes."""
    rows = conn.execute(
        select(
            orders.c.seq,
            orders.c.number,
            orders.c.authority_code,
            orders.c.effective,
            orders.c.revoked_on,
            ledger_entries.c.data,
        )
        .join(ledger_entries, ledger_entries.c.seq == orders.c.seq)
        .where(orders.c.kind == OrderKind.EXIT_CONTROL.value)
        .order_by(orders.c.seq)
    ).all()
    found = []
    for row in rows:
        content = orjson.loads(entries.unb64(entries.read_entry(bytes(row.data))["order"]))
        found.append(
            DirectiveRecord(
                row.number,
                row.authority_code,
                as_date(row.effective),
                content["rules"],
                None if row.revoked_on is None else as_date(row.revoked_on),
            )
        )
    return found


def _authorizations_query() -> Any:
    return (
        select(orders.c.number, orders.c.valid_from, orders.c.valid_until, orders.c.revoked_on)
        .join(order_subjects, order_subjects.c.order_seq == orders.c.seq)
        .where(
            order_subjects.c.person_id == bindparam("person_id"),
            orders.c.kind == OrderKind.TRAVEL_AUTHORIZATION.value,
        )
        .order_by(orders.c.seq)
    )


_AUTHORIZATIONS = _authorizations_query()  # built once: read for each person screened


def load_authorizations(conn: Connection, person_id: int) -> list[AuthorizationRecord]:
    """The travel authorizations that name a person."""
    rows = conn.execute(_AUTHORIZATIONS, {"person_id": person_id}).all()
    return [
        AuthorizationRecord(
            r.number,
            as_date(r.valid_from),
            as_date(r.valid_until),
            None if r.revoked_on is None else as_date(r.revoked_on),
        )
        for r in rows
    ]


def load_person(conn: Connection, person_id: int, day: date) -> PersonFacts | None:
    """A person's facts as they stand on `day`, or None when not on the roll that day."""
    found = standing.standing_on(conn, person_id, day)
    if found is None:
        return None
    pid, serial, formers, given, surnames, component, rank, category, status, reinstated = found
    return PersonFacts(
        int(pid),
        serial,
        tuple(s for s in (formers or "").split(";") if s),
        f"{given} {surnames}",
        component,
        rank,
        category,
        status,
        bool(reinstated),
    )


class DirectiveCache:
    """The directives, read again only when an exit-control order or a revocation is recorded."""

    def __init__(self) -> None:
        self._key: object = None
        self._directives: list[DirectiveRecord] = []
        self._lock = threading.Lock()

    def get(self, conn: Connection, last_order: int | None = None) -> list[DirectiveRecord]:
        """The directives; `last_order` (the last order's ledger position, when the caller
        has read it already) replaces the query for the last directive or revocation."""
        key: object = last_order
        if key is None:
            key = conn.execute(
                select(func.max(orders.c.seq)).where(
                    orders.c.kind.in_((OrderKind.EXIT_CONTROL.value, OrderKind.REVOCATION.value))
                )
            ).scalar()
        with self._lock:
            if key != self._key:
                self._directives, self._key = load_directives(conn), key
            return self._directives


class PersonCache:
    """People's facts and travel authorizations, kept until the next order is recorded or the
    day changes.

    Only orders change a person's periods or authorizations, so an entry read on day `d` after
    the ledger's last order `n` holds while the day is `d` and the last order still `n`.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._key: tuple[int, date] | None = None
        self._people: dict[int, tuple[PersonFacts | None, list[AuthorizationRecord]]] = {}
        self._lock = threading.Lock()

    def get(
        self, conn: Connection, person_id: int, last_order: int, day: date
    ) -> tuple[PersonFacts | None, list[AuthorizationRecord]]:
        key = (last_order, day)
        with self._lock:
            if key != self._key:
                self._people, self._key = {}, key
            found = self._people.get(person_id)
        if found is None:
            found = (load_person(conn, person_id, day), load_authorizations(conn, person_id))
            with self._lock:
                if key == self._key:
                    if len(self._people) >= self.limit:
                        self._people.clear()
                    self._people[person_id] = found
        return found
