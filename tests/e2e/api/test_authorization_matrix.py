"""Every route of the OpenAPI document, with every role and with no credentials.

401 without credentials, 403 outside the role, the expected answer inside it. A route that
is not in the matrix fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from muster.accounts.accounts import Role
from tests.e2e.api.conftest import PASSWORD, Api, add_crossing, signed_draft, travel_draft

R = Role
ALL = frozenset(Role)
READERS = frozenset({R.ADMIN, R.CLERK, R.AUTHORITY, R.SUPERVISOR, R.AUDITOR})
CROSSINGS = frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR})
OPEN = None  # no credentials needed

# (method, path) -> (roles admitted, request to send, expected status inside the role)
MATRIX: dict[tuple[str, str], tuple[frozenset[Role] | None, dict[str, Any], int]] = {
    ("get", "/api/v1/health"): (OPEN, {}, 200),
    ("post", "/api/v1/auth/login"): (
        OPEN,
        {"json": {"name": "clerk-user", "password": PASSWORD}},
        200,
    ),
    ("post", "/api/v1/auth/logout"): (ALL, {}, 200),
    ("get", "/api/v1/me"): (ALL, {}, 200),
    ("get", "/api/v1/persons"): (READERS, {"params": {"q": "gonzalez"}}, 200),
    ("get", "/api/v1/persons/{ref}"): (READERS, {"path": {"ref": "V-10000002"}}, 200),
    ("get", "/api/v1/stats"): (READERS, {"params": {"as_of": "2017-01-01"}}, 200),
    ("get", "/api/v1/orders/{number}"): (READERS, {"path": {"number": "AUS-1"}}, 200),
    ("get", "/api/v1/ledger/checkpoint"): (ALL, {}, 200),
    ("get", "/api/v1/ledger/proofs/inclusion"): (ALL, {"params": {"order": "ENL-1"}}, 200),
    ("get", "/api/v1/ledger/proofs/consistency"): (ALL, {"params": {"old_size": 2}}, 200),
    ("post", "/api/v1/orders/drafts"): (
        frozenset({R.CLERK, R.AUTHORITY}),
        {"json": "travel-draft"},
        201,
    ),
    ("post", "/api/v1/orders"): (frozenset({R.AUTHORITY}), {"json": "signed-draft"}, 201),
    ("get", "/api/v1/orders/drafts"): (frozenset({R.CLERK, R.AUTHORITY}), {}, 200),
    ("get", "/api/v1/orders/drafts/{draft_id}"): (
        frozenset({R.CLERK, R.AUTHORITY}),
        {"path": {"draft_id": "{draft}"}},
        200,
    ),
    ("post", "/api/v1/orders/drafts/{draft_id}/withdrawal"): (  # by whoever drafted it
        frozenset({R.CLERK, R.AUTHORITY}),
        {"path": {"draft_id": "{own_draft}"}, "json": {"note": "a mistake"}},
        200,
    ),
    ("post", "/api/v1/orders/drafts/{draft_id}/refusal"): (
        frozenset({R.AUTHORITY}),
        {"path": {"draft_id": "{draft}"}, "json": {"reason": "wrong dates"}},
        200,
    ),
    ("post", "/api/v1/screenings"): (
        frozenset({R.OFFICER}),
        {
            "json": {
                "post": "SBOL",
                "direction": "exit",
                "identity": {"given_names": "ANA", "surnames": "NADIE", "birth_date": "1990-01-01"},
            }
        },
        200,
    ),
    ("get", "/api/v1/crossings"): (CROSSINGS, {}, 200),
    ("get", "/api/v1/crossings/{crossing_id}"): (
        CROSSINGS | {R.OFFICER},
        {"path": {"crossing_id": "{crossing}"}},
        200,
    ),
    ("get", "/api/v1/referrals"): (CROSSINGS, {"params": {"status": "open"}}, 200),
    ("post", "/api/v1/referrals/{crossing_id}/resolution"): (
        frozenset({R.SUPERVISOR}),
        {"path": {"crossing_id": "{referral}"}, "json": {"outcome": "released"}},
        200,
    ),
    ("get", "/api/v1/users"): (frozenset({R.ADMIN}), {}, 200),
    ("post", "/api/v1/users"): (
        frozenset({R.ADMIN}),
        {"json": {"name": "new-{n}", "role": "auditor", "password": PASSWORD}},
        201,
    ),
    ("post", "/api/v1/users/{name}/disable"): (
        frozenset({R.ADMIN}),
        {"path": {"name": "new-{n}"}},
        200,
    ),
    ("post", "/api/v1/tokens"): (frozenset({R.ADMIN}), {"json": {"user": "auditor-user"}}, 201),
    ("delete", "/api/v1/tokens/{token_id}"): (
        frozenset({R.ADMIN}),
        {"path": {"token_id": "{token_id}"}},
        200,
    ),
}


def routes(api: Api) -> set[tuple[str, str]]:
    spec = api.client.get("/api/v1/openapi.json").json()
    return {(m, p) for p, ops in spec["paths"].items() for m in ops}


def test_every_route_is_in_the_matrix(api: Api) -> None:
    assert routes(api) == set(MATRIX), "add new routes to the authorization matrix"


def send(
    api: Api, method: str, path: str, request: dict[str, Any], role: Role | None, n: int
) -> Any:
    api.client.cookies.clear()  # only the credentials given here count
    fill = {"n": str(n)}
    if "{token_id}" in str(request):
        created = api.client.post(
            "/api/v1/tokens", json={"user": "auditor-user"}, headers=api.headers(R.ADMIN)
        ).json()
        fill["token_id"] = created["id"]
    if "{crossing}" in str(request) or "{referral}" in str(request):
        fill["crossing"] = fill["referral"] = add_crossing(api, "refer")
    if "{draft}" in str(request) or "{own_draft}" in str(request):
        drafter = role if role in (R.CLERK, R.AUTHORITY) else R.CLERK  # its own, to withdraw
        made = api.client.post(
            "/api/v1/orders/drafts", json=travel_draft(n), headers=api.headers(drafter)
        )
        assert made.status_code == 201, made.text
        fill["draft"] = fill["own_draft"] = made.json()["draft_id"]
        if "{draft}" in str(request):  # a clerk's draft (an authority's own is its own)
            fill["draft"] = api.client.post(
                "/api/v1/orders/drafts", json=travel_draft(n + 5000), headers=api.headers(R.CLERK)
            ).json()["draft_id"]
    url = path
    for key, value in request.get("path", {}).items():
        url = url.replace("{" + key + "}", value.format(**fill))
    body = request.get("json")
    if body == "travel-draft":
        body = travel_draft(n)
    elif body == "signed-draft":
        body = signed_draft(api, n)
    elif body is not None:
        body = {k: v.format(**fill) if isinstance(v, str) else v for k, v in body.items()}
    if "new-{n}" in str(request.get("path", {})):  # the account to disable must exist
        api.client.post(
            "/api/v1/users",
            json={"name": f"new-{n}", "role": "auditor", "password": PASSWORD},
            headers=api.headers(R.ADMIN),
        )
    return api.client.request(
        method, url, params=request.get("params"), json=body, headers=api.headers(role)
    )


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_by_role(api: Api, route: tuple[str, str]) -> None:
    method, path = route
    roles, request, expected = MATRIX[route]
    if roles is None:
        response = send(api, method, path, request, None, 0)
        assert response.status_code == expected, response.text
        return
    response = send(api, method, path, request, None, 0)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    for n, role in enumerate(Role, start=1):
        response = send(api, method, path, request, role, 100 * hash(route) % 10_000 + n)
        if role in roles:
            assert response.status_code == expected, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["status"] == 403
