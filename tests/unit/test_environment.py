"""`muster.environment` reads what `config.Settings` reads, without pydantic."""

from __future__ import annotations

import os

import pytest

from muster.config import Settings
from muster.environment import database_url, today


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"MUSTER_DATABASE_URL": "sqlite:///a.db"},
        {"muster_database_url": "sqlite:///b.db"},
        {"Muster_Database_Url": " sqlite:///c.db "},
        {"MUSTER_DATABASE_URL": ""},
        {"MUSTER_DATABASE_URL": "sqlite:///a.db", "muster_database_url": "sqlite:///b.db"},
        {"muster_database_url": "sqlite:///b.db", "MUSTER_DATABASE_URL": "sqlite:///a.db"},
    ],
)
def test_database_url_is_what_settings_read(
    variables: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [k for k in os.environ if k.lower() == "muster_database_url"]:
        monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert database_url() == Settings().database_url


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"MUSTER_SCREENING_DATE": "2019-03-15"},
        {"muster_screening_date": "2019-03-15"},
        {"Muster_Screening_Date": "2018-12-21"},
        {"MUSTER_SCREENING_DATE": "2019-03-15", "muster_screening_date": "2018-12-21"},
    ],
)
def test_the_day_of_decisions_is_what_settings_read(
    variables: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`today()` without settings reads the variable as Settings does: any case, and of two
    spellings the later one."""
    for name in [k for k in os.environ if k.lower() == "muster_screening_date"]:
        monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert today() == today(Settings())
