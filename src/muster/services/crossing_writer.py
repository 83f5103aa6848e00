"""Group commit for crossings: one thread writes them in batches, each caller waits until its
crossing is durable, and the same thread seals crossings into the ledger every few seconds.

One writer means no two transactions queue for SQLite's write lock, and one fsync covers
every crossing that arrived while the previous batch was committing.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy import Engine

from muster.errors import MusterError
from muster.services.crossings import CrossingRecord, insert_crossings, new_crossing_id

logger = logging.getLogger("muster.crossings")
Item = tuple[str, CrossingRecord, str, "Future[None]"]


class CrossingWriter:
    """Writes crossings in groups from one thread and seals them periodically."""

    def __init__(
        self,
        engine: Engine,
        seal: Callable[[], object] | None,
        seal_every_s: float = 2.0,
        max_batch: int = 1000,
    ) -> None:
        self.engine, self.seal, self.seal_every_s = engine, seal, seal_every_s
        self.max_batch = max_batch
        self.queue: queue.Queue[Item | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="crossing-writer", daemon=True)
        self.last_seal = time.monotonic()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Write what is queued, seal, and end the thread."""
        self.queue.put(None)
        self.thread.join(timeout=60)

    def submit(self, record: CrossingRecord, at: str, timeout_s: float = 30.0) -> str:
        """Store a crossing; returns its id once it is committed."""
        crossing_id, done = self.enqueue(record, at)
        done.result(timeout=timeout_s)
        return crossing_id

    def enqueue(self, record: CrossingRecord, at: str) -> tuple[str, Future[None]]:
        """Queue a crossing: its id, and a future done once it is committed (an event loop
        awaits it with `asyncio.wrap_future`)."""
        crossing_id = new_crossing_id()
        done: Future[None] = Future()
        self.queue.put((crossing_id, record, at, done))
        return crossing_id, done

    def _run(self) -> None:
        stopping = False
        while not stopping:
            wait = max(0.05, self.seal_every_s - (time.monotonic() - self.last_seal))
            try:
                first = self.queue.get(timeout=wait)
            except queue.Empty:
                first = None
                stopping = False
            else:
                stopping = first is None
            batch = [] if first is None else [first]
            while len(batch) < self.max_batch:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            if batch:
                self._write(batch)
            if stopping or time.monotonic() - self.last_seal >= self.seal_every_s:
                self._seal()

    def _write(self, batch: list[Item]) -> None:
        try:
            with self.engine.begin() as conn:
                insert_crossings(conn, [(cid, record, at) for cid, record, at, _f in batch])
        except Exception as err:
            for _cid, _r, _at, done in batch:
                done.set_exception(err)
            return
        for _cid, _r, _at, done in batch:
            done.set_result(None)

    def _seal(self) -> None:
        self.last_seal = time.monotonic()
        if self.seal is None:
            return
        try:
            self.seal()
        except MusterError as err:  # keep screening; the next round tries again
            logger.error("sealing crossings failed: %s", err)
