"""Accounts, sessions and tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from muster.accounts import accounts
from muster.accounts.accounts import Role
from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.store.tables import posts
from tests.factories import new_registry

PW = "correct horse battery"


@pytest.fixture
def reg(engine: Engine) -> Engine:
    new_registry(engine)
    return engine


def test_init_loads_the_border_posts(reg: Engine) -> None:
    with reg.connect() as conn:
        count = conn.execute(select(func.count()).select_from(posts)).scalar_one()
        sbol = conn.execute(select(posts.c.name).where(posts.c.code == "SBOL")).scalar_one()
    assert count == 24 and sbol == "Puente Internacional Simón Bolívar"


def test_users_tokens_sessions(reg: Engine) -> None:
    with reg.begin() as conn:
        officer = accounts.add_user(
            conn,
            "ana",
            Role.OFFICER,
            PW,
            post_codes=["sbol", "FPSA"],
            authority=None,
            created_by="admin",
        )
        assert officer.posts == ("SBOL", "FPSA")
        with pytest.raises(RefusedError, match="already exists"):
            accounts.add_user(
                conn, "ana", Role.AUDITOR, PW, post_codes=[], authority=None, created_by="admin"
            )
        token, token_id = accounts.create_token(conn, "ana", 30)
    assert token.startswith("mst_") and len(token_id) == 12
    with reg.begin() as conn:
        assert accounts.authenticate(conn, token) == accounts.Account(
            "ana", Role.OFFICER, ("FPSA", "SBOL")
        )
        assert accounts.authenticate(conn, token + "x") is None
        assert accounts.login(conn, "ana", "wrong password") is None
        assert accounts.login(conn, "nobody", PW) is None
        logged = accounts.login(conn, "ana", PW)
        assert logged is not None and accounts.authenticate(conn, logged[1]) is not None
        accounts.revoke_token(conn, token_id)
        assert accounts.authenticate(conn, token) is None
        accounts.disable_user(conn, "ana")
        assert accounts.authenticate(conn, logged[1]) is None
        assert accounts.login(conn, "ana", PW) is None


@pytest.mark.parametrize(
    ("role", "post_codes", "authority", "error", "match"),
    [
        (Role.OFFICER, [], None, InvalidInputError, "bound to one or more posts"),
        (Role.CLERK, ["SBOL"], None, InvalidInputError, "not bound to posts"),
        (Role.OFFICER, ["XXXX"], None, NotFoundError, "unknown post"),
        (Role.AUTHORITY, [], None, InvalidInputError, "authority is required"),
        (Role.AUTHORITY, [], "NOPE", NotFoundError, "no authority"),
    ],
)
def test_role_bindings_are_checked(
    reg: Engine,
    role: Role,
    post_codes: list[str],
    authority: str | None,
    error: type[Exception],
    match: str,
) -> None:
    with reg.begin() as conn, pytest.raises(error, match=match):
        accounts.add_user(
            conn, "x", role, PW, post_codes=post_codes, authority=authority, created_by="admin"
        )


def test_accounts_and_tokens_write_their_times_with_z(reg: Engine) -> None:
    from muster.store.tables import tokens, users

    with reg.begin() as conn:
        accounts.add_user(
            conn, "robot", Role.AUDITOR, "a long password", post_codes=[], authority=None,
            created_by="t",
        )  # fmt: skip
        token, _ = accounts.create_token(conn, "robot", 30)
        accounts.revoke_token(conn, token)
        times = [
            *conn.execute(select(users.c.created_at)).scalars(),
            *conn.execute(
                select(tokens.c.created_at, tokens.c.expires_at, tokens.c.revoked_at)
            ).one(),
        ]
    assert len(times) == 4 and all(t.endswith("Z") for t in times), times
