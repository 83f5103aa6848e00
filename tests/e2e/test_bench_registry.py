"""The registry benchmark on a roll file of one's own, with its floor and ratio in the doc."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import run_bench
from tests.factories import roll_row


def write_own_roll(path: Path) -> int:
    """A roll file as another registry might write it: other column order, forms and names."""
    header = ["unit", "national_id", "surnames", "given_names", "serial_number", "birth_date"]
    header += ["sex", "component", "rank", "category", "remarks"]
    rows = []
    for i in range(1, 41):
        r = roll_row(i, "GNB" if i % 4 else "EB")
        serial, nid, given, surnames, birth, sex, comp, rank, cat, unit = r
        nid = f"V{int(nid[2:]):,}".replace(",", ".")  # V10.000.001
        rows.append([unit, nid, f"{surnames} OTERO", given, serial, birth, sex.lower(), comp])
        rows[-1] += [rank.upper(), cat.upper(), "from elsewhere"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


@pytest.mark.slow
def test_benchmark_imports_any_roll_file_and_reports_the_floor(tmp_path: Path) -> None:
    roll = tmp_path / "other-roll.csv"
    people = write_own_roll(roll)
    doc = tmp_path / "benchmarks.md"
    args = ["--roll", str(roll), "--runs", "1", "--struck", "3", "--tree", "16", "--doc", str(doc)]
    run_bench("registry", *args)
    text = doc.read_text()
    assert f"Roll file `other-roll.csv` ({people:,} people)" in text
    assert "`python -m bench.registry --roll other-roll.csv --runs 1 --struck 3 --tree 16`" in text
    assert "| inclusion proof in a 16-leaf tree stored in SQLite (ms) |" in text
    assert "| floor: the same rows into a fresh SQLite roll table, hashed to the root (s) |" in text
    ratio = next(line for line in text.splitlines() if line.startswith("| import ÷ floor"))
    assert float(ratio.split("|")[3]) > 0
    assert "strike-off of 3 subjects: whole `muster order issue` (s)" in text
    assert str(tmp_path) not in text  # the doc names the roll file, not where it lies
