"""Every page of the web interface, with every role and with no session.

Without a session a page sends the browser to the login page; outside its roles it answers
403; inside, the expected answer. A page that is not in the matrix fails the test, and so
does a form sent without its CSRF token.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from muster.accounts.accounts import Role
from muster.api.deps import SESSION_COOKIE
from muster.web.app import ROUTERS
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import PASSWORD, Api

R = Role
ALL = frozenset(Role)
OPEN = None  # no session needed

# (method, path) -> (roles admitted, request to send, expected status inside the role); an
# open page expects one status without a session and another with one.
MATRIX: dict[tuple[str, str], tuple[frozenset[Role] | None, dict[str, Any], Any]] = {
    ("get", "/"): (OPEN, {}, (303, 303)),  # to the login page, or the role's first page
    ("get", "/login"): (OPEN, {}, (200, 303)),  # logged in already: to the role's page
    ("post", "/login"): (OPEN, {"data": {"name": "clerk-user", "password": PASSWORD}}, (303, 303)),
    ("post", "/language"): (OPEN, {"data": {"language": "en", "next": "/"}}, (303, 303)),
    ("get", "/home"): (ALL, {}, 200),
    ("post", "/logout"): (ALL, {}, 303),
    #
    # officer
    #
    # supervisor (readers: admin, supervisor, auditor; a referral is resolved by a supervisor;
    # a crossing that does not exist, or is at another post, is a page that says so: 404)
    ("get", "/referrals"): (frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR}), {}, 200),
    ("get", "/referrals/queue"): (frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR}), {}, 200),
    ("get", "/referrals/{crossing_id}"): (frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR}), {}, 404),
    ("post", "/referrals/{crossing_id}"): (
        frozenset({R.SUPERVISOR}),
        {"data": {"outcome": "released", "note": ""}},
        404,
    ),
    ("get", "/crossings"): (frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR}), {}, 200),
    ("get", "/crossings/{crossing_id}"): (
        frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR, R.OFFICER}),
        {},
        404,
    ),
    #
    # clerk
    #
    # authority
    #
    # auditor
    #
    # reports
    #
}


def pages() -> set[tuple[str, str]]:
    found = set()
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            found |= {(m.lower(), route.path) for m in route.methods}
    return found


def test_every_page_is_in_the_matrix() -> None:
    assert pages() == set(MATRIX)


def send(
    api: Api, method: str, path: str, request: dict[str, Any], role: Role | None, csrf: bool = True
) -> Any:
    api.client.cookies.clear()  # only the cookies sent here: none that earlier answers set
    headers = {}
    data = dict(request.get("data", {}))
    if role is not None:
        token = api.token(role)
        headers["Cookie"] = f"{SESSION_COOKIE}={token}"
        if method == "post" and csrf:
            data["csrf_token"] = csrf_of_session(token)
    elif method == "post" and csrf:  # the login page's anonymous token, and its cookie
        page = api.client.get("/login")
        api.client.cookies.clear()
        data["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        headers["Cookie"] = f"muster_csrf={data['csrf_token']}"
    return api.client.request(
        method.upper(), path, headers=headers, data=data or None, follow_redirects=False
    )


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_no_session(api: Api, method: str, path: str) -> None:
    roles, request, expected = MATRIX[(method, path)]
    answer = send(api, method, path, request, None)
    if roles is OPEN:
        assert answer.status_code == expected[0], answer.text
    else:
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_each_role(api: Api, method: str, path: str, role: Role) -> None:
    roles, request, expected = MATRIX[(method, path)]
    answer = send(api, method, path, request, role)
    if roles is OPEN:
        assert answer.status_code == expected[1], answer.text
    elif role in roles:
        assert answer.status_code == expected, answer.text
    else:
        assert answer.status_code == 403, answer.text
        assert "text/html" in answer.headers["content-type"]


@pytest.mark.parametrize(("method", "path"), sorted(k for k in MATRIX if k[0] == "post"))
def test_a_form_without_its_csrf_token_is_refused(api: Api, method: str, path: str) -> None:
    roles, request, _expected = MATRIX[(method, path)]
    role = None if roles is OPEN else sorted(roles)[0]
    answer = send(api, method, path, request, role, csrf=False)
    assert answer.status_code == 403, answer.text
    assert "Formulario vencido" in answer.text


def test_every_page_carries_the_security_headers(api: Api) -> None:
    answer = api.client.get("/login")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
