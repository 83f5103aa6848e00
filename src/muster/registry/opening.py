"""Creating a registry and unlocking its signing key."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from muster.actor import Actor
from muster.domain.errors import InvalidInputError, RefusedError
from muster.ledger import entries, signing
from muster.reference_data import read_rows
from muster.store import ledger_store, schema
from muster.store.dialects import lock_ledger
from muster.store.tables import registry


class RegistryNotInitialisedError(RefusedError):
    """Raised when a command needs a registry and the database holds none."""

    def __init__(self) -> None:
        super().__init__(
            "this database holds no registry yet: run `muster init` first "
            "(the database is MUSTER_DATABASE_URL, by default ./muster.db)"
        )


class PassphraseMissingError(InvalidInputError):
    """Raised when a key's passphrase is needed and none was given."""


@dataclass(frozen=True)
class RegistryInfo:
    """What `muster init` reports."""

    created: bool
    schema_changed: bool
    origin: str
    fingerprint: str
    schema_notes: tuple[str, ...] = ()  # what the migrations applied had to say


def init_registry(
    engine: Engine, passphrase: str | None, origin: str | None, actor: Actor
) -> RegistryInfo:
    """Create the schema and the registry key, once; a second run changes nothing."""
    from muster.accounts.accounts import load_posts  # accounts (argon2) only where needed

    notes: list[str] = []
    changed = schema.upgrade(engine, notes)
    with engine.begin() as conn:
        changed = load_posts(conn, read_rows("border_posts.csv")) > 0 or changed
        row = conn.execute(select(registry.c.origin, registry.c.public_key)).first()
        if row is not None:
            fingerprint = signing.fingerprint(row.public_key)
            return RegistryInfo(False, changed, row.origin, fingerprint, tuple(notes))
        if not passphrase:
            raise PassphraseMissingError(
                "set MUSTER_REGISTRY_PASSPHRASE: it encrypts the registry's signing key, "
                "which is kept in the database (table registry)"
            )
        origin = origin or f"muster.registry/{secrets.token_hex(4)}"
        key = signing.generate_private_key()
        public = signing.public_key_raw(key)
        recorded = actor.recorded()
        conn.execute(
            registry.insert().values(
                id=1,
                origin=origin,
                public_key=public,
                private_key_pem=signing.private_key_to_pem(key, passphrase.encode()),
                created_at=recorded.at,
            )
        )
        body = {"origin": origin, "public_key": entries.b64(public)}
        data = entries.make_entry(entries.REGISTRY_CREATED, body, recorded)
        ledger_store.append_entry(conn, entries.REGISTRY_CREATED, data)
        ledger_store.publish_checkpoint(conn, origin, key)
        return RegistryInfo(True, changed, origin, signing.fingerprint(public), tuple(notes))


@dataclass(frozen=True)
class OpenRegistry:
    """The registry's identity and its unlocked signing key, inside one transaction."""

    origin: str
    public_key: bytes
    key: Ed25519PrivateKey


def registry_row(conn: Connection) -> tuple[str, bytes]:
    """The registry's origin and public key; refuses an uninitialised database."""
    try:
        row = conn.execute(select(registry.c.origin, registry.c.public_key)).first()
    except DBAPIError as err:  # a missing table: the schema was never created
        if "registry" in str(err).lower():
            raise RegistryNotInitialisedError() from None
        raise
    if row is None:
        raise RegistryNotInitialisedError()
    return str(row.origin), bytes(row.public_key)


def open_for_writing(conn: Connection, passphrase: str | None) -> OpenRegistry:
    """Lock the ledger for this transaction and unlock the registry key."""
    origin, public = registry_row(conn)
    lock_ledger(conn)
    if not passphrase:
        raise PassphraseMissingError(
            "set MUSTER_REGISTRY_PASSPHRASE: the registry key signs a new checkpoint "
            "after every write to the ledger"
        )
    pem = conn.execute(select(registry.c.private_key_pem)).scalar_one()
    key = signing.load_private_key(
        bytes(pem),
        passphrase.encode(),
        name="the registry key",
        variable="MUSTER_REGISTRY_PASSPHRASE",
    )
    return OpenRegistry(origin, public, key)


@contextmanager
def writing(engine: Engine, passphrase: str | None) -> Iterator[tuple[Connection, OpenRegistry]]:
    """One all-or-nothing write: lock, unlock the key, and sign a checkpoint at the end."""
    with engine.begin() as conn:
        reg = open_for_writing(conn, passphrase)
        yield conn, reg
        ledger_store.publish_checkpoint(conn, reg.origin, reg.key)
