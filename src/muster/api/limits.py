"""What a request is held to before its route reads the body: a method its path serves (405
otherwise, with `Allow`), credentials on a protected route (401 otherwise), and a body no
larger than the route's limit (413 otherwise, by `Content-Length` at once, or by counting the
bytes of a chunked body as they arrive)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from muster.api.deps import CREDENTIALS_REQUIRED, bearer, credential_of, current_account
from muster.api.errors import AuthError, BodyTooLargeError, MethodNotAllowedError, problem_of
from muster.config import Settings
from muster.errors import MusterError

DEFAULT_LIMIT = "max_body_bytes"
LIMIT_ATTRIBUTE = "muster_body_limit"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def body_limit(setting: str) -> Callable[[Endpoint], Endpoint]:
    """Hold a route's body to the setting named (bytes) instead of `max_body_bytes`."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, LIMIT_ATTRIBUTE, setting)
        return endpoint

    return mark


def is_protected(dependant: Dependant) -> bool:
    """Whether a route asks for an account, itself or through a role check: the one place
    that says which routes are open is the dependencies each route declares."""
    return any(d.call is current_account or is_protected(d) for d in dependant.dependencies)


@dataclass(frozen=True)
class RouteRule:
    """What one route holds a request to."""

    regex: re.Pattern[str]
    methods: frozenset[str]
    protected: bool
    limit: int
    setting: str  # the setting that gives `limit`, named in the 413
    path: str  # the route's path, prefix included


class RouteTable:
    """The API's routes in the order the router tries them, each with its rule."""

    def __init__(
        self,
        routers: Iterable[APIRouter],
        prefix: str,
        settings: Settings,
        pages: Iterable[APIRouter] = (),
    ) -> None:
        self.default = settings.max_body_bytes
        # Paths without parameters (`/orders/drafts`), by path; the templates, in order.
        self.literal: dict[str, list[RouteRule]] = {}
        self.templates: list[RouteRule] = []
        # The web pages (at `/`, not under the prefix) are held to their body limits too.
        served = [(r, prefix) for r in routers] + [(r, "") for r in pages]
        for router, at in served:
            for route in router.routes:
                if not isinstance(route, APIRoute):
                    continue
                rule = rule_of(route, at, settings)
                if "{" in rule.path:
                    self.templates.append(rule)
                else:
                    self.literal.setdefault(rule.path, []).append(rule)

    def resolve(self, method: str, path: str) -> tuple[RouteRule | None, frozenset[str]]:
        """The rule of the route serving `method` on `path`; or, when none does, None and
        every method the path serves (none when no route has that path)."""
        # As in OpenAPI, a path without parameters comes before the templates that also match
        # it: `/orders/drafts` is its own path, not the order numbered "drafts".
        rules = self.literal.get(path)
        if rules is None:
            rules = [rule for rule in self.templates if rule.regex.match(path)]
        allowed: set[str] = set()
        for rule in rules:
            if method in rule.methods:
                return rule, frozenset()
            allowed |= rule.methods
        return None, frozenset(allowed)


def rule_of(route: APIRoute, prefix: str, settings: Settings) -> RouteRule:
    setting = getattr(route.endpoint, LIMIT_ATTRIBUTE, DEFAULT_LIMIT)
    if setting not in Settings.model_fields:
        raise ValueError(f"{route.path}: body_limit names {setting!r}, which is no setting")
    regex, _format, _convertors = compile_path(prefix + route.path)
    return RouteRule(
        regex=regex,
        methods=frozenset(route.methods or ()),
        protected=is_protected(route.dependant),
        limit=int(getattr(settings, setting)),
        setting=setting,
        path=prefix + route.path,
    )


# How a refusal is answered when the application also serves pages (`web.app.refusal_page`):
# on a page, a page in the viewer's words; on the API, its problem document.
PageRefusal = Callable[[Request, MusterError], Awaitable[Response]]


class RequestGate:
    """Pure ASGI middleware answering 405, 401 and 413 before a route reads the body: with
    a problem document on the API, with `page_refusal` (when given) on the pages."""

    def __init__(
        self, app: ASGIApp, table: RouteTable, page_refusal: PageRefusal | None = None
    ) -> None:
        self.app = app
        self.table = table
        self.page_refusal = page_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], route_path(scope)
        rule, allowed = self.table.resolve(method, path)
        limit, setting = (rule.limit, rule.setting) if rule else (self.table.default, DEFAULT_LIMIT)
        headers = Headers(scope=scope)
        if rule is None and allowed:
            served = ", ".join(sorted(allowed))
            wrong = MethodNotAllowedError(
                f"{method} is not served at {path}; it serves {served}",
                method,
                tuple(sorted(allowed)),
            )
            await self.refuse(scope, receive, send, wrong, has_body(headers), {"Allow": served})
        elif rule is not None and rule.protected and not await has_credentials(scope):
            anonymous = AuthError(401, CREDENTIALS_REQUIRED)
            await self.refuse(scope, receive, send, anonymous, has_body(headers))
        elif declared_length(headers) > limit:
            await self.refuse(scope, receive, send, too_large(limit, setting, method, path), True)
        else:
            refusal = partial(too_large, limit, setting, method, path)
            await self.counted(scope, receive, send, limit, refusal)

    async def counted(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        limit: int,
        refusal: Callable[[], MusterError],
    ) -> None:
        """Pass the request on, refusing its body once more than `limit` bytes came in: what
        the route then answers is dropped and the 413 sent instead."""
        received = 0
        over = started = False

        async def receive_counted() -> Message:
            nonlocal received, over
            if not over:
                message = await receive()
                if message["type"] != "http.request":
                    return message
                received += len(message.get("body", b""))
                over = received > limit
                if not over:
                    return message
            raise refusal()

        async def send_unless_over(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the route's answer to a body it could not read
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_counted, send_unless_over)
        except BodyTooLargeError:
            if started:
                raise
        if over and not started:
            await self.refuse(scope, receive, send, refusal(), True)

    async def refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        err: MusterError,
        close: bool,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer with the refusal for `err`; `close` the connection after it when the
        request has a body that was not read, so that the client stops sending it."""
        if self.page_refusal is not None:
            answer = await self.page_refusal(Request(scope, receive), err)
        else:
            answer = problem_of(err)
        answer.headers.update(headers or {})
        if close:
            answer.headers["Connection"] = "close"
        await answer(scope, receive, send)


def route_path(scope: Scope) -> str:
    """The path the router matches: without the root path a proxy serves the API under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


def too_large(limit: int, setting: str, method: str, path: str) -> BodyTooLargeError:
    return BodyTooLargeError(
        f"the request body is over the limit of {limit} bytes for {method} {path} "
        f"(the server's MUSTER_{setting.upper()})",
        limit,
        f"MUSTER_{setting.upper()}",
    )


def declared_length(headers: Headers) -> int:
    """The body's length by its Content-Length (0 without one: chunked, or no body)."""
    length = headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


def has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


async def has_credentials(scope: Scope) -> bool:
    """Whether the request carries a bearer token or a session cookie, as current_account
    reads them; whether they are valid, current_account says once the route runs."""
    request = Request(scope)
    return await credential_of(request, await bearer(request)) is not None
