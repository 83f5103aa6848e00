"""Sessions and credentials: what logout ends, revocation at once on every server process,
login limits two servers share, trusted proxies, the session cookie's attributes.

Two apps on one database stand for two server processes: each has its own engine, account
cache and login limiter, as each process of `muster serve --workers N` does
(`tests/e2e/test_serve_auth.py` runs that for real)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from muster.accounts import accounts
from muster.accounts.accounts import Account, Holder, Role
from muster.accounts.login_limits import LoginPolicy
from muster.api.app import create_app
from muster.api.deps import AccountCache
from muster.api.routers.system import LoginLimiter
from muster.config import Settings
from muster.store.dialects import make_engine
from muster.store.tables import login_attempts
from tests.factories import PASSPHRASE, new_registry

PASSWORD = "a long enough password"
LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"
# Waits short enough for a test; the limits themselves as served.
QUICK = LoginPolicy(first_wait_s=0.2, longest_wait_s=0.4)


@dataclass
class Servers:
    """Two apps on one registry, as two server processes, and the registry's engine."""

    engine: Engine
    settings: Settings
    a: TestClient
    b: TestClient

    def client(self, app: TestClient, address: str, **kwargs: str) -> TestClient:
        """A client of the same app connecting from `address`."""
        return TestClient(app.app, client=(address, 40000), **kwargs)

    def login(self, name: str, client: TestClient | None = None) -> str:
        answer = (client or self.a).post(LOGIN, json={"name": name, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["token"]
        return token

    def forget_failures(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(login_attempts))


def bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    path: Path = tmp_path_factory.mktemp("sessions") / "muster.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    new_registry(engine)
    with engine.begin() as conn:
        for name in ("ana", "beto", "carla", "dora"):
            accounts.add_user(
                conn, name, Role.AUDITOR, PASSWORD, post_codes=[], authority=None, created_by="t"
            )
        accounts.add_user(
            conn, "root", Role.ADMIN, PASSWORD, post_codes=[], authority=None, created_by="t"
        )
    settings = Settings(
        database_url=url,
        registry_passphrase=PASSPHRASE,  # type: ignore[arg-type]
        trusted_proxies="10.9.0.0/16, 2001:db8:9::1",
    )
    apps = create_app(settings), create_app(settings)
    for app in apps:
        app.state.login_limiter = LoginLimiter(QUICK)
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
        yield Servers(engine, settings, a, b)
    engine.dispose()


@pytest.fixture
def fresh(servers: Servers) -> Servers:
    """The servers with no failed login counted and no cookie held."""
    servers.forget_failures()
    servers.a.cookies.clear()
    servers.b.cookies.clear()
    return servers


class TestLogout:
    def test_the_bearer_token_wins_over_a_cookie_sent_beside_it(self, fresh: Servers) -> None:
        """Bearer of one account, cookie of another, in both pairings: logout ends the bearer
        token (what the request was authenticated with) and leaves the cookie's session."""
        for bearer_name, cookie_name in (("ana", "beto"), ("beto", "ana")):
            token = fresh.login(bearer_name)
            cookie = fresh.login(cookie_name)
            fresh.a.cookies.clear()
            sent = {"muster_session": cookie}
            me = fresh.a.get(ME, headers=bearer(token), cookies=sent)
            assert me.json()["name"] == bearer_name
            out = fresh.a.post(LOGOUT, headers=bearer(token), cookies=sent)
            assert out.json() == {"logged_out": bearer_name}
            assert "set-cookie" not in out.headers  # the cookie is not this request's
            assert fresh.a.get(ME, headers=bearer(token)).status_code == 401
            assert fresh.a.get(ME, cookies=sent).json()["name"] == cookie_name

    def test_a_cookie_alone_ends_its_session_and_is_deleted(self, fresh: Servers) -> None:
        fresh.login("ana")  # the client holds the cookie
        token = fresh.a.cookies["muster_session"]
        other = fresh.login("beto", fresh.b)
        out = fresh.a.post(LOGOUT)
        assert out.json() == {"logged_out": "ana"}
        assert 'muster_session="";' in out.headers["set-cookie"]  # deleted
        fresh.a.cookies.clear()
        assert fresh.a.get(ME, cookies={"muster_session": token}).status_code == 401
        assert fresh.a.get(ME, headers=bearer(other)).json()["name"] == "beto"

    def test_the_same_session_as_bearer_and_cookie_is_ended_and_deleted(
        self, fresh: Servers
    ) -> None:
        token = fresh.login("ana")
        out = fresh.a.post(LOGOUT, headers=bearer(token))  # the client sends the cookie too
        assert 'muster_session="";' in out.headers["set-cookie"]
        assert fresh.a.get(ME, headers=bearer(token)).status_code == 401

    @pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
    def test_the_scheme_is_read_in_any_case(self, fresh: Servers, scheme: str) -> None:
        token = fresh.login("carla")
        fresh.a.cookies.clear()
        assert fresh.a.get(ME, headers=bearer(token, scheme)).json()["name"] == "carla"
        out = fresh.a.post(LOGOUT, headers=bearer(token, scheme))
        assert out.status_code == 200, out.text
        assert fresh.a.get(ME, headers=bearer(token)).status_code == 401

    def test_a_bad_bearer_token_is_refused_even_beside_a_good_cookie(self, fresh: Servers) -> None:
        fresh.login("ana")
        assert fresh.a.get(ME, headers=bearer("mst_nonsense")).status_code == 401
        assert fresh.a.post(LOGOUT, headers=bearer("mst_nonsense")).status_code == 401
        assert fresh.a.get(ME).json()["name"] == "ana"  # the session was left alone


class TestRevocationAtOnce:
    def test_a_logout_on_one_server_ends_the_session_on_the_other(self, fresh: Servers) -> None:
        token = fresh.login("ana")
        fresh.a.cookies.clear()
        for client in (fresh.a, fresh.b):  # both have it in their cache
            assert client.get(ME, headers=bearer(token)).status_code == 200
        assert fresh.a.post(LOGOUT, headers=bearer(token)).status_code == 200
        assert fresh.b.get(ME, headers=bearer(token)).status_code == 401  # no 5 s any more
        assert fresh.a.get(ME, headers=bearer(token)).status_code == 401

    @pytest.mark.parametrize("how", ["revoke-id", "revoke-token", "disable"])
    def test_the_command_line_ends_a_token_at_once_everywhere(
        self, fresh: Servers, how: str
    ) -> None:
        name = f"robot-{how}"
        with fresh.engine.begin() as conn:
            accounts.add_user(
                conn, name, Role.AUDITOR, PASSWORD, post_codes=[], authority=None, created_by="t"
            )
            token, token_id = accounts.create_token(conn, name, None)
            other, _ = accounts.create_token(conn, "dora", None)
        for client in (fresh.a, fresh.b):
            assert client.get(ME, headers=bearer(token)).status_code == 200
            assert client.get(ME, headers=bearer(other)).status_code == 200
        with fresh.engine.begin() as conn:  # what `muster token revoke` / `user disable` do
            if how == "revoke-id":
                accounts.revoke_token(conn, token_id)
            elif how == "revoke-token":
                accounts.revoke_token(conn, token)
            else:
                accounts.disable_user(conn, name)
        for client in (fresh.a, fresh.b):
            assert client.get(ME, headers=bearer(token)).status_code == 401
            assert client.get(ME, headers=bearer(other)).status_code == 200  # read again

    def test_an_account_read_before_a_revocation_is_not_kept_after_it(self) -> None:
        """A request that read the account under the old count does not put it back into a
        cache another request has emptied meanwhile."""
        cache = AccountCache()
        cache.counted = 4  # another request has read the new count
        cache.put("mst_x", Holder(Account("ana", Role.AUDITOR), None), counted=3)
        assert cache.get("mst_x") is None
        cache.put("mst_x", Holder(Account("ana", Role.AUDITOR), None), counted=4)
        assert cache.get("mst_x") == Account("ana", Role.AUDITOR)

    def test_an_expired_token_is_not_served_from_the_cache(self) -> None:
        cache = AccountCache()
        cache.counted = 1
        soon = datetime.now(UTC) + timedelta(seconds=0.2)
        cache.put("mst_x", Holder(Account("ana", Role.AUDITOR), soon), counted=1)
        assert cache.get("mst_x") is not None
        time.sleep(0.3)
        assert cache.get("mst_x") is None


def statuses(
    client: TestClient, name: str, n: int, headers: dict[str, str] | None = None
) -> list[int]:
    """The statuses of `n` logins with a wrong password."""
    wrong = {"name": name, "password": "wrong"}
    return [client.post(LOGIN, json=wrong, headers=headers).status_code for _ in range(n)]


class TestTokenRevocation:
    def test_delete_revokes_exactly_the_token_with_that_id(self, fresh: Servers) -> None:
        with fresh.engine.begin() as conn:
            admin, _ = accounts.create_token(conn, "root", None)
        made = [
            fresh.a.post("/api/v1/tokens", json={"user": "dora"}, headers=bearer(admin)).json()
            for _ in range(2)
        ]
        for made_one in made:
            assert fresh.b.get(ME, headers=bearer(made_one["token"])).status_code == 200
        first = made[0]["id"]
        for part in (first[:2], first[:11], "%25", first + "0", first.upper()):
            refused = fresh.a.delete(f"/api/v1/tokens/{part}", headers=bearer(admin))
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["loc"] == ["path", "token_id"]
        for made_one in made:  # nothing was revoked
            assert fresh.b.get(ME, headers=bearer(made_one["token"])).status_code == 200
        done = fresh.a.delete(f"/api/v1/tokens/{first}", headers=bearer(admin))
        assert done.json() == {"revoked": first}
        assert fresh.b.get(ME, headers=bearer(made[0]["token"])).status_code == 401
        assert fresh.b.get(ME, headers=bearer(made[1]["token"])).status_code == 200
        again = fresh.a.delete(f"/api/v1/tokens/{first}", headers=bearer(admin))
        assert again.status_code == 409 and "revoked already" in again.json()["detail"]
        missing = fresh.a.delete("/api/v1/tokens/000000000000", headers=bearer(admin))
        assert missing.status_code == 404


class TestLoginLimits:
    def test_two_servers_share_the_limits(self, fresh: Servers) -> None:
        """Failures on either server count on both: 5 for a name from one address, then 429
        on both, even with the right password."""
        seen = [s for _ in range(3) for c in (fresh.a, fresh.b) for s in statuses(c, "ana", 1)]
        assert seen == [401] * 5 + [429]
        for client in (fresh.a, fresh.b):
            right = client.post(LOGIN, json={"name": "ana", "password": PASSWORD})
            assert right.status_code == 429
            assert "for this account from this address; wait" in right.json()["detail"]
            # how long to wait, in seconds: at most the window the failures are counted in
            assert 1 <= int(right.headers["retry-after"]) <= QUICK.window_s

    def test_the_owner_gets_in_from_another_address_only_slower(self, fresh: Servers) -> None:
        """Failures in a name from elsewhere do not lock its owner out: they slow every login
        for the name, one that succeeds included."""
        for n, server in enumerate((fresh.a, fresh.b, fresh.a)):
            attacker = fresh.client(server, f"192.0.2.{n + 1}")
            assert statuses(attacker, "beto", 5) == [401] * 5
            assert statuses(attacker, "beto", 1) == [429]
        owner = fresh.client(fresh.b, "198.51.100.7")
        started = time.monotonic()
        fresh.login("beto", owner)
        assert time.monotonic() - started >= QUICK.longest_wait_s  # 15 failures: the longest
        again = fresh.client(fresh.a, "198.51.100.8")
        started = time.monotonic()
        assert statuses(again, "beto", 1) == [401]  # still slowed, never refused
        assert time.monotonic() - started >= QUICK.longest_wait_s

    def test_an_address_trying_many_names_is_refused(self, fresh: Servers) -> None:
        spray = fresh.client(fresh.a, "192.0.2.50")
        seen = [statuses(spray, f"nobody-{i}", 1)[0] for i in range(QUICK.per_address + 1)]
        assert seen == [401] * QUICK.per_address + [429]
        assert statuses(fresh.client(fresh.b, "192.0.2.50"), "ana", 1) == [429]
        assert statuses(fresh.client(fresh.b, "192.0.2.51"), "ana", 1) == [401]

    def test_a_success_clears_the_failures_of_its_name_from_its_address(
        self, fresh: Servers
    ) -> None:
        user = fresh.client(fresh.a, "192.0.2.60")
        assert statuses(user, "carla", 4) == [401] * 4
        fresh.login("carla", user)
        assert statuses(user, "carla", 5) == [401] * 5
        assert statuses(user, "carla", 1) == [429]


class TestTrustedProxies:
    def test_a_trusted_proxy_names_the_client(self, fresh: Servers) -> None:
        proxy = fresh.client(fresh.a, "10.9.1.1")
        forged = {"X-Forwarded-For": "203.0.113.99, 192.0.2.70, 10.9.2.2"}
        assert statuses(proxy, "ana", 5, headers=forged) == [401] * 5
        assert statuses(proxy, "ana", 1, headers=forged) == [429]  # 192.0.2.70 is limited
        other = {"X-Forwarded-For": "203.0.113.99, 192.0.2.71"}
        assert statuses(proxy, "ana", 1, headers=other) == [401]  # another client behind it
        direct = fresh.client(fresh.b, "192.0.2.70")
        assert statuses(direct, "ana", 1) == [429]  # the same client, not through the proxy

    def test_anyone_else_cannot_choose_their_address(self, fresh: Servers) -> None:
        client = fresh.client(fresh.a, "192.0.2.80")
        assert [
            statuses(client, "ana", 1, headers={"X-Forwarded-For": f"203.0.113.{i}"})[0]
            for i in range(6)
        ] == [401] * 5 + [429]

    def test_an_ipv6_client_is_counted_by_its_64(self, fresh: Servers) -> None:
        proxy = fresh.client(fresh.a, "2001:db8:9::1")
        seen = [
            statuses(proxy, "dora", 1, headers={"X-Forwarded-For": f"2001:db8:1:2::{i:x}"})[0]
            for i in range(6)
        ]
        assert seen == [401] * 5 + [429]


class TestSessionCookie:
    @pytest.mark.parametrize(
        ("base_url", "address", "headers", "secure"),
        [
            ("http://testserver", "192.0.2.90", {}, False),
            ("https://testserver", "192.0.2.90", {}, True),  # TLS to the server itself
            ("http://testserver", "10.9.0.5", {"X-Forwarded-Proto": "https"}, True),
            ("http://testserver", "10.9.0.5", {"X-Forwarded-Proto": "http"}, False),
            ("http://testserver", "192.0.2.90", {"X-Forwarded-Proto": "https"}, False),
        ],
    )
    def test_secure_whenever_the_request_came_over_tls(
        self, fresh: Servers, base_url: str, address: str, headers: dict[str, str], secure: bool
    ) -> None:
        client = fresh.client(fresh.a, address, base_url=base_url)
        answer = client.post(LOGIN, json={"name": "dora", "password": PASSWORD}, headers=headers)
        assert answer.status_code == 200, answer.text
        cookie = answer.headers["set-cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "samesite", "max-age"} <= attributes
        assert "samesite=strict" in cookie.lower()
        assert ("secure" in attributes) is secure
        out = client.post(
            LOGOUT, headers=headers, cookies={"muster_session": answer.json()["token"]}
        )
        assert ("secure" in out.headers["set-cookie"].lower()) is secure  # deleted alike
