"""Schemathesis against the OpenAPI document: no input the schema admits gives a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from muster.services.accounts import Role
from tests.e2e.api.conftest import Api
from tests.e2e.api.test_authorization_matrix import MATRIX


def role_for(method: str, path: str) -> Role | None:
    """The role the matrix admits first for an operation (admin when it may)."""
    roles = MATRIX[(method.lower(), path)][0]
    if roles is None:
        return None
    return Role.ADMIN if Role.ADMIN in roles else sorted(roles)[0]


@pytest.mark.slow
def test_no_server_errors(api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    seen: dict[int, int] = {}
    current: dict[str, dict[str, str]] = {}
    assert len(operations) == len(MATRIX)
    for operation in operations:
        if operation.path == "/api/v1/auth/logout":
            continue  # it would end the sessions the other cases use
        role = role_for(operation.method, operation.path)
        current["headers"] = api.headers(role) if role is not None else {}

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=current["headers"])
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, (case.method, case.path, response.text)

        check()
    assert sum(seen.values()) > 10 * len(operations)  # the requests really were sent
