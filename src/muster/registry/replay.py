"""The registry as its ledger alone says it is: the entries replayed in order, then the roll
and its periods folded from the signed orders, by the projection recording writes
(`registry.projection`). Verification compares what is stored with this."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, Protocol

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.domain import numbers
from muster.domain.errors import RefusedError
from muster.domain.kinds import Category, OrderKind, Status
from muster.domain.orders import OrderContent
from muster.domain.roll import OrderFacts, PersonState, periods
from muster.domain.roll_import import ROLL_COLUMNS
from muster.ledger import entries, signing
from muster.ledger.canonical import sha256_hex
from muster.registry import projection
from muster.registry.findings import Problem, problem
from muster.registry.projection import FROM_AT, RevokedOrder, Scope, order_values, period_values
from muster.store.roll_rows import name_key, state_to_values
from muster.store.tables import subject_lists

CATEGORIES = frozenset(c.value for c in Category)


class Problems(Protocol):
    """Where the replay notes what does not hold (a verification's report)."""

    def add(self, found: Problem) -> None: ...


class SealedCrossing(NamedTuple):
    """A crossing as a batch entry holds it: the batch's ledger position, the record."""

    batch_seq: int
    row: list[Any]


@dataclass
class Replay:
    """The registry as the ledger alone says it is."""

    origin: str = ""
    public_key: bytes = b""
    authorities: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # number -> order row
    contents: list[tuple[int, OrderContent]] = field(default_factory=list)
    tables: dict[int, bytes] = field(default_factory=dict)  # seq -> subject table bytes
    crossings: dict[str, SealedCrossing] = field(default_factory=dict)  # by crossing id
    number_keys: Counter[str] = field(default_factory=Counter)  # folded number -> orders
    scopes: dict[int, Scope] = field(default_factory=dict)  # seq -> its authority's scope
    revokes: dict[int, RevokedOrder] = field(default_factory=dict)  # seq -> order it revokes


SubjectLoader = Callable[[str], bytes | None]


def db_subject_loader(conn: Connection) -> SubjectLoader:
    """Reads subject tables (decompressed) from the database by digest."""

    def load(digest: str) -> bytes | None:
        blob = conn.execute(
            select(subject_lists.c.data).where(subject_lists.c.sha256 == digest)
        ).scalar()
        if blob is None:
            return None
        try:
            return zlib.decompress(bytes(blob))
        except zlib.error:
            return None

    return load


def replay_entry(
    load: SubjectLoader,
    replay: Replay,
    report: Problems,
    seq: int,
    kind: str | None,
    data: bytes,
) -> None:
    """Fold one entry into the replayed registry, noting what does not hold. `kind`: the
    type the database stores beside the entry (None where only the entry is kept, as in an
    export)."""
    try:
        e = entries.read_entry(data)
    except ValueError:
        report.add(problem("entry_unreadable", entry=seq))
        return
    if kind is not None and e["entry"] != kind:
        report.add(problem("entry_type_differs", entry=seq, stored=kind, found=e["entry"]))
    if seq == 0 and e["entry"] != entries.REGISTRY_CREATED:
        report.add(problem("entry_zero_not_registry", entry=0))
        return
    try:
        if seq == 0:
            replay.origin, replay.public_key = e["origin"], entries.unb64(e["public_key"])
        else:
            fold_entry(load, replay, report, seq, e)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        # Only an entry altered after it was recorded lacks what its kind holds.
        report.add(problem("entry_incomplete", entry=seq, kind=e["entry"], error=repr(err)))


def fold_entry(
    load: SubjectLoader, replay: Replay, report: Problems, seq: int, e: dict[str, Any]
) -> None:
    """Fold one entry after the first: authorities, keys, orders, crossing batches."""
    if e["entry"] == entries.AUTHORITY_CREATED:
        a = e["authority"]
        replay.authorities[a["code"]] = {**a, "entry_seq": seq}
    elif e["entry"] == entries.KEY_ADDED:
        raw = entries.unb64(e["public_key"])
        if signing.fingerprint(raw) != e["fingerprint"]:
            report.add(problem("key_fingerprint_differs", entry=seq))
        replay.keys[e["fingerprint"]] = {
            "authority_code": e["authority"],
            "public_key": raw,
            "added_seq": seq,
            "revoked_seq": None,
        }
    elif e["entry"] == entries.KEY_REVOKED:
        if e["fingerprint"] in replay.keys:
            replay.keys[e["fingerprint"]]["revoked_seq"] = seq
    elif e["entry"] == entries.ORDER:
        replay_order(load, replay, report, seq, e)
    elif e["entry"] == entries.CROSSING_BATCH:
        replay_crossings(load, replay, report, seq, e)


def replay_crossings(
    load: SubjectLoader, replay: Replay, report: Problems, seq: int, e: dict[str, Any]
) -> None:
    """A batch of crossings: its table must match the digest the entry holds."""
    digest = e["crossings"]["sha256"]
    table = load(digest)
    if table is None or sha256_hex(table) != digest:
        report.add(problem("crossing_table_altered", entry=seq))
        return
    columns, rows = parse_json_table(table)
    at = columns.index("id")
    for row in rows:
        replay.crossings[row[at]] = SealedCrossing(seq, row)


def replay_order(
    load: SubjectLoader, replay: Replay, report: Problems, seq: int, e: dict[str, Any]
) -> None:
    """Check one order entry: key valid when recorded, signature, subject list; keep what its
    scope is checked against once the roll is folded (`check_scopes`)."""
    order_bytes, signature, fp = entries.unb64(e["order"]), entries.unb64(e["signature"]), e["key"]
    content = OrderContent.from_json(orjson.loads(order_bytes))
    where = {"entry": seq, "order": content.number}
    key = replay.keys.get(fp)
    if key is None or key["authority_code"] != content.authority:
        report.add(problem("order_foreign_key", **where, key=fp, authority=content.authority))
    elif key["revoked_seq"] is not None:
        report.add(problem("order_key_revoked", **where, key=fp))
    elif not signing.verify(key["public_key"], signature, order_bytes):
        report.add(problem("order_signature", **where))
    auth = replay.authorities.get(content.authority)
    if auth is None:
        report.add(problem("order_authority_unknown", **where, authority=content.authority))
    else:
        replay.scopes[seq] = Scope(auth["code"], tuple(auth["kinds"]), tuple(auth["components"]))
    if content.number in replay.orders:
        report.add(problem("order_number_twice", **where))
    if content.registry != replay.origin:
        report.add(problem("order_other_registry", **where, registry=content.registry))
    first = None
    if content.kind is OrderKind.ENLISTMENT:
        first = 1 + sum(
            o["subject_count"]
            for o in replay.orders.values()
            if o["kind"] == OrderKind.ENLISTMENT.value
        )
    if content.subjects is not None:
        table = load(content.subjects.sha256)
        if table is None or sha256_hex(table) != content.subjects.sha256:
            report.add(problem("order_subjects_altered", **where))
        else:
            replay.tables[seq] = table
    if content.kind is OrderKind.REVOCATION:
        target = revoked_order(replay, content.revokes or "")
        if target is None:
            report.add(problem("order_revokes_unknown", **where, revokes=content.revokes))
        else:
            replay.revokes[seq] = RevokedOrder(
                target["number"], target["kind"], target["revoked_by"]
            )
            target["revoked_by"], target["revoked_on"] = content.number, content.effective
    row = replay.orders[content.number] = order_values(seq, content, fp, first)
    row["number_dup"] = replay.number_keys[row["number_key"]]
    replay.number_keys[row["number_key"]] += 1
    replay.contents.append((seq, content))


def revoked_order(replay: Replay, number: str) -> dict[str, Any] | None:
    """The order a revocation names, found as recording finds it: by its number in any case."""
    found = replay.orders.get(number)
    if found is None:
        key = numbers.fold(number)
        found = next((o for o in replay.orders.values() if o["number_key"] == key), None)
    return found


@dataclass
class RebuiltRoll:
    """The roll as the ledger folds it: one tuple per person (ROLL_TUPLE_COLUMNS), subjects,
    former serials, periods; and what the orders' scopes are checked against."""

    people: dict[int, tuple[Any, ...]]
    subjects: dict[tuple[int, int], str]
    formers: dict[str, tuple[int, str]]  # serial number -> (person id, folded)
    periods: dict[tuple[int, str], tuple[Any, ...]]  # (person, valid_from) -> PERIOD_COLUMNS
    components: dict[int, str] = field(default_factory=dict)  # people named by later orders
    enlisted: dict[int, set[str]] = field(default_factory=dict)  # enlistment -> components
    named: dict[int, list[int]] = field(default_factory=dict)  # later order -> its people


def rebuild_roll(replay: Replay, report: Problems, progress: Callable[[str], None]) -> RebuiltRoll:
    """Fold the enlistment tables and the later orders into the roll."""
    rebuilt = RebuiltRoll({}, {}, {}, {})
    by_person = later_orders(replay, rebuilt)
    fold = fold_context(replay)
    for seq, c in replay.contents:
        if c.kind is OrderKind.ENLISTMENT and seq in replay.tables:
            columns, rows = parse_json_table(replay.tables[seq])
            if columns != list(ROLL_COLUMNS):
                report.add(problem("enlistment_columns", order=c.number, columns=ROLL_COLUMNS))
                continue
            progress(f"rebuilding {len(rows):,} people of {c.number}")
            rebuilt.enlisted[seq] = projection.enlisted_components(rows)
            first = replay.orders[c.number]["first_person_id"]
            efacts = OrderFacts(seq, c.number, c.kind, c.effective)
            rebuild_enlisted(rebuilt, report, fold, by_person, efacts, first, rows)
    return rebuilt


def later_orders(replay: Replay, rebuilt: RebuiltRoll) -> dict[int, list[OrderFacts]]:
    """Each person's orders other than their enlistment; fills the expected subject rows and
    the people each order names."""
    by_person: dict[int, list[OrderFacts]] = {}
    for seq, c in replay.contents:
        if c.kind is not OrderKind.ENLISTMENT and seq in replay.tables:
            _columns, rows = parse_json_table(replay.tables[seq])
            facts = OrderFacts(seq, c.number, c.kind, c.effective, c.category, dict(c.changes))
            named = rebuilt.named[seq] = []
            for pid, ref in rows:
                pid = int(pid)
                by_person.setdefault(pid, []).append(facts)
                rebuilt.subjects[(seq, pid)] = ref
                named.append(pid)
    return by_person


@dataclass
class FoldContext:
    """What every person's fold shares: revocations, and folded values seen so far."""

    revoked_on: dict[str, date]
    revoked_by: dict[str, int]
    serial_keys: dict[str, int] = field(default_factory=dict)  # folded serial -> people
    iso_dates: dict[str, str] = field(default_factory=dict)  # enlisted text -> ISO date


def fold_context(replay: Replay) -> FoldContext:
    """Which orders are revoked: on which day, and by the order at which ledger position."""
    revoked_on = {
        o["number"]: o["revoked_on"] for o in replay.orders.values() if o["revoked_on"] is not None
    }
    revoked_by = {
        o["number"]: replay.orders[o["revoked_by"]]["seq"]
        for o in replay.orders.values()
        if o["revoked_by"] is not None
    }
    return FoldContext(revoked_on, revoked_by)


def rebuild_enlisted(
    rebuilt: RebuiltRoll,
    report: Problems,
    fold: FoldContext,
    by_person: dict[int, list[OrderFacts]],
    efacts: OrderFacts,
    first: int,
    rows: list[list[Any]],
) -> None:
    """The expected roll rows of one enlistment's people, and the periods of those with
    later orders. A person with none is on the roll as enlisted: their row follows from the
    enlistment row alone, without a fold."""
    expected, serial_keys, iso_dates = rebuilt.people, fold.serial_keys, fold.iso_dates
    seq, active = efacts.seq, Status.ACTIVE.value
    for i, r in enumerate(rows):
        pid = first + i
        # A row of ROLL_COLUMNS, unpacked: 2,000,000 of them are read here.
        serial, nid, given, surnames, born, sex, component, rank, category, unit = r
        serial_key = numbers.fold(serial)
        serial_dup = serial_keys.get(serial_key, 0)
        serial_keys[serial_key] = serial_dup + 1
        later = by_person.get(pid)
        if later is None:
            birth = iso_dates.get(born)
            if birth is None:
                birth = iso_dates[born] = date.fromisoformat(born).isoformat()
            if category not in CATEGORIES:
                Category(category)  # raises as the fold would
            expected[pid] = (
                pid, serial, nid, given, surnames, birth, sex, component, rank, category, unit,
                active, False, None, None, seq, category, name_key(given, surnames), serial_key,
                serial_dup,
            )  # fmt: skip
            continue
        rebuilt.components[pid] = component
        enlisted = PersonState(
            pid, serial, nid, given, surnames, date.fromisoformat(born), sex, component, rank,
            Category(category), unit,
        )  # fmt: skip
        state = fold_person(rebuilt, report, fold, efacts, later, enlisted)
        if state is not None:
            expected[pid] = (*roll_tuple(state, seq, Category(category)), serial_dup)


def fold_person(
    rebuilt: RebuiltRoll,
    report: Problems,
    fold: FoldContext,
    efacts: OrderFacts,
    later: list[OrderFacts],
    state: PersonState,
) -> PersonState | None:
    """A person's state after their orders, with the periods and former serials they give."""
    pid = state.person_id
    try:
        spans = periods(state, efacts, later, fold.revoked_on, fold.revoked_by)
    except Exception as err:
        report.add(problem("person_unfoldable", person=pid, error=str(err)))
        return None
    for span in spans:
        values = period_values(pid, span)
        rebuilt.periods[(pid, values[FROM_AT])] = values
    state = spans[-1].state
    for s in state.former_serial_numbers:
        rebuilt.formers[s] = (pid, numbers.fold(s))
    return state


def check_scopes(report: Problems, replay: Replay, rebuilt: RebuiltRoll) -> None:
    """Every order within its authority's scope, by the rules recording refuses orders by
    (`projection.check_scope`): its kind, the order it revokes, its subjects' components."""
    for seq, c in replay.contents:
        scope = replay.scopes.get(seq)
        revokes = replay.revokes.get(seq)
        if scope is None or (c.kind is OrderKind.REVOCATION and revokes is None):
            continue  # named when the entry was replayed
        where = {"entry": seq, "order": c.number}
        if c.kind is OrderKind.ENLISTMENT:
            components = rebuilt.enlisted.get(seq, set())
        else:
            named_by = replay.orders[revokes.number]["seq"] if revokes else seq
            people = rebuilt.named.get(named_by, [])
            known = rebuilt.components
            components = {known[pid] for pid in people if pid in known}
            unknown = next((pid for pid in people if pid not in known), None)
            if unknown is not None:
                report.add(problem("order_names_unknown", **where, person=unknown))
        try:
            projection.check_scope(scope, c.kind, components, revokes)
        except RefusedError as err:
            report.add(problem("order_out_of_scope", **where, error=str(err)))


ROLL_TUPLE_COLUMNS = (
    "person_id", "serial_number", "national_id", "given_names", "surnames", "birth_date", "sex",
    "component", "rank", "category", "unit", "status", "reinstated", "former_serials",
    "removed_rank", "enlisted_seq", "enlisted_category", "name_key", "serial_key", "serial_dup",
)  # fmt: skip


def parse_json_table(data: bytes) -> tuple[list[str], list[list[Any]]]:
    obj = orjson.loads(data)
    return obj["columns"], obj["rows"]


def roll_tuple(s: PersonState, enlisted_seq: int, enlisted_category: Category) -> tuple[Any, ...]:
    """A person's roll row as ROLL_TUPLE_COLUMNS orders it, but for `serial_dup`."""
    v = state_to_values(s)
    return (
        s.person_id,
        v["serial_number"],
        v["national_id"],
        v["given_names"],
        v["surnames"],
        s.birth_date.isoformat(),
        v["sex"],
        s.component,
        v["rank"],
        v["category"],
        v["unit"],
        v["status"],
        v["reinstated"],
        v["former_serials"],
        v["removed_rank"],
        enlisted_seq,
        enlisted_category.value,
        v["name_key"],
        v["serial_key"],
    )
