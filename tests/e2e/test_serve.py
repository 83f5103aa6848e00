"""`muster serve` as a process: ready after indexing, several processes on one port, every
crossing durable and sealed into the ledger when the server stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from muster.demo.scenario import demo_password
from tests.e2e.cli_helpers import Cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def wait_ready(base: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if call(f"{base}/health") == {"status": "ready"}:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        assert time.monotonic() < deadline, "the server never became ready"
        time.sleep(0.1)


def test_two_server_processes_screen_and_seal_on_stop(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    built = cli.json("demo", "--size", "2000", "--seed", "5", "--no-serve")
    deserter = built["examples"]["deserter (struck off 2018-12-21)"]
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    cli.env["MUSTER_SCREENING_DATE"] = "2019-03-15"  # the demo is set in early 2019
    server = cli.popen("serve", "--port", str(port), "--workers", "2")
    try:
        wait_ready(base)
        token = call(
            f"{base}/auth/login", {"name": "oficial", "password": demo_password("oficial")}
        )["token"]
        person = cli.json("person", "show", deserter["national_id"])
        identity = {
            "given_names": person["given_names"],
            "surnames": person["surnames"],
            "birth_date": person["birth_date"],
            "national_id": person["national_id"],
        }
        answers = [
            call(
                f"{base}/screenings",
                {"post": "SBOL", "direction": "exit", "identity": identity},
                token,
            )
            for _ in range(30)  # new connections each: the kernel spreads them over both
        ]
    finally:
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=60)
    # The index was built once, before the two processes started; each loaded it before it
    # took a connection, so every screening above (spread over both) found one ready.
    assert "index of the roll built from the roll and saved" in err
    assert {a["decision"] for a in answers} == {"refer"}  # struck off: military justice
    assert len({a["crossing_id"] for a in answers}) == 30
    report = cli.json("verify")  # every crossing in the ledger, as recorded
    assert report["ok"] is True
    assert report["pending_crossings"] == 0  # the writer process sealed what both sent


def test_a_saved_index_lets_the_server_start_from_it(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.json("demo", "--size", "1500", "--seed", "9", "--no-serve")
    index = tmp_path / "index" / "roll.npz"
    messages = []
    for _ in range(2):
        port = free_port()
        server = cli.popen("serve", "--port", str(port), "--index", str(index))
        try:
            wait_ready(f"http://127.0.0.1:{port}/api/v1")
        finally:
            server.send_signal(signal.SIGINT)
            _out, err = server.communicate(timeout=60)
        messages.append(err)
    assert "built from the roll and saved" in messages[0]
    assert f"loaded {index}" in messages[1]
    assert index.exists() and index.with_suffix(".registry.json").exists()


def test_the_server_stops_when_its_crossing_writer_dies(tmp_path: Path) -> None:
    """A server that can record no crossing stops (exit code 1, a clear message) instead of
    refusing every screening, so that its supervisor starts it again."""
    cli = Cli(tmp_path)
    cli.json("demo", "--size", "500", "--seed", "3", "--no-serve")
    port = free_port()
    server = cli.popen("serve", "--port", str(port))
    try:
        wait_ready(f"http://127.0.0.1:{port}/api/v1")
        writers = [pid for pid in children(server.pid) if "spawn_main" in cmdline(pid)]
        assert len(writers) == 1
        os.kill(writers[0], signal.SIGKILL)
        _out, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 1
    assert "the crossing writer stopped" in err


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text(errors="replace")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def test_sigterm_stops_the_server_and_its_writer_and_leaves_no_files(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.json("demo", "--size", "500", "--seed", "4", "--no-serve")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    cli.env["TMPDIR"] = str(scratch)  # where the writer's socket directory goes
    port = free_port()
    server = cli.popen("serve", "--port", str(port))
    try:
        wait_ready(f"http://127.0.0.1:{port}/api/v1")
        assert list(scratch.iterdir())  # the socket's directory, while serving
        writers = [p for p in children(server.pid) if "spawn_main" in cmdline(p)]
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 128 + signal.SIGTERM
    assert not list(scratch.iterdir())
    assert all(not Path(f"/proc/{pid}").exists() for pid in writers)  # stopped, not orphaned


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_busy_port_is_one_clear_error_before_serving(tmp_path: Path, workers: str) -> None:
    cli = Cli(tmp_path)
    cli.run("init")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = cli.run("serve", "--port", str(port), "--workers", workers, ok=False)
    assert proc.returncode == 1  # refused, not 3 (verification failed)
    assert proc.stderr.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: the port is already in use "
        "(another server?): stop it or choose another --port"
    ]
    assert proc.stdout == ""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_address_of_another_machine_is_one_clear_error(tmp_path: Path, workers: str) -> None:
    cli = Cli(tmp_path)
    cli.run("init")
    port = free_port()
    # 192.0.2.1 is reserved for documentation (RFC 5737): no interface here has it.
    proc = cli.run(
        "serve", "--host", "192.0.2.1", "--port", str(port), "--workers", workers, ok=False
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"error: cannot listen on 192.0.2.1:{port}: this machine has no such address: "
        "give one of its own with --host (0.0.0.0 for every address)"
    ]


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_a_port_outside_1_to_65535_is_a_usage_error(tmp_path: Path, port: str) -> None:
    cli = Cli(tmp_path)
    cli.run("init")
    proc = cli.run("serve", "--port", port, ok=False)
    assert proc.returncode == 2
    assert "--port" in proc.stderr and "serving" not in proc.stderr
    assert cli.run("demo", "--no-serve", "--port", port, ok=False).returncode == 2


def test_serve_on_an_empty_database_says_to_run_init(tmp_path: Path) -> None:
    proc = Cli(tmp_path).run("serve", "--port", str(free_port()), ok=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "error: this database holds no registry yet: run `muster init` first "
        "(the database is MUSTER_DATABASE_URL, by default ./muster.db)"
    ]
