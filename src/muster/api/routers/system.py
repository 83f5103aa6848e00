"""Health, login and logout, and who am I."""

from __future__ import annotations

import time
from collections import deque
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from muster.api.deps import SESSION_COOKIE, AnyAccount, RequestCredential, engine_of
from muster.api.errors import AuthError, TooManyAttemptsError
from muster.services import accounts
from muster.services.accounts import SESSION_HOURS

router = APIRouter()
WINDOW_S = 300.0
LIMITS = {"name": 5, "ip": 20}  # failed logins per account name, per client address


class LoginLimiter:
    """At most LIMITS failed logins per account name and per client address in WINDOW_S."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = {}

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            recent = self.failures.setdefault(key, deque())
            while recent and now - recent[0] > WINDOW_S:
                recent.popleft()
            if len(recent) >= LIMITS[key.split(":", 1)[0]]:
                raise TooManyAttemptsError(
                    f"too many failed logins; wait {int(WINDOW_S - (now - recent[0])) + 1} s"
                )

    def failed(self, *keys: str) -> None:
        for key in keys:
            self.failures.setdefault(key, deque()).append(time.monotonic())


class Credentials(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


@router.get("/health", tags=["system"])
async def health(request: Request, response: Response) -> dict[str, Any]:
    """Whether the service is ready to screen (200) or still starting (503, with why)."""
    if getattr(request.app.state, "ready", False):
        return {"status": "ready"}
    response.status_code = 503
    return {"status": "starting", "detail": request.app.state.not_ready_because}


@router.post("/auth/login", tags=["system"])
def login(
    body: Credentials,
    request: Request,
    response: Response,
    engine: Annotated[Engine, Depends(engine_of)],
) -> dict[str, Any]:
    """Log in with a name and password; the session comes back as a token and a cookie."""
    limiter: LoginLimiter = request.app.state.login_limiter
    keys = (f"name:{body.name}", f"ip:{request.client.host if request.client else '-'}")
    limiter.check(*keys)
    with engine.begin() as conn:
        result = accounts.login(conn, body.name, body.password)
    if result is None:
        limiter.failed(*keys)
        raise AuthError(401, "wrong name or password")
    account, token = result
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=SESSION_HOURS * 3600
    )
    return {"token": token, "account": account.to_json(), "expires_in": SESSION_HOURS * 3600}


@router.post("/auth/logout", tags=["system"])
def logout(
    request: Request,
    response: Response,
    account: AnyAccount,
    credential: RequestCredential,
    engine: Annotated[Engine, Depends(engine_of)],
) -> dict[str, str]:
    """End what this request authenticated with, at once on every server process: the bearer
    token when one is sent (a session cookie sent beside it stays valid), otherwise the
    session cookie."""
    assert credential is not None  # the account was found by it
    with engine.begin() as conn:
        accounts.end_session(conn, credential.token)
    if request.cookies.get(SESSION_COOKIE) == credential.token:
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
    return {"logged_out": account.name}


@router.get("/me", tags=["system"])
def me(account: AnyAccount) -> dict[str, Any]:
    """The account making the request: name, role, posts, authority."""
    return account.to_json()
