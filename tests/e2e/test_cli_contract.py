"""The CLI contract, through the installed executable: stdout, stderr, exit codes, no prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from muster import __version__
from muster.ledger import merkle
from tests.e2e.cli_helpers import Cli
from tests.factories import csv_text, roll_rows


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path)
    (tmp_path / "roll.csv").write_text(csv_text(roll_rows(30)), encoding="utf-8")
    return c


def setup_registry(cli: Cli) -> str:
    cli.run("init")
    cli.run(
        "authority",
        "create",
        "REG-GNB",
        "--name",
        "Registro GNB",
        "--kinds",
        "enlistment",
        "--components",
        "GNB",
        "--key-out",
        "reg.pem",
    )
    cli.run(
        "authority",
        "create",
        "CG-GNB",
        "--name",
        "Comandante General GNB",
        "--kinds",
        "absence,strike-off,reinstatement",
        "--components",
        "GNB",
        "--key-out",
        "cg.pem",
        "--holder",
        "M/G Jesús López Vargas",
    )
    return str(
        cli.run(
            "roll",
            "import",
            "roll.csv",
            "--authority",
            "REG-GNB",
            "--key",
            "reg.pem",
            "--signed-on",
            "2014-01-01",
        ).stdout.strip()
    )


def test_init_is_idempotent_and_json_is_one_object(cli: Cli) -> None:
    first = cli.json("init")
    second = cli.json("init")
    assert first["created"] is True and second["created"] is False
    assert first["registry_key"] == second["registry_key"]


def test_import_issue_show_stats_verify(cli: Cli, tmp_path: Path) -> None:
    number = setup_registry(cli)
    assert number.startswith("ENL-REG-GNB-20140101-")  # the generated number, alone on stdout
    (tmp_path / "absent.txt").write_text("\ufeffV-10.000.003\r\n\r\nGNB-0000004\r\n")
    out = cli.run(
        "order",
        "issue",
        "--kind",
        "absence",
        "--number",
        "AUS-2016-1",
        "--authority",
        "CG-GNB",
        "--key",
        "cg.pem",
        "--signed-on",
        "2016-05-02",
        "--subjects",
        "absent.txt",
    )
    assert out.stdout == "AUS-2016-1\n"
    person = cli.json("person", "show", "10000003")
    assert person["status"] == "absent"
    assert [h["order"] for h in person["history"]] == [number, "AUS-2016-1"]
    stats = cli.json("stats")
    assert stats["by_status"]["absent"] == 2 and stats["by_component"] == {"GNB": 30}
    assert cli.json("stats", "--as-of", "2016-05-01")["by_status"]["absent"] == 0
    report = cli.json("verify")
    assert report["ok"] is True and report["last_order"] == "AUS-2016-1"
    authorities = cli.json("authority", "list")["authorities"]
    assert [a["code"] for a in authorities] == ["CG-GNB", "REG-GNB"]
    found = cli.json("person", "search", "gonzalez")
    assert all("GONZÁLEZ" in p["surnames"] for p in found["people"])


def test_refusals_exit_1_with_a_message_and_nothing_on_stdout(cli: Cli, tmp_path: Path) -> None:
    setup_registry(cli)
    (tmp_path / "s.txt").write_text("GNB-0000001\n")
    refused = cli.run(
        "order",
        "issue",
        "--kind",
        "strike-off",
        "--number",
        "SO-1",
        "--authority",
        "CG-GNB",
        "--key",
        "cg.pem",
        "--signed-on",
        "2018-12-21",
        "--subjects",
        "s.txt",
        ok=False,
    )
    assert refused.returncode == 1 and refused.stdout == ""
    assert "strike-off refused" in refused.stderr and "'active'" in refused.stderr
    bad = tmp_path / "bad.csv"
    rows = roll_rows(2, start=500)
    rows[1][4] = "1990-13-45"
    rows[0][7] = "Almirante"
    bad.write_text(csv_text(rows), encoding="utf-8")
    proc = cli.run(
        "roll", "import", str(bad), "--authority", "REG-GNB", "--key", "reg.pem", ok=False
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert "row 3, column birth_date: '1990-13-45'" in proc.stderr
    assert "row 2, column rank: 'Almirante'" in proc.stderr
    assert cli.json("stats")["total"] == 30  # nothing imported
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(csv_text(roll_rows(1, start=900)).encode("latin-1"))
    proc = cli.run(
        "roll", "import", str(latin1), "--authority", "REG-GNB", "--key", "reg.pem", ok=False
    )
    assert proc.returncode == 1 and "not UTF-8" in proc.stderr


def test_usage_error_exits_2_and_missing_passphrase_never_waits(cli: Cli) -> None:
    assert cli.run("order", "issue", "--bogus", ok=False).returncode == 2
    cli.run("init")
    proc = cli.run(
        "authority",
        "create",
        "X",
        "--name",
        "X",
        "--kinds",
        "exit-control",
        "--key-out",
        "x.pem",
        env={"MUSTER_KEY_PASSPHRASE": ""},
        ok=False,
    )
    assert proc.returncode == 1 and "MUSTER_KEY_PASSPHRASE" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_wrong_key_passphrase_shows_no_secret(cli: Cli) -> None:
    setup_registry(cli)
    proc = cli.run(
        "roll",
        "import",
        "roll.csv",
        "--authority",
        "REG-GNB",
        "--key",
        "reg.pem",
        env={"MUSTER_KEY_PASSPHRASE": "wrong-secret-xyz"},
        ok=False,
    )
    assert proc.returncode == 1
    assert "wrong-secret-xyz" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        "error: authority key file reg.pem could not be decrypted: the passphrase "
        "(MUSTER_KEY_PASSPHRASE) is wrong, or it is not an encrypted PKCS#8 PEM key"
    ]


def test_wrong_registry_passphrase_names_the_registry_key(cli: Cli) -> None:
    setup_registry(cli)
    proc = cli.run(
        "roll",
        "import",
        "roll.csv",
        "--authority",
        "REG-GNB",
        "--key",
        "reg.pem",
        env={"MUSTER_REGISTRY_PASSPHRASE": "wrong-secret-xyz"},
        ok=False,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "error: the registry key could not be decrypted: the passphrase "
        "(MUSTER_REGISTRY_PASSPHRASE) is wrong, or it is not an encrypted PKCS#8 PEM key"
    ]


def test_verify_fails_with_exit_3_after_tampering(cli: Cli, tmp_path: Path) -> None:
    import sqlite3

    setup_registry(cli)
    with sqlite3.connect(tmp_path / "muster.db") as db:
        db.execute("UPDATE roll SET status = 'discharged' WHERE person_id = 7")
    proc = cli.run("verify", ok=False)
    assert proc.returncode == 3
    assert "roll person 7" in proc.stderr


def test_export_verify_from_and_inclusion_proof(cli: Cli, tmp_path: Path) -> None:
    number = setup_registry(cli)
    cli.run("ledger", "export", "exported")
    report = cli.json("verify", "--from", "exported")
    assert report["ok"] is True and report["people"] == 30
    proof = cli.json("ledger", "proof", "--order", number)
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["entry"],
        proof["tree_size"],
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(proof["root"]),
    )
    consistency = json.loads(cli.run("ledger", "proof", "--consistency-from", "2").stdout)
    assert merkle.verify_consistency(
        2,
        consistency["new_size"],
        bytes.fromhex(consistency["old_root"]),
        bytes.fromhex(consistency["new_root"]),
        [bytes.fromhex(h) for h in consistency["proof"]],
    )
    checkpoint = cli.run("ledger", "checkpoint").stdout
    assert checkpoint.splitlines()[1] == str(proof["tree_size"])
    assert proof["checkpoint"] == consistency["checkpoint"] == checkpoint


def test_an_unreachable_database_is_one_line_without_secrets(tmp_path: Path) -> None:
    cli = Cli(tmp_path, url="postgresql+psycopg://muster:s3cret-pw@127.0.0.1:1/none")
    proc = cli.run("stats", ok=False)
    assert proc.returncode == 1
    assert "database:" in proc.stderr and "Traceback" not in proc.stderr
    assert "s3cret-pw" not in proc.stderr + proc.stdout


def test_version_prints_the_version_alone(cli: Cli) -> None:
    proc = cli.run("--version")
    assert proc.stdout == f"muster {__version__}\n" and proc.stderr == ""
