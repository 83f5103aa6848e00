"""Group commit for crossings: one thread writes them in batches, each caller waits until its
crossing is durable, and the same thread seals crossings into the ledger: every few seconds,
or sooner once enough crossings wait for a seal, so that no seal holds the commits up long.

One writer means no two transactions queue for SQLite's write lock, and one fsync covers
every crossing that arrived while the previous batch was committing. `muster serve` runs
this writer in a process of its own for all server processes (`crossing_process`).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy import Engine

from muster.errors import MusterError
from muster.screening.crossings import CrossingRecord, insert_crossings, new_crossing_id

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
        seal_after: int = 500,
        on_batch: Callable[[list[str], BaseException | None], object] | None = None,
    ) -> None:
        self.engine, self.seal, self.seal_every_s = engine, seal, seal_every_s
        self.max_batch, self.seal_after = max_batch, seal_after
        self.unsealed = 0  # crossings written since the last seal
        self.on_batch = on_batch  # told the ids of each batch once it is committed (or failed)
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

    async def record(self, record: CrossingRecord, at: str) -> str:
        """Store a crossing; returns its id once it is committed (for an event loop)."""
        crossing_id, done = self.enqueue(record, at)
        await asyncio.wrap_future(done)
        return crossing_id

    async def close(self) -> None:
        """Write what is queued, seal, and end the thread (without blocking the loop)."""
        await asyncio.to_thread(self.stop)

    def enqueue(
        self, record: CrossingRecord, at: str, crossing_id: str | None = None
    ) -> tuple[str, Future[None]]:
        """Queue a crossing: its id (a new one unless given), and a future done once it is
        committed."""
        crossing_id = crossing_id or new_crossing_id()
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
            if (
                stopping
                or self.unsealed >= self.seal_after
                or time.monotonic() - self.last_seal >= self.seal_every_s
            ):
                self._seal()

    def _write(self, batch: list[Item]) -> None:
        try:
            with self.engine.begin() as conn:
                insert_crossings(conn, [(cid, record, at) for cid, record, at, _f in batch])
        except Exception as err:
            for _cid, _r, _at, done in batch:
                done.set_exception(err)
            if self.on_batch is not None:
                self.on_batch([cid for cid, *_ in batch], err)
            return
        self.unsealed += len(batch)
        for _cid, _r, _at, done in batch:
            done.set_result(None)
        if self.on_batch is not None:
            self.on_batch([cid for cid, *_ in batch], None)

    def _seal(self) -> None:
        self.last_seal = time.monotonic()
        self.unsealed = 0
        if self.seal is None:
            return
        try:
            self.seal()
        except MusterError as err:  # keep screening; the next round tries again
            logger.error("sealing crossings failed: %s", err)
