"""`muster verify`: recompute the ledger, check every signature, rebuild every projection."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.ledger import merkle, note
from muster.registry.findings import Difference, Problem, problem
from muster.registry.opening import registry_row
from muster.registry.projection import FROM_AT, PERIOD_COLUMNS, PERSON_AT, REINSTATED_AT
from muster.registry.replay import (
    ROLL_TUPLE_COLUMNS,
    RebuiltRoll,
    Replay,
    check_scopes,
    db_subject_loader,
    rebuild_roll,
    replay_entry,
)
from muster.registry.trust import NO_KEY, TrustedKey, key_fingerprint, key_problem
from muster.store import ledger_store
from muster.store.tables import (
    authorities,
    authority_keys,
    checkpoints,
    former_serials,
    merkle_nodes,
    order_subjects,
    orders,
)

MAX_PROBLEMS = 200
# The stages a verification of the database goes through, in order: the messages it gives
# `progress` as each begins (rebuilding the roll adds its own, one per enlistment, between).
ENTRIES = "ledger entries"
TREE = "Merkle tree and checkpoints"
RECORDS = "authorities and orders"
REBUILD = "the roll, rebuilt from the orders"
ROLL = "the stored roll and its periods"
CROSSINGS = "crossings"
STAGES = (ENTRIES, TREE, RECORDS, REBUILD, ROLL, CROSSINGS)
COUNT_EVERY = 1000  # entries, or stored people, between two counts of the stage under way

Progress = Callable[[str], None]
Counted = Callable[[int, int], None]  # how far the stage under way is: done, of total


def not_counted(_done: int, _total: int) -> None:
    """Nobody follows the counts."""


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
    # Each a coded `Problem` where verification finds it; a plain text only where an export's
    # files are checked (`registry.export`).
    problems: list[Problem | str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def messages(self) -> list[str]:
        """The problems in English, as `muster verify` prints them."""
        return [str(p) for p in self.problems]

    def add(self, found: Problem | str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(found)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(problem("more_problems"))

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
            "problems": self.messages,
        }


def verify_registry(
    conn: Connection,
    progress: Progress = lambda _: None,
    trust: TrustedKey = NO_KEY,
    counted: Counted = not_counted,
) -> VerifyReport:
    """Check everything the registry stores against its ledger, and its key against the one
    trusted when one was given; never raises on a problem. `progress` is told each of
    STAGES as it begins; `counted`, how far the counted ones (the ledger's entries, the
    stored roll's people) are, every COUNT_EVERY and at their end. Either may raise to stop
    the verification (its exception goes through)."""
    report = VerifyReport(key_source=trust.source)
    origin, public = registry_row(conn)
    own = note.Verifier(origin, note.key_id(origin, public), public)
    report.origin, report.key_fingerprint = origin, key_fingerprint(own)
    untrusted = key_problem(trust, own, "table registry")
    if untrusted:
        report.add(untrusted)
    progress(ENTRIES)
    leaves: list[bytes] = []
    replay = Replay()
    load = db_subject_loader(conn)
    total = ledger_store.tree_size(conn)
    for seq, kind, data, stored_leaf in ledger_store.iter_entries(conn):
        if seq % COUNT_EVERY == 0:
            counted(seq, total)
        leaf = merkle.leaf_hash(data)
        if leaf != stored_leaf:
            report.add(problem("entry_altered", entry=seq))
        leaves.append(leaf)
        replay_entry(load, replay, report, seq, kind, data)
    report.tree_size = len(leaves)
    counted(len(leaves), len(leaves))
    if replay.origin != origin or replay.public_key != public:
        report.add(problem("registry_differs"))
    progress(TREE)
    tree = merkle.MemoryNodes(leaves)
    check_tree(conn, report, tree, len(leaves))
    check_checkpoints(conn, report, tree, origin, replay.public_key or public)
    progress(RECORDS)
    check_authorities(conn, report, replay)
    check_orders(conn, report, replay)
    with collector_paused():
        progress(REBUILD)
        rebuilt = rebuild_checked(replay, report, progress)
        progress(ROLL)
        check_roll(conn, report, rebuilt, counted)
    progress(CROSSINGS)
    check_crossings(conn, report, replay)
    return report


def rebuild_checked(
    replay: Replay, report: VerifyReport, progress: Callable[[str], None]
) -> RebuiltRoll:
    """The roll the replayed ledger folds to, every order's scope checked against it, and the
    report's people, orders and last order counted (for a database and an export alike)."""
    rebuilt = rebuild_roll(replay, report, progress)
    report.people = len(rebuilt.people)
    check_scopes(report, replay, rebuilt)
    if replay.contents:
        _seq, last = replay.contents[-1]
        report.last_order = last.number
    report.orders = len(replay.contents)
    return rebuilt


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


def check_tree(conn: Connection, report: VerifyReport, tree: merkle.MemoryNodes, size: int) -> None:
    expected = sum(size >> level for level in range(size.bit_length() + 1) if size >> level)
    stored = 0
    for level, idx, h in conn.execute(
        select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash)
    ):
        stored += 1
        level, idx = int(level), int(idx)
        if (idx + 1) << level > size or tree.node(level, idx) != bytes(h):
            report.add(problem("merkle_node_differs", level=level, index=idx))
    if stored != expected:
        report.add(problem("merkle_node_count", stored=stored, expected=expected, size=size))
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
            report.add(problem("checkpoint_unverified", size=size, error=str(err)))
            continue
        if cp.size != size or cp.origin != origin or cp.root_hash != bytes(root):
            report.add(problem("checkpoint_row_differs", size=size))
        if size > report.tree_size or merkle.root(size, tree) != cp.root_hash:
            report.add(problem("checkpoint_root_differs", size=size))
    if latest != report.tree_size:
        report.add(problem("checkpoint_behind", covered=latest, size=report.tree_size))


def compare_rows(
    report: VerifyReport,
    what: str,
    expected: dict[Any, dict[str, Any]],
    stored: Iterable[Any],
    key: str,
) -> None:
    """Stored rows against the ledger's, by `key`; `what` begins the problems' codes
    (`authority`, `authority_key`, `order`)."""
    seen = set()
    for row in stored:
        k = getattr(row, key)
        seen.add(k)
        want = expected.get(k)
        if want is None:
            report.add(problem(f"{what}_unaccounted", key=k))
            continue
        for name, value in want.items():
            have = norm(getattr(row, name))
            if have != norm(value):
                report.add(
                    problem(f"{what}_differs", key=k, field=name, stored=have, expected=norm(value))
                )
    for k in expected.keys() - seen:
        report.add(problem(f"{what}_missing", key=k))


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
        report, "authority_key", replay.keys, conn.execute(select(authority_keys)), "fingerprint"
    )


def check_orders(conn: Connection, report: VerifyReport, replay: Replay) -> None:
    want = {
        o["number"]: {k: v for k, v in o.items() if k != "details"} for o in replay.orders.values()
    }
    rows = conn.execute(select(orders)).all()
    compare_rows(report, "order", want, rows, "number")
    for row in rows:
        o = replay.orders.get(row.number)
        if o is not None and parsed(row.details) != parsed(o["details"]):
            report.add(problem("order_details_differ", order=row.number))


def parsed(details: str | None) -> Any:
    """An order's details as their JSON says (however it is spaced)."""
    return json.loads(details) if details else None


# Positions in ROLL_TUPLE_COLUMNS: the stored roll is read as the driver's tuples, the
# 2,000,000 of them compared whole with the rebuilt ones.
ROLL_PERSON_AT = ROLL_TUPLE_COLUMNS.index("person_id")
BIRTH_AT = ROLL_TUPLE_COLUMNS.index("birth_date")
ROLL_REINSTATED_AT = ROLL_TUPLE_COLUMNS.index("reinstated")
SERIAL_AT, NATIONAL_ID_AT = (ROLL_TUPLE_COLUMNS.index(c) for c in ("serial_number", "national_id"))


def check_roll(
    conn: Connection, report: VerifyReport, rebuilt: RebuiltRoll, counted: Counted = not_counted
) -> None:
    """Compare the stored roll with the roll rebuilt from the ledger."""
    expected, subjects_want, formers_want = rebuilt.people, rebuilt.subjects, rebuilt.formers
    stored_count = 0
    total = len(expected)
    cols = ", ".join(ROLL_TUPLE_COLUMNS)
    person_at, birth_at, reinstated_at = ROLL_PERSON_AT, BIRTH_AT, ROLL_REINSTATED_AT
    rows = iter(conn.exec_driver_sql(f"SELECT {cols} FROM roll ORDER BY person_id"))
    # Counted a chunk at a time: nothing more is asked of each of the millions of rows.
    while chunk := list(islice(rows, COUNT_EVERY)):
        counted(stored_count, total)
        for row in chunk:
            stored_count += 1
            pid = int(row[person_at])
            want = expected.get(pid)
            if want is None:
                report.add(problem("roll_person_unaccounted", person=pid))
                continue
            # Only the birth date can come back from the driver unlike the ledger's value (a
            # date, not its ISO text); equal here is equal after `norm`, so only a row that
            # differs pays for normalising every value.
            birth = row[birth_at]
            if type(birth) is str:
                have = tuple(row)
            else:
                have = (*row[:birth_at], norm(birth), *row[birth_at + 1 :])
            if have == want:
                continue
            values = [norm(v) for v in row]
            values[reinstated_at] = bool(values[reinstated_at])
            if tuple(values) != want:
                diffs = column_diffs(ROLL_TUPLE_COLUMNS, tuple(values), want)
                shown = want[SERIAL_AT] or want[NATIONAL_ID_AT]
                report.add(problem("roll_person_differs", person=pid, who=shown, differences=diffs))
    counted(stored_count, max(total, stored_count))
    if stored_count != len(expected):
        report.add(problem("roll_count", stored=stored_count, expected=len(expected)))
    stored_subjects = {
        (int(r.order_seq), int(r.person_id)): r.ref for r in conn.execute(select(order_subjects))
    }
    if stored_subjects != subjects_want:
        bad = set(stored_subjects.items()) ^ set(subjects_want.items())
        report.add(problem("order_subjects_differ", count=len(bad)))
    stored_formers = {
        r.serial_number: (int(r.person_id), r.serial_key)
        for r in conn.execute(select(former_serials))
    }
    if stored_formers != formers_want:
        report.add(problem("former_serials_differ"))
    check_periods(conn, report, rebuilt.periods)


def column_diffs(
    names: Iterable[str], have: tuple[Any, ...], want: tuple[Any, ...]
) -> tuple[Difference, ...]:
    """The columns whose stored value differs from the ledger's."""
    return tuple(Difference(n, a, b) for n, a, b in zip(names, have, want, strict=True) if a != b)


def check_periods(
    conn: Connection, report: VerifyReport, want: dict[tuple[int, str], tuple[Any, ...]]
) -> None:
    """The stored periods must be exactly those the ledger's orders give, person by person
    (rows of PERIOD_COLUMNS, as recording writes them: `projection.period_values`)."""
    seen = set()
    query = f"SELECT {', '.join(PERIOD_COLUMNS)} FROM person_periods ORDER BY person_id, valid_from"
    for row in conn.exec_driver_sql(query):
        values = [norm(v) for v in row]
        values[REINSTATED_AT] = bool(values[REINSTATED_AT])
        have = tuple(values)
        pid, start = int(have[PERSON_AT]), str(have[FROM_AT])
        seen.add((pid, start))
        expected = want.get((pid, start))
        if expected is None:
            report.add(problem("period_unaccounted", person=pid, start=start))
        elif have != expected:
            diffs = column_diffs(PERIOD_COLUMNS, have, expected)
            report.add(problem("period_differs", person=pid, start=start, differences=diffs))
    for pid, start in sorted(want.keys() - seen):
        report.add(problem("period_missing", person=pid, start=start))


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
        if sealed is None or sealed.batch_seq != int(row.batch_seq):
            report.add(problem("crossing_unsealed", crossing=row.id, entry=row.batch_seq))
        elif crossing_rows([row]) != [sealed.row]:
            report.add(problem("crossing_differs", crossing=row.id, entry=sealed.batch_seq))
    for crossing_id in replay.crossings.keys() - seen:
        report.add(problem("crossing_missing", crossing=crossing_id))
    report.pending_crossings = pending
