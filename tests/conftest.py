"""Shared fixtures: a fresh registry on SQLite and, when MUSTER_TEST_PG_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from muster.store.dialects import make_engine

PG_URL = os.environ.get("MUSTER_TEST_PG_URL")
PG_SKIP = "MUSTER_TEST_PG_URL is not set: run `make test`, which starts a throwaway PostgreSQL"


def fresh_pg_database() -> tuple[str, str]:
    """A new empty PostgreSQL database for one test: (url, name)."""
    assert PG_URL is not None
    name = f"muster_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    return url, name


def drop_pg_database(name: str) -> None:
    assert PG_URL is not None
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'muster.db'}"
        return
    if PG_URL is None:
        pytest.skip(PG_SKIP)
    url, name = fresh_pg_database()
    yield url
    drop_pg_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of an empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'muster.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()
