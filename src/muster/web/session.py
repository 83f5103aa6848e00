"""Who is looking at a page: the account of the session cookie (the same sessions as the
API's), the roles a page admits, the language, and the CSRF token every form sends back."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import Engine

from muster.accounts.accounts import Account, Role
from muster.api.deps import SESSION_COOKIE, account_of
from muster.web import i18n
from muster.web.i18n import N_

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_COOKIE = "muster_csrf"  # before login: a random value that the login form sends back
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"  # what htmx sends (set once on the page's body)
ROLE_NAMES = {
    Role.ADMIN: N_("Administrator"),
    Role.CLERK: N_("Registry clerk"),
    Role.AUTHORITY: N_("Authority"),
    Role.OFFICER: N_("Border officer"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.AUDITOR: N_("Auditor"),
}


class LoginRequiredError(Exception):
    """Raised when a page needs an account and the request has no valid session."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)


class PageForbiddenError(Exception):
    """Raised when a page is asked for by an account outside the roles it admits."""

    def __init__(self, viewer: Viewer, roles: tuple[Role, ...]) -> None:
        self.viewer, self.roles = viewer, roles
        super().__init__(viewer.account.name if viewer.account else "")


class CsrfRefusedError(Exception):
    """Raised when a form or a partial update comes without the CSRF token of its session."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        super().__init__("CSRF token missing or wrong")


def csrf_of_session(session_token: str) -> str:
    """The CSRF token of a session: derived from the session's secret, which no other site can
    read (the cookie is HttpOnly), so that no cross-site form carries it."""
    return hashlib.sha256(b"muster csrf\0" + session_token.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Viewer:
    """The person looking at a page: their account (None before login), language, the CSRF
    token their forms carry, a new anonymous CSRF cookie to set, if one is needed, and the
    registry's time zone (`MUSTER_TIMEZONE`), which the page shows moments in."""

    account: Account | None
    session: str | None
    language: str
    csrf: str
    new_csrf_cookie: str | None = None
    zone: str = "UTC"

    @property
    def role_name(self) -> str:
        return "" if self.account is None else ROLE_NAMES[self.account.role]

    def gettext(self, message: str, **params: Any) -> str:
        text = i18n.translations(self.language).gettext(message)
        return text % params if params else text


async def viewer_of(request: Request) -> Viewer:
    """The viewer of any page, logged in or not."""
    language = i18n.language_of(request.cookies, request.headers.get("accept-language"))
    zone: str = request.app.state.settings.timezone
    engine: Engine = request.app.state.engine
    token = request.cookies.get(SESSION_COOKIE)
    account = await account_of(request, engine, token) if token else None
    if account is not None and token is not None:
        return Viewer(account, token, language, csrf_of_session(token), zone=zone)
    anonymous = request.cookies.get(CSRF_COOKIE)
    if anonymous and len(anonymous) >= 32:
        return Viewer(None, None, language, anonymous, zone=zone)
    fresh = secrets.token_urlsafe(32)
    return Viewer(None, None, language, fresh, new_csrf_cookie=fresh, zone=zone)


def page_for(*roles: Role) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency admitting only a logged-in account in one of `roles`."""

    async def check(request: Request) -> Viewer:
        viewer = await viewer_of(request)
        if viewer.account is None:
            raise LoginRequiredError(request.url.path)
        if viewer.account.role not in roles:
            raise PageForbiddenError(viewer, roles)
        if request.method not in SAFE_METHODS:
            await check_csrf(request, viewer)
        return viewer

    check.roles = roles  # type: ignore[attr-defined]
    return check


async def check_csrf(request: Request, viewer: Viewer) -> None:
    """Refuse a request that changes something unless it carries the viewer's CSRF token, in
    its `X-CSRF-Token` header or its form's `csrf_token` field."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if (
        viewer.new_csrf_cookie is not None
        or not sent
        or not hmac.compare_digest(sent.encode(), viewer.csrf.encode())
    ):
        raise CsrfRefusedError(viewer)


def safe_next(path: str | None, default: str = "/") -> str:
    """A place to go back to after a form: a path of this site only (never `//elsewhere`)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path
