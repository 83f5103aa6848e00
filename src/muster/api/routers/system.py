"""Health, login and logout, and who am I."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from muster.accounts import accounts, login_limits
from muster.accounts.accounts import SESSION_HOURS, Account
from muster.accounts.login_limits import Attempt, LoginPolicy, Refusal
from muster.api.clients import Client, client_of
from muster.api.deps import (
    SESSION_COOKIE,
    AnyAccount,
    AppSettings,
    RequestCredential,
    engine_of,
)
from muster.api.errors import AuthError, TooManyAttemptsError, refusals
from muster.api.schemas import AccountView, Health, LoggedOut, Session

router = APIRouter()


class LoginLimiter:
    """The limits on failed logins (`accounts.login_limits`), counted in the database that
    every server process shares: per client address, and per address and account name,
    refused with 429; per account name alone, answered more slowly."""

    def __init__(self, policy: LoginPolicy | None = None) -> None:
        self.policy = policy or LoginPolicy()

    def begin(self, engine: Engine, name: str, client: Client) -> Attempt:
        found = login_limits.begin_attempt(engine, self.policy, name, client.address, time.time())
        if isinstance(found, Refusal):
            raise TooManyAttemptsError(found.detail, found.retry_after_s)
        return found

    def succeeded(self, engine: Engine, attempt: Attempt) -> None:
        login_limits.succeeded(engine, attempt)


class Credentials(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


@router.get(
    "/health",
    tags=["system"],
    response_model=Health,
    response_model_exclude_unset=True,
    responses={503: {"model": Health, "description": "Still starting: `detail` says why."}},
)
async def health(request: Request, response: Response) -> dict[str, Any]:
    """Whether the service is ready to screen (200) or still starting (503, with why)."""
    if getattr(request.app.state, "ready", False):
        return {"status": "ready"}
    response.status_code = 503
    return {"status": "starting", "detail": request.app.state.not_ready_because}


@router.post(
    "/auth/login",
    tags=["system"],
    response_model=Session,
    responses=refusals(AuthError, TooManyAttemptsError),
)
async def login(
    body: Credentials,
    request: Request,
    response: Response,
    engine: Annotated[Engine, Depends(engine_of)],
    settings: AppSettings,
) -> dict[str, Any]:
    """Log in with a name and password; the session comes back as a token and a cookie
    (HttpOnly, SameSite=Strict, and Secure when the request came over TLS). Too many failed
    logins from one address answer 429; many for one name from anywhere answer more slowly."""
    client = client_of(request, settings)
    result = await log_in(request, engine, client, body.name, body.password)
    if result is None:
        raise AuthError(401, "wrong name or password")
    account, token = result
    set_session_cookie(response, token, client.tls)
    return {"token": token, "account": account.to_json(), "expires_in": SESSION_HOURS * 3600}


async def log_in(
    request: Request, engine: Engine, client: Client, name: str, password: str
) -> tuple[Account, str] | None:
    """The account and a new session for a name and password, or None when they are wrong;
    held to the login limits (`TooManyAttemptsError`), as every login is (the API's and the
    login page's)."""
    limiter: LoginLimiter = request.app.state.login_limiter
    attempt = await run_in_threadpool(limiter.begin, engine, name, client)
    if attempt.wait_s > 0:
        await asyncio.sleep(attempt.wait_s)  # the name's slow-down, holding no thread
    result = await run_in_threadpool(check_password, engine, name, password)
    if result is not None:
        await run_in_threadpool(limiter.succeeded, engine, attempt)
    return result


def set_session_cookie(response: Response, token: str, tls: bool) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, Secure when the request came over TLS."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        secure=tls,
        httponly=True,
        samesite="strict",
    )


def check_password(engine: Engine, name: str, password: str) -> tuple[Account, str] | None:
    with engine.begin() as conn:
        return accounts.login(conn, name, password)


@router.post("/auth/logout", tags=["system"], response_model=LoggedOut)
def logout(
    request: Request,
    response: Response,
    account: AnyAccount,
    credential: RequestCredential,
    engine: Annotated[Engine, Depends(engine_of)],
    settings: AppSettings,
) -> dict[str, str]:
    """End what this request authenticated with, at once on every server process: the bearer
    token when one is sent (a session cookie sent beside it stays valid), otherwise the
    session cookie."""
    assert credential is not None  # the account was found by it
    with engine.begin() as conn:
        accounts.end_session(conn, credential.token)
    if request.cookies.get(SESSION_COOKIE) == credential.token:
        tls = client_of(request, settings).tls
        response.delete_cookie(SESSION_COOKIE, secure=tls, httponly=True, samesite="strict")
    return {"logged_out": account.name}


@router.get("/me", tags=["system"], response_model=AccountView)
def me(account: AnyAccount) -> dict[str, Any]:
    """The account making the request: name, role, posts, authority."""
    return account.to_json()
