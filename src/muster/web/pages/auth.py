"""Logging in and out, the language, and the home page: what every role shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from muster.accounts import accounts
from muster.accounts.accounts import Role
from muster.api.clients import client_of
from muster.api.deps import SESSION_COOKIE
from muster.api.errors import TooManyAttemptsError, headers_of
from muster.api.routers.system import log_in, set_session_cookie
from muster.web import i18n
from muster.web.nav import landing
from muster.web.respond import respond
from muster.web.session import (
    CSRF_COOKIE,
    Viewer,
    check_csrf,
    page_for,
    safe_next,
    viewer_of,
)

router = APIRouter(include_in_schema=False)
AnyViewer = Annotated[Viewer, Depends(page_for(*Role))]
LANGUAGE_YEARS = 1


@router.get("/")
async def root(request: Request) -> Response:
    viewer = await viewer_of(request)
    if viewer.account is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(landing(viewer.account), status_code=303)


@router.get("/home")
async def home(request: Request, viewer: AnyViewer) -> Response:
    return respond(request, viewer, "home.html")


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    viewer = await viewer_of(request)
    if viewer.account is not None:
        return RedirectResponse(safe_next(next, landing(viewer.account)), status_code=303)
    return respond(request, viewer, "login.html", next=safe_next(next, ""), name="", error=None)


@router.post("/login")
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    viewer = await viewer_of(request)
    await check_csrf(request, viewer)
    settings = request.app.state.settings
    engine = request.app.state.engine
    client = client_of(request, settings)

    def again(error: str, status: int, headers: dict[str, str] | None = None) -> Response:
        return respond(
            request,
            viewer,
            "login.html",
            status=status,
            headers=headers,
            next=next,
            name=name,
            error=error,
        )

    if not name or not password:
        return again(i18n.N_("Enter your name and password."), 400)
    try:
        result = await log_in(request, engine, client, name, password)
    except TooManyAttemptsError as err:
        waited = i18n.N_("Too many failed logins: wait a few minutes and try again.")
        return again(waited, 429, headers_of(err))
    if result is None:
        return again(i18n.N_("Wrong name or password."), 401)
    account, token = result
    response = RedirectResponse(safe_next(next, landing(account)), status_code=303)
    set_session_cookie(response, token, client.tls)
    response.delete_cookie(CSRF_COOKIE, secure=client.tls, httponly=True, samesite="strict")
    return response


@router.post("/logout")
async def logout(request: Request, viewer: AnyViewer) -> Response:
    engine = request.app.state.engine
    session = viewer.session
    assert session is not None  # a logged-in viewer has one

    def end() -> None:
        with engine.begin() as conn:
            accounts.end_session(conn, session)

    await run_in_threadpool(end)
    tls = client_of(request, request.app.state.settings).tls
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, secure=tls, httponly=True, samesite="strict")
    return response


@router.post("/language")
async def choose_language(
    request: Request,
    language: Annotated[str, Form()] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Show the pages in another language from now on (remembered in a cookie)."""
    viewer = await viewer_of(request)
    await check_csrf(request, viewer)
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in i18n.LANGUAGES:
        response.set_cookie(
            i18n.LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_YEARS * 365 * 24 * 3600,
            secure=client_of(request, request.app.state.settings).tls,
            httponly=True,
            samesite="lax",
        )
    return response
