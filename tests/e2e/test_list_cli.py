"""The list commands through the installed executable: a table, or one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from muster.store.dialects import make_engine
from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import crossing_record, csv_text, record_crossing, roll_rows


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path)
    (tmp_path / "roll.csv").write_text(csv_text(roll_rows(5)), encoding="utf-8")
    setup_registry(c)
    (tmp_path / "absent.txt").write_text("GNB-0000003\n")
    c.run(
        "order", "issue", "--kind", "absence", "--number", "AUS-7", "--authority", "CG-GNB",
        "--key", "cg.pem", "--signed-on", "2017-05-02", "--subjects", "absent.txt",
    )  # fmt: skip
    return c


def test_order_list_filters_and_limits(cli: Cli) -> None:
    every = cli.json("order", "list")
    assert every["orders"][0]["number"] == "AUS-7" and every["total"] == 2
    assert cli.json("order", "list", "--kind", "enlistment")["orders"][0]["subjects"] == 5
    assert cli.json("order", "list", "--signed-from", "2017-05-03")["orders"] == []
    assert (
        cli.json("order", "list", "--authority", "CG-GNB", "--effective-until", "2017-05-02")[
            "total"
        ]
        == 1
    )
    table = cli.run("order", "list", "--limit", "1")
    assert "AUS-7" in table.stdout and "number" in table.stdout and "ENL-" not in table.stdout
    assert "1 of 2 orders shown" in table.stderr
    bad = cli.run("order", "list", "--signed-from", "2017-13-01", ok=False)
    assert bad.returncode == 1 and "--signed-from '2017-13-01': expected a date" in bad.stderr
    usage = cli.run("order", "list", "--kind", "promotion", ok=False)
    assert usage.returncode == 2


def test_post_token_crossing_and_referral_lists(cli: Cli, tmp_path: Path) -> None:
    posts = cli.json("post", "list", "--type", "land", "--state", "Zulia")
    assert posts["posts"] and {p["state"] for p in posts["posts"]} == {"Zulia"}
    assert "SBOL" in cli.run("post", "list").stdout
    cli.run("user", "add", "robot", "--role", "auditor", env={"MUSTER_USER_PASSWORD": "pw-robot-1"})
    token_id = cli.run("token", "create", "robot").stderr.split()[1]
    tokens = cli.json("token", "list", "--user", "robot")
    assert [(t["id"], t["state"]) for t in tokens["tokens"]] == [(token_id, "active")]
    engine = make_engine(cli.env["MUSTER_DATABASE_URL"])
    with engine.begin() as conn:
        referred = record_crossing(conn, crossing_record("refer", "SBOL"))
        record_crossing(conn, crossing_record("clear", "FPSA"))
    engine.dispose()
    found = cli.json("crossing", "list", "--post", "SBOL", "--decision", "refer")
    assert [c["id"] for c in found["crossings"]] == [referred]
    assert cli.json("crossing", "list", "--day", "2001-01-01")["crossings"] == []
    table = cli.run("crossing", "list")
    assert referred in table.stdout and "FPSA" in table.stdout
    opened = cli.json("referral", "list", "--status", "open")
    assert [r["crossing_id"] for r in opened["referrals"]] == [referred]
    assert "prueba ñ" in cli.run("referral", "list", "--post", "SBOL").stdout
    bad = cli.run("referral", "list", "--status", "lost", ok=False)
    assert bad.returncode == 1 and "expected one of open, released, held, other" in bad.stderr
    empty = cli.run("referral", "list", "--post", "FPSA")
    assert empty.stdout == "" and "no referrals match" in empty.stderr


def test_a_day_of_crossings_is_a_day_of_the_registrys_time_zone(cli: Cli) -> None:
    """01:30 UTC on the 16th is 21:30 on the 15th in Caracas (the default zone): listed on the
    15th; with MUSTER_TIMEZONE=UTC, on the 16th. A zone that is not one is refused by name."""
    engine = make_engine(cli.env["MUSTER_DATABASE_URL"])
    with engine.begin() as conn:
        late = record_crossing(conn, crossing_record("refer", "SBOL"), "2019-03-16T01:30:00Z")
    engine.dispose()
    on = {
        day: [c["id"] for c in cli.json("crossing", "list", "--day", day)["crossings"]]
        for day in ("2019-03-15", "2019-03-16")
    }
    assert on == {"2019-03-15": [late], "2019-03-16": []}
    referred = cli.json("referral", "list", "--day", "2019-03-15")["referrals"]
    assert [r["crossing_id"] for r in referred] == [late]
    utc = {"MUSTER_TIMEZONE": "UTC"}
    in_utc = json.loads(
        cli.run("crossing", "list", "--day", "2019-03-16", "--json", env=utc).stdout
    )["crossings"]
    assert [c["id"] for c in in_utc] == [late]
    bad = cli.run(
        "crossing", "list", "--day", "2019-03-16", env={"MUSTER_TIMEZONE": "Mars/Olympus"}, ok=False
    )
    assert (
        bad.returncode == 1 and "MUSTER_TIMEZONE: 'Mars/Olympus' is not a time zone" in bad.stderr
    )
