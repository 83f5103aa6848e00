"""Accounts: people and machines that use the service, their roles, posts, passwords, tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.errors import with_article
from muster.store.dialects import autocommit_connection
from muster.store.tables import (
    authorities,
    credential_revocations,
    posts,
    tokens,
    user_posts,
    users,
)
from muster.timestamps import parse_timestamp, timestamp

TOKEN_PREFIX = "mst_"
TOKEN_ID_LENGTH = 12  # a token's id: the first hex digits of its SHA-256 digest
SESSION_HOURS = 12
_hasher = PasswordHasher()


class Role(StrEnum):
    """What an account may do; each route names the roles it admits."""

    ADMIN = "admin"
    CLERK = "clerk"
    AUTHORITY = "authority"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"


POST_ROLES = (Role.OFFICER, Role.SUPERVISOR)


@dataclass(frozen=True)
class Account:
    """An authenticated account: who, in which role, bound to which posts or authority."""

    name: str
    role: Role
    posts: tuple[str, ...] = field(default_factory=tuple)
    authority: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role.value,
            "posts": list(self.posts),
            "authority": self.authority,
        }


def add_user(
    conn: Connection,
    name: str,
    role: Role,
    password: str,
    *,
    post_codes: Sequence[str],
    authority: str | None,
    created_by: str,
) -> Account:
    """Create an account; refuses a name in use, posts or authority that do not fit the role."""
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise InvalidInputError(f"user name {name!r} must be non-empty, without spaces")
    if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
        raise RefusedError(f"user {name!r} already exists")
    if len(password) < 8:
        raise InvalidInputError("the password must have at least 8 characters")
    codes = [c.strip().upper() for c in post_codes if c.strip()]
    if role in POST_ROLES and not codes:
        raise InvalidInputError(
            f"{with_article(role.value)} is bound to one or more posts: give {{posts}}",
            fields=("posts",),
        )
    if codes and role not in POST_ROLES:
        raise InvalidInputError(
            f"{with_article(role.value)} is not bound to posts; "
            "{posts} is for officers and supervisors",
            fields=("posts",),
        )
    known = {r[0] for r in conn.execute(select(posts.c.code).where(posts.c.code.in_(codes)))}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise NotFoundError(
            f"unknown post(s) {', '.join(unknown)}; see the border posts loaded by `muster init`"
        )
    if (role is Role.AUTHORITY) != (authority is not None):
        raise InvalidInputError(
            "{authority} is required for, and only for, the authority role",
            fields=("authority",),
        )
    if (
        authority is not None
        and conn.execute(select(authorities.c.code).where(authorities.c.code == authority)).first()
        is None
    ):
        raise NotFoundError(f"no authority {authority!r}")
    uid = conn.execute(
        users.insert().values(
            name=name,
            role=role.value,
            password_hash=_hasher.hash(password),
            authority_code=authority,
            disabled=False,
            created_at=timestamp(),
            created_by=created_by,
        )
    ).inserted_primary_key
    assert uid is not None
    uid = uid[0]
    if codes:
        conn.execute(user_posts.insert(), [{"user_id": uid, "post_code": c} for c in codes])
    return Account(name, role, tuple(codes), authority)


def list_users(conn: Connection) -> list[dict[str, object]]:
    """Every account with its role, posts, authority and whether it is disabled."""
    bound: dict[int, list[str]] = {}
    for uid, code in conn.execute(select(user_posts.c.user_id, user_posts.c.post_code)):
        bound.setdefault(int(uid), []).append(code)
    return [
        {
            "name": r.name,
            "role": r.role,
            "posts": sorted(bound.get(int(r.id), [])),
            "authority": r.authority_code,
            "disabled": bool(r.disabled),
            "created_at": r.created_at,
            "created_by": r.created_by,
        }
        for r in conn.execute(select(users).order_by(users.c.name))
    ]


def disable_user(conn: Connection, name: str) -> None:
    """Disable an account: its sessions and tokens stop working at once, on every server."""
    row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no user {name!r}")
    conn.execute(update(users).where(users.c.id == row.id).values(disabled=True))
    count_revocation(conn)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(conn: Connection, user_id: int, kind: str, expires: datetime | None) -> str:
    while True:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest = _digest(token)
        # A machine token's id names it alone: draw again in the (48-bit) case of a clash.
        if kind != "token" or not _tokens_with_id(conn, digest[:TOKEN_ID_LENGTH]):
            break
    conn.execute(
        tokens.insert().values(
            user_id=user_id,
            kind=kind,
            token_hash=digest,
            created_at=timestamp(),
            expires_at=None if expires is None else timestamp(expires),
        )
    )
    return token


def _tokens_with_id(conn: Connection, token_id: str) -> list[Any]:
    """The machine tokens whose id is exactly `token_id`."""
    prefix = func.substr(tokens.c.token_hash, 1, TOKEN_ID_LENGTH)
    query = select(tokens.c.id, tokens.c.token_hash, tokens.c.revoked_at).where(
        tokens.c.kind == "token", prefix == token_id
    )
    return list(conn.execute(query).all())


def create_token(conn: Connection, name: str, expires_in_days: int | None) -> tuple[str, str]:
    """A bearer token for an existing user (shown once, stored hashed); (token, its id)."""
    row = conn.execute(select(users.c.id, users.c.disabled).where(users.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no user {name!r}: create it with `muster user add`")
    if row.disabled:
        raise RefusedError(f"user {name!r} is disabled")
    expires = None
    if expires_in_days is not None:
        if expires_in_days <= 0:
            raise InvalidInputError(
                "{expires_in_days} must be a positive number of days", fields=("expires_in_days",)
            )
        expires = datetime.now(UTC) + timedelta(days=expires_in_days)
    token = _issue(conn, int(row.id), "token", expires)
    return token, _digest(token)[:TOKEN_ID_LENGTH]


def revoke_token(conn: Connection, token_or_id: str) -> str:
    """Revoke the one token given itself (a machine token or a session) or by exactly the id
    `muster token create` printed; returns its id."""
    given = token_or_id.strip()
    if given.startswith(TOKEN_PREFIX):
        query = select(tokens.c.id, tokens.c.token_hash, tokens.c.revoked_at)
        found = list(conn.execute(query.where(tokens.c.token_hash == _digest(given))).all())
        named = "such token"
    else:
        token_id = given.lower()
        if not re.fullmatch(f"[0-9a-f]{{{TOKEN_ID_LENGTH}}}", token_id):
            raise InvalidInputError(
                f"{given[:16]!r} is not a token id: give the {TOKEN_ID_LENGTH} characters "
                "`muster token create` printed (`muster token list` shows them), or the token"
            )
        found = _tokens_with_id(conn, token_id)
        named = f"token {token_id}"
    if not found:
        raise NotFoundError(f"no {named}: see `muster token list`")
    if len(found) > 1:  # only tokens made before ids were kept unique can share one
        raise RefusedError(f"{named} names {len(found)} tokens: revoke it with the token itself")
    row = found[0]
    token_id = str(row.token_hash)[:TOKEN_ID_LENGTH]
    if row.revoked_at is not None:
        raise RefusedError(f"token {token_id} was revoked already, at {row.revoked_at}")
    conn.execute(update(tokens).where(tokens.c.id == row.id).values(revoked_at=timestamp()))
    count_revocation(conn)
    return token_id


def end_session(conn: Connection, token: str) -> None:
    """Revoke the session or bearer token a request authenticated with (a logout)."""
    conn.execute(
        update(tokens)
        .where(tokens.c.token_hash == _digest(token), tokens.c.revoked_at.is_(None))
        .values(revoked_at=timestamp())
    )
    count_revocation(conn)


def count_revocation(conn: Connection) -> None:
    """Count a credential ended (in the transaction that ends it): every server process then
    forgets the accounts it has authenticated before its next request."""
    counter = credential_revocations.c.counter
    done = conn.execute(
        update(credential_revocations)
        .where(credential_revocations.c.id == 1)
        .values(counter=counter + 1)
    )
    if done.rowcount == 0:  # a registry whose row went missing: start again from 1
        conn.execute(credential_revocations.insert().values(id=1, counter=1))


def login(conn: Connection, name: str, password: str) -> tuple[Account, str] | None:
    """A session token for a correct name and password; None otherwise (no hint which)."""
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None or row.disabled or row.password_hash is None:
        _hasher.hash(password)  # spend the same time whether or not the user exists
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    session = _issue(
        conn, int(row.id), "session", datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
    )
    return account_of(conn, row), session


@dataclass(frozen=True)
class Holder:
    """The account behind a valid credential, and when the credential expires (None: never)."""

    account: Account
    expires_at: datetime | None


def authenticate(conn: Connection, token: str) -> Account | None:
    """The account behind a bearer token or session, if it is valid now."""
    found = holder_of(conn, token)
    return None if found is None else found.account


def holder_of(conn: Connection, token: str) -> Holder | None:
    """The account behind a bearer token or session and its expiry, if it is valid now."""
    found = conn.execute(
        select(users, tokens.c.expires_at, tokens.c.revoked_at)
        .join(tokens, tokens.c.user_id == users.c.id)
        .where(tokens.c.token_hash == _digest(token))
    ).first()
    if found is None or found.disabled or found.revoked_at is not None:
        return None
    expires = None if found.expires_at is None else parse_timestamp(found.expires_at)
    if expires is not None and expires <= datetime.now(UTC):
        return None
    return Holder(account_of(conn, found), expires)


class RevocationWatch:
    """Reads the count of credentials ended (`count_revocation`) as committed now, on a
    connection of its own that no transaction holds: one row by its key, read on every
    authenticated request (docs/api.md)."""

    QUERY = "SELECT counter FROM credential_revocations WHERE id = 1"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._raw: Any = None
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock:
            try:
                return self._read()
            except self.engine.dialect.loaded_dbapi.Error:
                self.close()  # a connection the database dropped: once more on a new one
                return self._read()

    def _read(self) -> int:
        if self._raw is None:
            self._raw = autocommit_connection(self.engine)
        cur = self._raw.cursor()
        try:
            cur.execute(self.QUERY)
            rows = cur.fetchall()  # to the end: SQLite ends the statement's read
        finally:
            cur.close()
        return int(rows[0][0]) if rows else 0

    def close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            raw.close()


def account_of(conn: Connection, row: object) -> Account:
    uid = row.id  # type: ignore[attr-defined]
    codes = tuple(
        sorted(
            r[0]
            for r in conn.execute(select(user_posts.c.post_code).where(user_posts.c.user_id == uid))
        )
    )
    return Account(row.name, Role(row.role), codes, row.authority_code)  # type: ignore[attr-defined]


def load_posts(conn: Connection, rows: Sequence[dict[str, str]]) -> int:
    """Add the border posts that are not there yet; returns how many were added."""
    have = {r[0] for r in conn.execute(select(posts.c.code))}
    new = [
        {
            "code": r["code"],
            "name": r["name"],
            "type": r["type"],
            "state": r["state"],
            "neighbour_country": r["neighbour_country"],
            "status": r["status_2018_2019"],
        }
        for r in rows
        if r["code"] not in have
    ]
    if new:
        conn.execute(posts.insert(), new)
    return len(new)
