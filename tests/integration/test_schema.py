"""The Alembic migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from muster.store import schema
from muster.store.tables import metadata


def test_migrations_match_the_tables(engine: Engine) -> None:
    assert schema.upgrade(engine) is True
    assert schema.upgrade(engine) is False  # idempotent
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert schema.current_revision(engine) == schema.head_revision()
