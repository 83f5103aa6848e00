"""Limits on failed logins, counted in the database every server process (and every node on
it) shares: a client address, and an address trying one account name, are refused for a while
once they have failed too often; an account name alone is never refused, only answered more
slowly, so that nobody can lock an account's owner out by failing in its name
(docs/decisions/0012-login-limits.md)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sqlalchemy import Engine, and_, case, delete, func, select
from sqlalchemy.engine import Connection

from muster.store.dialects import reading
from muster.store.tables import login_attempts

ADDRESS_LENGTH = 64  # login_attempts.address


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed logins are allowed in `window_s`, and how much slower a name gets."""

    window_s: float = 300.0
    per_address: int = 20  # failed logins from one client address, whatever the names
    per_address_and_name: int = 5  # failed logins for one account name from one address
    per_name_at_full_speed: int = 5  # failed logins for one name, from anywhere, then slower
    first_wait_s: float = 1.0  # the wait once a name has failed that often; it then doubles
    longest_wait_s: float = 16.0

    def wait_s(self, name_failures: int) -> float:
        """How long a login for a name that failed `name_failures` times waits before it is
        checked."""
        over = name_failures - self.per_name_at_full_speed
        if over < 0:
            return 0.0
        return float(min(self.first_wait_s * 2**over, self.longest_wait_s))


@dataclass(frozen=True)
class Attempt:
    """A login being checked: counted as failed until it succeeds. It is checked after
    `wait_s` seconds (its name's slow-down)."""

    id: int
    name: str
    address: str
    wait_s: float


@dataclass(frozen=True)
class Refusal:
    """A login refused unchecked: its address failed too often (for this name, or in all)."""

    retry_after_s: int
    detail: str


@dataclass(frozen=True)
class Failures:
    """Failed logins (and logins being checked) in the window, other than the one at hand."""

    of_pair: int
    of_address: int
    of_name: int
    pair_since: float | None  # the oldest of the pair's, of the address's
    address_since: float | None


def address_key(address: str) -> str:
    """The client address the limits count by: an IPv4 address, or the /64 network of an IPv6
    address (one subscriber's, usually)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:ADDRESS_LENGTH] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def begin_attempt(
    engine: Engine, policy: LoginPolicy, name: str, address: str, now: float
) -> Attempt | Refusal:
    """Count a login for `name` from `address` before its password is checked, or refuse it.

    The attempt is committed first and the failures counted after, in two transactions: of
    two attempts at once, at least one sees the other, so no two pass a limit together
    (both may be refused at its edge), whichever process or node takes them.
    """
    key = address_key(address)
    cutoff = now - policy.window_s
    with engine.begin() as conn:
        conn.execute(delete(login_attempts).where(login_attempts.c.at <= cutoff))
        inserted = conn.execute(
            login_attempts.insert().values(name=name, address=key, at=now)
        ).inserted_primary_key
    assert inserted is not None
    attempt = Attempt(int(inserted[0]), name, key, 0.0)
    with reading(engine) as conn:
        failures = count_failures(conn, attempt, cutoff)
    refusal = refusal_for(policy, failures, now)
    if refusal is not None:
        with engine.begin() as conn:  # refused unchecked: not a failure
            conn.execute(delete(login_attempts).where(login_attempts.c.id == attempt.id))
        return refusal
    return Attempt(attempt.id, name, key, policy.wait_s(failures.of_name))


def succeeded(engine: Engine, attempt: Attempt) -> None:
    """A login that succeeded: it, and the earlier failures of its name from its address, no
    longer count. (A failed one stays counted until the window has passed.)"""
    with engine.begin() as conn:
        conn.execute(
            delete(login_attempts).where(
                login_attempts.c.name == attempt.name, login_attempts.c.address == attempt.address
            )
        )


def count_failures(conn: Connection, attempt: Attempt, cutoff: float) -> Failures:
    """The failures in the window of the attempt's address and name, apart from itself."""
    t = login_attempts.c
    of_pair = and_(t.name == attempt.name, t.address == attempt.address)
    of_address = t.address == attempt.address
    row = conn.execute(
        select(
            func.coalesce(func.sum(case((of_pair, 1), else_=0)), 0),
            func.coalesce(func.sum(case((of_address, 1), else_=0)), 0),
            func.coalesce(func.sum(case((t.name == attempt.name, 1), else_=0)), 0),
            func.min(case((of_pair, t.at), else_=None)),
            func.min(case((of_address, t.at), else_=None)),
        ).where(
            t.at > cutoff,
            t.id != attempt.id,
            (t.address == attempt.address) | (t.name == attempt.name),
        )
    ).one()
    return Failures(int(row[0]), int(row[1]), int(row[2]), row[3], row[4])


def refusal_for(policy: LoginPolicy, failures: Failures, now: float) -> Refusal | None:
    """Why a login is refused unchecked, if it is: the address's limits, never the name's."""
    if failures.of_pair >= policy.per_address_and_name:
        since, what = failures.pair_since, "for this account from this address"
    elif failures.of_address >= policy.per_address:
        since, what = failures.address_since, "from this address"
    else:
        return None
    wait = int(policy.window_s - (now - (since if since is not None else now))) + 1
    wait = max(1, min(wait, int(policy.window_s)))
    return Refusal(wait, f"too many failed logins {what}; wait {wait} s")
