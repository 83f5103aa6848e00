"""`muster match` against the registry's roll (no --roll), now and as of a date."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, roll_row

HEADER = "traveler_id,given_names,surnames,birth_date,national_id,document_number,nationality"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path)
    (tmp_path / "roll.csv").write_text(
        csv_text([roll_row(i) for i in range(1, 31)]), encoding="utf-8"
    )
    return c


def results(cli: Cli, *args: str) -> dict[str, dict[str, str]]:
    out = cli.workdir / "results.csv"
    cli.run("match", "--travelers", "travelers.csv", "--out", str(out), *args)
    with out.open(encoding="utf-8") as handle:
        return {r["traveler_id"]: r for r in csv.DictReader(handle)}


def test_match_against_the_registry_roll_and_as_of(cli: Cli) -> None:
    setup_registry(cli)  # 30 members enlisted 2014-01-01
    late = roll_row(31)
    late[2:4] = ["WUILMER JOSÉ", "QUINTERO DE LA CRUZ"]
    (cli.workdir / "late.csv").write_text(csv_text([late]), encoding="utf-8")
    cli.run(
        "roll", "import", "late.csv", "--authority", "REG-GNB", "--key", "reg.pem",
        "--signed-on", "2017-03-01", "--number", "ENL-2017",
    )  # fmt: skip
    (cli.workdir / "deserter.txt").write_text("GNB-0000004\n")
    steps = (("absence", "AUS-1", "2018-01-10"), ("strike-off", "BAJA-1", "2018-06-01"))
    for kind, number, day in steps:
        cli.run(
            "order", "issue", "--kind", kind, "--number", number, "--authority", "CG-GNB",
            "--key", "cg.pem", "--signed-on", day, "--subjects", "deserter.txt",
        )  # fmt: skip
    deserter = roll_row(4)
    (cli.workdir / "travelers.csv").write_text(
        HEADER + "\n"
        f"T1,WILMER,QUINTERO DELACRUZ,{late[4]},{late[1]},,VEN\n"
        f"T2,{deserter[2]},{deserter[3]},{deserter[4]},{deserter[1]},,VEN\n"
        "T3,ANACLETO,ZAMBRANO,1950-02-02,,,VEN\n",
        encoding="utf-8",
    )
    now = results(cli)
    assert (now["T1"]["verdict"], now["T1"]["serial_number"]) == ("match", late[0])
    # struck off: still found, named by the serial number they last held
    assert (now["T2"]["verdict"], now["T2"]["serial_number"]) == ("match", "GNB-0000004")
    assert now["T3"]["verdict"] == "no_match"
    # each result carries the member's status and category, blank for no match
    assert (now["T1"]["status"], now["T1"]["category"]) == ("active", "active")
    assert (now["T2"]["status"], now["T2"]["category"]) == ("struck_off", "active")
    assert (now["T3"]["status"], now["T3"]["category"]) == ("", "")
    before = results(cli, "--as-of", "2016-12-31")
    assert before["T1"]["verdict"] == "no_match"  # enlisted in 2017
    assert before["T2"]["serial_number"] == "GNB-0000004"
    assert before["T2"]["status"] == "active"  # the absence and strike-off came later
    assert results(cli, "--as-of", "2018-03-01")["T2"]["status"] == "absent"

    refused = cli.run(
        "match", "--travelers", "travelers.csv", "--out", "x.csv", "--as-of", "31/12/2016",
        ok=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "--as-of" in refused.stderr and refused.stdout == ""
    refused = cli.run(
        "match", "--travelers", "travelers.csv", "--out", "x.csv", "--roll", "roll.csv",
        "--as-of", "2016-12-31", ok=False,
    )  # fmt: skip
    assert refused.returncode == 2 and "registry's roll" in refused.stderr
