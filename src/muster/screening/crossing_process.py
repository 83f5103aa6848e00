"""One crossing writer for every server process.

`muster serve` starts a writer process before its server processes. The writer owns the
crossings' group commit and their seal into the ledger (`CrossingWriter`); each server
process sends it the crossings it decides over a Unix socket and answers the officer once
the writer says the crossing is committed. So SQLite sees one writer of crossings however
many processes serve, and the commits' work is off the processes that decide.

On the socket each message is a frame: a 4-byte big-endian length, then a JSON object.
A server process sends `{"id", "at", "record": {…CrossingRecord…}}` for each crossing; the
writer answers `{"ids": [...]}` once those crossings are committed, or `{"ids", "error"}`
when they could not be.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import struct
import tempfile
import threading
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from muster.actor import Actor
from muster.config import Settings, log_to_stderr
from muster.errors import MusterError
from muster.registry.opening import writing
from muster.registry.sealing import seal_crossings
from muster.screening.crossing_writer import CrossingWriter
from muster.screening.crossings import CrossingRecord, new_crossing_id
from muster.store.dialects import make_engine

logger = logging.getLogger("muster.crossings")
FRAME = struct.Struct(">I")
START_TIMEOUT_S = 30.0


class CrossingWriterUnavailableError(MusterError):
    """Raised when the crossing writer cannot be reached or lost a crossing's commit (503)."""


def frame(message: dict[str, Any]) -> bytes:
    body = orjson.dumps(message)
    return FRAME.pack(len(body)) + body


async def read_frame(reader: asyncio.StreamReader) -> Any:
    """The next message, or None when the other side closed the connection."""
    try:
        head = await reader.readexactly(FRAME.size)
        (size,) = FRAME.unpack(head)
        return orjson.loads(await reader.readexactly(size))
    except asyncio.IncompleteReadError:
        return None


class CrossingClient:
    """A server process's end of the socket: `record` returns the crossing's id once the
    writer process has committed it. The crossings decided in one turn of the event loop go
    out in one write. Reconnects on the next crossing after a lost connection; the crossings
    in flight then fail (503), none is answered unrecorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stream: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[None]] = {}
        self._outbox: list[bytes] = []
        self._connecting = asyncio.Lock()

    async def record(self, record: CrossingRecord, at: str) -> str:
        stream = await self._connected()
        crossing_id = new_crossing_id()
        done = asyncio.get_running_loop().create_future()
        self._pending[crossing_id] = done
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush, stream)
        # orjson writes the dataclass as an object of its fields
        self._outbox.append(frame({"id": crossing_id, "at": at, "record": record}))
        await done
        return crossing_id

    def _flush(self, stream: asyncio.StreamWriter) -> None:
        data, self._outbox = b"".join(self._outbox), []
        if not stream.is_closing():
            stream.write(data)  # if it closed, `_read` fails what was pending

    async def _connected(self) -> asyncio.StreamWriter:
        if self._stream is not None and not self._stream.is_closing():
            return self._stream
        async with self._connecting:
            if self._stream is None or self._stream.is_closing():
                try:
                    reader, self._stream = await asyncio.open_unix_connection(str(self.path))
                except OSError as err:
                    raise CrossingWriterUnavailableError(
                        f"the crossing writer is not reachable ({err.strerror or err})"
                    ) from None
                self._reading = asyncio.create_task(self._read(reader, self._stream))
            return self._stream

    async def _read(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        try:
            while (message := await read_frame(reader)) is not None:
                error = message.get("error")
                for crossing_id in message["ids"]:
                    done = self._pending.pop(crossing_id, None)
                    if done is None or done.done():
                        continue
                    if error is None:
                        done.set_result(None)
                    else:
                        done.set_exception(
                            CrossingWriterUnavailableError(
                                f"the crossing was not recorded: {error}"
                            )
                        )
        finally:
            stream.close()
            if self._stream is stream:
                self._stream = None
            lost, self._pending = self._pending, {}
            for done in lost.values():
                if not done.done():
                    done.set_exception(
                        CrossingWriterUnavailableError(
                            "the crossing writer closed the connection before committing"
                        )
                    )

    async def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._reading is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading


class CrossingServer:
    """The writer process's end: crossings from every connection go to one `CrossingWriter`;
    once a batch is committed, each connection is told its ids in one message."""

    def __init__(self, engine: Engine, seal: Callable[[], object] | None) -> None:
        self.writer = CrossingWriter(engine, seal, on_batch=self._written)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._senders: dict[str, asyncio.StreamWriter] = {}  # crossing id -> its connection

    async def serve(self, path: Path, stop: asyncio.Event) -> None:
        """Take crossings on `path` until `stop` is set, then write what is queued and seal."""
        self._loop = asyncio.get_running_loop()
        server = await asyncio.start_unix_server(self._connection, str(path))
        self.writer.start()
        async with server:
            await stop.wait()
        await self.writer.close()

    async def _connection(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        while (message := await read_frame(reader)) is not None:
            self._senders[message["id"]] = stream
            record = CrossingRecord(**message["record"])
            self.writer.enqueue(record, message["at"], message["id"])

    def _written(self, ids: list[str], error: BaseException | None) -> None:  # writer thread
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._answer, ids, None if error is None else str(error))

    def _answer(self, ids: list[str], error: str | None) -> None:
        by_stream: dict[asyncio.StreamWriter, list[str]] = {}
        for crossing_id in ids:
            stream = self._senders.pop(crossing_id, None)
            if stream is not None:
                by_stream.setdefault(stream, []).append(crossing_id)
        for stream, mine in by_stream.items():
            if not stream.is_closing():
                message: dict[str, Any] = {"ids": mine}
                if error is not None:
                    message["error"] = error
                stream.write(frame(message))


def seal_pending(engine: Engine, settings: Settings) -> int | None:
    """Seal the crossings not yet in the ledger (needs the registry passphrase)."""
    secret = settings.registry_passphrase
    if secret is None:
        return None
    with writing(engine, secret.get_secret_value()) as (conn, _reg):
        return seal_crossings(conn, Actor.current())


def writer_main(settings: Settings, path: Path, ready: Event, parent: int) -> None:
    """The writer process: commits and seals crossings until the server asks it to stop
    (SIGTERM) or goes away. Ctrl-C reaches the whole process group; the writer outlives the
    server processes it serves and stops after them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    log_to_stderr()
    engine = make_engine(settings.database_url)
    crossings = CrossingServer(engine, partial(seal_pending, engine, settings))

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

        async def orphaned() -> None:  # the server was killed without stopping us
            while os.getppid() == parent:
                await asyncio.sleep(1.0)
            stop.set()

        watch = asyncio.create_task(orphaned())
        serving = asyncio.create_task(crossings.serve(path, stop))
        while not path.exists() and not serving.done():
            await asyncio.sleep(0.01)
        ready.set()
        await serving
        watch.cancel()

    try:
        try:
            import uvloop
        except ImportError:  # not on every platform; the standard loop does the same
            asyncio.run(main())
        else:
            uvloop.run(main())
    finally:
        engine.dispose()


class WriterProcess:
    """The crossing writer's process while `muster serve` runs: its socket, and whether it
    died under the server (the server is then stopped, and exits with an error)."""

    def __init__(self, settings: Settings, path: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self.path, self.died = path, False
        self._ready = context.Event()
        self._leaving = threading.Event()
        self.process = context.Process(
            target=writer_main,
            args=(settings, path, self._ready, os.getpid()),
            name="muster-crossings",
        )

    def start(self) -> None:
        self.process.start()
        if not self._ready.wait(START_TIMEOUT_S) or not self.process.is_alive():
            self.stop()
            raise CrossingWriterUnavailableError(
                f"the crossing writer did not start (exit code {self.process.exitcode})"
            )
        threading.Thread(target=self._watch, daemon=True).start()

    def stop(self) -> None:
        """Ask the writer to write what is queued, seal, and end; wait for it."""
        self._leaving.set()
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM
        self.process.join(120)

    def _watch(self) -> None:
        """A server whose writer died can record no crossing: stop it (SIGTERM to this
        process, which the server takes as a request to shut down) rather than refuse every
        screening, so that whatever supervises the service starts it again."""
        self.process.join()
        if not self._leaving.is_set():
            self.died = True
            logger.error(
                "the crossing writer stopped (exit code %s): stopping the server",
                self.process.exitcode,
            )
            os.kill(os.getpid(), signal.SIGTERM)


@contextlib.contextmanager
def writer_process(settings: Settings) -> Iterator[WriterProcess]:
    """Run the crossing writer in a process of its own while the block runs. On leaving, the
    writer commits what it was sent, seals, and ends."""
    with tempfile.TemporaryDirectory(prefix="muster-") as directory:
        writer = WriterProcess(settings, Path(directory) / "crossings.sock")
        writer.start()
        try:
            yield writer
        finally:
            writer.stop()
