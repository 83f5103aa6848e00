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
    assert schema.current_revision(engine) == schema.HEAD_REVISION
    with engine.connect() as conn:
        assert conn.execute(select(credential_revocations)).all() == [(1, 0)]
        assert accounts.authenticate(conn, token) is not None
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    with engine.begin() as conn:
        accounts.revoke_token(conn, token)
    with engine.connect() as conn:
        assert conn.execute(select(credential_revocations.c.counter)).scalar_one() == 1


def test_upgrading_from_0006_writes_every_timestamp_with_z(engine: Engine) -> None:
    """A registry at 0006 whose account, token, draft, referral and crossings were written
    with `+00:00`: 0007 rewrites them to `Z`, except the crossing already sealed (its batch
    entry hashed it so), and the registry still verifies."""
    from alembic import command
    from sqlalchemy import select, update

    from muster.accounts import accounts
    from muster.accounts.accounts import Role
    from muster.registry.opening import writing
    from muster.registry.sealing import seal_crossings
    from muster.registry.verify import verify_registry
    from muster.screening import crossings as cx
    from muster.store.tables import crossings, drafts, referrals, tokens, users
    from tests.factories import ACTOR, PASSPHRASE, crossing_record, new_registry, record_crossing

    old = "2019-03-15T12:00:00+00:00"
    new_registry(engine)
    with engine.begin() as conn:
        sealed = record_crossing(conn, crossing_record("clear"), old)
    with writing(engine, PASSPHRASE) as (conn, _reg):
        seal_crossings(conn, ACTOR)
    with engine.begin() as conn:
        pending = record_crossing(conn, crossing_record("refer"), old)
        supervisor = accounts.Account("sup", Role.SUPERVISOR, ("SBOL",), None)
        cx.resolve_referral(conn, pending, "held", "", supervisor)
        accounts.add_user(
            conn, "robot", Role.AUDITOR, "a long password", post_codes=[], authority=None,
            created_by="t",
        )  # fmt: skip
        token, _ = accounts.create_token(conn, "robot", 30)
        accounts.revoke_token(conn, token)
        conn.execute(
            drafts.insert().values(
                id="d_1", created_by="t", created_at=old, authority_code="CG-GNB",
                number="DIR-1", order_bytes=b"{}",
            )
        )  # fmt: skip
    written = (
        (users, "created_at"), (tokens, "created_at"), (tokens, "expires_at"),
        (tokens, "revoked_at"), (drafts, "created_at"), (referrals, "resolved_at"),
        (crossings, "at"),
    )  # fmt: skip
    ledger_before = ledger_bytes(engine)
    config = schema.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
        for table, column in written:  # as 0006 wrote them
            conn.execute(update(table).values({column: old}))
    assert schema.upgrade(engine) is True
    assert schema.current_revision(engine) == schema.HEAD_REVISION
    with engine.connect() as conn:
        for table, column in written:
            values = {r[0] for r in conn.execute(select(table.c[column]))}
            if table is crossings:
                assert values == {old, old.replace("+00:00", "Z")}
            else:
                assert values == {old.replace("+00:00", "Z")}, f"{table.name}.{column}"
        at = dict(conn.execute(select(crossings.c.id, crossings.c.at)).all())
        assert at == {sealed: old, pending: "2019-03-15T12:00:00Z"}
        report = verify_registry(conn)
    assert report.ok, report.problems
    assert ledger_bytes(engine) == ledger_before


def ledger_bytes(engine: Engine) -> list[tuple[object, ...]]:
    from sqlalchemy import select

    from muster.store.tables import ledger_entries

    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(select(ledger_entries).order_by(ledger_entries.c.seq))
        ]
