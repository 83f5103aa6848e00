"""SIGKILL at random points of an import and of an order issue: the registry is exactly as
before or exactly as after, and `muster verify` passes."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli_helpers import Cli
from tests.factories import csv_text, roll_rows

TRIALS = 20  # per operation: 20 kills during an import, 20 during an order issue


def snapshot(db: Path) -> tuple[Any, ...]:
    """What must be all-or-nothing: the ledger, the roll and the orders."""
    with sqlite3.connect(db) as conn:
        entries = conn.execute("SELECT seq, entry_type FROM ledger_entries ORDER BY seq").fetchall()
        people = conn.execute("SELECT * FROM roll ORDER BY person_id").fetchall()
        orders = conn.execute(
            "SELECT number, kind, subject_count FROM orders ORDER BY seq"
        ).fetchall()
        nodes = conn.execute("SELECT count(*) FROM merkle_nodes").fetchone()
        cps = conn.execute("SELECT max(size) FROM checkpoints").fetchone()
    return (tuple(entries), tuple(people), tuple(orders), nodes, cps)


def settle(db: Path) -> None:
    """Fold the write-ahead log into the file, so a plain copy is the whole database."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crash-base")
    cli = Cli(root)
    cli.run("init")
    cli.run(
        "authority",
        "create",
        "REG",
        "--name",
        "Registro",
        "--kinds",
        "enlistment",
        "--components",
        "GNB",
        "--key-out",
        "reg.pem",
    )
    cli.run(
        "authority",
        "create",
        "CG",
        "--name",
        "Comando",
        "--kinds",
        "absence",
        "--components",
        "GNB",
        "--key-out",
        "cg.pem",
    )
    (root / "first.csv").write_text(csv_text(roll_rows(3000)), encoding="utf-8")
    (root / "more.csv").write_text(csv_text(roll_rows(3000, start=5000)), encoding="utf-8")
    (root / "absent.txt").write_text("\n".join(f"GNB-{i:07d}" for i in range(1, 1500)))
    cli.run(
        "roll",
        "import",
        "first.csv",
        "--authority",
        "REG",
        "--key",
        "reg.pem",
        "--signed-on",
        "2014-01-01",
        "--number",
        "ENL-1",
    )
    settle(root / "muster.db")
    return root


OPERATIONS = {
    "import": (
        "roll",
        "import",
        "more.csv",
        "--authority",
        "REG",
        "--key",
        "reg.pem",
        "--signed-on",
        "2015-01-01",
        "--number",
        "ENL-2",
    ),
    "issue": (
        "order",
        "issue",
        "--kind",
        "absence",
        "--number",
        "AUS-1",
        "--authority",
        "CG",
        "--key",
        "cg.pem",
        "--signed-on",
        "2016-01-01",
        "--subjects",
        "absent.txt",
    ),
}


def copy_registry(base: Path, target: Path) -> Cli:
    target.mkdir()
    for name in ("muster.db", "reg.pem", "cg.pem", "more.csv", "absent.txt"):
        shutil.copy(base / name, target / name)
    return Cli(target)


@pytest.mark.slow
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_kill_at_random_points(base: Path, tmp_path: Path, operation: str) -> None:
    args = OPERATIONS[operation]
    before = snapshot(base / "muster.db")
    ref = copy_registry(base, tmp_path / "ref")
    started = time.perf_counter()
    ref.run(*args)
    duration = time.perf_counter() - started
    after = snapshot(tmp_path / "ref" / "muster.db")
    assert after != before
    rng = random.Random(operation)
    outcomes = {"before": 0, "after": 0}
    for trial in range(TRIALS):
        cli = copy_registry(base, tmp_path / f"t{trial}")
        proc = cli.popen(*args)
        time.sleep(rng.uniform(0.2, 1.05) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        state = snapshot(tmp_path / f"t{trial}" / "muster.db")
        assert state in (before, after), f"trial {trial}: registry is half-changed"
        outcomes["before" if state == before else "after"] += 1
        report = cli.json("verify")
        assert report["ok"] is True, report["problems"]
    print(operation, outcomes)
    assert sum(outcomes.values()) == TRIALS
