"""The screening benchmark beside an earlier commit: both commits' servers, the same load."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import ROOT, run_bench


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) sends the load")
def test_beside_serves_each_commit_with_its_own_code_and_reports_ratios(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    args = ["--parent", "HEAD", "--size", "1500", "--rounds", "2", "--workers", "1"]
    run_bench("beside", *args, "--http-seconds", "1", "--requests", "600", "--doc", str(doc))
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
    # One count of processes: a section of its own, its command as it was run.
    assert "<!-- screening-beside-parent-one-process:begin -->" in text
    assert "## Screening beside earlier commits, one server process" in text
    assert "`python -m bench.beside --size 1500 --rounds 2 --workers 1 --parent HEAD`" in text
    assert "the same 500 typed identities" in text
    assert str(tmp_path) not in text
