"""Authorities: offices that sign orders, their holders, keys and scope."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from muster.actor import Actor
from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError, literal
from muster.domain.kinds import OrderKind
from muster.domain.reference import Reference
from muster.ledger import entries, signing
from muster.store import ledger_store
from muster.store.tables import authorities, authority_keys


@dataclass(frozen=True)
class AuthorityView:
    """An authority as listed: scope, holders and keys."""

    code: str
    name: str
    kinds: tuple[str, ...]
    components: tuple[str, ...]
    holders: tuple[str, ...]
    keys: tuple[tuple[str, bool], ...]  # (fingerprint, active)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "kinds": list(self.kinds),
            "components": list(self.components),
            "holders": list(self.holders),
            "keys": [{"fingerprint": f, "active": a} for f, a in self.keys],
        }


def check_scope_request(
    kinds: Sequence[OrderKind], components: Sequence[str], reference: Reference
) -> None:
    """Refuses a scope naming unknown components, or subject kinds without any component."""
    unknown = [c for c in components if c not in reference.components]
    if unknown:
        raise InvalidInputError(
            f"unknown component(s) {', '.join(unknown)}; expected codes from "
            + ", ".join(reference.components)
        )
    if any(k.has_subjects for k in kinds) and not components:
        names = ", ".join(k.value for k in kinds if k.has_subjects)
        raise InvalidInputError(
            f"order kinds {literal(names)} name people: give {{components}} for the scope "
            "(kinds without subjects, such as exit-control, need none)",
            fields=("components",),
        )


def create_authority(
    conn: Connection,
    actor: Actor,
    *,
    code: str,
    name: str,
    kinds: Sequence[OrderKind],
    components: Sequence[str],
    holders: Sequence[str],
    public_key: bytes,
    reference: Reference,
) -> str:
    """Record a new authority and its first key; returns the key's fingerprint."""
    code = code.strip()
    if not code or any(ch.isspace() for ch in code):
        raise InvalidInputError(f"authority code {code!r} must be non-empty, without spaces")
    if not name.strip():
        raise InvalidInputError("{name} must not be empty", fields=("name",))
    check_scope_request(kinds, components, reference)
    exists = conn.execute(select(authorities.c.code).where(authorities.c.code == code)).first()
    if exists is not None:
        raise RefusedError(f"authority {code!r} already exists; choose another code")
    body = {
        "authority": {
            "code": code,
            "name": name.strip(),
            "kinds": [k.value for k in kinds],
            "components": list(components),
            "holders": list(holders),
        }
    }
    recorded = actor.recorded()
    seq = ledger_store.append_entry(
        conn,
        entries.AUTHORITY_CREATED,
        entries.make_entry(entries.AUTHORITY_CREATED, body, recorded),
    )
    conn.execute(
        authorities.insert().values(
            code=code,
            name=name.strip(),
            kinds=",".join(k.value for k in kinds),
            components=",".join(components),
            holders=json.dumps(list(holders), ensure_ascii=False),
            entry_seq=seq,
        )
    )
    return add_key(conn, actor, code, public_key)


def add_key(conn: Connection, actor: Actor, code: str, public_key: bytes) -> str:
    """Record a new signing key for an authority; returns its fingerprint."""
    require_authority(conn, code)
    fingerprint: str = signing.fingerprint(public_key)
    taken = conn.execute(
        select(authority_keys.c.authority_code).where(authority_keys.c.fingerprint == fingerprint)
    ).first()
    if taken is not None:
        raise RefusedError(f"key {fingerprint} is already registered (authority {taken[0]})")
    body = {"authority": code, "public_key": entries.b64(public_key), "fingerprint": fingerprint}
    data = entries.make_entry(entries.KEY_ADDED, body, actor.recorded())
    seq = ledger_store.append_entry(conn, entries.KEY_ADDED, data)
    conn.execute(
        authority_keys.insert().values(
            fingerprint=fingerprint,
            authority_code=code,
            public_key=public_key,
            added_seq=seq,
        )
    )
    return fingerprint


def revoke_key(conn: Connection, actor: Actor, code: str, fingerprint: str, reason: str) -> None:
    """Record that an authority's key no longer signs; orders recorded later are refused."""
    require_authority(conn, code)
    row = conn.execute(
        select(authority_keys.c.authority_code, authority_keys.c.revoked_seq).where(
            authority_keys.c.fingerprint == fingerprint
        )
    ).first()
    if row is None or row.authority_code != code:
        raise NotFoundError(f"authority {code} has no key {fingerprint}")
    if row.revoked_seq is not None:
        raise RefusedError(f"key {fingerprint} of {code} is already revoked")
    body = {"authority": code, "fingerprint": fingerprint, "reason": reason}
    data = entries.make_entry(entries.KEY_REVOKED, body, actor.recorded())
    seq = ledger_store.append_entry(conn, entries.KEY_REVOKED, data)
    conn.execute(
        update(authority_keys)
        .where(authority_keys.c.fingerprint == fingerprint)
        .values(revoked_seq=seq)
    )


def require_authority(conn: Connection, code: str) -> AuthorityView:
    """The authority with a code; NotFoundError naming the known ones otherwise."""
    for view in list_authorities(conn):
        if view.code == code:
            return view
    known = ", ".join(v.code for v in list_authorities(conn)) or "none yet"
    raise NotFoundError(f"no authority {code!r} (known: {known})")


def list_authorities(conn: Connection) -> list[AuthorityView]:
    """Every authority with its scope and keys."""
    keys: dict[str, list[tuple[str, bool]]] = {}
    for fp, code, revoked in conn.execute(
        select(
            authority_keys.c.fingerprint,
            authority_keys.c.authority_code,
            authority_keys.c.revoked_seq,
        ).order_by(authority_keys.c.added_seq)
    ):
        keys.setdefault(code, []).append((fp, revoked is None))
    views = []
    for row in conn.execute(select(authorities).order_by(authorities.c.code)):
        views.append(
            AuthorityView(
                code=row.code,
                name=row.name,
                kinds=tuple(k for k in row.kinds.split(",") if k),
                components=tuple(c for c in row.components.split(",") if c),
                holders=tuple(json.loads(row.holders)),
                keys=tuple(keys.get(row.code, [])),
            )
        )
    return views
