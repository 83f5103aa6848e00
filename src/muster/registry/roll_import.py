"""Importing a roll file: rows checked on one thread while earlier ones go into the roll.

Checking a row, folding its name and building its canonical form is Python work; inserting
it is SQLite's (or PostgreSQL's) work, and the driver lets go of the GIL while it runs. So a
worker thread checks the file chunk by chunk and hands the good rows over, and this thread
inserts them as they come (on SQLite some two thousand rows a statement, so that the two
threads trade the GIL once a statement, not once a row), inside the one transaction that
then records the order. The canonical subject table grows chunk by chunk on the worker and
is compressed on a thread of its own; into an empty roll the rows go without the indexes,
which are built once they are all in (`store.dialects.indexes_built_after`). The digest,
the draft, the signature and the ledger entry come once every row is in; a bad row
anywhere, a bad signature or any error rolls the whole transaction back.
"""

from __future__ import annotations

import queue
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from muster.actor import Actor
from muster.domain.roll_import import ROLL_COLUMNS, EnlistRow, RollChecker
from muster.ledger.canonical import CanonicalTableParts
from muster.reference_data import load_reference
from muster.registry import drafts
from muster.registry.opening import OpenRegistry, writing
from muster.registry.projection import ENLIST_COLUMNS, roll_values
from muster.registry.recording import (
    PACK_LEVEL,
    RecordedOrder,
    check_number_free,
    next_person_id,
    record_order,
)
from muster.registry.roll_file import RollFile
from muster.store import ledger_store
from muster.store.dialects import bulk_cache, bulk_insert, indexes_built_after
from muster.store.tables import former_serials, roll

# While the two threads share the GIL, the inserting one wants it back after every
# statement; the default switch interval (5 ms) would make it wait that long each time.
SWITCH_INTERVAL_S = 0.00005
# Rows handed to the inserting thread at a time: about what one statement takes (a file's
# chunks are smaller, so that the worker checks them while they are in the CPU's cache).
HANDOVER_ROWS = 2_000
# Bytes of the subject table compressed at a time: each time the compressing thread
# takes the GIL back from the others.
PACK_BYTES = 1 << 20
_DONE = object()


@dataclass(frozen=True)
class EnlistmentRequest:
    """What the importing person asks for: the order's number, authority, dates and grounds."""

    number: str  # "": a fresh one, such as `ENL-REG-GNB-20140101-0002`
    authority: str
    signed_on: date
    effective: date
    grounds: str = ""


Signer = Callable[[bytes], tuple[bytes, str]]  # order bytes -> signature, key fingerprint


def import_roll_file(
    engine: Engine,
    passphrase: str | None,
    actor: Actor,
    file: RollFile,
    request: EnlistmentRequest,
    sign: Signer,
    progress: Callable[[int], None] | None = None,
) -> RecordedOrder:
    """`muster roll import`: check a whole roll file against the roll and record it as one
    signed enlistment order, in one all-or-nothing write; `progress` hears of the rows as
    they are checked."""
    with writing(engine, passphrase) as (conn, reg):
        if not request.number:
            number = drafts.next_order_number(conn, f"ENL-{request.authority}", request.signed_on)
            request = replace(request, number=number)
        checker = RollChecker(
            file.positions,
            load_reference(),
            source=file.source,
            on_roll_serials=serials_ever_held(conn),
            on_roll_ids=national_ids_on_roll(conn),
            latest_birth=request.effective,
            progress=progress,
            header_width=len(file.header),
        )
        return import_roll(conn, reg, actor, file.chunks, checker, request, sign)


def serials_ever_held(conn: Connection) -> set[str]:
    """The serial numbers (their case-free keys) on the roll now or held before by anyone:
    none of them may be given again."""
    serials = {r[0] for r in conn.execute(select(roll.c.serial_key)) if r[0]}
    serials.update(r[0] for r in conn.execute(select(former_serials.c.serial_key)))
    return serials


def national_ids_on_roll(conn: Connection) -> set[str]:
    """The national IDs (cédulas) of everyone on the roll."""
    return {r[0] for r in conn.execute(select(roll.c.national_id))}


def import_roll(
    conn: Connection,
    reg: OpenRegistry,
    actor: Actor,
    chunks: Iterable[Sequence[Sequence[str]]],
    checker: RollChecker,
    request: EnlistmentRequest,
    sign: Signer,
) -> RecordedOrder:
    """Check, insert, sign and record a roll file as one enlistment order; all rows or none.

    `chunks` are the file's data rows in order, a chunk at a time (parsing them may raise
    the file's own errors); `sign` signs the order's bytes once the digest of every row is
    known. The caller's transaction holds the ledger lock, so the entry's position is known
    before the rows go in; on any error it has to roll back (see `indexes_built_after`).
    """
    check_number_free(conn, request.number)
    seq, first = ledger_store.tree_size(conn), next_person_id(conn)
    rows, table, packed = insert_checked(conn, chunks, checker, seq, first)
    draft = drafts.draft_enlistment(
        reg.origin,
        rows,
        number=request.number,
        authority=request.authority,
        signed_on=request.signed_on,
        effective=request.effective,
        grounds=request.grounds,
        table=table,
    )
    signature, fingerprint = sign(draft.order_bytes)
    return record_order(
        conn, reg, actor, draft, signature, fingerprint, rows_stored=(seq, first), packed=packed
    )


def insert_checked(
    conn: Connection,
    chunks: Iterable[Sequence[Sequence[str]]],
    checker: RollChecker,
    seq: int,
    first: int,
) -> tuple[list[EnlistRow], bytes, bytes]:
    """Check the file's rows on a worker thread and insert the good ones on this one, as the
    people numbered from `first` whom ledger entry `seq` enlists: the rows, their canonical
    subject table and its compressed bytes. Refuses the file if any row is bad."""
    rows: list[EnlistRow] = []
    table = SubjectTable(ROLL_COLUMNS)
    handover: queue.Queue[Any] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def produce() -> None:
        values: list[tuple[Any, ...]] = []
        try:
            for chunk in chunks:
                good = checker.check(chunk)
                if stop.is_set():
                    return
                if checker.problems:  # once a row is bad, nothing more needs to go in
                    continue
                values.extend(roll_values(good, seq, first + len(rows)))
                rows.extend(good)
                table.add(good)
                if len(values) >= HANDOVER_ROWS:
                    handover.put(values)
                    values = []
            handover.put(values)
        except BaseException as err:  # handed to the inserting thread, which raises it
            handover.put(err)
        else:
            handover.put(_DONE)

    def received() -> Iterator[tuple[Any, ...]]:
        while (item := handover.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield from item

    worker = threading.Thread(target=produce, name="muster-roll-check", daemon=True)
    usual, inserted = sys.getswitchinterval(), False
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        worker.start()
        with bulk_cache(conn), indexes_built_after(conn, roll):
            bulk_insert(conn, roll, ENLIST_COLUMNS, received())
            checker.finish()  # a bad row anywhere refuses the file before any index is built
        inserted = True
    finally:
        stop.set()
        while worker.is_alive():  # an insert that failed leaves the worker waiting to hand over
            with suppress(queue.Empty):
                handover.get(timeout=0.05)
        sys.setswitchinterval(usual)
        if not inserted:
            table.close()
    return rows, *table.finish()


class SubjectTable:
    """An enlistment's canonical subject table and its compressed form, a chunk of rows at a
    time (the same bytes as `canonical_table` and `zlib.compress` of all the rows at once).

    The parts are compressed in order on a thread of their own: zlib lets go of the GIL, so
    the compression runs beside the checking of later rows and the insert."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._canonical = CanonicalTableParts(columns)
        self._packer = zlib.compressobj(PACK_LEVEL)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="muster-compress")
        self._parts: list[bytes] = [self._canonical.head]
        self._unpacked, self._unpacked_bytes = 0, 0  # the parts not yet being compressed
        self._packed: list[Future[bytes]] = []

    def add(self, rows: Sequence[EnlistRow]) -> None:
        """The next rows of the table."""
        part = self._canonical.part(rows)
        self._parts.append(part)
        self._unpacked_bytes += len(part)
        if self._unpacked_bytes >= PACK_BYTES:
            self._pack()

    def _pack(self) -> None:
        data = b"".join(self._parts[self._unpacked :])
        self._unpacked, self._unpacked_bytes = len(self._parts), 0
        self._packed.append(self._pool.submit(self._packer.compress, data))

    def finish(self) -> tuple[bytes, bytes]:
        """The table's bytes and their zlib stream; no rows may follow."""
        self._parts.append(self._canonical.TAIL)
        self._pack()
        self._packed.append(self._pool.submit(self._packer.flush))
        try:
            packed = b"".join(f.result() for f in self._packed)
        finally:
            self.close()
        table = b"".join(self._parts)
        self._parts, self._packed = [], []
        return table, packed

    def close(self) -> None:
        """Stops compressing (what is left of an import that failed)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
