"""Problems, login and its rate limit, health."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from muster.accounts.accounts import Role
from muster.store.tables import crossings
from tests.e2e.api.conftest import PASSWORD, Api, wait_ready


def test_errors_are_rfc9457_problems(api: Api) -> None:
    missing = api.client.get("/api/v1/persons/V-99999999", headers=api.headers(Role.CLERK))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    body = missing.json()
    assert body["status"] == 404 and body["code"] == "NotFoundError"
    assert "V-99999999" in body["detail"] and body["title"] == "Not Found"
    malformed = api.client.get(
        "/api/v1/stats", params={"as_of": "yesterday"}, headers=api.headers(Role.CLERK)
    )
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/problem+json"
    assert malformed.json()["errors"][0]["loc"] == ["query", "as_of"]
    unknown = api.client.get("/api/v1/nowhere")
    assert unknown.status_code == 404 and unknown.json()["status"] == 404


def test_login_session_and_rate_limit(api: Api) -> None:
    api.client.cookies.clear()
    ok = api.client.post("/api/v1/auth/login", json={"name": "auditor-user", "password": PASSWORD})
    assert ok.status_code == 200
    assert api.client.get("/api/v1/me").json()["role"] == "auditor"  # the session cookie
    api.client.cookies.clear()
    bearer = {"Authorization": f"Bearer {ok.json()['token']}"}
    assert api.client.get("/api/v1/me", headers=bearer).json()["name"] == "auditor-user"
    statuses = [
        api.client.post(
            "/api/v1/auth/login", json={"name": "supervisor-user", "password": "wrong"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    blocked = api.client.post(
        "/api/v1/auth/login", json={"name": "supervisor-user", "password": PASSWORD}
    )
    assert blocked.status_code == 429  # even the right password waits out the window
    assert blocked.json()["code"] == "TooManyAttemptsError"


def test_health_is_ready_once_started(api: Api) -> None:
    assert api.client.get("/api/v1/health").json() == {"status": "ready"}


def test_503_until_the_roll_is_indexed(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything is served at once; health and screenings wait for the index."""
    import threading

    from fastapi.testclient import TestClient

    from muster.api import app as app_module

    release = threading.Event()
    real = app_module.load_matcher

    def slow(app: Any) -> Any:
        release.wait(30)
        return real(app)

    monkeypatch.setattr(app_module, "load_matcher", slow)
    settings = api.client.app.state.settings  # type: ignore[attr-defined]
    with TestClient(app_module.create_app(settings)) as client:
        starting = client.get("/api/v1/health")
        assert starting.status_code == 503
        assert starting.json() == {"status": "starting", "detail": "the roll is being indexed"}
        headers = api.headers(Role.OFFICER)
        identity = {"given_names": "ANA", "surnames": "PAZ"}
        body = {"post": "SBOL", "direction": "exit", "identity": identity}
        refused = client.post("/api/v1/screenings", json=body, headers=headers)
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert "not ready to screen" in refused.json()["detail"]
        assert client.get("/api/v1/me", headers=headers).status_code == 200  # served at once
        release.set()
        wait_ready(client)
        assert client.post("/api/v1/screenings", json=body, headers=headers).status_code == 200


def test_the_server_seals_crossings_into_the_ledger(api: Api) -> None:
    from muster.registry.verify import verify_registry
    from muster.screening.crossing_process import seal_pending
    from tests.e2e.api.conftest import add_crossing

    crossing_id = add_crossing(api, "clear")
    app = api.client.app
    # Sealed now, unless the server's own sealing took it first (it seals on a timer): either
    # way the crossing is in a batch entry of the ledger afterwards.
    sealed = seal_pending(app.state.engine, app.state.settings)  # type: ignore[attr-defined]
    with api.engine.connect() as conn:
        batch = conn.execute(
            select(crossings.c.batch_seq).where(crossings.c.id == crossing_id)
        ).scalar_one()
        report = verify_registry(conn)
    assert batch is not None and (sealed is None or batch == sealed)
    assert report.ok, report.problems
    assert report.pending_crossings == 0
