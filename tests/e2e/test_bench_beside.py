"""The screening benchmark beside an earlier commit: both commits' servers, the same load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) sends the load")
def test_beside_serves_each_commit_with_its_own_code_and_reports_ratios(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")}
    args = ["--parent", "HEAD", "--size", "1500", "--rounds", "2", "--workers", "1"]
    args += ["--http-seconds", "1", "--requests", "600", "--doc", str(doc)]
    proc = subprocess.run(
        [sys.executable, "-m", "bench.beside", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    short = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    text = doc.read_text()
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| parent")]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (f"| parent {short}", "1", str(n)) for n in (1, 2)
    ]
    assert all(float(r[3]) > 0 for r in rows)  # screenings per second, measured
    assert f"- This checkout ÷ parent {short}, 1 process(es): throughput " in text
    assert "`python -m bench.beside --size 1500 --rounds 2 --parent HEAD`" in text
    assert str(tmp_path) not in text
