"""Order and serial numbers in any case, through the installed `muster` executable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from muster.store.dialects import make_engine
from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, roll_rows
from tests.integration.test_number_case import legacy_registry


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path)
    (tmp_path / "roll.csv").write_text(csv_text(roll_rows(5)), encoding="utf-8")
    return c


def test_person_and_order_lookups_and_new_numbers_ignore_case(cli: Cli, tmp_path: Path) -> None:
    enlistment = setup_registry(cli)
    (tmp_path / "aus.txt").write_text("gnb-0000001\n", encoding="utf-8")
    absence = ("order", "issue", "--kind", "absence", "--authority", "CG-GNB", "--key", "cg.pem")
    cli.run(*absence, "--number", "AUS-1", "--signed-on", "2016-01-01", "--subjects", "aus.txt")
    person = cli.json("person", "show", "gnb-0000001")
    assert person["serial_number"] == "GNB-0000001" and person["status"] == "absent"
    assert cli.json("order", "show", enlistment.lower())["number"] == enlistment
    (tmp_path / "aus2.txt").write_text("GNB-0000002\n", encoding="utf-8")
    taken = cli.run(
        *absence,
        "--number",
        "aus-1",
        "--signed-on",
        "2016-01-01",
        "--subjects",
        "aus2.txt",
        ok=False,
    )
    assert taken.returncode == 1 and taken.stdout == ""
    assert "'aus-1' is already recorded" in taken.stderr


def test_init_upgrading_says_which_numbers_differ_only_in_case(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(cli.env["MUSTER_DATABASE_URL"])
    legacy_registry(engine, monkeypatch)
    engine.dispose()
    upgraded = cli.run("init")
    assert "schema upgrade: 1 order number(s) differ only in case" in upgraded.stderr
    assert "A1 (ledger entry 3) and a1 (ledger entry 4)" in upgraded.stderr
    assert "GNB-0000003 (person 3) and gnb-0000003 (person 5)" in upgraded.stderr
    assert upgraded.stdout == ""
    assert "its schema was upgraded" in upgraded.stderr
    assert "nothing changed" in cli.run("init").stderr
    again = json.loads(cli.run("init", "--json").stdout)
    assert again["schema_changed"] is False and again["schema_notes"] == []
    shown = cli.run("order", "show", "a1", ok=False)
    assert shown.returncode == 1 and shown.stdout == ""
    assert "A1 (ledger entry 3), a1 (ledger entry 4)" in shown.stderr
    person = cli.run("person", "show", "GNB-0000002", ok=False)
    assert person.returncode == 1
    assert "GNB-0000002 (person 2), gnb-0000002 (person 4)" in person.stderr
    assert cli.run("verify").returncode == 0
