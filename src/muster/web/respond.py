"""A page for a viewer: the template in their language, and the cookies the viewer needs."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import HTMLResponse

from muster.api.clients import client_of
from muster.web import render
from muster.web.nav import menu
from muster.web.session import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, Viewer


def respond(
    request: Request,
    viewer: Viewer,
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """`template` rendered for `viewer`; a fragment when htmx asks for one (`HX-Request`)."""
    response = render.page(
        viewer.language,
        template,
        {
            "viewer": viewer,
            "path": request.url.path,
            "menu": menu(viewer.account),
            "csrf_field": CSRF_FIELD,
            "csrf_header": CSRF_HEADER,
            "partial": request.headers.get("hx-request") == "true",
            **context,
        },
        status,
        headers,
        viewer.zone,
    )
    if viewer.new_csrf_cookie is not None:
        settings = request.app.state.settings
        response.set_cookie(
            CSRF_COOKIE,
            viewer.new_csrf_cookie,
            secure=client_of(request, settings).tls,
            httponly=True,
            samesite="strict",
        )
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response
