"""A command imports what it needs: the matcher's numpy, Alembic and the HTTP server only
where a command uses them, never at start (what is imported, not how long it takes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli_helpers import Cli
from tests.e2e.test_cli_contract import setup_registry
from tests.factories import csv_text, roll_rows

HEAVY = ("numpy", "alembic", "fastapi", "uvicorn", "starlette")


def imported(cli: Cli, *args: str) -> set[str]:
    """The top-level packages a `muster` process imported, from Python's import-time log."""
    proc = cli.run(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
    return {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path)
    (tmp_path / "roll.csv").write_text(csv_text(roll_rows(30)), encoding="utf-8")
    return c


def test_the_import_log_is_read(cli: Cli) -> None:
    """The check below sees imports at all: typer is always among them."""
    assert "typer" in imported(cli, "--version")


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("order", "issue", "--help")])
def test_version_and_help_import_no_heavy_package(cli: Cli, args: tuple[str, ...]) -> None:
    assert imported(cli, *args) & set(HEAVY) == set()


def test_reading_and_issuing_import_no_heavy_package(cli: Cli, tmp_path: Path) -> None:
    setup_registry(cli)
    assert imported(cli, "person", "show", "10000003") & set(HEAVY) == set()
    (tmp_path / "absent.txt").write_text("GNB-0000004\nGNB-0000005\n", encoding="utf-8")
    issued = imported(
        cli,
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
    assert issued & set(HEAVY) == set()
    # Issuing an order needs neither pydantic-settings (the settings it reads are read
    # without), Rich (its summary is one plain line) nor argon2 (accounts).
    assert issued & {"pydantic_settings", "rich", "argon2"} == set()
    assert imported(cli, "init") & set(HEAVY) == set()  # up to date: no migration, no Alembic
