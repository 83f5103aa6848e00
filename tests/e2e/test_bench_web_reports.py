"""The reports benchmark at a tiny size: it builds a demo, screens, renders every report as of
two days over HTTP, and writes its section of the benchmarks document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import run_bench


@pytest.mark.slow
def test_the_reports_benchmark_times_each_report_as_of_two_days(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n<!-- other:begin -->\nkept\n<!-- other:end -->\n")
    run_bench("web_reports", "--size", "300", "--runs", "1", "--crossings", "12", "--doc", str(doc))
    text = doc.read_text()
    assert "<!-- other:begin -->\nkept\n<!-- other:end -->" in text  # other sections kept
    assert "<!-- web-reports:begin -->\n## Web reports" in text
    assert "`python -m bench.web_reports --size 300 --runs 1 --crossings 12`" in text
    assert "12 travelers screened first" in text
    rows = [line for line in text.splitlines() if re.match(r"\| (2018-12-20|2019-03-15) \|", line)]
    assert [r.split(" | ")[0] for r in rows] == ["| 2018-12-20", "| 2019-03-15"]
    for row in rows:
        seconds = [float(s) for s in row.strip(" |").split(" | ")[1:]]
        assert len(seconds) == 6 and all(0 < s < 60 for s in seconds)
    assert "Slowest median here:" in text
    assert str(tmp_path) not in text
