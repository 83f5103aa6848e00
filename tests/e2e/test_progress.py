"""Long work shows a progress bar on a terminal's stderr, and nothing more on a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import threading
from pathlib import Path

from tests.e2e.cli_helpers import Cli, muster_executable
from tests.e2e.test_match_registry import HEADER
from tests.factories import csv_text, roll_rows


def on_terminal(cli: Cli, *args: str) -> tuple[str, str]:
    """Run `muster` with stderr on a pseudo-terminal: (stdout, what the terminal showed)."""
    leader, follower = pty.openpty()
    shown: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    env = {**cli.env, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    proc = subprocess.run(
        [muster_executable(), *args],
        cwd=cli.workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        timeout=300,
    )
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    assert proc.returncode == 0, (args, proc.returncode, proc.stdout)
    return proc.stdout, b"".join(shown).decode("utf-8", "replace")


def test_building_the_match_index_shows_its_steps(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    (tmp_path / "roll.csv").write_text(csv_text(roll_rows(30)), encoding="utf-8")
    (tmp_path / "travelers.csv").write_text(HEADER + "\nT1,LUIS,RODRÍGUEZ,1971-02-02,,,VEN\n")
    args = ("match", "--roll", "roll.csv", "--travelers", "travelers.csv", "--out", "o.csv")
    _out, shown = on_terminal(cli, *args, "--workers", "1")
    assert "indexing 30 people" in shown
    piped = cli.run(*args, "--workers", "1")
    assert "indexing" not in piped.stderr and "━" not in piped.stderr


def test_building_the_demo_shows_a_bar(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    args = ("demo", "--size", "300", "--seed", "5", "--no-serve")
    _out, shown = on_terminal(Cli(tmp_path / "a"), *args)
    assert "the strike-off, authorizations, amnesty" in shown and "/5" in shown
    piped = Cli(tmp_path / "b").run(*args)
    assert "amnesty" not in piped.stderr and "━" not in piped.stderr


def test_serving_builds_its_index_with_a_bar(tmp_path: Path) -> None:
    import signal
    import socket
    import time

    cli = Cli(tmp_path)
    cli.run("demo", "--size", "300", "--seed", "5", "--no-serve")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    leader, follower = pty.openpty()
    env = {**cli.env, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    args = ["serve", "--workers", "2", "--index", "idx.npz", "--port", port]
    proc = subprocess.Popen(
        [muster_executable(), *args],
        cwd=cli.workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    shown = b""
    try:
        deadline = time.monotonic() + 120
        while b"index of the roll" not in shown and time.monotonic() < deadline:
            shown += os.read(leader, 65536)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        os.close(follower)
        os.close(leader)
    text = shown.decode("utf-8", "replace")
    assert "indexing 300 people" in text and "/4" in text, text
    assert text.index("indexing") < text.index("index of the roll built")
