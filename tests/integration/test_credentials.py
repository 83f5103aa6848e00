"""Token ids and the count of credentials ended, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest
from sqlalchemy import Engine, select, text

from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.services import accounts
from muster.services.accounts import RevocationWatch, Role
from muster.store.tables import credential_revocations
from tests.factories import new_registry

PW = "correct horse battery"


@pytest.fixture
def reg(engine: Engine) -> Engine:
    new_registry(engine)
    with engine.begin() as conn:
        for name in ("robot", "other"):
            accounts.add_user(
                conn, name, Role.AUDITOR, PW, post_codes=[], authority=None, created_by="t"
            )
    return engine


def counted(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(credential_revocations.c.counter)).scalar_one())


class TestTokenIds:
    def test_only_the_token_with_exactly_that_id_is_revoked(self, reg: Engine) -> None:
        """Tokens until two share their first two characters: neither those two characters,
        nor eleven of them, nor a wildcard revokes anything; the id revokes its token only."""
        by_start: dict[str, list[tuple[str, str]]] = defaultdict(list)
        with reg.begin() as conn:
            while True:
                token, token_id = accounts.create_token(conn, "robot", None)
                by_start[token_id[:2]].append((token, token_id))
                if len(by_start[token_id[:2]]) == 2:
                    break
        (first, first_id), (second, second_id) = by_start[token_id[:2]]
        for given in (first_id[:2], first_id[:11], "%", first_id[:11] + "_", first_id + "0"):
            with reg.begin() as conn, pytest.raises(InvalidInputError, match="is not a token id"):
                accounts.revoke_token(conn, given)
        with reg.begin() as conn, pytest.raises(NotFoundError, match="no token 000000000000"):
            accounts.revoke_token(conn, "000000000000")
        with reg.begin() as conn:
            assert accounts.authenticate(conn, first) is not None
            assert accounts.revoke_token(conn, first_id.upper()) == first_id
            assert accounts.authenticate(conn, first) is None
            assert accounts.authenticate(conn, second) is not None
            with pytest.raises(RefusedError, match=f"token {first_id} was revoked already"):
                accounts.revoke_token(conn, first_id)
            assert accounts.revoke_token(conn, second) == second_id  # the token itself
            assert accounts.authenticate(conn, second) is None

    def test_an_id_never_names_a_session(self, reg: Engine) -> None:
        with reg.begin() as conn:
            logged = accounts.login(conn, "robot", PW)
            assert logged is not None
            session_id = accounts._digest(logged[1])[: accounts.TOKEN_ID_LENGTH]
            with pytest.raises(NotFoundError):
                accounts.revoke_token(conn, session_id)
            assert accounts.revoke_token(conn, logged[1]) == session_id  # the session itself
            assert accounts.authenticate(conn, logged[1]) is None


class TestRevocationCount:
    def test_every_end_of_a_credential_counts(self, reg: Engine) -> None:
        assert counted(reg) == 0
        with reg.begin() as conn:
            token, token_id = accounts.create_token(conn, "robot", None)
            logged = accounts.login(conn, "other", PW)
            assert logged is not None
        with reg.begin() as conn:
            accounts.revoke_token(conn, token_id)
        with reg.begin() as conn:
            accounts.end_session(conn, logged[1])
        with reg.begin() as conn:
            accounts.disable_user(conn, "robot")
        assert counted(reg) == 3
        with reg.begin() as conn, pytest.raises(RefusedError):
            accounts.revoke_token(conn, token)  # refused: nothing ended, nothing counted
        assert counted(reg) == 3

    def test_the_watch_reads_what_is_committed_now(self, reg: Engine) -> None:
        watch = RevocationWatch(reg)
        try:
            assert watch.read() == 0
            with reg.begin() as conn:
                accounts.disable_user(conn, "robot")
            assert watch.read() == 1  # at once, not when a snapshot or a transaction ends
            with reg.begin() as conn:
                accounts.disable_user(conn, "other")
            assert watch.read() == 2
        finally:
            watch.close()

    def test_the_watch_reconnects_when_its_connection_is_lost(self, reg: Engine) -> None:
        watch = RevocationWatch(reg)
        try:
            assert watch.read() == 0
            if reg.dialect.name == "postgresql":
                pid = watch._raw.info.backend_pid
                with reg.connect() as conn:
                    conn.execute(text(f"SELECT pg_terminate_backend({pid})"))
                time.sleep(0.2)
            else:
                watch._raw.close()
            with reg.begin() as conn:
                accounts.disable_user(conn, "robot")
            assert watch.read() == 1
        finally:
            watch.close()
