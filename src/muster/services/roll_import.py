"""Importing a roll file: rows checked on one thread while earlier ones go into the roll.

Checking a row, folding its name and building its canonical form is Python work; inserting
it is SQLite's (or PostgreSQL's) work, and the driver lets go of the GIL while it runs. So a
worker thread checks the file chunk by chunk and hands the good rows over, and this thread
inserts them as they come, inside the one transaction that then records the order. The
digest, the draft, the signature and the ledger entry come once every row is in; a bad row
anywhere, a bad signature or any error rolls the whole transaction back.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from muster.domain.roll_import import EnlistRow, RollChecker
from muster.services import drafts
from muster.services.context import Actor
from muster.services.recording import (
    ENLIST_COLUMNS,
    RecordedOrder,
    check_number_free,
    next_person_id,
    record_order,
    roll_values,
)
from muster.services.registry import OpenRegistry
from muster.store import ledger_store
from muster.store.dialects import bulk_insert
from muster.store.tables import roll

# While the two threads share the GIL, the inserting one wants it back after every row's
# step; the default switch interval (5 ms) would make it wait that long for each row.
SWITCH_INTERVAL_S = 0.00005
_DONE = object()


@dataclass(frozen=True)
class EnlistmentRequest:
    """What the importing person asks for: the order's number, authority, dates and grounds."""

    number: str
    authority: str
    signed_on: date
    effective: date
    grounds: str = ""


Signer = Callable[[bytes], tuple[bytes, str]]  # order bytes -> signature, key fingerprint


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
    before the rows go in.
    """
    check_number_free(conn, request.number)
    seq, first = ledger_store.tree_size(conn), next_person_id(conn)
    rows: list[EnlistRow] = []
    handover: queue.Queue[Any] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                good = checker.check(chunk)
                rows.extend(good)
                if stop.is_set():
                    return
                if not checker.problems:  # once a row is bad, nothing more needs to go in
                    handover.put(list(roll_values(good, seq, first + len(rows) - len(good))))
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
    usual = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        worker.start()
        bulk_insert(conn, roll, ENLIST_COLUMNS, received())
    finally:
        stop.set()
        while worker.is_alive():  # an insert that failed leaves the worker waiting to hand over
            with suppress(queue.Empty):
                handover.get(timeout=0.05)
        sys.setswitchinterval(usual)
    checker.finish()
    draft = drafts.draft_enlistment(
        reg.origin,
        rows,
        number=request.number,
        authority=request.authority,
        signed_on=request.signed_on,
        effective=request.effective,
        grounds=request.grounds,
    )
    signature, fingerprint = sign(draft.order_bytes)
    return record_order(conn, reg, actor, draft, signature, fingerprint, rows_stored=(seq, first))
