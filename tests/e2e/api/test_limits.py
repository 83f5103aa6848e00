"""Before a route reads its body: 405 with `Allow` for a method its path does not serve, 401
on a protected route without credentials, 413 for a body over the route's limit."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from starlette.types import Message

from muster.accounts.accounts import Role
from muster.api.app import PREFIX, ROUTERS, create_app
from muster.api.limits import RouteTable, body_limit
from muster.config import Settings
from tests.e2e.api.conftest import PASSWORD, Api, travel_draft, wait_ready
from tests.e2e.api.test_authorization_matrix import MATRIX

LIMIT = 1000  # bytes, for every route but drafting an order
ORDER_LIMIT = 5000
PROTECTED = sorted(route for route, (roles, _request, _status) in MATRIX.items() if roles)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def a_role_of(route: tuple[str, str]) -> Role | None:
    roles = MATRIX[route][0]
    return None if roles is None else sorted(roles)[0]


@pytest.fixture(scope="module")
def small(api: Api) -> Iterator[TestClient]:
    """The same registry served with small body limits."""
    settings: Settings = api.client.app.state.settings  # type: ignore[attr-defined]
    limited = settings.model_copy(
        update={"max_body_bytes": LIMIT, "max_order_body_bytes": ORDER_LIMIT}
    )
    with TestClient(create_app(limited)) as client:
        yield wait_ready(client)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code
    return body


class TestBodyLimit:
    @pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
    def test_every_route_refuses_a_body_over_its_limit_by_content_length(
        self, api: Api, small: TestClient, route: tuple[str, str]
    ) -> None:
        method, path = route
        limit = ORDER_LIMIT if route == ("post", "/api/v1/orders/drafts") else LIMIT
        headers = api.headers(a_role_of(route))
        over = small.request(method, concrete(path), content=b" " * (limit + 1), headers=headers)
        body = assert_problem(over, 413, "BodyTooLargeError")
        assert f"over the limit of {limit} bytes" in body["detail"]
        assert over.headers["connection"] == "close"

    @pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/screenings"])
    def test_a_chunked_body_is_refused_once_past_the_limit(
        self, api: Api, small: TestClient, path: str
    ) -> None:
        over = small.post(
            path, content=(b" " * 300 for _ in range(10)), headers=api.headers(Role.OFFICER)
        )
        body = assert_problem(over, 413, "BodyTooLargeError")
        assert f"over the limit of {LIMIT} bytes" in body["detail"]
        assert over.headers["connection"] == "close"

    def test_a_chunked_body_is_not_read_past_the_limit(self, small: TestClient) -> None:
        """The app as the server calls it: the chunks asked for stop at the limit, and the
        one answer is the 413 (not what the route said about a body it could not read)."""
        asked = []
        sent: list[Message] = []

        async def receive() -> Message:
            asked.append(1)
            return {"type": "http.request", "body": b" " * 300, "more_body": len(asked) < 100}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/v1/auth/login",
            "raw_path": b"/api/v1/auth/login",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"transfer-encoding", b"chunked")],
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000),
        }
        asyncio.run(small.app(scope, receive, send))  # type: ignore[arg-type]
        assert len(asked) == LIMIT // 300 + 1  # the chunk that went past it, and no more
        assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
        assert sent[0]["status"] == 413

    def test_a_body_at_the_limit_is_read(self, small: TestClient) -> None:
        at_limit = small.post("/api/v1/auth/login", content=b" " * LIMIT)
        assert_problem(at_limit, 422, "RequestValidationError")  # read, and not JSON

    def test_drafting_an_order_has_its_own_larger_limit(self, api: Api, small: TestClient) -> None:
        draft = {**travel_draft(900_001), "grounds": "g" * (LIMIT * 3)}
        made = small.post("/api/v1/orders/drafts", json=draft, headers=api.headers(Role.CLERK))
        assert made.status_code == 201, made.text

    def test_the_limits_are_settings(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert Settings().max_body_bytes == 1024 * 1024
        assert Settings().max_order_body_bytes == 8 * 1024 * 1024
        monkeypatch.setenv("MUSTER_MAX_BODY_BYTES", "2048")
        assert Settings().max_body_bytes == 2048

    def test_a_route_naming_no_setting_fails_at_start(self) -> None:
        router = APIRouter()

        @router.post("/odd")
        @body_limit("max_odd_bytes")
        def odd() -> None:
            """A route whose limit names no setting."""

        with pytest.raises(ValueError, match="max_odd_bytes"):
            RouteTable([router], PREFIX, Settings())


class TestCredentialsBeforeTheBody:
    @pytest.mark.parametrize("route", PROTECTED, ids=lambda r: f"{r[0]} {r[1]}")
    def test_no_credentials_is_401_whatever_the_body(
        self, api: Api, route: tuple[str, str]
    ) -> None:
        method, path = route
        api.client.cookies.clear()
        for body in (b"{not json", b"[]", b" " * (2 * 1024 * 1024)):
            refused = api.client.request(
                method, concrete(path), content=body, headers={"Content-Type": "application/json"}
            )
            assert_problem(refused, 401, "AuthError")
            assert refused.headers["www-authenticate"] == 'Bearer realm="muster"'

    def test_the_gate_and_the_matrix_agree_on_what_is_open(self, api: Api) -> None:
        """Which routes are open is read from the routes' dependencies, by the gate as by
        FastAPI: the matrix, which tries every route, agrees."""
        table = RouteTable(ROUTERS, PREFIX, api.client.app.state.settings)  # type: ignore[attr-defined]
        for (method, path), (roles, _request, _status) in MATRIX.items():
            rule, _allowed = table.resolve(method.upper(), concrete(path))
            assert rule is not None, (method, path)
            assert rule.protected is (roles is not None), (method, path)

    def test_a_session_cookie_or_a_bearer_token_passes_to_the_route(self, api: Api) -> None:
        api.client.cookies.clear()
        malformed = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
        login = {"name": "officer-user", "password": PASSWORD}
        assert api.client.post("/api/v1/auth/login", json=login).status_code == 200
        with_cookie = api.client.post("/api/v1/screenings", **malformed)  # type: ignore[arg-type]
        assert_problem(with_cookie, 422, "RequestValidationError")
        api.client.cookies.clear()
        bearer = {**malformed["headers"], **api.headers(Role.OFFICER)}  # type: ignore[dict-item]
        with_token = api.client.post("/api/v1/screenings", content=b"{", headers=bearer)
        assert_problem(with_token, 422, "RequestValidationError")
        basic = {"Authorization": "Basic b2ZmaWNlcjpwdw==", "Content-Type": "application/json"}
        not_bearer = api.client.post("/api/v1/screenings", content=b"{", headers=basic)
        assert_problem(not_bearer, 401, "AuthError")

    def test_a_refusal_without_a_body_keeps_the_connection(self, api: Api) -> None:
        api.client.cookies.clear()
        refused = api.client.get("/api/v1/me")
        assert_problem(refused, 401, "AuthError")
        assert "connection" not in refused.headers


class TestMethodNotAllowed:
    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("PUT", "/api/v1/users", "GET, POST"),
            ("DELETE", "/api/v1/me", "GET"),
            ("GET", "/api/v1/auth/login", "POST"),
            ("PATCH", "/api/v1/orders/drafts", "GET, POST"),  # its path, not /orders/{number}
            ("PUT", "/api/v1/orders/drafts", "GET, POST"),
            ("GET", "/api/v1/orders/drafts/d_x/refusal", "POST"),
            ("POST", "/api/v1/openapi.json", "GET, HEAD"),
        ],
    )
    def test_405_names_every_method_the_path_serves(
        self, api: Api, method: str, path: str, allow: str
    ) -> None:
        api.client.cookies.clear()
        refused = api.client.request(method, path)  # no credentials: the method comes first
        assert refused.status_code == 405, refused.text
        assert set(refused.headers["allow"].split(", ")) == set(allow.split(", "))
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 405

    def test_every_path_of_the_document_answers_405_to_patch(self, api: Api) -> None:
        spec = api.client.get("/api/v1/openapi.json").json()
        for path, operations in spec["paths"].items():
            refused = api.client.patch(concrete(path))
            assert_problem(refused, 405, "MethodNotAllowedError")
            assert {m.upper() for m in operations} <= set(refused.headers["allow"].split(", "))
