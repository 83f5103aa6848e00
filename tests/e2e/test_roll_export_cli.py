"""`muster roll export` through the installed executable: export, import elsewhere, same people."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, roll_rows


def people(text: str) -> list[list[str]]:
    """The roll file's rows, without the `status` column and the header."""
    return [r[:10] for r in list(csv.reader(io.StringIO(text)))[1:]]


def test_export_imports_into_a_fresh_registry_with_the_same_people(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old, new = Cli(tmp_path / "a"), Cli(tmp_path / "b")
    (tmp_path / "a" / "roll.csv").write_text(csv_text(roll_rows(6)), encoding="utf-8")
    setup_registry(old)
    (tmp_path / "a" / "absent.txt").write_text("GNB-0000002\n")
    for kind, number, day in (
        ("absence", "AUS-1", "2016-01-04"),
        ("strike-off", "SO-1", "2018-12-21"),
    ):
        old.run(
            "order", "issue", "--kind", kind, "--number", number, "--authority", "CG-GNB",
            "--key", "cg.pem", "--signed-on", day, "--subjects", "absent.txt",
        )  # fmt: skip
    exported = old.run("roll", "export", "--as-of", "2019-01-01").stdout
    header = exported.splitlines()[0]
    assert header.startswith("serial_number,national_id,given_names") and header.endswith(",status")
    assert "GNB-0000002,V-10000002" in exported and exported.count("struck_off") == 1
    before = old.json("roll", "export", "--as-of", "2016-06-01", "--out", "then.csv")
    assert before == {
        "as_of": "2016-06-01",
        "people": 6,
        "by_status": {"active": 5, "absent": 1},
        "out": "then.csv",
    }
    (tmp_path / "b" / "roll.csv").write_text(exported, encoding="utf-8")
    setup_registry(new)
    again = new.run("roll", "export", "--as-of", "2019-01-01").stdout
    assert people(again) == people(exported) and len(people(again)) == 6
    usage = old.run("roll", "export", "--json", ok=False)
    assert usage.returncode == 1 and "--out FILE" in usage.stderr
    bad = old.run("roll", "export", "--status", "missing", ok=False)
    assert bad.returncode == 1 and "expected a comma-separated list of active" in bad.stderr
