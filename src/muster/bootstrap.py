"""The one wiring module: the settings and the database engines the entry points (the CLI
and the API) hand to the registry and screening packages.

Nothing but an entry point imports it, and no entry point opens the store any other way
(`tests/unit/test_layering.py`). It stays light to import: a command's start pays for
pydantic-settings only when it asks for `settings()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from muster.environment import database_url
from muster.store.dialects import make_engine
from muster.store.dialects import reading as read_only

if TYPE_CHECKING:
    from muster.config import Settings

__all__ = ["engine", "reading", "settings"]


def settings() -> Settings:
    """The settings from the `MUSTER_*` environment."""
    from muster.config import Settings  # pydantic: for the entry points that need more

    return Settings()


def engine(s: Settings | None = None) -> Engine:
    """The engine for writing and reading the configured database: the settings' URL, or
    `MUSTER_DATABASE_URL` read without building the settings."""
    return make_engine(s.database_url if s is not None else database_url())


def reading(engine: Engine) -> Connection:
    """A connection for reading only: on SQLite it never waits for the write lock."""
    return read_only(engine)
