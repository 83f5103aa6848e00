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
DRAFTERS = frozenset({Role.CLERK, Role.AUTHORITY})  # as POST /api/v1/orders/drafts
OPEN = None  # no session needed

# (method, path) -> (roles admitted, request to send, expected status inside the role); an
# open page expects one status without a session and another with one. A page whose path has
# a parameter is sent to the request's `url`, which names something that exists.
MATRIX: dict[tuple[str, str], tuple[frozenset[Role] | None, dict[str, Any], Any]] = {
    ("get", "/"): (OPEN, {}, (303, 303)),  # to the login page, or the role's first page
    ("get", "/login"): (OPEN, {}, (200, 303)),  # logged in already: to the role's page
    ("post", "/login"): (OPEN, {"data": {"name": "clerk-user", "password": PASSWORD}}, (303, 303)),
    ("post", "/language"): (OPEN, {"data": {"language": "en", "next": "/"}}, (303, 303)),
    ("get", "/home"): (ALL, {}, 200),
    ("post", "/logout"): (ALL, {}, 303),
    #
    # officer
    ("get", "/screen"): (frozenset({R.OFFICER}), {}, 200),
    ("post", "/screen"): (
        frozenset({R.OFFICER}),
        {"data": {"given_names": "Zoe", "surnames": "Quintero Blackwood"}},
        200,
    ),
    ("post", "/screen/shift"): (
        frozenset({R.OFFICER}),
        {"data": {"post": "SBOL", "direction": "entry"}},
        303,
    ),
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
    ("get", "/roll"): (ALL - {R.OFFICER}, {"url": "/roll?q=GONZALEZ+PEREZ"}, 200),
    ("get", "/people/{ref}"): (ALL - {R.OFFICER}, {"url": "/people/GNB-0000002"}, 200),
    ("get", "/orders/{number}"): (ALL - {R.OFFICER}, {"url": "/orders/AUS-1"}, 200),
    #
    # drafting: roll import by upload and order drafting, for the API's drafters
    ("get", "/imports"): (DRAFTERS, {}, 200),
    ("post", "/imports"): (DRAFTERS, {"data": {"authority": "REG-GNB"}}, 400),  # no file
    ("get", "/imports/{job_id}"): (DRAFTERS, {}, 404),  # no such check
    ("get", "/drafts/new"): (DRAFTERS, {}, 200),
    ("get", "/drafts/new/number"): (DRAFTERS, {}, 200),
    ("get", "/drafts/new/people"): (DRAFTERS, {}, 200),
    ("post", "/drafts/new"): (DRAFTERS, {"data": {"kind": "strike-off", "number": "X-1"}}, 400),
    # authority
    ("get", "/drafts"): (frozenset({R.CLERK, R.AUTHORITY}), {}, 200),
    # a draft's pages need a draft's id (`d_…`): this one is kept by nobody
    ("get", "/drafts/{draft_id:draft_id}"): (
        frozenset({R.CLERK, R.AUTHORITY}),
        {"url": "/drafts/d_nobodys"},
        404,
    ),
    ("get", "/drafts/{draft_id:draft_id}/draft.json"): (
        frozenset({R.CLERK, R.AUTHORITY}),
        {"url": "/drafts/d_nobodys/draft.json"},
        404,
    ),
    ("post", "/drafts/{draft_id:draft_id}/sign"): (
        frozenset({R.AUTHORITY}),
        {"url": "/drafts/d_nobodys/sign", "data": {"signature": "", "key": ""}},
        404,
    ),
    ("post", "/drafts/{draft_id:draft_id}/decline"): (
        frozenset({R.AUTHORITY}),
        {"url": "/drafts/d_nobodys/decline", "data": {"reason": "wrong dates"}},
        404,
    ),
    ("post", "/drafts/{draft_id:draft_id}/withdraw"): (  # by whoever drafted it
        frozenset({R.CLERK, R.AUTHORITY}),
        {"url": "/drafts/d_nobodys/withdraw", "data": {"note": ""}},
        404,
    ),
    #
    # auditor
    ("get", "/ledger"): (ALL, {}, 200),
    ("get", "/ledger/checkpoint"): (ALL, {}, 200),
    ("get", "/ledger/registry.vkey"): (ALL, {}, 200),
    ("get", "/ledger/entries"): (ALL, {}, 200),
    ("get", "/ledger/proofs"): (ALL, {}, 200),
    ("get", "/ledger/proofs/inclusion.json"): (ALL, {}, 400),  # no query: the form says why
    ("get", "/ledger/proofs/consistency.json"): (ALL, {}, 400),
    ("post", "/ledger/verify"): (frozenset(ALL - {R.OFFICER}), {}, 200),  # as RecordsReader
    ("get", "/ledger/export.zip"): (frozenset(ALL - {R.OFFICER}), {}, 200),
    #
    # reports
    ("get", "/reports"): (
        frozenset({R.ADMIN, R.CLERK, R.AUTHORITY, R.SUPERVISOR, R.AUDITOR}),
        {},
        200,
    ),
    ("get", "/reports/members.csv"): (
        frozenset({R.ADMIN, R.CLERK, R.AUTHORITY, R.SUPERVISOR, R.AUDITOR}),
        {},
        200,
    ),
    ("get", "/reports/changes.csv"): (
        frozenset({R.ADMIN, R.CLERK, R.AUTHORITY, R.SUPERVISOR, R.AUDITOR}),
        {},
        200,
    ),
    ("get", "/reports/crossings.csv"): (frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR}), {}, 200),
    ("get", "/reports/decisions.csv"): (frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR}), {}, 200),
    ("get", "/reports/referrals.csv"): (frozenset({R.ADMIN, R.SUPERVISOR, R.AUDITOR}), {}, 200),
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
    url = request.get("url", path)  # a page whose path holds a place: an address to fill it
    return api.client.request(
        method.upper(), url, headers=headers, data=data or None, follow_redirects=False
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


def test_a_page_that_does_not_exist_is_a_page_in_words(api: Api) -> None:
    api.client.cookies.clear()
    answer = api.client.get("/no/such/page")
    assert answer.status_code == 404
    assert "text/html" in answer.headers["content-type"]
    assert "Página no encontrada" in answer.text
    problem = api.client.get("/api/v1/no/such/route")  # the API keeps its problems
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"


def test_a_form_field_out_of_bounds_is_named_in_the_page(api: Api) -> None:
    api.client.cookies.clear()
    page = api.client.get("/login", headers={"Accept-Language": "en"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    api.client.cookies.clear()
    answer = api.client.post(
        "/login",
        data={"name": "x" * 81, "password": "p", "csrf_token": token},
        headers={"Cookie": f"muster_csrf={token}", "Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert "Some fields are not as expected" in answer.text
    assert "Field: name" in answer.text


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_method_a_page_does_not_serve_is_a_page_in_words(api: Api, language: str) -> None:
    """405 with `Allow` naming every method of the path (GET and POST at /screen), as a page
    in the viewer's language; the API keeps its problem document."""
    token = api.token(Role.OFFICER)
    api.client.cookies.clear()
    answer = api.client.request(
        "DELETE",
        "/screen",
        headers={"Cookie": f"{SESSION_COOKIE}={token}", "Accept-Language": language},
    )
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert "text/html" in answer.headers["content-type"]
    words = {
        "es": "Esta página no admite una solicitud de este tipo (DELETE): admite GET, POST.",
        "en": "This page does not take a request of this kind (DELETE): it takes GET, POST.",
    }
    assert words[language] in answer.text
    problem = api.client.request("DELETE", "/api/v1/screenings")
    assert problem.status_code == 405
    assert problem.headers["content-type"] == "application/problem+json"


def test_a_login_refused_for_too_many_failures_says_when_to_try_again(api: Api) -> None:
    """After the address's failures for a name, the login page answers 429 in words, with
    `Retry-After` as the API does."""
    api.client.cookies.clear()
    page = api.client.get("/login", headers={"Accept-Language": "en"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    form = {"name": "nobody-here", "password": "wrong", "csrf_token": token}
    headers = {"Cookie": f"muster_csrf={token}", "Accept-Language": "en"}
    statuses = []
    for _ in range(6):
        api.client.cookies.clear()
        answer = api.client.post("/login", data=form, headers=headers, follow_redirects=False)
        statuses.append(answer.status_code)
    assert statuses == [401] * 5 + [429]
    assert "Too many failed logins" in answer.text
    assert int(answer.headers["retry-after"]) >= 1
