"""Request dependencies: the database connection, the credential and its account, role checks."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

from muster import bootstrap
from muster.accounts import accounts
from muster.accounts.accounts import Account, Holder, RevocationWatch, Role
from muster.api.errors import AuthError
from muster.config import Settings

SESSION_COOKIE = "muster_session"
# What a request without credentials is answered, by current_account or, before the body is
# read, by the request gate (`api.limits`).
CREDENTIALS_REQUIRED = "credentials required: a bearer token, or log in first"
bearer = HTTPBearer(auto_error=False, description="A bearer token or a session from login.")


async def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def read_conn(engine: Annotated[Engine, Depends(engine_of)]) -> Iterator[Connection]:
    """A connection for reading, closed after the request."""
    with bootstrap.reading(engine) as conn:
        yield conn


@dataclass(frozen=True)
class Credential:
    """What a request authenticates with: its bearer token when it sends one (any case of
    "Bearer", RFC 9110 section 11.1), otherwise its session cookie. A session cookie sent
    beside a bearer token is not read."""

    token: str


async def credential_of(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Credential | None:
    if credentials is not None and credentials.credentials:
        return Credential(credentials.credentials)
    cookie = request.cookies.get(SESSION_COOKIE)
    return Credential(cookie) if cookie else None


async def current_account(
    request: Request,
    engine: Annotated[Engine, Depends(engine_of)],
    credential: Annotated[Credential | None, Depends(credential_of)],
) -> Account:
    """The account behind the request's bearer token or session cookie; 401 otherwise."""
    if credential is None:
        raise AuthError(401, CREDENTIALS_REQUIRED)
    account = await account_of(request, engine, credential.token)
    if account is None:
        raise AuthError(401, "the token or session is invalid, expired or revoked")
    return account


async def account_of(request: Request, engine: Engine, token: str) -> Account | None:
    """The account a token or session authenticates, if it is valid (the API's credentials
    and the web pages' session cookie alike)."""
    cache: AccountCache = request.app.state.account_cache
    # On the event loop: reading one row on the cache's own connection costs less than a hop
    # to a worker thread and back.
    counted = cache.revisit(engine)
    account = cache.get(token)
    if account is None:
        holder = await run_in_threadpool(holder_of, engine, token)
        if holder is None:
            return None
        cache.put(token, holder, counted)
        account = holder.account
    return account


def holder_of(engine: Engine, token: str) -> Holder | None:
    with bootstrap.reading(engine) as conn:
        return accounts.holder_of(conn, token)


class AccountCache:
    """The accounts this process has authenticated, by token, kept until a credential is ended
    anywhere: every request reads the count of credentials ended (`RevocationWatch`), and a
    new count empties the cache, so a logout, a revoked token or a disabled account stops
    working at once on every server process. An expired token is dropped when next used."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self.entries: dict[str, tuple[Account, float]] = {}
        self.counted: int | None = None  # the count the entries were authenticated under
        self.watch: RevocationWatch | None = None

    def revisit(self, engine: Engine) -> int:
        """Read the count of credentials ended; forget every entry when it has changed."""
        if self.watch is None:
            self.watch = RevocationWatch(engine)
            event.listen(engine, "engine_disposed", lambda _engine: self.close())
        counted = self.watch.read()
        if counted != self.counted:
            self.entries.clear()
            self.counted = counted
        return counted

    def get(self, token: str) -> Account | None:
        found = self.entries.get(token)
        if found is None:
            return None
        account, expires = found
        if expires <= time.time():
            del self.entries[token]
            return None
        return account

    def put(self, token: str, holder: Holder, counted: int) -> None:
        """Keep an account authenticated under count `counted`, unless it has changed since
        (a credential ended while this one was being read)."""
        if counted != self.counted:
            return
        if len(self.entries) >= self.max_entries:
            self.entries.clear()
        expires = math.inf if holder.expires_at is None else holder.expires_at.timestamp()
        self.entries[token] = (holder.account, expires)

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()


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
RequestCredential = Annotated[Credential | None, Depends(credential_of)]
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
