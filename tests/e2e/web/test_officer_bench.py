"""The browser screening benchmark runs end to end at a tiny size and writes its section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import run_bench


@pytest.mark.slow
def test_the_web_screening_benchmark_writes_its_figures(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    run_bench("web_screening", "--size", "300", "--screenings", "3", "--doc", str(doc))
    text = doc.read_text()
    assert "<!-- web-screening:begin -->" in text and "<!-- web-screening:end -->" in text
    assert "## Screening in the browser" in text
    assert "`python -m bench.web_screening --size 300 --screenings 3`" in text
    found = re.search(r"median \*\*([\d.]+) ms\*\*, p95 \*\*([\d.]+) ms\*\*", text)
    assert found, text
    median, p95 = float(found[1]), float(found[2])
    assert 0 < median <= p95  # measured in the page, not made up
    assert str(tmp_path) not in text
