"""`muster verify`: recompute the ledger, check every signature, rebuild every projection."""

from __future__ import annotations

import gc
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.domain import numbers
from muster.domain.kinds import Category, OrderKind, Status
from muster.domain.orders import OrderContent
from muster.domain.roll import OrderFacts, PersonState, periods
from muster.errors import with_article
from muster.ledger import entries, merkle, note, signing
from muster.ledger.canonical import sha256_hex
from muster.registry.opening import registry_row
from muster.registry.trust import NO_KEY, TrustedKey, key_fingerprint, key_problem
from muster.store import ledger_store
from muster.store.roll_rows import name_key, state_to_values
from muster.store.tables import (
    authorities,
    authority_keys,
    checkpoints,
    former_serials,
    merkle_nodes,
    order_subjects,
    orders,
    subject_lists,
)

MAX_PROBLEMS = 200
CATEGORIES = frozenset(c.value for c in Category)


@dataclass
class VerifyReport:
    """What verification found: sizes, the last order applied, and every problem."""

    tree_size: int = 0
    root: str = ""
    checkpoints: int = 0
    orders: int = 0
    people: int = 0
    last_order: str | None = None
    pending_crossings: int = 0
    origin: str = ""  # the registry's, as the key checked against names it
    key_fingerprint: str = ""  # that key's: hex SHA-256 of its raw public key
    key_source: str = "own"  # "key" given, "fingerprint" pinned, or the thing's "own" key
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("… more problems not listed")

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tree_size": self.tree_size,
            "root": self.root,
            "checkpoints": self.checkpoints,
            "orders": self.orders,
            "people": self.people,
            "last_order": self.last_order,
            "pending_crossings": self.pending_crossings,
            "origin": self.origin,
            "key_fingerprint": self.key_fingerprint,
            "key_source": self.key_source,
            "problems": self.problems,
        }


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
    crossings: dict[str, tuple[int, list[str]]] = field(default_factory=dict)  # id -> batch
    number_keys: Counter[str] = field(default_factory=Counter)  # folded number -> orders


def verify_registry(
    conn: Connection,
    progress: Callable[[str], None] = lambda _: None,
    trust: TrustedKey = NO_KEY,
) -> VerifyReport:
    """Check everything the registry stores against its ledger, and its key against the one
    trusted when one was given; never raises on a problem."""
    report = VerifyReport(key_source=trust.source)
    origin, public = registry_row(conn)
    own = note.Verifier(origin, note.key_id(origin, public), public)
    report.origin, report.key_fingerprint = origin, key_fingerprint(own)
    problem = key_problem(trust, own, "table registry")
    if problem:
        report.add(problem)
    progress("ledger entries")
    leaves: list[bytes] = []
    replay = Replay()
    load = db_subject_loader(conn)
    for seq, kind, data, stored_leaf in ledger_store.iter_entries(conn):
        leaf = merkle.leaf_hash(data)
        if leaf != stored_leaf:
            report.add(
                f"ledger entry {seq}: its data does not match its stored leaf hash "
                "(the entry was altered)"
            )
        leaves.append(leaf)
        replay_entry(load, replay, report, seq, kind, data)
    report.tree_size = len(leaves)
    if replay.origin != origin or replay.public_key != public:
        report.add("table registry: origin or public key differs from ledger entry 0")
    progress("Merkle tree and checkpoints")
    tree = merkle.MemoryNodes(leaves)
    check_tree(conn, report, tree, len(leaves))
    check_checkpoints(conn, report, tree, origin, replay.public_key or public)
    progress("projections")
    check_authorities(conn, report, replay)
    check_orders(conn, report, replay)
    with collector_paused():
        check_roll(conn, report, replay, progress)
    check_crossings(conn, report, replay)
    if replay.contents:
        report.last_order = replay.contents[-1][1].number
    report.orders = len(replay.contents)
    return report


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a while: the roll's millions of rows hold no cycles,
    and the collector would walk them all again each time it runs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    load: SubjectLoader, replay: Replay, report: VerifyReport, seq: int, kind: str, data: bytes
) -> None:
    """Fold one entry into the replayed registry, noting what does not hold."""
    try:
        e = entries.read_entry(data)
    except ValueError:
        report.add(f"ledger entry {seq}: not a readable Muster entry")
        return
    if e["entry"] != kind:
        report.add(f"ledger entry {seq}: stored type {kind!r} but the entry says {e['entry']!r}")
    if seq == 0 and e["entry"] != entries.REGISTRY_CREATED:
        report.add("ledger entry 0: expected the registry-created entry")
        return
    try:
        if seq == 0:
            replay.origin, replay.public_key = e["origin"], entries.unb64(e["public_key"])
        else:
            fold_entry(load, replay, report, seq, e)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        # Only an entry altered after it was recorded lacks what its kind holds.
        report.add(
            f"ledger entry {seq}: {with_article(e['entry'])} entry that cannot be read ({err!r})"
        )


def fold_entry(
    load: SubjectLoader, replay: Replay, report: VerifyReport, seq: int, e: dict[str, Any]
) -> None:
    """Fold one entry after the first: authorities, keys, orders, crossing batches."""
    if e["entry"] == entries.AUTHORITY_CREATED:
        a = e["authority"]
        replay.authorities[a["code"]] = {**a, "entry_seq": seq}
    elif e["entry"] == entries.KEY_ADDED:
        raw = entries.unb64(e["public_key"])
        if signing.fingerprint(raw) != e["fingerprint"]:
            report.add(f"ledger entry {seq}: key fingerprint does not match its public key")
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
    load: SubjectLoader, replay: Replay, report: VerifyReport, seq: int, e: dict[str, Any]
) -> None:
    """A batch of crossings: its table must match the digest the entry holds."""
    digest = e["crossings"]["sha256"]
    table = load(digest)
    if table is None or sha256_hex(table) != digest:
        report.add(f"ledger entry {seq} (crossing batch): its crossing table is missing or altered")
        return
    _cols, rows = parse_json_table(table)
    for row in rows:
        replay.crossings[row[0]] = (seq, row)


def replay_order(
    load: SubjectLoader, replay: Replay, report: VerifyReport, seq: int, e: dict[str, Any]
) -> None:
    """Check one order entry: key valid when recorded, signature, scope, subject list."""
    order_bytes, signature, fp = entries.unb64(e["order"]), entries.unb64(e["signature"]), e["key"]
    content = OrderContent.from_json(orjson.loads(order_bytes))
    where = f"ledger entry {seq} (order {content.number})"
    key = replay.keys.get(fp)
    if key is None or key["authority_code"] != content.authority:
        report.add(f"{where}: signed with key {fp}, not a key of {content.authority}")
    elif key["revoked_seq"] is not None:
        report.add(f"{where}: key {fp} was revoked before the order was recorded")
    elif not signing.verify(key["public_key"], signature, order_bytes):
        report.add(f"{where}: the signature does not verify")
    auth = replay.authorities.get(content.authority)
    if auth is None or content.kind.value not in auth["kinds"]:
        report.add(f"{where}: {content.kind.value} is outside the scope of {content.authority}")
    if content.number in replay.orders:
        report.add(f"{where}: order number used twice")
    if content.registry != replay.origin:
        report.add(f"{where}: drafted for another registry ({content.registry})")
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
            report.add(f"{where}: its subject list is missing or altered")
        else:
            replay.tables[seq] = table
    if content.kind is OrderKind.REVOCATION and content.revokes in replay.orders:
        target = replay.orders[content.revokes]
        target["revoked_by"], target["revoked_on"] = content.number, content.effective
    replay.orders[content.number] = order_row(seq, content, fp, first)
    folded = replay.orders[content.number]["number_key"] = numbers.fold(content.number)
    replay.orders[content.number]["number_dup"] = replay.number_keys[folded]
    replay.number_keys[folded] += 1
    replay.contents.append((seq, content))


def order_row(seq: int, c: OrderContent, fp: str, first: int | None) -> dict[str, Any]:
    details = None
    if c.changes:
        details = {"changes": dict(c.changes), "previous": dict(c.previous)}
    return {
        "seq": seq,
        "number": c.number,
        "kind": c.kind.value,
        "authority_code": c.authority,
        "key_fingerprint": fp,
        "signed_on": c.signed_on,
        "effective": c.effective,
        "subject_count": c.subjects.count if c.subjects else 0,
        "subjects_sha256": c.subjects.sha256 if c.subjects else None,
        "first_person_id": first,
        "category": c.category.value if c.category else None,
        "valid_from": c.valid_from,
        "valid_until": c.valid_until,
        "revokes": c.revokes,
        "revoked_by": None,
        "revoked_on": None,
        "details": details,
    }


def check_tree(conn: Connection, report: VerifyReport, tree: merkle.MemoryNodes, size: int) -> None:
    expected = sum(size >> level for level in range(size.bit_length() + 1) if size >> level)
    stored = 0
    for level, idx, h in conn.execute(
        select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash)
    ):
        stored += 1
        level, idx = int(level), int(idx)
        if (idx + 1) << level > size or tree.node(level, idx) != bytes(h):
            report.add(f"Merkle node level {level} index {idx}: does not match the entries")
    if stored != expected:
        report.add(f"Merkle nodes: {stored} stored, {expected} expected for {size} entries")
    report.root = merkle.root(size, tree).hex() if size else ""


def check_checkpoints(
    conn: Connection, report: VerifyReport, tree: merkle.MemoryNodes, origin: str, public: bytes
) -> None:
    verifier = note.verifier_key(origin, public)
    latest = -1
    for size, root, text in conn.execute(
        select(checkpoints.c.size, checkpoints.c.root, checkpoints.c.note)
    ):
        report.checkpoints += 1
        size = int(size)
        latest = max(latest, size)
        try:
            body, _names = note.open_note(text, [verifier])
            cp = note.parse_checkpoint(body)
        except Exception as err:
            report.add(f"checkpoint at size {size}: signature or format does not verify ({err})")
            continue
        if cp.size != size or cp.origin != origin or cp.root_hash != bytes(root):
            report.add(f"checkpoint at size {size}: its note disagrees with its stored row")
        if size > report.tree_size or merkle.root(size, tree) != cp.root_hash:
            report.add(f"checkpoint at size {size}: root does not match the ledger's entries")
    if latest != report.tree_size:
        report.add(
            f"latest checkpoint covers {latest} entries, the ledger holds {report.tree_size}"
        )


def compare_rows(
    report: VerifyReport,
    what: str,
    expected: dict[Any, dict[str, Any]],
    stored: Iterable[Any],
    key: str,
) -> None:
    seen = set()
    for row in stored:
        k = getattr(row, key)
        seen.add(k)
        want = expected.get(k)
        if want is None:
            report.add(f"{what} {k}: stored, but no ledger entry accounts for it")
            continue
        for name, value in want.items():
            have = norm(getattr(row, name))
            if have != norm(value):
                report.add(f"{what} {k}: {name} stored {have!r}, ledger says {norm(value)!r}")
    for k in expected.keys() - seen:
        report.add(f"{what} {k}: missing from its table")


def norm(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def check_authorities(conn: Connection, report: VerifyReport, replay: Replay) -> None:
    want = {
        code: {
            "name": a["name"],
            "kinds": ",".join(a["kinds"]),
            "components": ",".join(a["components"]),
            "holders": json.dumps(a["holders"], ensure_ascii=False),
            "entry_seq": a["entry_seq"],
        }
        for code, a in replay.authorities.items()
    }
    compare_rows(report, "authority", want, conn.execute(select(authorities)), "code")
    compare_rows(
        report, "authority key", replay.keys, conn.execute(select(authority_keys)), "fingerprint"
    )


def check_orders(conn: Connection, report: VerifyReport, replay: Replay) -> None:
    want = {
        o["number"]: {k: v for k, v in o.items() if k != "details"} for o in replay.orders.values()
    }
    rows = conn.execute(select(orders)).all()
    compare_rows(report, "order", want, rows, "number")
    for row in rows:
        o = replay.orders.get(row.number)
        if o is not None and (json.loads(row.details) if row.details else None) != o["details"]:
            report.add(f"order {row.number}: details stored differ from the signed order")


@dataclass
class RebuiltRoll:
    """The roll as the ledger folds it: one tuple per person, subjects, former serials."""

    people: dict[int, tuple[Any, ...]]
    subjects: dict[tuple[int, int], str]
    formers: dict[str, tuple[int, str]]  # serial number -> (person id, folded)
    periods: dict[tuple[int, str], tuple[Any, ...]]  # (person, valid_from) -> PERIOD_COLUMNS


def rebuild_roll(
    replay: Replay, report: VerifyReport, progress: Callable[[str], None]
) -> RebuiltRoll:
    """Fold the enlistment tables and the later orders into the roll."""
    rebuilt = RebuiltRoll({}, {}, {}, {})
    by_person = later_orders(replay, rebuilt.subjects)
    fold = fold_context(replay)
    for seq, c in replay.contents:
        if c.kind is OrderKind.ENLISTMENT and seq in replay.tables:
            _cols, rows = parse_json_table(replay.tables[seq])
            progress(f"rebuilding {len(rows):,} people of {c.number}")
            first = replay.orders[c.number]["first_person_id"]
            efacts = OrderFacts(seq, c.number, c.kind, c.effective)
            rebuild_enlisted(rebuilt, report, fold, by_person, efacts, first, rows)
    report.people = len(rebuilt.people)
    return rebuilt


def later_orders(
    replay: Replay, subjects_want: dict[tuple[int, int], str]
) -> dict[int, list[OrderFacts]]:
    """Each person's orders other than their enlistment; fills the expected subject rows."""
    by_person: dict[int, list[OrderFacts]] = {}
    for seq, c in replay.contents:
        if c.kind is not OrderKind.ENLISTMENT and seq in replay.tables:
            _cols, rows = parse_json_table(replay.tables[seq])
            facts = OrderFacts(seq, c.number, c.kind, c.effective, c.category, dict(c.changes))
            for pid, ref in rows:
                by_person.setdefault(int(pid), []).append(facts)
                subjects_want[(seq, int(pid))] = ref
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
    report: VerifyReport,
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
        serial_key = numbers.fold(r[0])
        serial_dup = serial_keys.get(serial_key, 0)
        serial_keys[serial_key] = serial_dup + 1
        later = by_person.get(pid)
        if later is None:
            birth = iso_dates.get(r[4])
            if birth is None:
                birth = iso_dates[r[4]] = date.fromisoformat(r[4]).isoformat()
            if r[8] not in CATEGORIES:
                Category(r[8])  # raises as the fold would
            expected[pid] = (
                pid, r[0], r[1], r[2], r[3], birth, r[5], r[6], r[7], r[8], r[9], active,
                False, None, None, seq, r[8], name_key(r[2], r[3]), serial_key, serial_dup,
            )  # fmt: skip
            continue
        state = fold_person(rebuilt, report, fold, efacts, later, enlisted_from_row(pid, r))
        if state is not None:
            expected[pid] = (*roll_tuple(state, seq, Category(r[8])), serial_dup)


def fold_person(
    rebuilt: RebuiltRoll,
    report: VerifyReport,
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
        report.add(f"person {pid}: the orders do not fold ({err})")
        return None
    for span in spans:
        rebuilt.periods[(pid, span.start.isoformat())] = (
            span.until.isoformat() if span.until else None,
            span.opened_by,
            *period_tuple(span.state),
        )
    state = spans[-1].state
    for s in state.former_serial_numbers:
        rebuilt.formers[s] = (pid, numbers.fold(s))
    return state


def check_roll(
    conn: Connection, report: VerifyReport, replay: Replay, progress: Callable[[str], None]
) -> None:
    """Rebuild the roll from the ledger and compare it with the stored roll."""
    rebuilt = rebuild_roll(replay, report, progress)
    expected, subjects_want, formers_want = rebuilt.people, rebuilt.subjects, rebuilt.formers
    stored_count = 0
    cols = ", ".join(ROLL_TUPLE_COLUMNS)
    for row in conn.exec_driver_sql(f"SELECT {cols} FROM roll ORDER BY person_id"):
        stored_count += 1
        want = expected.get(int(row[0]))
        if want is None:
            report.add(f"roll person {row[0]}: stored, but no enlistment accounts for it")
            continue
        # Only the birth date can come back from the driver unlike the ledger's value (a
        # date, not its ISO text); equal here is equal after `norm`, so only a row that
        # differs pays for normalising every value.
        birth = row[5]
        have = tuple(row) if type(birth) is str else (*row[:5], norm(birth), *row[6:])
        if have == want:
            continue
        have = tuple(norm(v) for v in row)
        have = (*have[:12], bool(have[12]), *have[13:])
        if have != want:
            diffs = column_diffs(ROLL_TUPLE_COLUMNS, have, want)
            report.add(f"roll person {row[0]} ({want[1] or want[2]}): {diffs}")
    if stored_count != len(expected):
        report.add(f"roll: {stored_count} rows stored, the ledger accounts for {len(expected)}")
    stored_subjects = {
        (int(r.order_seq), int(r.person_id)): r.ref for r in conn.execute(select(order_subjects))
    }
    if stored_subjects != subjects_want:
        bad = set(stored_subjects.items()) ^ set(subjects_want.items())
        report.add(f"order_subjects: {len(bad)} row(s) differ from the signed subject lists")
    stored_formers = {
        r.serial_number: (int(r.person_id), r.serial_key)
        for r in conn.execute(select(former_serials))
    }
    if stored_formers != formers_want:
        report.add("former_serials: differs from the serial numbers struck off in the ledger")
    check_periods(conn, report, rebuilt.periods)


def column_diffs(names: Iterable[str], have: tuple[Any, ...], want: tuple[Any, ...]) -> str:
    """The columns whose stored value differs from the ledger's, in words."""
    return "; ".join(
        f"{n} stored {a!r}, ledger says {b!r}"
        for n, a, b in zip(names, have, want, strict=True)
        if a != b
    )


def check_periods(
    conn: Connection, report: VerifyReport, want: dict[tuple[int, str], tuple[Any, ...]]
) -> None:
    """The stored periods must be exactly those the ledger's orders give, person by person."""
    cols = ", ".join(("person_id", "valid_from", *PERIOD_COLUMNS))
    seen = set()
    query = f"SELECT {cols} FROM person_periods ORDER BY person_id, valid_from"
    for row in conn.exec_driver_sql(query):
        values = [norm(v) for v in row]
        key = (int(values[0]), str(values[1]))
        have = tuple(values[2:])
        have = (*have[:13], bool(have[13]), *have[14:])
        seen.add(key)
        expected = want.get(key)
        if expected is None:
            report.add(f"period of person {key[0]} from {key[1]}: stored, but no order opens it")
        elif have != expected:
            diffs = column_diffs(PERIOD_COLUMNS, have, expected)
            report.add(f"period of person {key[0]} from {key[1]}: {diffs}")
    for pid, start in sorted(want.keys() - seen):
        report.add(f"period of person {pid} from {start}: missing from its table")


ROLL_TUPLE_COLUMNS = (
    "person_id", "serial_number", "national_id", "given_names", "surnames", "birth_date", "sex",
    "component", "rank", "category", "unit", "status", "reinstated", "former_serials",
    "removed_rank", "enlisted_seq", "enlisted_category", "name_key", "serial_key", "serial_dup",
)  # fmt: skip
PERIOD_COLUMNS = ("valid_until", "opened_by", *ROLL_TUPLE_COLUMNS[1:15], "name_key")


def parse_json_table(data: bytes) -> tuple[list[str], list[list[Any]]]:
    obj = orjson.loads(data)
    return obj["columns"], obj["rows"]


def enlisted_from_row(pid: int, r: list[str]) -> PersonState:
    return PersonState(
        pid,
        r[0],
        r[1],
        r[2],
        r[3],
        date.fromisoformat(r[4]),
        r[5],
        r[6],
        r[7],
        Category(r[8]),
        r[9],
    )


def roll_tuple(s: PersonState, enlisted_seq: int, enlisted_category: Category) -> tuple[Any, ...]:
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


def period_tuple(s: PersonState) -> tuple[Any, ...]:
    """A period's state columns as `check_periods` reads them (PERIOD_COLUMNS after two)."""
    whole = roll_tuple(s, 0, s.category)
    return (*whole[1:15], whole[17])


def check_crossings(conn: Connection, report: VerifyReport, replay: Replay) -> None:
    """Sealed crossings must be exactly what their batch entries hold."""
    from muster.registry.sealing import crossing_rows
    from muster.store.tables import crossings

    seen: set[str] = set()
    pending = 0
    for row in conn.execute(select(crossings)):
        if row.batch_seq is None:
            pending += 1
            continue
        seen.add(row.id)
        sealed = replay.crossings.get(row.id)
        if sealed is None or sealed[0] != int(row.batch_seq):
            report.add(
                f"crossing {row.id}: marked sealed in entry {row.batch_seq}, "
                "but no batch entry holds it"
            )
        elif crossing_rows([row])[0] != sealed[1]:
            report.add(f"crossing {row.id}: stored record differs from ledger entry {sealed[0]}")
    for crossing_id in replay.crossings.keys() - seen:
        report.add(f"crossing {crossing_id}: in the ledger but missing from its table")
    report.pending_crossings = pending
