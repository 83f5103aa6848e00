"""The OpenAPI document says what the server does: every status an operation can answer, each
problem with the one shared schema, a real schema for every success; and the documentation
page works without internet."""

from __future__ import annotations

import re
from typing import Any

import pytest

from muster.accounts.accounts import Role
from muster.api import errors
from muster.domain import errors as d
from tests.e2e.api.conftest import Api

PROTECTED_BUT_OPEN = {("get", "/api/v1/health"), ("post", "/api/v1/auth/login")}


def document(api: Api) -> dict[str, Any]:
    spec: dict[str, Any] = api.client.get("/api/v1/openapi.json").json()
    return spec


def operations(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    spec = document(api)
    return [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


class TestProblems:
    def test_every_problem_is_declared_with_the_shared_schema(self, api: Api) -> None:
        for method, path, op in operations(api):
            for status, response in op["responses"].items():
                if int(status) < 400 or path == "/api/v1/health":
                    continue
                content = response["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
                schema = content["application/problem+json"]["schema"]
                refs = re.findall(r"#/components/schemas/(\w+)", str(schema))
                assert refs == ["Problem"], (method, path, status, schema)

    def test_422_is_a_problem_with_errors(self, api: Api) -> None:
        spec = document(api)
        assert "HTTPValidationError" not in spec["components"]["schemas"]
        for method, path, op in operations(api):
            if op.get("parameters") or op.get("requestBody"):
                schema = op["responses"]["422"]["content"]["application/problem+json"]["schema"]
                assert {"required": ["errors"]} in schema["allOf"], (method, path)

    def test_statuses_follow_the_route(self, api: Api) -> None:
        for method, path, op in operations(api):
            statuses = set(op["responses"])
            if (method, path) not in PROTECTED_BUT_OPEN:
                assert "401" in statuses, (method, path)
            if "requestBody" in op:
                assert "413" in statuses, (method, path)
        by = {(m, p): set(op["responses"]) for m, p, op in operations(api)}
        assert "429" in by[("post", "/api/v1/auth/login")]
        login = next(op for m, p, op in operations(api) if (m, p) == ("post", "/api/v1/auth/login"))
        assert "Retry-After" in login["responses"]["429"]["headers"]
        assert "503" in by[("post", "/api/v1/screenings")]
        assert "403" in by[("get", "/api/v1/users")]
        assert "403" not in by[("get", "/api/v1/me")]  # any account may
        assert {"400", "404", "409"} <= by[("post", "/api/v1/orders")]

    @pytest.mark.parametrize(
        ("error", "status"),
        [
            (d.SignatureError("x"), 400),
            (d.UnknownSubjectError("x"), 404),
            (d.DuplicateSubjectError("x"), 409),
            (d.InvalidInputError("x"), 400),
            (d.OrderOutOfScopeError("x"), 403),
            (d.TransitionRefusedError("strike-off", "x", "active", ("absent",), "D"), 409),
            (d.NotFoundError("x"), 404),
            (errors.AuthError(403, "x"), 403),
            (errors.TooManyAttemptsError("x"), 429),
            (errors.NotReadyError("x"), 503),
        ],
    )
    def test_one_table_gives_each_status(self, error: Exception, status: int) -> None:
        assert errors.status_of(error) == status


class TestSuccesses:
    def test_every_success_has_a_real_schema(self, api: Api) -> None:
        spec = document(api)
        schemas = spec["components"]["schemas"]
        for method, path, op in operations(api):
            ok = [s for s in op["responses"] if s.startswith("2")]
            assert len(ok) == 1, (method, path)
            schema = op["responses"][ok[0]]["content"]["application/json"]["schema"]
            name = schema["$ref"].rsplit("/", 1)[1]
            assert schemas[name]["properties"], (method, path)
            assert schemas[name].get("additionalProperties") is False, (method, path)

    def test_the_constraints_the_server_enforces_are_in_the_schema(self, api: Api) -> None:
        spec = document(api)
        schemas = spec["components"]["schemas"]
        screening = schemas["Screening"]
        either = screening["not"]["properties"]  # not both absent or null
        assert either == {"mrz": {"type": "null"}, "identity": {"type": "null"}}
        drafted = schemas["DraftRequest"]["properties"]["kind"]["enum"]
        assert "enlistment" not in drafted and "strike-off" in drafted
        paths = spec["paths"]
        (of,) = paths["/api/v1/ledger/proofs/inclusion"]["get"]["parameters"]
        assert [o["required"] for o in of["schema"]["oneOf"]] == [["entry"], ["order"]]
        sizes = paths["/api/v1/ledger/proofs/consistency"]["get"]["parameters"]
        assert {p["name"]: p["schema"]["minimum"] for p in sizes} == {"old_size": 1, "new_size": 1}

    def test_inclusion_takes_exactly_one_of_entry_or_order(self, api: Api) -> None:
        headers = api.headers(Role.AUDITOR)
        url = "/api/v1/ledger/proofs/inclusion"
        assert api.client.get(url, params={"entry": 0}, headers=headers).status_code == 200
        for params in ({}, {"entry": 0, "order": "ENL-1"}):
            refused = api.client.get(url, params=params, headers=headers)
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["loc"] == ["query", "entry"]
        beyond = api.client.get(url, params={"entry": 10_000}, headers=headers)
        assert beyond.status_code == 404 and beyond.json()["code"] == "NotFoundError"

    def test_consistency_sizes(self, api: Api) -> None:
        headers = api.headers(Role.AUDITOR)
        url = "/api/v1/ledger/proofs/consistency"
        ok = api.client.get(url, params={"old_size": 1, "new_size": 2}, headers=headers)
        assert ok.status_code == 200, ok.text
        beyond = api.client.get(url, params={"old_size": 1, "new_size": 10_000}, headers=headers)
        assert beyond.status_code == 404
        crossed = api.client.get(url, params={"old_size": 2, "new_size": 1}, headers=headers)
        assert crossed.status_code == 422
        assert crossed.json()["errors"][0]["loc"] == ["query", "old_size"]

    def test_an_enlistment_cannot_be_drafted_over_http(self, api: Api) -> None:
        body = {"kind": "enlistment", "number": "E-X", "authority": "REG-GNB"}
        body["signed_on"] = "2019-01-01"
        refused = api.client.post(
            "/api/v1/orders/drafts", json=body, headers=api.headers(Role.CLERK)
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["loc"] == ["body", "kind"]


class TestDocs:
    def test_the_docs_page_names_no_other_host(self, api: Api) -> None:
        page = api.client.get("/api/v1/docs")
        assert page.status_code == 200
        assert "swagger-ui" in page.text
        assert re.findall(r"(?:https?:)?//[\w.-]+", page.text) == []
        urls = re.findall(r"""['"](/api/v1/[^'"]+)['"]""", page.text)
        assert "/api/v1/openapi.json" in urls
        assets = [u for u in urls if "/docs/assets/" in u]
        assert len(assets) == 3, urls
        for url in assets:
            served = api.client.get(url)
            assert served.status_code == 200, url
            assert len(served.content) > 500, url

    def test_only_the_pages_assets_are_served(self, api: Api) -> None:
        assert api.client.get("/api/v1/docs/assets/index.html").status_code == 404
        assert api.client.get("/api/v1/docs/assets/..%2Fpyproject.toml").status_code == 404
