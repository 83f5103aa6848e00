"""`muster match` as a contract: files in, one result row per traveler out, clear refusals."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from muster.demo.population import generate_roll, write_roll_csv
from muster.demo.travelers import generate_travelers
from tests.e2e.cli_helpers import muster_executable

HEADER = "traveler_id,given_names,surnames,birth_date,national_id,document_number,nationality"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([muster_executable(), "match", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str | None]]:
    tmp = tmp_path_factory.mktemp("match")
    roll = generate_roll(2000, 11)
    write_roll_csv(tmp / "roll.csv", roll)
    travelers = generate_travelers(roll, 200, 12)
    with (tmp / "travelers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER.split(","))
        for lt in travelers:
            t = lt.traveler
            writer.writerow([t.traveler_id, t.given_names, t.surnames, t.birth_date,
                             t.national_id, t.document_number, "VEN"])  # fmt: skip
        writer.writerow(["ODD", "JOSÉ", "PÉREZ", "31/31/1990", "12345678", "", ""])
    truth = {lt.traveler.traveler_id: lt.truth for lt in travelers}
    return tmp / "roll.csv", tmp / "travelers.csv", truth


def test_results_follow_the_contract(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    roll, travelers, truth = files
    out = tmp_path / "results.csv"
    done = run(
        "--roll", str(roll), "--travelers", str(travelers), "--out", str(out), "--workers", "2"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "traveler_id", "serial_number", "score", "verdict", "reasons", "status", "category"
    ]  # fmt: skip
    assert [r["traveler_id"] for r in rows] == [*truth, "ODD"]
    for r in rows:
        assert 0.0 <= float(r["score"]) <= 1.0
        assert r["verdict"] in ("match", "possible", "no_match")
        assert (r["serial_number"] == "") == (r["verdict"] == "no_match")
        if r["verdict"] == "match":
            assert r["serial_number"] == truth[r["traveler_id"]]
        # the roll file has a category column and no status column
        assert r["status"] == ""
        assert (r["category"] in ("active", "reserve", "retired_reserve")) == bool(
            r["serial_number"]
        )
    odd = rows[-1]["reasons"]
    assert "birth date '31/31/1990' unreadable" in odd and "no letter" in odd


def test_missing_column_fails_at_once(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    roll, _, _ = files
    bad = tmp_path / "t.csv"
    bad.write_text("traveler_id,given_names,surnames\nT1,ANA,PEREZ\n", encoding="utf-8")
    done = run("--roll", str(roll), "--travelers", str(bad), "--out", str(tmp_path / "o.csv"))
    assert done.returncode == 1
    assert "missing column(s) birth_date" in done.stderr and "Traceback" not in done.stderr


def test_not_utf8_fails_at_once(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    roll, _, _ = files
    bad = tmp_path / "t.csv"
    bad.write_bytes((HEADER + "\nT1,JOSÉ,PÉREZ,,,,\n").encode("latin-1"))
    done = run("--roll", str(roll), "--travelers", str(bad), "--out", str(tmp_path / "o.csv"))
    assert done.returncode == 1 and "not UTF-8" in done.stderr


def test_as_of_with_a_roll_file_is_refused_clearly(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    roll, travelers, _ = files
    done = run("--roll", str(roll), "--travelers", str(travelers), "--out", str(tmp_path / "o.csv"),
               "--as-of", "2019-01-01")  # fmt: skip
    assert done.returncode == 2 and "--as-of applies to the registry's roll" in done.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert run("--out", str(tmp_path / "o.csv")).returncode == 2


def test_roll_file_not_utf8_or_missing_a_column_fails_clearly(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    _, travelers, _ = files
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "serial_number,national_id,given_names,surnames,birth_date,sex\n"
        "EB-1,V-1,JOSÉ,PÉREZ,1980-01-01,M\n".encode("latin-1")
    )
    short = tmp_path / "short.csv"
    short.write_text("serial_number,given_names,surnames\nEB-1,JOSE,PEREZ\n", encoding="utf-8")
    for roll, message in ((latin, "not UTF-8"), (short, "missing column(s) national_id")):
        done = run("--roll", str(roll), "--travelers", str(travelers), "--out",
                   str(tmp_path / "o.csv"))  # fmt: skip
        assert done.returncode == 1 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_roll_file_with_a_byte_order_mark_and_a_repeated_serial(tmp_path: Path) -> None:
    roll = tmp_path / "roll.csv"
    roll.write_text(
        "\ufeffserial_number,national_id,given_names,surnames,birth_date,sex\n"
        "EB-1,V-1000001,PEDRO,MARCANO SUCRE,1980-01-02,M\n"
        "\n"
        "EB-1,V-1000001,PEDRO JOSÉ,MARCANO SUCRE,1980-01-02,M\n",
        encoding="utf-8",
    )
    travelers = tmp_path / "t.csv"
    travelers.write_text(HEADER + "\nT1,PEDRO JOSE,MARCANO,02/01/1980,V-1000001,,VEN\n")
    out = tmp_path / "o.csv"
    done = run("--roll", str(roll), "--travelers", str(travelers), "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["verdict"], row["serial_number"]) == ("match", "EB-1")
    assert "given name JOSE" in row["reasons"]


def test_forked_workers_give_the_rows_in_the_travelers_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from muster.cli import match_cmd
    from muster.demo.travelers import as_member
    from muster.matching import Matcher

    roll = generate_roll(300, 21)
    matcher = Matcher.from_members(as_member(p) for p in roll)
    travelers = [lt.traveler for lt in generate_travelers(roll, 40, 22)]
    monkeypatch.setattr(match_cmd, "CHUNK", 7)
    alone = list(match_cmd.match_all(matcher, travelers, 1))
    forked = list(match_cmd.match_all(matcher, travelers, 2))
    assert forked == alone
    assert [row[0] for row in forked] == [t.traveler_id for t in travelers]
    assert sum(row[3] == "match" for row in forked) > 5


def test_status_and_category_come_from_the_roll_file_when_it_has_them(tmp_path: Path) -> None:
    roll = tmp_path / "roll.csv"
    roll.write_text(
        "serial_number,national_id,given_names,surnames,birth_date,sex,category,status\n"
        "EB-1,V-1000001,PEDRO,MARCANO SUCRE,1980-01-02,M,retired_reserve,struck_off\n",
        encoding="utf-8",
    )
    travelers = tmp_path / "t.csv"
    travelers.write_text(HEADER + "\nT1,PEDRO,MARCANO SUCRE,1980-01-02,V-1000001,,VEN\n")
    out = tmp_path / "o.csv"
    done = run("--roll", str(roll), "--travelers", str(travelers), "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["serial_number"], row["status"], row["category"]) == (
        "EB-1", "struck_off", "retired_reserve"
    )  # fmt: skip


def refused(*args: str, code: int = 1) -> str:
    done = run(*args)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    return done.stderr


def test_files_that_cannot_be_read_are_named_with_the_line(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    roll, travelers, _ = files
    out = str(tmp_path / "o.csv")
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "\nT1,ANA," + "x" * 200_000 + ",,,,\n", encoding="utf-8")
    err = refused("--roll", str(roll), "--travelers", str(big), "--out", out)
    assert f"travelers file {big}: line 2: a field longer than 131,072 characters" in err
    big.write_text(
        "serial_number,national_id,given_names,surnames,birth_date,sex\n"
        "EB-1,V-1,JOSE,PEREZ,1980-01-01,M\n"
        'EB-2,V-2,"' + "x" * 200_000 + ",PEREZ,1980-01-01,M\n",
        encoding="utf-8",
    )
    err = refused("--roll", str(big), "--travelers", str(travelers), "--out", out)
    assert f"roll file {big}: line 3: a field longer than 131,072 characters" in err
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "serial_number,national_id,given_names,surnames,birth_date,sex\n"
        "EB-1,V-1,JOSE,PEREZ,1980-01-01,M\n"
        "EB-2,V-2,JOSÉ,PÉREZ,1980-01-01,M\n".encode("latin-1")
    )
    err = refused("--roll", str(latin), "--travelers", str(travelers), "--out", out)
    assert f"roll file {latin}: not UTF-8 at line 3, byte 13 of the line (0xC9)" in err
    err = refused("--roll", str(roll), "--travelers", str(latin), "--out", out)
    assert f"travelers file {latin}: not UTF-8 at line 3, byte 13 of the line (0xC9)" in err
    assert not Path(out).exists()


def test_outputs_are_checked_before_anything_is_written(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    roll, travelers, _ = files
    before = travelers.read_bytes()
    missing = tmp_path / "no" / "such" / "o.csv"
    err = refused("--roll", str(roll), "--travelers", str(travelers), "--out", str(missing))
    assert f"--out {missing}: no folder {missing.parent}" in err
    same = travelers.parent / "." / travelers.name  # the same file, spelled otherwise
    err = refused("--roll", str(roll), "--travelers", str(travelers), "--out", str(same))
    assert f"--out {same}: it is also an input file ({travelers})" in err
    err = refused("--roll", str(roll), "--travelers", str(travelers), "--out", str(roll))
    assert "it is also an input file" in err
    err = refused("--roll", str(roll), "--travelers", str(travelers), "--out",
                  str(tmp_path / "o.csv"), "--save-index", str(travelers))  # fmt: skip
    assert f"--save-index {travelers}: it is also an input file" in err
    assert travelers.read_bytes() == before
    assert not (tmp_path / "o.csv").exists()


def test_roll_with_index_is_a_usage_error_and_a_missing_index_is_named(
    files: tuple[Path, Path, dict[str, str | None]], tmp_path: Path
) -> None:
    roll, travelers, _ = files
    out = str(tmp_path / "o.csv")
    index = tmp_path / "roll.npz"
    err = refused("--roll", str(roll), "--index", str(index), "--travelers", str(travelers),
                  "--out", out, code=2)  # fmt: skip
    assert "--roll or --index, not both" in err
    err = refused("--index", str(index), "--travelers", str(travelers), "--out", out)
    assert f"match index {index}: no such file" in err
    done = run("--roll", str(roll), "--travelers", str(travelers), "--out", out,
               "--save-index", str(index))  # fmt: skip
    assert done.returncode == 0, done.stderr
    index.with_suffix(".json").unlink()
    err = refused("--index", str(index), "--travelers", str(travelers), "--out", out)
    assert f"match index {index}: its manifest {index.with_suffix('.json')} is missing" in err
