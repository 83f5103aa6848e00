"""Output without --json reads as text: no Python reprs, no JSON, the right articles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, roll_rows

NOT_INITIALISED = (
    "error: this database holds no registry yet: run `muster init` first "
    "(the database is MUSTER_DATABASE_URL, by default ./muster.db)"
)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path)
    (tmp_path / "roll.csv").write_text(csv_text(roll_rows(30)), encoding="utf-8")
    return c


def issue_absence(cli: Cli, tmp_path: Path, number: str) -> None:
    (tmp_path / "absent.txt").write_text("GNB-0000004\n")
    cli.run(
        "order",
        "issue",
        "--kind",
        "absence",
        "--number",
        number,
        "--authority",
        "CG-GNB",
        "--key",
        "cg.pem",
        "--signed-on",
        "2016-05-02",
        "--subjects",
        "absent.txt",
    )


def test_order_show_prints_text_not_reprs_or_json(cli: Cli, tmp_path: Path) -> None:
    setup_registry(cli)
    issue_absence(cli, tmp_path, "AUS-1")
    view = cli.json("order", "show", "AUS-1")
    out = cli.run("order", "show", "AUS-1").stdout
    assert "{" not in out and "None" not in out and "'" not in out
    lines = [line.strip() for line in out.splitlines()]
    recorded = view["recorded"]
    assert f"recorded: {recorded['at']} by {recorded['os_user']}" in lines
    assert "revoked by: -" in lines
    assert "kind: absence" in lines
    assert f"subjects.sha256: {view['content']['subjects']['sha256']}" in lines


def test_stats_prints_tables(cli: Cli, tmp_path: Path) -> None:
    setup_registry(cli)
    issue_absence(cli, tmp_path, "AUS-1")
    out = cli.run("stats").stdout
    assert "{" not in out and '"' not in out
    assert re.search(r"people on the roll on \d{4}-\d{2}-\d{2}: 30", out)  # today
    rows = [line.split() for line in out.splitlines()]
    assert ["absent", "1"] in [[c for c in r if c not in "│┃|"] for r in rows]
    dated = cli.run("stats", "--as-of", "2016-05-01").stdout
    assert "people on the roll on 2016-05-01: 30" in dated


@pytest.mark.parametrize(
    "command",
    [
        ("stats",),
        ("stats", "--json"),
        ("person", "show", "GNB-0000001"),
        ("person", "search", "gonzalez"),
        ("order", "show", "ENL-1"),
        ("authority", "list"),
        ("ledger", "checkpoint"),
        ("user", "list"),
    ],
)
def test_reading_an_empty_database_says_to_run_init(cli: Cli, command: tuple[str, ...]) -> None:
    proc = cli.run(*command, ok=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [NOT_INITIALISED]
    if "--json" in command:  # a refusal with --json is one object on stdout too
        refusal = json.loads(proc.stdout)
        assert (refusal["ok"], refusal["code"]) == (False, "RegistryNotInitialisedError")
    else:
        assert proc.stdout == ""


@pytest.mark.parametrize("words", ["", "   ", "\t"])
def test_person_search_without_a_word_is_a_usage_error(cli: Cli, words: str) -> None:
    setup_registry(cli)
    proc = cli.run("person", "search", words, ok=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "give at least one word of a name" in proc.stderr


def test_person_show_prints_yes_no_and_what_an_enlistment_set(cli: Cli) -> None:
    setup_registry(cli)
    out = cli.run("person", "show", "GNB-0000004").stdout
    lines = [line.strip() for line in out.splitlines()]
    assert "reinstated: no" in lines and "False" not in out
    assert "status:  →" not in out and "status: active" in out


def test_messages_use_the_right_article(cli: Cli) -> None:
    setup_registry(cli)
    proc = cli.run(
        "order",
        "issue",
        "--kind",
        "absence",
        "--number",
        "A-2",
        "--authority",
        "CG-GNB",
        "--key",
        "cg.pem",
        "--signed-on",
        "2016-01-01",
        ok=False,
    )
    assert proc.returncode == 1
    assert "an absence order needs --subjects FILE" in proc.stderr
    proc = cli.run(
        "user",
        "add",
        "ana",
        "--role",
        "officer",
        env={"MUSTER_USER_PASSWORD": "a-long-one"},
        ok=False,
    )
    assert proc.returncode == 1
    assert "an officer is bound to one or more posts" in proc.stderr


def test_a_refused_change_is_named_by_its_option(cli: Cli, tmp_path: Path) -> None:
    setup_registry(cli)
    (tmp_path / "one.txt").write_text("GNB-0000001\n", encoding="utf-8")
    proc = cli.run(
        "order", "issue", "--kind", "amendment", "--number", "AMD-9", "--authority", "CG-GNB",
        "--key", "cg.pem", "--signed-on", "2016-01-01", "--subjects", "one.txt",
        "--set", "sex=X", "--json", ok=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "--set sex='X': expected M or F" in proc.stderr
    refusal = json.loads(proc.stdout)
    assert refusal["detail"] == "--set sex='X': expected M or F"
    assert refusal["options"] == ["--set sex"]
