"""The web interface on the API's application: its pages, its static files, and how a page
answers a request without a session, outside its role, or without its CSRF token."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, cast
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from muster.api.errors import problem_of, status_of
from muster.errors import MusterError
from muster.web import pages, problems, render
from muster.web.i18n import N_
from muster.web.pages import auth
from muster.web.respond import respond
from muster.web.session import (
    ROLE_NAMES,
    CsrfRefusedError,
    LoginRequiredError,
    PageForbiddenError,
    viewer_of,
)

API_PREFIX = "/api/"


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

    install_error_pages(app)

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


ERROR_TITLES = {
    404: N_("Page not found"),
    405: N_("Not possible here"),
    413: N_("Too large"),
    422: N_("Some fields are not as expected"),
}


def install_error_pages(app: FastAPI) -> None:
    """Errors on a page answered with a page in the viewer's language; the API's problems
    (`/api/...`) stay as they are. Call after `api.errors.install`."""
    for cls in (MusterError, StarletteHTTPException, RequestValidationError):
        app.add_exception_handler(cls, error_page(app.exception_handlers[cls]))


async def refusal_page(request: Request, err: MusterError) -> Response:
    """A refusal before the route runs (`api.limits.RequestGate`: a method the path does not
    serve, a body over its limit): on a page, a page in the viewer's language; on the API,
    its problem document."""

    async def problem(_request: Request, refused: MusterError) -> Response:
        return problem_of(refused)

    answer: Response = await error_page(problem)(request, err)
    return answer


def error_page(api_handler: Any) -> Any:
    async def answer(request: Request, err: Exception) -> Response:
        if request.url.path.startswith(API_PREFIX):
            return cast(Response, await api_handler(request, err))
        viewer = await viewer_of(request)
        if isinstance(err, StarletteHTTPException):
            status = err.status_code
            headers = dict(err.headers or {})
            shown_problem = None
        elif isinstance(err, RequestValidationError):
            status, headers = 422, {}
            fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in err.errors()})
            shown_problem = problems.Shown(
                "RequestValidationError",
                viewer.gettext(ERROR_TITLES[422]),
                [viewer.gettext(N_("Field: %(field)s"), field=f) for f in fields if f],
            )
        else:
            assert isinstance(err, MusterError)
            status, headers = status_of(err), {}
            shown_problem = problems.shown(viewer, err)
        title = ERROR_TITLES.get(status, N_("The service refused this."))
        return respond(
            request,
            viewer,
            "error.html",
            status=status,
            headers=headers,
            title=title,
            problem=shown_problem,
        )

    return answer
