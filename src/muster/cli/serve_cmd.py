"""`muster serve`: the HTTP API."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import tempfile
from pathlib import Path

import typer
from pydantic import SecretStr

from muster import bootstrap
from muster.cli import common
from muster.config import Settings, log_to_stderr, registry_zone, trusted_networks
from muster.domain.errors import InvalidInputError

PortOption = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on (1-65535).")


class AddressUnavailableError(InvalidInputError):
    """Raised when `muster serve` cannot listen on the address and port it was given."""

    def __init__(self, host: str, port: int, err: OSError) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {bind_failure(err)}")


def bind_failure(err: OSError) -> str:
    """Why an address could not be bound, and what to do about it."""
    if isinstance(err, socket.gaierror):
        return f"{err.strerror}: give an address or host name of this machine with --host"
    if err.errno == errno.EADDRINUSE:
        return "the port is already in use (another server?): stop it or choose another --port"
    if err.errno == errno.EADDRNOTAVAIL:
        return (
            "this machine has no such address: give one of its own with --host "
            "(0.0.0.0 for every address)"
        )
    if err.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges): choose another --port"
    return str(err.strerror or err)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, for every server process to accept connections on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise AddressUnavailableError(host, port, err) from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = PortOption,
    index: Path | None = typer.Option(
        None,
        "--index",
        help="Keep the match index in this file: loaded at start (then brought up to date "
        "with the orders recorded since), built and saved when missing or not this registry's.",
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Server processes sharing the port; each holds its own index of the roll.",
    ),
) -> None:
    """Serve the HTTP API (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""
    settings = common.settings()
    if index is not None:
        settings = settings.model_copy(update={"index_path": index.resolve()})
    run_server(settings, host, port, workers)


def run_server(s: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve the API for these settings until interrupted."""
    from muster.screening.crossing_process import CrossingWriterUnavailableError, writer_process

    log_to_stderr()
    trusted_networks(s)  # a bad MUSTER_TRUSTED_PROXIES: one clear error before listening
    registry_zone(s)  # and a bad MUSTER_TIMEZONE
    with common.reading(s):  # an empty database: say to run `muster init`, before listening
        pass
    # Bound here, before anything starts, so that a busy port is one clear error.
    sock = listening_socket(host, port)
    common.say(
        f"serving {s.database_url} on http://{host}:{port}/api/v1 "
        f"(docs: http://{host}:{port}/api/v1/docs)"
        + (f" with {workers} processes" if workers > 1 else "")
    )
    # One process commits and seals the crossings of all server processes.
    with (
        sock,
        writer_process(s) as writer,
        tempfile.TemporaryDirectory(prefix="muster-") as tmp,
    ):

        def stopped(signum: int, _frame: object) -> None:
            # uvicorn shuts down on SIGTERM and then raises it again, here: leave through the
            # blocks above (the writer writes and seals, temporary files go), with the exit
            # status of a SIGTERM. When the writer died (it sent the SIGTERM), carry on to
            # the error below.
            if not writer.died:
                raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, stopped)
        try:
            serve_with(
                s.model_copy(update={"crossing_socket": writer.path}), sock, workers, Path(tmp)
            )
        finally:
            if writer.died:
                raise CrossingWriterUnavailableError(
                    "the crossing writer stopped: the server was stopped with it"
                )


def serve_with(s: Settings, sock: socket.socket, workers: int, tmp: Path) -> None:
    """uvicorn on `sock`, in one process or in `workers` once the index file is ready in `tmp`.

    uvicorn's own reading of X-Forwarded-For (which believes any local process) is off: the
    app reads it from the proxies `MUSTER_TRUSTED_PROXIES` names (`api.clients`)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from muster.api.app import create_app

    if workers == 1:
        config = uvicorn.Config(create_app(s), log_level="warning", proxy_headers=False)
        # uvicorn raises Ctrl-C again once it has shut down.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config).run(sockets=[sock])
    else:
        # The index is built (or loaded and brought up to date) once, here, and each server
        # process loads it from the file before it takes connections.
        index = prepare_index(s, s.index_path or tmp / "roll.npz")
        s = s.model_copy(update={"index_path": index, "index_prepared": True})
        # Worker processes build their app from the environment: hand them these settings.
        os.environ.update(settings_environment(s))
        config = uvicorn.Config(
            "muster.api.app:app_from_environment",
            factory=True,
            workers=workers,
            log_level="warning",
            proxy_headers=False,
        )
        Multiprocess(config, sockets=[sock]).run()


def prepare_index(s: Settings, path: Path) -> Path:
    """The match index saved in `path`, up to date with the registry's orders."""
    from muster.cli import progress
    from muster.config import today
    from muster.matching.index import INDEX_STEPS
    from muster.screening.identify import RollMatcher

    engine = bootstrap.engine(s)
    try:
        with bootstrap.reading(engine) as conn:
            with progress.steps(1 + INDEX_STEPS) as step:
                matcher, how = RollMatcher.open(conn, path, today(s), step)
            if matcher.saved_seq != matcher.seq:  # orders since it was saved: not N times
                matcher.save(conn, path)
    finally:
        engine.dispose()
    common.say(f"index of the roll {how}")
    return path


def settings_environment(s: Settings) -> dict[str, str]:
    """The `MUSTER_*` variables that give these settings."""
    env = {}
    for name, value in s.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"MUSTER_{name.upper()}"] = str(value)
    return env
