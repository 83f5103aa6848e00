"""`muster serve --workers 2` as a process: the login limits and logouts hold across its two
server processes, and the client address is the connection's unless a trusted proxy says.

The kernel hands each new connection to either process; whichever takes each, the counts
below are the same (`tests/e2e/api/test_sessions.py` alternates two apps on one database
for certain)."""

from __future__ import annotations

import http.client
import json
import signal
import time
from pathlib import Path
from typing import Any

from muster.demo.scenario import demo_password
from tests.e2e.cli_helpers import Cli
from tests.e2e.test_serve import free_port, wait_ready


class Server:
    """Requests to a local server, each on a new connection from a chosen loopback address."""

    def __init__(self, port: int) -> None:
        self.port = port

    def send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        source: str = "127.0.0.1",
    ) -> tuple[int, http.client.HTTPMessage, Any]:
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(source, 0)
        )
        try:
            sent = {"Content-Type": "application/json", **(headers or {})}
            data = None if body is None else json.dumps(body).encode()
            conn.request(method, f"/api/v1{path}", body=data, headers=sent)
            response = conn.getresponse()
            return response.status, response.headers, json.loads(response.read() or b"null")
        finally:
            conn.close()

    def login(self, name: str, password: str, **kwargs: Any) -> int:
        status, _headers, _body = self.send(
            "POST", "/auth/login", {"name": name, "password": password}, **kwargs
        )
        return status


def test_limits_and_logouts_hold_across_two_server_processes(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.json("demo", "--size", "500", "--seed", "6", "--no-serve")
    port = free_port()
    cli.env["MUSTER_SCREENING_DATE"] = "2019-03-15"
    cli.env["MUSTER_TRUSTED_PROXIES"] = "127.0.0.2"  # a reverse proxy on this machine
    server = cli.popen("serve", "--port", str(port), "--workers", "2")
    try:
        wait_ready(f"http://127.0.0.1:{port}/api/v1")
        s = Server(port)
        right = demo_password("auditor")

        # 14 wrong passwords for one account from one address: 5 answers of 401, then 429.
        assert [s.login("auditor", "wrong") for _ in range(14)] == [401] * 5 + [429] * 9
        assert s.login("auditor", right) == 429  # on either process
        forged = {"X-Forwarded-For": "203.0.113.9"}  # not from a trusted proxy: ignored
        assert s.login("auditor", right, headers=forged) == 429
        # Through the trusted proxy, for the same client: refused alike.
        assert s.login("auditor", right, headers={"X-Forwarded-For": "127.0.0.1"}) == 429
        # The owner, elsewhere, gets in: the name's failures only slow the answer.
        started = time.monotonic()
        status, headers, _ = s.send(
            "POST",
            "/auth/login",
            {"name": "auditor", "password": right},
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
            source="127.0.0.2",
        )
        assert status == 200 and time.monotonic() - started >= 1.0
        assert "Secure" in headers["set-cookie"]  # the proxy says the client used TLS
        assert s.login("auditor", right, source="127.0.0.3") == 200
        _, plain, _ = s.send(
            "POST", "/auth/login", {"name": "oficial", "password": demo_password("oficial")}
        )
        assert "Secure" not in plain["set-cookie"] and "HttpOnly" in plain["set-cookie"]

        # A logout on one process ends the session on both, at once.
        _, _, body = s.send(
            "POST", "/auth/login", {"name": "clerk", "password": demo_password("clerk")}
        )
        auth = {"Authorization": f"bearer {body['token']}"}  # any case of the scheme
        assert {s.send("GET", "/me", headers=auth)[0] for _ in range(20)} == {200}
        assert s.send("POST", "/auth/logout", headers=auth)[0] == 200
        assert {s.send("GET", "/me", headers=auth)[0] for _ in range(20)} == {401}
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)


def test_a_bad_trusted_proxy_is_one_clear_error_before_serving(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    cli.run("init")
    proc = cli.run(
        "serve", "--port", str(free_port()), env={"MUSTER_TRUSTED_PROXIES": "10.0.0.1,proxy"},
        ok=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "error: MUSTER_TRUSTED_PROXIES: 'proxy' is not an address or a network: expected "
        "addresses or networks separated by commas, e.g. 10.0.0.5,192.168.1.0/24"
    ]


def test_a_name_that_is_not_a_time_zone_is_one_clear_error_before_serving(
    tmp_path: Path,
) -> None:
    cli = Cli(tmp_path)
    cli.run("init")
    proc = cli.run(
        "serve", "--port", str(free_port()), env={"MUSTER_TIMEZONE": "America/Gotham"}, ok=False
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "error: MUSTER_TIMEZONE: 'America/Gotham' is not a time zone: expected an IANA name "
        "such as America/Caracas or UTC"
    ]
