"""Every error as an RFC 9457 problem (`application/problem+json`), from one table."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from muster.domain import errors as d
from muster.errors import MusterError
from muster.ledger.signing import SigningKeyError
from muster.services.crossing_process import CrossingWriterUnavailableError
from muster.services.screening import PostNotAllowedError

PROBLEM = "application/problem+json"

# Most specific first: the first class an error is an instance of gives its status.
STATUS: tuple[tuple[type[MusterError], int], ...] = (
    (PostNotAllowedError, 403),
    (d.NotFoundError, 404),
    (d.OrderOutOfScopeError, 403),
    (d.OrderNumberTakenError, 409),
    (d.SignatureError, 422),
    (d.TransitionRefusedError, 409),
    (d.UnknownSubjectError, 422),
    (d.DuplicateSubjectError, 422),
    (d.InvalidInputError, 422),
    (d.VerificationError, 500),
    (SigningKeyError, 422),
    (d.RefusedError, 409),
)


class TooManyAttemptsError(MusterError):
    """Raised when login fails too often for one name or address in a short time (429)."""


class NotReadyError(MusterError):
    """Raised when a screening arrives before the service is ready to screen (503)."""


class BodyTooLargeError(MusterError):
    """Raised when a request's body is over the limit of its route (413)."""


class MethodNotAllowedError(MusterError):
    """Raised when a path is asked for with a method it does not serve (405)."""


class AuthError(MusterError):
    """Raised when a request carries no valid credentials (401) or lacks the role (403)."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        super().__init__(detail)


def problem(status: int, title: str, detail: str, code: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem response."""
    body = {
        "type": f"https://muster.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="muster"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def status_of(err: MusterError) -> int:
    if isinstance(err, AuthError):
        return err.status
    if isinstance(err, TooManyAttemptsError):
        return 429
    if isinstance(err, BodyTooLargeError):
        return 413
    if isinstance(err, MethodNotAllowedError):
        return 405
    if isinstance(err, (NotReadyError, CrossingWriterUnavailableError)):
        return 503
    for cls, status in STATUS:
        if isinstance(err, cls):
            return status
    return 400


def problem_of(err: MusterError) -> JSONResponse:
    """The problem answering an error: its status from the table, its class as the code."""
    status = status_of(err)
    return problem(status, _title(status), str(err), type(err).__name__)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem."""

    @app.exception_handler(MusterError)
    async def _muster(_request: Request, err: MusterError) -> JSONResponse:
        return problem_of(err)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, err: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in err.errors()]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        return problem(422, "Malformed request", detail, "RequestValidationError", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, err: StarletteHTTPException) -> JSONResponse:
        answer = problem(err.status_code, _title(err.status_code), str(err.detail), "HTTPException")
        answer.headers.update(err.headers or {})  # Allow on a 405, for one
        return answer


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
