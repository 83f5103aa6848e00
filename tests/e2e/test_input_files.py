"""Files people give the CLI: every refusal names the file, line or row, and what was expected;
no traceback, nothing stored is lost, and with --json one object carries every problem."""

from __future__ import annotations

import json

import pytest

from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, roll_row, roll_rows

IMPORT = ("roll", "import", "new.csv", "--authority", "REG-GNB", "--key", "reg.pem")


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One registry of 30 people for the module: every test here is refused, so none
    changes it (each checks that)."""
    tmp = tmp_path_factory.mktemp("inputs")
    c = Cli(tmp)
    (tmp / "roll.csv").write_text(csv_text(roll_rows(30)), encoding="utf-8")
    setup_registry(c)
    return c


def refused(cli: Cli, *args: str, code: int = 1) -> str:
    proc = cli.run(*args, ok=False)
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    return proc.stderr


def issue_absence(subjects: str, *more: str) -> tuple[str, ...]:
    return ("order", "issue", "--kind", "absence", "--number", "AUS-1", "--authority",
            "CG-GNB", "--key", "cg.pem", "--signed-on", "2016-01-01", "--subjects", subjects,
            *more)  # fmt: skip


def test_an_unquoted_comma_in_a_roll_row_is_refused_naming_the_row(cli: Cli) -> None:
    good = csv_text(roll_rows(2, start=100))
    spilled = ",".join(roll_row(102)[:-1]) + ",Destacamento 200, Zona 3\n"
    (cli.workdir / "new.csv").write_text(good + spilled, encoding="utf-8")
    err = refused(cli, *IMPORT)
    assert "row 4, column (row)" in err
    assert "11 fields, the header has 10 (a value with a comma must be in double quotes)" in err
    assert cli.json("stats")["total"] == 30  # nothing imported


def test_roll_import_json_carries_every_problem(cli: Cli) -> None:
    rows = roll_rows(60, start=100)
    for row in rows:
        row[5] = "X"  # sex
    (cli.workdir / "new.csv").write_text(csv_text(rows), encoding="utf-8")
    human = refused(cli, *IMPORT)
    assert "60 problem(s), nothing imported" in human and "… and 10 more" in human
    proc = cli.run(*IMPORT, "--json", ok=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)  # exactly one JSON object
    assert report["ok"] is False and report["code"] == "RollFileError"
    assert report["file"] == "new.csv"
    assert len(report["problems"]) == 60
    assert report["problems"][59] == {
        "row": 61, "column": "sex", "value": "X", "expected": "M or F"
    }  # fmt: skip
    assert cli.json("stats")["total"] == 30


def test_any_refusal_with_json_is_one_object_on_stdout(cli: Cli) -> None:
    proc = cli.run("order", "show", "NO-SUCH-ORDER", "--json", ok=False)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["ok"] is False and report["code"] == "NotFoundError"
    assert "NO-SUCH-ORDER" in report["detail"] and "NO-SUCH-ORDER" in proc.stderr


def test_a_field_over_the_csv_limit_is_named_by_line(cli: Cli) -> None:
    rows = roll_rows(2, start=100)
    rows[1][9] = "x" * 200_000
    (cli.workdir / "new.csv").write_text(csv_text(rows), encoding="utf-8")
    err = refused(cli, *IMPORT)
    assert "new.csv: line 3: a field longer than 131,072 characters" in err
    (cli.workdir / "new.csv").write_text('"' + "x" * 200_000 + "\n", encoding="utf-8")
    assert "new.csv: line 1: a field longer than" in refused(cli, *IMPORT)


def test_a_latin1_file_is_named_with_its_line_and_byte(cli: Cli) -> None:
    rows = roll_rows(2, start=100)
    for row in rows:
        row[2:4] = ["ANA", "SUCRE"]
    rows[1][3] = "MUÑOZ"
    text = csv_text(rows)
    (cli.workdir / "new.csv").write_bytes(text.encode("latin-1"))
    at = text.splitlines()[2].index("Ñ") + 1
    err = refused(cli, *IMPORT)
    assert f"new.csv: not UTF-8 at line 3, byte {at} of the line (0xD1)" in err
    assert "save the file as UTF-8" in err
    (cli.workdir / "s.txt").write_bytes("GNB-0000001\nGNB-0000002\nPÉREZ\n".encode("latin-1"))
    err = refused(cli, *issue_absence("s.txt"))
    assert "--subjects s.txt: not UTF-8 at line 3, byte 2 of the line (0xC9)" in err
    rules = '{"version": 1,\n "title": "Salida sin autorización"}'
    (cli.workdir / "rules.json").write_bytes(rules.encode("latin-1"))
    err = refused(cli, "order", "issue", "--kind", "exit-control", "--number", "DIR-1",
                  "--authority", "CG-GNB", "--key", "cg.pem", "--signed-on", "2018-11-13",
                  "--rules", "rules.json")  # fmt: skip
    at = rules.splitlines()[1].index("ó") + 1
    assert f"--rules rules.json: not UTF-8 at line 2, byte {at} of the line (0xF3)" in err


def test_a_roll_file_not_utf8_far_into_it_is_refused_with_nothing_imported(cli: Cli) -> None:
    rows = roll_rows(1_200, start=100)  # the bad byte some chunks into the file
    rows[1_100][3] = "MUÑOZ"
    text = csv_text(rows)
    (cli.workdir / "new.csv").write_bytes(text.encode("utf-8").replace("Ñ".encode(), b"\xd1"))
    at = text.splitlines()[1_101].index("Ñ") + 1
    err = refused(cli, *IMPORT)
    assert f"new.csv: not UTF-8 at line 1102, byte {at} of the line (0xD1)" in err
    assert cli.json("stats")["total"] == 30  # nothing imported


def test_every_refused_subject_is_named(cli: Cli) -> None:
    unknown = [f"GNB-99999{i:02d}" for i in range(25)]
    lines = ["GNB-0000001", *unknown, "V-10.000.001", "GNB-0000002", "GNB-0000002"]
    (cli.workdir / "s.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = refused(cli, *issue_absence("s.txt"))
    assert "s.txt: 27 subject(s) refused, nothing recorded" in err
    assert "line 2: 'GNB-9999900': not on the roll" in err
    assert "line 26: 'GNB-9999924': not on the roll" in err
    assert "line 27: 'V-10.000.001': the same person as line 1 ('GNB-0000001')" in err
    assert "line 29: 'GNB-0000002': the same person as line 28 ('GNB-0000002')" in err
    proc = cli.run(*issue_absence("s.txt", "--json"), ok=False)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["code"] == "UnknownSubjectError"
    assert report["file"] == "s.txt"
    assert [p["line"] for p in report["problems"]] == [*range(2, 28), 29]
    assert report["problems"][0] == {
        "line": 2, "ref": "GNB-9999900", "problem": "not on the roll"
    }  # fmt: skip
    assert cli.json("stats")["by_status"].get("absent", 0) == 0


def test_files_that_are_not_there_or_not_files(cli: Cli) -> None:
    (cli.workdir / "folder").mkdir()
    assert "roll file folder: is a folder" in refused(cli, *IMPORT[:2], "folder", *IMPORT[3:])
    assert "--subjects none.txt: no such file" in refused(cli, *issue_absence("none.txt"))
    err = refused(cli, "order", "subjects", "ENL-1", "--out", "no/such/folder/s.csv")
    assert "--out no/such/folder/s.csv: no folder no/such/folder" in err
