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


def test_upgrading_from_0005_adds_the_revocation_count_and_login_attempts(engine: Engine) -> None:
    """A registry with an account and a token, taken back to 0005: 0006 adds the count of
    credentials ended (at 0) and the table of login attempts, the schema is the one the code
    declares, and the token still works."""
    from alembic import command
    from sqlalchemy import inspect, select

    from muster.accounts import accounts
    from muster.accounts.accounts import Role
    from muster.store.tables import credential_revocations
    from tests.factories import new_registry

    new_registry(engine)
    with engine.begin() as conn:
        accounts.add_user(
            conn, "robot", Role.AUDITOR, "a long password", post_codes=[], authority=None,
            created_by="t",
        )  # fmt: skip
        token, _ = accounts.create_token(conn, "robot", None)
    config = schema.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    assert schema.current_revision(engine) == "0005"
    assert not inspect(engine).has_table("login_attempts")
    assert schema.upgrade(engine) is True
    assert schema.current_revision(engine) == "0006"
    with engine.connect() as conn:
        assert conn.execute(select(credential_revocations)).all() == [(1, 0)]
        assert accounts.authenticate(conn, token) is not None
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    with engine.begin() as conn:
        accounts.revoke_token(conn, token)
    with engine.connect() as conn:
        assert conn.execute(select(credential_revocations.c.counter)).scalar_one() == 1
