"""`muster roll import` of files as people keep them, on every backend; the registry verifies."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, roll_rows


def test_a_spreadsheets_roll_file_imports_and_the_registry_verifies(
    tmp_path: Path, db_url: str
) -> None:
    cli = Cli(tmp_path, db_url)
    rows = roll_rows(1_300)  # a few chunks of rows
    rows[5][9] = "Destacamento 211, Zona 3"  # quoted, as the comma needs
    rows[7][2] = "  josé   gregorio "  # cleaned
    text = csv_text(rows)  # CRLF line ends, as csv writes them
    (tmp_path / "roll.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # with a BOM
    setup_registry(cli)  # imports roll.csv into the empty roll
    assert cli.json("stats")["total"] == 1_300
    assert cli.json("person", "show", "GNB-0000006")["unit"] == "Destacamento 211, Zona 3"
    assert cli.json("person", "show", "GNB-0000008")["given_names"] == "josé gregorio"
    (tmp_path / "more.csv").write_text(csv_text(roll_rows(40, start=5_000)), encoding="utf-8")
    cli.run("roll", "import", "more.csv", "--authority", "REG-GNB", "--key", "reg.pem")
    assert cli.json("stats")["total"] == 1_340
    assert cli.json("verify")["ok"] is True
