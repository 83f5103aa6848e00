"""Request dependencies: the database connection, the account, and role checks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from muster.api.errors import AuthError
from muster.config import Settings
from muster.services import accounts
from muster.services.accounts import Account, Role
from muster.store.dialects import reading

SESSION_COOKIE = "muster_session"
bearer = HTTPBearer(auto_error=False, description="A bearer token or a session from login.")


async def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def read_conn(engine: Annotated[Engine, Depends(engine_of)]) -> Iterator[Connection]:
    """A connection for reading, closed after the request."""
    with reading(engine) as conn:
        yield conn


async def current_account(
    request: Request,
    engine: Annotated[Engine, Depends(engine_of)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Account:
    """The account behind the request's bearer token or session cookie; 401 otherwise."""
    token = credentials.credentials if credentials is not None else None
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthError(401, "credentials required: a bearer token, or log in first")
    cache: AccountCache = request.app.state.account_cache
    account = cache.get(token)
    if account is None:
        account = await run_in_threadpool(authenticate, engine, token)
        if account is not None:
            cache.put(token, account)
    if account is None:
        raise AuthError(401, "the token or session is invalid, expired or revoked")
    return account


def authenticate(engine: Engine, token: str) -> Account | None:
    with reading(engine) as conn:
        return accounts.authenticate(conn, token)


class AccountCache:
    """Recently authenticated tokens, for a few seconds: a revoked token or disabled account
    stops working within `ttl_s` seconds."""

    def __init__(self, ttl_s: float = 5.0) -> None:
        self.ttl_s = ttl_s
        self.entries: dict[str, tuple[Account, float]] = {}

    def get(self, token: str) -> Account | None:
        found = self.entries.get(token)
        if found is None or time.monotonic() - found[1] > self.ttl_s:
            return None
        return found[0]

    def put(self, token: str, account: Account) -> None:
        if len(self.entries) > 10_000:
            self.entries.clear()
        self.entries[token] = (account, time.monotonic())


def require(*roles: Role) -> Callable[[Account], Awaitable[Account]]:
    """A dependency admitting only accounts in one of `roles` (403 for others)."""

    async def check(account: Annotated[Account, Depends(current_account)]) -> Account:
        if account.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise AuthError(403, f"role {account.role.value} may not do this (allowed: {allowed})")
        return account

    check.roles = roles  # type: ignore[attr-defined]
    return check


ReadConn = Annotated[Connection, Depends(read_conn)]
AppSettings = Annotated[Settings, Depends(settings_of)]
AnyAccount = Annotated[Account, Depends(current_account)]
AdminUser = Annotated[Account, Depends(require(Role.ADMIN))]
OfficerUser = Annotated[Account, Depends(require(Role.OFFICER))]
SupervisorUser = Annotated[Account, Depends(require(Role.SUPERVISOR))]
RecordsReader = Annotated[
    Account, Depends(require(Role.ADMIN, Role.CLERK, Role.AUTHORITY, Role.SUPERVISOR, Role.AUDITOR))
]
OrderDrafter = Annotated[Account, Depends(require(Role.CLERK, Role.AUTHORITY))]
AuthorityUser = Annotated[Account, Depends(require(Role.AUTHORITY))]
CrossingReader = Annotated[Account, Depends(require(Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR))]
