"""Finding a traveler on the registry's roll with Muster's matcher (`muster.matching`).

Everyone ever on the roll is in the matcher's index, struck-off deserters included, each named
by the serial number they last held and keyed by their person id. The index follows the roll:
before each lookup it checks whether orders were recorded since it was built and re-files only
the people those orders touched (an enlistment adds them, an amendment changes their identity,
a strike-off moves their serial number to their history), without a rebuild.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from muster.domain.kinds import OrderKind
from muster.domain.roll import PersonState
from muster.environment import today
from muster.errors import MusterError
from muster.matching import Matcher, MatchResult, Member, Traveler, Verdict
from muster.matching.columns import RollColumns
from muster.matching.index_file import IndexFileError
from muster.matching.records import last_serial
from muster.registry import standing
from muster.store.roll_rows import as_date
from muster.store.tables import order_subjects, orders, person_periods, registry, roll

CHUNK = 5_000
logger = logging.getLogger("muster.identify")


@dataclass(frozen=True)
class Identification:
    """Who the traveler is on the roll, how sure, and why."""

    verdict: str  # match, possible, no_match
    score: float
    person_id: int | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {"verdict": self.verdict, "score": self.score, "reasons": list(self.reasons)}

    @classmethod
    def of(cls, result: MatchResult) -> Identification:
        """The matcher's result as the screening service uses it: the best candidate's
        evidence, any close runner-up and any ignored input."""
        best = result.best
        if best is None or result.verdict is Verdict.NO_MATCH:
            closest = () if best is None else (f"closest candidate scores {best.score:.2f}",)
            return cls(
                Verdict.NO_MATCH.value,
                result.score,
                None,
                ("no one on the roll is close enough", *closest, *result.notes),
            )
        reasons = [str(e) for e in best.evidence]
        reasons.extend(result.reason_parts()[1:])  # after the evidence itemised above
        return cls(result.verdict.value, result.score, int(best.key), tuple(reasons))


def _member(
    person_id: int,
    serial: str | None,
    formers: str,
    national_id: str,
    given: str,
    surnames: str,
    born: date,
    sex: str,
) -> Member:
    row = {
        "serial_number": serial or "",
        "national_id": national_id,
        "given_names": given,
        "surnames": surnames,
        "birth_date": born.isoformat(),
        "sex": sex,
    }
    return Member.from_roll_row(row, str(person_id), formers)


# What the matcher reads of a person's roll entry, in this order.
MEMBER_COLUMNS = (
    roll.c.person_id,
    roll.c.serial_number,
    roll.c.former_serials,
    roll.c.national_id,
    roll.c.given_names,
    roll.c.surnames,
    roll.c.birth_date,
    roll.c.sex,
)


def member_of(state: PersonState) -> Member:
    """A person's state as a matcher member, named by the serial number they last held."""
    return _member(
        state.person_id,
        state.serial_number,
        ";".join(state.former_serial_numbers),
        state.national_id,
        state.given_names,
        state.surnames,
        state.birth_date,
        state.sex,
    )


def current_members(conn: Connection, person_ids: list[int], day: date) -> Iterator[Member]:
    """These people as matcher members, as they stand on `day` (someone enlisted by an order
    effective later: as they enlist); the whole roll is read as columns: `roll_columns`."""
    for i in range(0, len(person_ids), CHUNK):
        chunk = person_ids[i : i + CHUNK]
        states = standing.states_on(conn, chunk, day, or_first=True)
        for pid in chunk:
            state = states.get(pid)
            if state is not None:
                yield member_of(state)


def roll_columns(conn: Connection, day: date) -> RollColumns:
    """Everyone ever on the roll as they stand on `day` (enlisted later: as they enlist), read
    as columns (the fast way to index 2M)."""
    dated = standing.dated_states(conn, day, or_first=True)
    keys: list[str] = []
    serials: list[str] = []
    given: list[str] = []
    surnames: list[str] = []
    born: list[str] = []
    national_ids: list[str] = []
    sexes: list[str] = []
    names = ", ".join(c.name for c in MEMBER_COLUMNS)
    # The driver's rows as they come: 2,000,000 of them go faster without SQLAlchemy's
    # result processing (a date arrives as text on SQLite, as a date on PostgreSQL).
    rows = conn.exec_driver_sql(f"SELECT {names} FROM roll ORDER BY person_id")
    for pid, serial, formers, nid, g, s, b, sex in rows:
        if pid in dated:
            state = dated[pid]
            if state is None:
                continue
            serial, formers = state.serial_number, ";".join(state.former_serial_numbers)
            nid, g, s, b, sex = (
                state.national_id,
                state.given_names,
                state.surnames,
                state.birth_date,
                state.sex,
            )
        keys.append(str(pid))
        serials.append(last_serial(serial, formers))  # struck off: the last they held
        given.append(g)
        surnames.append(s)
        born.append(b if isinstance(b, str) else b.isoformat())
        national_ids.append(nid)
        sexes.append(sex)
    return RollColumns.of(keys, serials, given, surnames, born, national_ids, sexes)


def columns_as_of(conn: Connection, as_of: date) -> RollColumns:
    """`members_as_of` gathered as columns, for `Matcher.from_columns`."""
    columns = RollColumns()
    for member in members_as_of(conn, as_of):
        columns.add_member(member)
    return columns


def members_as_of(conn: Connection, as_of: date) -> Iterator[Member]:
    """Everyone on the roll on `as_of` (enlisted by an order effective by then), with the
    identity and serial number the orders in effect by then give them."""
    dated = standing.dated_states(conn, as_of, or_first=False)
    enlisted_by = orders.alias("e")
    untouched = (
        select(*MEMBER_COLUMNS)
        .join(enlisted_by, enlisted_by.c.seq == roll.c.enlisted_seq)
        .where(enlisted_by.c.effective <= as_of)
        .order_by(roll.c.person_id)
    )
    for pid, serial, formers, nid, given, surnames, born, sex in conn.execute(untouched):
        if int(pid) not in dated:  # a row of MEMBER_COLUMNS
            yield _member(int(pid), serial, formers or "", nid, given, surnames, as_date(born), sex)
    for _pid, state in sorted(dated.items()):
        if state is not None:
            yield member_of(state)


# Orders that change who is on the roll or how they are named.
FOLLOWED = (
    OrderKind.ENLISTMENT,
    OrderKind.AMENDMENT,
    OrderKind.STRIKE_OFF,
    OrderKind.REINSTATEMENT,
    OrderKind.REVOCATION,
)


LAST_ORDER = select(func.coalesce(func.max(orders.c.seq), 0))  # built once: asked per screening


def last_order_seq(conn: Connection) -> int:
    """The ledger position of the last order recorded (0 before any)."""
    return int(conn.execute(LAST_ORDER).scalar_one())


class OrderWatch:
    """The ledger's last order as a screening server sees it: read again when `max_age_s` has
    passed since the last read, and at once after this process records an order itself.

    Most screenings then need no database read at all (people, directives and the index are
    kept until the next order). Orders recorded by another process (the CLI, another server
    process) are taken into account within `max_age_s`.
    """

    def __init__(self, max_age_s: float = 0.1) -> None:
        self.max_age_s = max_age_s
        self._seq: int | None = None
        self._read_at = 0.0

    def last_order(self, conn: Connection) -> int:
        now = time.monotonic()
        seq = self._seq
        if seq is None or now - self._read_at > self.max_age_s:
            seq = self._seq = last_order_seq(conn)
            self._read_at = now
        return seq

    def recorded(self) -> None:
        """An order was recorded here: read the ledger again before the next screening."""
        self._seq = None


def touched_since(conn: Connection, seq: int) -> list[int]:
    """People whose roll entry orders recorded after ledger position `seq` may have changed."""
    kinds = [k.value for k in FOLLOWED]
    recent = select(orders.c.seq).where(orders.c.seq > seq, orders.c.kind.in_(kinds))
    revoked = select(orders.c.seq).where(
        orders.c.number.in_(
            select(orders.c.revokes).where(orders.c.seq > seq, orders.c.revokes.is_not(None))
        )
    )
    named = select(order_subjects.c.person_id).where(
        order_subjects.c.order_seq.in_(recent.union(revoked))
    )
    people = {int(pid) for pid in conn.execute(named).scalars()}
    enlisted = select(roll.c.person_id).where(roll.c.enlisted_seq > seq)
    people.update(int(pid) for pid in conn.execute(enlisted).scalars())
    return sorted(people)


class StaleIndexError(MusterError):
    """Raised when a saved index does not belong to this registry or its ledger."""


@contextmanager
def file_lock(path: Path, how: int) -> Iterator[None]:
    """An advisory lock on a saved index, between the processes of one server."""
    with path.with_suffix(".lock").open("a") as handle:
        fcntl.flock(handle, how)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def registry_file(path: Path) -> Path:
    """The note beside a saved index naming its registry and last order."""
    return path.with_suffix(".registry.json")


def registry_fingerprint(conn: Connection) -> str:
    """The registry's identity: the SHA-256 of its public key."""
    key = conn.execute(select(registry.c.public_key)).scalar_one()
    return hashlib.sha256(bytes(key)).hexdigest()


class RollMatcher:
    """The registry's roll in the matcher's index, following the orders recorded since."""

    def __init__(self, matcher: Matcher, seq: int, day: date | None) -> None:
        self.matcher = matcher
        self.seq = seq  # the last order the index reflects
        self.day = day  # the day its members' identities are as of (None: unknown)
        self.saved_seq: int | None = None  # the last order of the index file, if any
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        conn: Connection,
        path: Path | None,
        day: date | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> tuple[RollMatcher, str]:
        """The index saved in `path` brought up to date with the orders recorded since, or,
        when there is none fit for this registry, one built from the roll and saved there.
        Returns the matcher and what was done, in words. `day`: the day to screen on
        (default: `config.today()`); `progress` is told each step of a build as it starts."""
        day = day or today()
        if path is not None and path.exists():
            try:
                matcher, how = cls.load(conn, path), "loaded"
            except (IndexFileError, StaleIndexError) as err:
                logger.warning("%s; building the index again", err)
            else:
                touched = matcher.refresh(conn, day=day)
                return matcher, (
                    f"{how} {path} (then re-filed {touched} touched by later orders or dates)"
                )
        matcher = cls.from_registry(conn, day, progress)
        if path is None:
            return matcher, "built from the roll"
        matcher.save(conn, path)
        return matcher, f"built from the roll and saved to {path}"

    @classmethod
    def load(cls, conn: Connection, path: Path) -> RollMatcher:
        """An index saved by `save` for this registry (digest checked)."""
        try:
            about = orjson.loads(registry_file(path).read_bytes())
        except (OSError, orjson.JSONDecodeError) as err:
            raise StaleIndexError(f"match index {path}: no registry note ({err})") from None
        if about.get("registry") != registry_fingerprint(conn):
            raise StaleIndexError(f"match index {path} belongs to another registry")
        seq = int(about.get("last_order", -1))
        if not 0 <= seq <= last_order_seq(conn):
            raise StaleIndexError(f"match index {path} is ahead of this registry's ledger")
        day = date.fromisoformat(about["day"]) if about.get("day") else None
        with file_lock(path, fcntl.LOCK_SH):  # not while another process writes it
            matcher = cls(Matcher.load(path), seq, day)
        matcher.saved_seq = seq
        return matcher

    def save(self, conn: Connection, path: Path) -> None:
        """Save the index (with a note of the registry and the last order it reflects), while
        nothing else uses it: at start, before screening, or when the server stops."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, file_lock(path, fcntl.LOCK_EX):  # one writer, no reader meanwhile
            self.matcher.save(path)
            note = {
                "registry": registry_fingerprint(conn),
                "last_order": self.seq,
                "day": None if self.day is None else self.day.isoformat(),
            }
            registry_file(path).write_bytes(orjson.dumps(note))
            self.saved_seq = self.seq

    @classmethod
    def from_registry(
        cls,
        conn: Connection,
        day: date | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> RollMatcher:
        """An index of everyone ever on the roll as they stand on `day` (default today; name
        frequencies learnt from them); `progress` is told each step as it starts (reading the
        roll, then the index's `INDEX_STEPS`)."""
        day = day or today()
        seq = last_order_seq(conn)
        if progress is not None:
            progress("reading the roll")
        columns = roll_columns(conn, day)
        return cls(Matcher.from_columns(columns, progress=progress), seq, day)

    def refresh(self, conn: Connection, latest: int | None = None, day: date | None = None) -> int:
        """File again the people touched by orders recorded since the last look, and those
        whose state changes between the index's day and `day` (default today); how many.
        `latest`: the last order's ledger position, when the caller has read it already."""
        if latest is None:
            latest = last_order_seq(conn)
        day = day or today()
        if latest == self.seq and day == self.day:
            return 0
        with self._lock:
            people: set[int] = set()
            if latest > self.seq:
                people.update(touched_since(conn, self.seq))
            if self.day is None:
                dated = conn.execute(select(person_periods.c.person_id)).scalars()
                people.update(int(pid) for pid in dated)
            elif day != self.day:
                people.update(standing.changing_between(conn, self.day, day))
            for member in current_members(conn, sorted(people), day):
                self.matcher.add(member)
            self.seq, self.day = max(latest, self.seq), day
            return len(people)

    def search(self, traveler: Traveler, limit: int) -> MatchResult:
        """Up to `limit` people the traveler may be, best first, each with their evidence
        (`Matcher.search`), on the index as it stands: the caller has it `refresh`ed first
        where the screenings do (a search from another thread never writes the index, and
        reads it only while no `refresh` writes)."""
        with self._lock:
            return self.matcher.search(traveler, limit)

    def compare_members(self, traveler: Traveler, members: list[Member], limit: int) -> MatchResult:
        """The traveler compared with these members, weighed by the index's name frequencies
        (`Matcher.compare_members`), read while no `refresh` writes them."""
        with self._lock:
            return self.matcher.compare_members(traveler, members, limit)

    def identify(
        self,
        conn: Connection,
        traveler: Traveler,
        last_order: int | None = None,
        day: date | None = None,
    ) -> Identification:
        """Who the traveler is on the roll as it stands on `day` (default today)."""
        self.refresh(conn, last_order, day)
        return Identification.of(self.matcher.match(traveler))
