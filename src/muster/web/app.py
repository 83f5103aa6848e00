"""The web interface on the API's application: its pages, its static files, and how a page
answers a request without a session, outside its role, or without its CSRF token."""

from __future__ import annotations

import importlib
import pkgutil
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from muster.web import pages, render
from muster.web.pages import auth
from muster.web.respond import respond
from muster.web.session import (
    ROLE_NAMES,
    CsrfRefusedError,
    LoginRequiredError,
    PageForbiddenError,
)


def page_routers() -> tuple[APIRouter, ...]:
    """Every part's router: each module of `web.pages` with a `router` (the shared pages
    first), so that a new part is served by adding its module."""
    found = [auth.router]
    for module in pkgutil.iter_modules(pages.__path__):
        if module.name != "auth":
            part = importlib.import_module(f"{pages.__name__}.{module.name}")
            router = getattr(part, "router", None)
            if isinstance(router, APIRouter):
                found.append(router)
    return tuple(found)


ROUTERS = page_routers()


def install_web(app: FastAPI) -> None:
    """Serve the pages at `/`, beside the API at `/api/v1`."""
    app.mount("/static", StaticFiles(directory=render.STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginRequiredError)
    async def login_first(request: Request, err: LoginRequiredError) -> Response:
        target = "/login" if err.path in ("/", "") else f"/login?next={quote(err.path)}"
        if request.headers.get("hx-request") == "true":  # htmx follows this to the login page
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PageForbiddenError)
    async def forbidden(request: Request, err: PageForbiddenError) -> Response:
        roles = [err.viewer.gettext(ROLE_NAMES[r]) for r in err.roles]
        return respond(request, err.viewer, "forbidden.html", status=403, roles=roles)

    @app.exception_handler(CsrfRefusedError)
    async def csrf_refused(request: Request, err: CsrfRefusedError) -> Response:
        return respond(request, err.viewer, "csrf.html", status=403)
