"""Token ids, the count of credentials ended, and the shared login limits, on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import pytest
from sqlalchemy import Engine, func, select, text

from muster.accounts import accounts, login_limits
from muster.accounts.accounts import RevocationWatch, Role
from muster.accounts.login_limits import Attempt, LoginPolicy, Refusal
from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.store.tables import credential_revocations, login_attempts
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


class TestLoginLimits:
    def test_attempts_at_once_never_pass_a_limit_together(self, reg: Engine) -> None:
        """Sixteen attempts at once for one name from one address, none succeeding: at most
        five are let through to their password check, whichever connection takes them (at
        the limit's edge all may be refused: each may see the others)."""
        policy = LoginPolicy()
        barrier = threading.Barrier(16)
        outcomes: list[Attempt | Refusal] = []

        def attempt() -> None:
            barrier.wait()
            outcomes.append(
                login_limits.begin_attempt(reg, policy, "robot", "192.0.2.1", time.time())
            )

        threads = [threading.Thread(target=attempt) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        checked = [o for o in outcomes if isinstance(o, Attempt)]
        assert len(checked) <= policy.per_address_and_name
        with reg.connect() as conn:  # refused attempts are not failures
            rows = conn.execute(select(func.count()).select_from(login_attempts)).scalar_one()
        assert rows == len(checked)
        later = login_limits.begin_attempt(reg, policy, "robot", "192.0.2.1", time.time())
        assert isinstance(later, Refusal) == (len(checked) >= policy.per_address_and_name)

    def test_failures_age_out_of_the_window(self, reg: Engine) -> None:
        policy = LoginPolicy(window_s=60)
        start = 1_000_000.0
        for i in range(5):
            found = login_limits.begin_attempt(reg, policy, "robot", "192.0.2.2", start + i)
            assert isinstance(found, Attempt)
        refused = login_limits.begin_attempt(reg, policy, "robot", "192.0.2.2", start + 10)
        assert isinstance(refused, Refusal) and refused.retry_after_s == 51
        assert "wait 51 s" in refused.detail
        again = login_limits.begin_attempt(reg, policy, "robot", "192.0.2.2", start + 60.5)
        assert isinstance(again, Attempt)  # the first failure has aged out
        with reg.connect() as conn:  # and was deleted on the way
            ats = conn.execute(select(login_attempts.c.at).order_by(login_attempts.c.at))
            assert [a for (a,) in ats] == [start + 1, start + 2, start + 3, start + 4, start + 60.5]

    def test_a_name_failing_from_everywhere_is_slowed_never_refused(self, reg: Engine) -> None:
        policy = LoginPolicy()
        waits = []
        for i in range(12):
            found = login_limits.begin_attempt(reg, policy, "robot", f"192.0.2.{10 + i}", 5.0)
            assert isinstance(found, Attempt)
            waits.append(found.wait_s)
        assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 16, 16]


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("testclient", "testclient"),
        ("", "unknown"),
    ],
)
def test_the_address_the_limits_count_by(address: str, key: str) -> None:
    assert login_limits.address_key(address) == key
