"""The Alembic migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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


def test_head_revision_is_the_newest_migration() -> None:
    """`HEAD_REVISION`, read without Alembic, is the head of the migrations shipped."""
    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert scripts.get_heads() == [schema.HEAD_REVISION]


def test_an_up_to_date_schema_is_checked_without_alembic(engine: Engine) -> None:
    """The revision check reads `alembic_version` itself; an empty database has none."""
    assert schema.current_revision(engine) is None
    schema.upgrade(engine)
    with engine.connect() as conn:
        assert (
            schema.current_revision(engine)
            == MigrationContext.configure(conn).get_current_revision()
        )
