"""Recording a signed order: every check, then the ledger entry and the projections, at once."""

from __future__ import annotations

import json
import operator
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from muster.actor import Actor
from muster.domain import numbers
from muster.domain.errors import (
    OrderNumberTakenError,
    RefusedError,
    SignatureError,
    SubjectsRefusedError,
)
from muster.domain.kinds import Category, OrderKind
from muster.domain.orders import OrderContent, check_order_dates
from muster.domain.roll import (
    OrderFacts,
    Period,
    PersonState,
    apply,
    enlisted_state,
    periods,
)
from muster.environment import today
from muster.ledger import entries, signing
from muster.ledger.canonical import sha256_hex
from muster.registry import projection
from muster.registry.authorities import AuthorityView, require_authority
from muster.registry.drafts import Draft, find_order
from muster.registry.opening import OpenRegistry
from muster.registry.projection import (
    ENLIST_COLUMNS,
    FROM_AT,
    OPENED_BY_AT,
    PERIOD_COLUMNS,
    PERSON_AT,
    UNTIL_AT,
    RevokedOrder,
    Scope,
    check_revocable,
    enlisted_components,
    iso_date,
    order_values,
    period_values,
    roll_values,
)
from muster.store import ledger_store
from muster.store.dialects import bulk_insert, bulk_update, is_postgres
from muster.store.roll_rows import (
    STATE_COLUMNS,
    as_date,
    records,
    row_to_state,
    state_to_values,
)
from muster.store.tables import (
    authority_keys,
    former_serials,
    order_subjects,
    orders,
    person_periods,
    roll,
    subject_lists,
)


@dataclass(frozen=True)
class RecordedOrder:
    """What the registry says back when it accepts an order."""

    seq: int
    number: str
    kind: str
    subject_count: int
    first_person_id: int | None
    fingerprint: str


def record_order(
    conn: Connection,
    reg: OpenRegistry,
    actor: Actor,
    draft: Draft,
    signature: bytes,
    fingerprint: str,
    rows_stored: tuple[int, int] | None = None,
    packed: bytes | None = None,
) -> RecordedOrder:
    """Accept a signed order or refuse it with nothing written (the caller's transaction).

    `rows_stored` (ledger position, first person id): an enlistment whose rows this
    transaction has already put on the roll under that position (see `registry.roll_import`),
    and `packed` its subject table as `pack_table` compresses it, when already compressed.
    """
    content = draft.content
    check_order_dates(content.number, content.signed_on, content.effective, today())
    check_number_free(conn, content.number)
    auth = require_authority(conn, content.authority)
    check_signature(conn, content, draft.order_bytes, signature, fingerprint)
    if content.registry != reg.origin:
        raise RefusedError(
            f"order {content.number} was drafted for registry "
            f"{content.registry!r}, not this one ({reg.origin!r})"
        )
    check_scope(conn, auth, content, draft)
    if draft.table_bytes is not None:
        assert content.subjects is not None
        if sha256_hex(draft.table_bytes) != content.subjects.sha256:
            raise SignatureError(
                f"order {content.number}: subject list does not match the digest that was signed"
            )
    packing = None
    if draft.table_bytes is not None and packed is None:
        packing = compress_soon(draft.table_bytes)
    data = entries.order_entry(draft.order_bytes, signature, fingerprint, actor.recorded())
    seq = ledger_store.append_entry(conn, entries.ORDER, data)
    first_person_id = None
    if content.kind is OrderKind.ENLISTMENT and rows_stored is not None:
        stored_seq, first_person_id = rows_stored
        if stored_seq != seq:
            raise RuntimeError(f"rows stored for ledger entry {stored_seq}, recorded as {seq}")
    elif content.kind is OrderKind.ENLISTMENT:
        first_person_id = next_person_id(conn)
        enlist(conn, seq, first_person_id, draft)
    elif content.kind is OrderKind.REVOCATION:
        revoke(conn, seq, content)
    elif draft.subjects:
        apply_to_subjects(conn, facts_of(seq, content), draft.subjects, number=content.number)
    if draft.table_bytes is not None:
        assert content.subjects is not None
        count = len(draft.subjects or draft.enlist_rows or [])
        stored = packed if packing is None else packing.result()
        assert stored is not None
        store_subject_list(conn, draft.table_bytes, count, stored, content.subjects.sha256)
    insert_order_row(conn, seq, content, fingerprint, first_person_id)
    return RecordedOrder(
        seq,
        content.number,
        content.kind.value,
        content.subjects.count if content.subjects else 0,
        first_person_id,
        fingerprint,
    )


def check_number_free(conn: Connection, number: str) -> None:
    """Refuses an order number already used in this registry."""
    if conn.execute(
        select(orders.c.seq).where(orders.c.number_key == numbers.fold(number))
    ).first():
        raise OrderNumberTakenError(number)


def check_signature(
    conn: Connection, content: OrderContent, order_bytes: bytes, signature: bytes, fingerprint: str
) -> None:
    """Refuses an unknown or revoked key, a key of another authority, or a bad signature."""
    key = conn.execute(
        select(authority_keys).where(authority_keys.c.fingerprint == fingerprint)
    ).first()
    if key is None:
        raise SignatureError(
            f"order {content.number}: key {fingerprint} is not registered; "
            "add it with `muster authority key add`"
        )
    if key.authority_code != content.authority:
        raise SignatureError(
            f"order {content.number}: key {fingerprint} belongs to "
            f"{key.authority_code}, not to {content.authority}"
        )
    if key.revoked_seq is not None:
        raise SignatureError(
            f"order {content.number}: key {fingerprint} of "
            f"{content.authority} is revoked; sign with an active key"
        )
    if not signing.verify(bytes(key.public_key), signature, order_bytes):
        raise SignatureError(
            f"order {content.number}: the signature does not verify with "
            f"key {fingerprint} of {content.authority}"
        )


def check_scope(conn: Connection, auth: AuthorityView, content: OrderContent, draft: Draft) -> None:
    """Refuses an order outside its authority's scope (`projection.check_scope`): its kind,
    the order it revokes, its subjects' components as the roll holds them."""
    components: set[str] = set()
    revokes = None
    if draft.enlist_rows is not None:
        components = enlisted_components(draft.enlist_rows)
    elif draft.subjects:
        components = subject_components(conn, [pid for pid, _ in draft.subjects])
    elif content.kind is OrderKind.REVOCATION:
        assert content.revokes is not None
        target = find_order(conn, content.revokes)
        revokes = RevokedOrder(target.number, target.kind, target.revoked_by)
        pids = conn.execute(
            select(order_subjects.c.person_id).where(order_subjects.c.order_seq == target.seq)
        ).scalars()
        components = subject_components(conn, [int(pid) for pid in pids])
    scope = Scope(auth.code, tuple(auth.kinds), tuple(auth.components))
    projection.check_scope(scope, content.kind, components, revokes)


def subject_components(conn: Connection, pids: Sequence[int]) -> set[str]:
    """The components of these people on the roll."""
    found: set[str] = set()
    for i in range(0, len(pids), 500):
        query = select(roll.c.component).distinct().where(roll.c.person_id.in_(pids[i : i + 500]))
        found.update(conn.execute(query).scalars())
    return found


def next_person_id(conn: Connection) -> int:
    """The first person id of a new enlistment: ids run on across enlistments in ledger order."""
    top = conn.execute(
        select(func.max(orders.c.first_person_id + orders.c.subject_count)).where(
            orders.c.kind == OrderKind.ENLISTMENT.value
        )
    ).scalar_one()
    return int(top) if top is not None else 1


def enlist(conn: Connection, seq: int, first: int, draft: Draft) -> None:
    """Put an enlistment's rows on the roll, numbered from `first` in file order."""
    assert draft.enlist_rows is not None
    bulk_insert(conn, roll, ENLIST_COLUMNS, roll_values(draft.enlist_rows, seq, first))


def facts_of(seq: int, content: OrderContent) -> OrderFacts:
    return OrderFacts(
        seq=seq,
        number=content.number,
        kind=content.kind,
        effective=content.effective,
        category=content.category,
        changes=dict(content.changes),
    )


def row_facts(row: Any) -> OrderFacts:
    details = json.loads(row.details) if row.details else {}
    return OrderFacts(
        seq=int(row.seq),
        number=row.number,
        kind=OrderKind(row.kind),
        effective=as_date(row.effective),
        category=Category(row.category) if row.category else None,
        changes=details.get("changes", {}),
    )


def revoked_map(conn: Connection) -> dict[str, date]:
    """Every revoked order's number and the date its revocation takes effect."""
    return {
        r.number: as_date(r.revoked_on)
        for r in conn.execute(
            select(orders.c.number, orders.c.revoked_on).where(orders.c.revoked_on.is_not(None))
        )
    }


def revoker_map(conn: Connection) -> dict[str, int]:
    """Every revoked order's number and the ledger position of the order that revokes it."""
    revoker = orders.alias("revoker")
    return {
        r.number: int(r.seq)
        for r in conn.execute(
            select(orders.c.number, revoker.c.seq).join(
                revoker, revoker.c.number == orders.c.revoked_by
            )
        )
    }


@dataclass
class PersonFile:
    """What the fold needs of one person: current state, enlistment, later orders; and, when
    asked for, the roll's values of their state and their stored periods (what a new fold is
    written over)."""

    state: PersonState
    enlisted_category: Category
    enlistment: OrderFacts
    orders: list[OrderFacts]
    previous: dict[int, dict[str, str]]
    stored: tuple[Any, ...] | None = None  # the roll's STATE_COLUMNS as they are
    periods: dict[str, tuple[Any, ...]] | None = None  # stored periods by start (ISO date)

    def enlisted(self, revoked_on: dict[str, date]) -> PersonState:
        amendments = [o for o in self.orders if o.kind is OrderKind.AMENDMENT]
        return enlisted_state(
            self.state, self.enlisted_category, amendments, self.previous, revoked_on
        )


def load_person_files(
    conn: Connection, pids: Sequence[int], stored: bool = False
) -> dict[int, PersonFile]:
    """The current state and order history of some people, in a few queries (each order
    read and parsed once, however many of these people it names); with `stored`, also
    their roll values and their periods as stored (rows of PERIOD_COLUMNS, as
    `period_values` gives them)."""
    files: dict[int, PersonFile] = {}
    facts: dict[int, OrderFacts] = {}
    previous: dict[int, dict[str, str] | None] = {}

    def read_orders(seqs: set[int]) -> None:
        needed = sorted(seqs - facts.keys())
        for i in range(0, len(needed), 500):
            query = select(orders).where(orders.c.seq.in_(needed[i : i + 500]))
            for o in records(conn.execute(query)):
                seq = int(o.seq)
                facts[seq] = row_facts(o)
                previous[seq] = json.loads(o.details).get("previous", {}) if o.details else None

    for i in range(0, len(pids), 500):
        chunk = pids[i : i + 500]
        rows = list(records(conn.execute(select(roll).where(roll.c.person_id.in_(chunk)))))
        touched = conn.execute(
            select(order_subjects.c.person_id, order_subjects.c.order_seq)
            .where(order_subjects.c.person_id.in_(chunk))
            .order_by(order_subjects.c.order_seq, order_subjects.c.person_id)
        ).all()
        read_orders({int(r.enlisted_seq) for r in rows} | {int(seq) for _, seq in touched})
        for r in rows:
            files[int(r.person_id)] = PersonFile(
                row_to_state(r),
                Category(r.enlisted_category),
                facts[int(r.enlisted_seq)],
                [],
                {},
                _stored_state(r) if stored else None,
                {} if stored else None,
            )
        if stored:
            for values in stored_periods(conn, chunk):
                kept = files[values[PERSON_AT]].periods
                assert kept is not None
                kept[values[FROM_AT]] = values
        for pid, seq in touched:
            f = files[int(pid)]
            seq = int(seq)
            f.orders.append(facts[seq])
            before = previous[seq]
            if before is not None:
                f.previous[seq] = before
    return files


def apply_to_subjects(
    conn: Connection,
    order: OrderFacts | None,
    subjects: Sequence[tuple[int, str]],
    revoked_after: dict[str, date] | None = None,
    revoker: tuple[str, int] | None = None,
    number: str = "",
) -> None:
    """Fold a new order (or a revocation) into each subject's timeline and store the result:
    the roll's final state and every period. Refuses, naming every subject the rules refuse,
    unless the timeline of each holds on every date."""
    pids = [pid for pid, _ in subjects]
    files = load_person_files(conn, pids, stored=True)
    revoked_before = revoked_map(conn)
    revoked_now = revoked_after if revoked_after is not None else revoked_before
    revokers = revoker_map(conn)
    if revoker is not None:
        revoked_number, revoking_seq = revoker
        revokers[revoked_number] = revoking_seq
    spans = PeriodChanges(revoked_before)
    refused: list[str] = []
    causes: list[tuple[str, RefusedError]] = []
    for pid, ref in subjects:
        f = files[pid]
        assert f.stored is not None and f.periods is not None
        try:
            if order is not None and revoked_after is None and spans.extend(pid, f, order):
                continue
            start = f.enlisted(revoked_before)
            timeline = f.orders + ([order] if order is not None else [])
            found = periods(start, f.enlistment, timeline, revoked_now, revokers)
        except RefusedError as err:
            refused.append(f"{ref}: {err}")
            causes.append((ref, err))
            continue
        assert found
        spans.state(pid, f, found[-1].state)
        spans.add(pid, f.periods, found)
    if refused:
        raise SubjectsRefusedError(
            number or (order.number if order else "?"), refused, causes=causes
        )
    if order is not None:
        bulk_insert(
            conn,
            order_subjects,
            ("order_seq", "person_id", "ref"),
            ((order.seq, pid, ref) for pid, ref in subjects),
        )
    write_states(conn, spans.states)
    spans.write(conn)


_stored_state = operator.attrgetter(*STATE_COLUMNS)  # a roll row's values, in that order


def stored_periods(conn: Connection, pids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    """These people's stored periods as rows of PERIOD_COLUMNS, read through the driver:
    dates as ISO text (as SQLite stores them; PostgreSQL's converted)."""
    marks = ", ".join(str(int(p)) for p in pids)
    query = f"SELECT {', '.join(PERIOD_COLUMNS)} FROM person_periods WHERE person_id IN ({marks})"
    postgres = is_postgres(conn)
    for row in conn.exec_driver_sql(query):
        if postgres:
            yield tuple(v.isoformat() if isinstance(v, date) else v for v in row)
        else:
            yield tuple(row)


class PeriodChanges:
    """What turns people's stored periods and roll rows into their new ones: a period whose
    start is stored already is updated in place when anything else of it changed (its end,
    most often: the period a new order closes), a new start is inserted, a start that is no
    longer one is deleted; a period that stays as it is is not written."""

    def __init__(self, revoked_on: dict[str, date]) -> None:
        self.revoked_on = revoked_on  # the revocations before the order being recorded
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []
        self.deletes: list[tuple[int, date]] = []
        self.states: list[StateChange] = []

    def state(self, pid: int, f: PersonFile, new: PersonState) -> None:
        """A person's roll row: what their timeline's last state gives."""
        assert f.stored is not None
        self.states.append(StateChange(pid, f.stored, state_to_values(new)))

    def extend(self, pid: int, f: PersonFile, order: OrderFacts) -> bool:
        """A new order that takes effect after every date on which the person's timeline
        changes already (the usual order: effective today, on someone whose orders all took
        effect before): their fold up to then holds, so the order applies to their current
        state, their open period closes on its date and one more opens, as a whole fold
        would give (`periods`). False, and nothing noted, for any other order (backdated, on
        a date the timeline has, beside a revocation), or when the stored periods are not
        those the roll row closes on: the caller folds the whole timeline then. Raises as
        the fold would when the rules refuse the order."""
        stored = f.periods
        assert stored is not None and f.stored is not None
        if not stored or f.enlistment.number in self.revoked_on:
            return False
        on = order.effective
        if f.enlistment.effective >= on:
            return False
        for o in f.orders:
            revoked = self.revoked_on.get(o.number)
            if o.effective >= on or (revoked is not None and revoked >= on):
                return False
        last = stored[max(stored)]
        start = last[FROM_AT]
        if last[UNTIL_AT] is not None or last != period_values(
            pid, Period(date.fromisoformat(start), None, f.state, last[OPENED_BY_AT])
        ):
            return False
        new = apply(f.state, order)
        if new != f.state:
            self.updates.append((iso_date(on), *last[OPENED_BY_AT:], pid, start))
            self.inserts.append(period_values(pid, Period(on, None, new, order.seq)))
            self.state(pid, f, new)
        return True

    def add(self, pid: int, stored: dict[str, tuple[Any, ...]], found: Sequence[Period]) -> None:
        """One person's stored periods (`stored_periods`, by start) and the periods they now
        have."""
        old = dict(stored)
        for p in found:
            values = period_values(pid, p)
            start = values[FROM_AT]
            before = old.pop(start, None)
            if before is None:
                self.inserts.append(values)
            elif before != values:
                self.updates.append((*values[UNTIL_AT:], pid, start))
        self.deletes.extend((pid, date.fromisoformat(start)) for start in old)

    def write(self, conn: Connection) -> None:
        if self.deletes:
            conn.execute(
                delete(person_periods).where(
                    person_periods.c.person_id == bindparam("pid"),
                    person_periods.c.valid_from == bindparam("start"),
                ),
                [{"pid": pid, "start": start} for pid, start in self.deletes],
            )
        if self.updates:
            bulk_update(
                conn,
                person_periods,
                ("person_id", "valid_from"),
                PERIOD_COLUMNS[UNTIL_AT:],
                self.updates,
            )
        if self.inserts:
            bulk_insert(conn, person_periods, PERIOD_COLUMNS, self.inserts)


@dataclass(frozen=True, slots=True)
class StateChange:
    """A person's roll values as stored and as the new fold gives them (STATE_COLUMNS)."""

    pid: int
    stored: tuple[Any, ...]
    new: dict[str, Any]

    def changed(self) -> tuple[str, ...]:
        """The columns to write: those whose values change (a serial number and its key
        together)."""
        new = self.new
        names = {k for k, v in zip(STATE_COLUMNS, self.stored, strict=True) if new[k] != v}
        if names & SERIAL_COLUMNS:
            names |= SERIAL_COLUMNS
        return tuple(k for k in STATE_COLUMNS if k in names)


SERIAL_COLUMNS = frozenset(("serial_number", "serial_key"))
FORMERS_AT = STATE_COLUMNS.index("former_serials")


def write_states(conn: Connection, changes: Sequence[StateChange]) -> None:
    """Store people's new states, only the columns whose values change (an index of the roll
    is written only where its value changes); former serial numbers follow the states."""
    groups: dict[tuple[str, ...], list[StateChange]] = {}
    for c in changes:
        names = c.changed()
        if names:
            groups.setdefault(names, []).append(c)
    if not groups:
        return
    moved = [c for names, group in groups.items() if "serial_number" in names for c in group]
    if any(c.new["serial_number"] is not None for c in moved):
        # A serial number may pass from one of these people to another: clear every one
        # that changes first, so that the unique index never sees a transient clash.
        bulk_update(
            conn,
            roll,
            "person_id",
            ("serial_number", "serial_key"),
            ((None, None, c.pid) for c in moved),
        )
    for names, group in groups.items():
        bulk_update(
            conn, roll, "person_id", names, ((*(c.new[k] for k in names), c.pid) for c in group)
        )
    formers = [c for names, group in groups.items() if "former_serials" in names for c in group]
    dropped = [c.pid for c in formers if c.stored[FORMERS_AT]]
    for i in range(0, len(dropped), 500):
        conn.execute(
            delete(former_serials).where(former_serials.c.person_id.in_(dropped[i : i + 500]))
        )
    rows = [
        (s, c.pid, numbers.fold(s))
        for c in formers
        for s in (c.new["former_serials"] or "").split(";")
        if s
    ]
    if rows:
        bulk_insert(conn, former_serials, ("serial_number", "person_id", "serial_key"), rows)


def revoke(conn: Connection, seq: int, content: OrderContent) -> None:
    """Undo an earlier order from the revocation's effective date, if every timeline allows."""
    assert content.revokes is not None
    target = find_order(conn, content.revokes)
    check_revocable(RevokedOrder(target.number, target.kind, target.revoked_by))
    after = revoked_map(conn)
    after[target.number] = content.effective
    subjects = [
        (int(r.person_id), r.ref)
        for r in conn.execute(
            select(order_subjects.c.person_id, order_subjects.c.ref).where(
                order_subjects.c.order_seq == target.seq
            )
        )
    ]
    if subjects:
        apply_to_subjects(
            conn,
            None,
            subjects,
            revoked_after=after,
            revoker=(target.number, seq),
            number=content.number,
        )
    conn.execute(
        update(orders)
        .where(orders.c.seq == target.seq)
        .values(revoked_by=content.number, revoked_on=content.effective)
    )


PACK_LEVEL = 1  # zlib's level for stored subject tables: fast, and tables shrink well anyway


def pack_table(table: bytes) -> bytes:
    """A subject table as `subject_lists` stores it (a zlib stream)."""
    return zlib.compress(table, PACK_LEVEL)


def compress_soon(table: bytes) -> Future[bytes]:
    """A subject table compressed in a thread while the rows go in (zlib lets go of the GIL)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="muster-compress")
    try:
        return pool.submit(pack_table, table)
    finally:
        pool.shutdown(wait=False)


def store_subject_list(
    conn: Connection,
    table: bytes,
    count: int,
    packed: bytes | None = None,
    digest: str | None = None,
) -> None:
    """Keep a subject table by its digest (compressed, unless `packed` already is); once.
    `digest`: the table's SHA-256, when the caller has just checked it."""
    digest = sha256_hex(table) if digest is None else digest
    if (
        conn.execute(select(subject_lists.c.sha256).where(subject_lists.c.sha256 == digest)).first()
        is None
    ):
        data = pack_table(table) if packed is None else packed
        conn.execute(subject_lists.insert().values(sha256=digest, count=count, data=data))


def insert_order_row(
    conn: Connection, seq: int, c: OrderContent, fingerprint: str, first_person_id: int | None
) -> None:
    """The order's row of `orders` (`projection.order_values`)."""
    conn.execute(orders.insert().values(order_values(seq, c, fingerprint, first_person_id)))
