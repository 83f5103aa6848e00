"""A verification of the registry followed from a page: it runs in a thread of the server
process that was asked, and its steps and its result come back on the same connection, so
that the page follows its own job whichever process answers (`muster serve --workers N`).

Nobody following it any more (the page closed, the connection lost) stops it at its next
step: a verification is read-only, so stopping it leaves nothing half done.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from muster import bootstrap
from muster.errors import MusterError
from muster.registry.verify import STAGES, VerifyReport, verify_registry

log = logging.getLogger(__name__)
COUNT_SECONDS = 0.1  # at most this often a count goes to the page (each stage always does)
# One verification at a time in a process: it holds the whole roll in memory while it runs.
RUNNING = threading.BoundedSemaphore(1)


class VerificationBusyError(MusterError):
    """Raised when a verification is asked for while this server process runs one already."""

    def __init__(self) -> None:
        super().__init__("a verification is running on this server already; wait for its end")


class VerificationStoppedError(Exception):
    """Raised in the verifying thread when nobody follows the verification any more."""


class VerificationFailedError(MusterError):
    """Raised (as the result) when the verification could not run to its end: the database
    could not be read, or the server stopped. The server's log says why."""


@dataclass(frozen=True)
class Step:
    """How far a verification is: its stage (an index into `verify.STAGES`) and, for the
    counted stages, how many of their entries or people are done, of how many (else 0, 0)."""

    stage: int
    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        """The whole verification's progress: each stage one equal part of it."""
        part = self.done / self.total if self.total else 0.0
        return min(99, int(100 * (self.stage + part) / len(STAGES)))


@dataclass(frozen=True)
class Finished:
    """The end of a verification: its report, or the error that stopped it, and its time."""

    report: VerifyReport | None
    error: MusterError | None
    seconds: float


Event = Step | Finished


class Tracker:
    """The verification's callbacks, in its thread: each stage and count becomes an event
    for the page, and each is where a verification nobody follows stops."""

    def __init__(self, emit: Callable[[Event], None], stop: threading.Event) -> None:
        self.emit, self.stop = emit, stop
        self.stage, self.sent = 0, 0.0

    def progress(self, message: str) -> None:
        if self.stop.is_set():
            raise VerificationStoppedError
        if message in STAGES:  # rebuilding the roll names each enlistment too: not a stage
            self.stage = STAGES.index(message)
            self.emit(Step(self.stage))

    def counted(self, done: int, total: int) -> None:
        if self.stop.is_set():
            raise VerificationStoppedError
        now = time.monotonic()
        if done >= total or now - self.sent >= COUNT_SECONDS:
            self.sent = now
            self.emit(Step(self.stage, done, total))

    def run(self, engine: Engine) -> None:
        started = time.perf_counter()
        report: VerifyReport | None = None
        error: MusterError | None = None
        try:
            with bootstrap.reading(engine) as conn:
                report = verify_registry(conn, self.progress, counted=self.counted)
        except VerificationStoppedError:
            log.info("verification stopped: nobody follows it any more")
            return
        except MusterError as err:
            error = err
        except Exception:  # the thread's end: the page is told, the log keeps the cause
            log.exception("verification could not run to its end")
            error = VerificationFailedError("the verification could not run to its end")
        finally:
            RUNNING.release()  # before the end is told: the next one may start at once
        self.emit(Finished(report, error, time.perf_counter() - started))


async def verification(engine: Engine) -> AsyncGenerator[Event, None]:
    """Run a verification of the registry and give its steps as they come, then its end;
    VerificationBusyError if this process is verifying already. Closing the iterator before
    its end stops the verification."""
    if not RUNNING.acquire(blocking=False):
        raise VerificationBusyError
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Event] = asyncio.Queue()
    stop = threading.Event()

    def emit(event: Event) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, event)
        except RuntimeError:  # the server's loop is gone: nobody to tell
            stop.set()

    tracker = Tracker(emit, stop)
    try:
        thread = threading.Thread(target=tracker.run, args=(engine,), name="muster-verify")
        thread.daemon = True
        thread.start()
    except BaseException:
        RUNNING.release()
        raise
    try:
        while True:
            event = await queue.get()
            yield event
            if isinstance(event, Finished):
                return
    finally:
        stop.set()
