"""Every error as an RFC 9457 problem (`application/problem+json`), from one table, and the
same table declared in the OpenAPI document for every operation."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from muster.domain import errors as d
from muster.errors import MusterError
from muster.ledger.signing import SigningKeyError
from muster.screening.crossing_process import CrossingWriterUnavailableError
from muster.screening.decision import PostNotAllowedError

PROBLEM = "application/problem+json"


class TooManyAttemptsError(MusterError):
    """Raised when login fails too often for one name or address in a short time (429);
    `retry_after_s`: the seconds until the oldest failure counted leaves the window, sent as
    `Retry-After` (RFC 9110 §10.2.3)."""

    def __init__(self, message: str, retry_after_s: int = 0) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message)


class NotReadyError(MusterError):
    """Raised when a screening arrives before the service is ready to screen (503)."""


class BodyTooLargeError(MusterError):
    """Raised when a request's body is over the limit of its route (413): `limit` bytes, set
    by the server's `MUSTER_<setting>`."""

    def __init__(self, message: str, limit: int = 0, setting: str = "") -> None:
        self.limit, self.setting = limit, setting
        super().__init__(message)


class MethodNotAllowedError(MusterError):
    """Raised when a path is asked for with a method it does not serve (405); `allowed` are
    the methods it serves."""

    def __init__(self, message: str, method: str = "", allowed: tuple[str, ...] = ()) -> None:
        self.method, self.allowed = method, allowed
        super().__init__(message)


class AuthError(MusterError):
    """Raised when a request carries no valid credentials (401) or lacks the role (403)."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        super().__init__(detail)


# The one table: most specific first, the first class an error is an instance of gives its
# status. 422 is only for malformed requests (`RequestValidationError`, with `errors`); a
# well-formed request the registry refuses gets 400, 403, 404 or 409.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (RequestValidationError, 422),
    (AuthError, 401),  # or 403: an AuthError carries its own status
    (TooManyAttemptsError, 429),
    (BodyTooLargeError, 413),
    (MethodNotAllowedError, 405),
    (NotReadyError, 503),
    (CrossingWriterUnavailableError, 503),
    (PostNotAllowedError, 403),
    (d.NotFoundError, 404),
    (d.UnknownSubjectError, 404),
    (d.OrderOutOfScopeError, 403),
    (d.DraftNotYoursError, 403),
    (d.OrderNumberTakenError, 409),
    (d.SignatureError, 400),
    (d.TransitionRefusedError, 409),
    (d.DuplicateSubjectError, 409),
    (d.InvalidInputError, 400),
    (d.VerificationError, 500),
    (SigningKeyError, 400),
    (d.RefusedError, 409),
    (MusterError, 400),
)

# What each status means here, for the OpenAPI document.
MEANING = {
    400: "The request is well formed but its content is refused (a signature that does not "
    "verify, a date or field the order's kind does not take, a document that fails its checks).",
    401: "No valid credentials: a bearer token, or the session of a login.",
    403: "The account's role, office or posts do not allow this.",
    404: "What the request names does not exist.",
    405: "The path does not serve this method; `Allow` names the methods it serves.",
    409: "The registry's rules or state refuse it (a number taken, a status transition).",
    413: "The request body is larger than the server accepts.",
    422: "The request is malformed: `errors` names each field (`loc`, `msg`).",
    429: "Too many failed logins for this name or address: wait and try again.",
    503: "Not ready: the roll is being indexed, or crossings cannot be written now.",
}


class FieldError(BaseModel):
    """One malformed field of a request."""

    loc: list[str | int] = Field(description="Where: `body`, `query` or `path`, then the field.")
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem; `code` is the error's class name, `errors` comes with 422."""

    model_config = ConfigDict(title="Problem")

    type: str
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str
    errors: list[FieldError] | None = Field(None, description="Each malformed field (422 only).")
    fields: list[str] | None = Field(
        None, description="The request's fields a refused input names (`subjects`, `changes.sex`)."
    )


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """An RFC 9457 problem response."""
    body = {
        "type": f"https://muster.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="muster"'
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers or None)


def status_of(err: Exception) -> int:
    if isinstance(err, AuthError):
        return err.status
    for cls, status in STATUS:
        if isinstance(err, cls):
            return status
    return 500


def problem_of(err: MusterError) -> JSONResponse:
    """The problem answering an error: its status from the table, its class as the code; an
    input error names the request's JSON fields by their paths (`changes.sex`), as the
    registry words them (`domain.errors.field_path`), and lists them in `fields`."""
    status = status_of(err)
    if isinstance(err, d.InvalidInputError) and err.fields:
        detail = err.worded()
        return problem(status, _title(status), detail, type(err).__name__, fields=err.fields)
    return problem(status, _title(status), str(err), type(err).__name__, headers_of(err))


def headers_of(err: MusterError) -> dict[str, str] | None:
    """The headers a refusal carries: `Retry-After` on a 429."""
    if isinstance(err, TooManyAttemptsError) and err.retry_after_s > 0:
        return {"Retry-After": str(err.retry_after_s)}
    return None


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem."""

    @app.exception_handler(MusterError)
    async def _muster(_request: Request, err: MusterError) -> JSONResponse:
        return problem_of(err)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, err: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in err.errors()]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        status = status_of(err)
        return problem(status, "Malformed request", detail, type(err).__name__, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException) -> JSONResponse:
        if err.status_code == 400 and isinstance(err.__cause__, UnicodeDecodeError):
            # FastAPI's answer to a body that is not text: malformed, as any other body is.
            malformed = RequestValidationError(
                [{"loc": ("body",), "msg": f"not JSON in UTF-8: {err.__cause__.reason}"}]
            )
            return await _invalid(request, malformed)
        # Starlette's own answers (404 for no route, 405 with `Allow`) keep their headers.
        return problem(
            err.status_code,
            _title(err.status_code),
            str(err.detail),
            "HTTPException",
            headers=dict(err.headers or {}),
        )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# The OpenAPI side of the table: each operation declares the statuses it can answer, from
# the classes its handler raises (`refusals`) and from what the route is made of (its
# credentials, role check, parameters and body, by `declare_problems`).

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def refusals(*classes: type[Exception]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route whose handler may raise these classes, by the table."""
    responses: dict[int | str, dict[str, Any]] = {}
    for cls in classes:
        status = next(s for c, s in STATUS if issubclass(cls, c))
        codes = responses.setdefault(status, {}).setdefault("x-codes", [])
        codes.append(cls.__name__)
    return responses


def route_statuses(route: APIRoute) -> dict[int, list[str]]:
    """The problem statuses a route can answer, with the codes each comes with."""
    from muster.api.deps import current_account  # deps imports this module

    found: dict[int, list[str]] = {}
    for status, response in route.responses.items():
        if "x-codes" in response:
            found.setdefault(int(status), []).extend(response["x-codes"])
    calls = list(_calls(route.dependant))
    if current_account in calls:
        found.setdefault(401, []).append("AuthError")
    if any(getattr(call, "roles", None) for call in calls):
        found.setdefault(403, []).append("AuthError")
    if route.body_field is not None:
        found.setdefault(413, [])  # the body-size limit, before the body is read
    if route.body_field is not None or _has_params(route.dependant):
        found.setdefault(422, []).append("RequestValidationError")
    return found


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def _has_params(dependant: Dependant) -> bool:
    return bool(dependant.path_params or dependant.query_params or dependant.header_params) or any(
        _has_params(dep) for dep in dependant.dependencies
    )


def problem_response(status: int, codes: list[str]) -> dict[str, Any]:
    """One status of an operation: what it means, its codes, the shared problem schema."""
    unique = list(dict.fromkeys(codes))
    description = MEANING.get(status, _title(status))
    if unique:
        description += f" `code`: {', '.join(unique)}."
    schema: dict[str, Any] = PROBLEM_REF
    if status == 422:  # served with `errors`, as the handler above builds it
        schema = {"allOf": [PROBLEM_REF, {"required": ["errors"]}]}
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM: {"schema": schema}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "The scheme to authenticate with.",
                "schema": {"type": "string"},
            }
        }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before the next login is counted.",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return response


def declare_problems(router: APIRouter) -> None:
    """Declare on every operation of `router` each problem it can answer, with the shared
    schema (before the router is included; declaring again changes nothing)."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            for status, codes in route_statuses(route).items():
                route.responses[status] = problem_response(status, codes)
            route.responses = dict(sorted(route.responses.items(), key=lambda kv: str(kv[0])))


def add_problem_schema(app: FastAPI) -> None:
    """Put the shared `Problem` schema in the app's OpenAPI document."""
    openapi = app.openapi

    def with_problem_schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = openapi()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            shared = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(shared.pop("$defs", {}))
            schemas["Problem"] = shared
        return app.openapi_schema or {}

    app.openapi = with_problem_schema  # type: ignore[method-assign]
