"""Ledger views: the newest checkpoint, the registry's key, and inclusion and consistency
proofs (RFC 9162), each built here once, in the one shape `muster ledger proof` prints and
the API answers (docs/api.md, "Ledger proofs").

Every proof carries the checkpoint the registry signed at the size it proves against, so
that `muster verify --proof` can check it offline with the registry's key alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.ledger import entries, merkle, note, signing
from muster.registry.drafts import find_order
from muster.registry.opening import registry_row
from muster.store import ledger_store
from muster.store.tables import checkpoints, crossings, ledger_entries, orders


class ProofSizesError(InvalidInputError):
    """Raised when a consistency proof is asked from a tree larger than the one it is to."""


class CrossingNotSealedError(RefusedError):
    """Raised when a crossing's batch entry is asked for before the crossing is sealed into
    the ledger (crossings are sealed in batches every few seconds)."""

    def __init__(self, crossing: str) -> None:
        self.crossing = crossing
        super().__init__(
            f"crossing {crossing} is not in the ledger yet: it is sealed with the next batch "
            "of crossings, in a few seconds"
        )


def latest_checkpoint(conn: Connection) -> dict[str, Any]:
    """The ledger's size and its newest signed checkpoint (None before the first entry)."""
    return {
        "tree_size": ledger_store.tree_size(conn),
        "checkpoint": ledger_store.latest_checkpoint(conn),
    }


def registry_key(conn: Connection) -> dict[str, str]:
    """The registry's verifier key (C2SP signed-note) as exports hold it in
    keys/registry.vkey, with its origin and its fingerprint (as `muster init` prints it)."""
    origin, public = registry_row(conn)
    return {
        "origin": origin,
        "verifier_key": note.verifier_key(origin, public),
        "fingerprint": signing.fingerprint(public),
    }


def checkpoint_at(conn: Connection, size: int) -> str | None:
    """The checkpoint the registry signed at this tree size, if it signed one there (one
    write that appends several entries signs only the size it leaves)."""
    note = conn.execute(select(checkpoints.c.note).where(checkpoints.c.size == size)).scalar()
    return None if note is None else str(note)


def inclusion_proof(
    conn: Connection, entry: int | None = None, order: str | None = None
) -> dict[str, Any]:
    """That a ledger entry (by position, or an order's by its number) is in the current tree:
    `entry`, `leaf_hash`, `tree_size`, `root`, `proof` (the audit path, hexadecimal) and the
    `checkpoint` signed at `tree_size`."""
    if order is not None:
        entry = int(find_order(conn, order).seq)
    if entry is None:
        raise InvalidInputError("an inclusion proof needs an entry or an order number")
    size = ledger_store.tree_size(conn)
    if not 0 <= entry < size:
        raise NotFoundError(f"no ledger entry {entry}: the ledger holds entries 0 to {size - 1}")
    reader = ledger_store.SqlNodeReader(conn)
    leaf = conn.execute(
        select(ledger_entries.c.leaf_hash).where(ledger_entries.c.seq == entry)
    ).scalar_one()
    return {
        "entry": entry,
        "leaf_hash": bytes(leaf).hex(),
        "tree_size": size,
        "root": merkle.root(size, reader).hex(),
        "proof": [h.hex() for h in merkle.inclusion_proof(entry, size, reader)],
        "checkpoint": checkpoint_at(conn, size),
    }


def consistency_proof(
    conn: Connection, old_size: int, new_size: int | None = None
) -> dict[str, Any]:
    """That the ledger at `old_size` is a prefix of the ledger at `new_size` (default: the
    current size): `old_size`, `old_root`, `new_size`, `new_root`, `proof` (hexadecimal) and
    the `checkpoint` signed at `new_size` (None if the registry signed none at that size)."""
    size = ledger_store.tree_size(conn)
    new = size if new_size is None else new_size
    for asked in (old_size, new):
        if not 1 <= asked <= size:
            raise NotFoundError(
                f"no tree of size {asked}: the ledger holds {size} entries (sizes 1 to {size})"
            )
    if old_size > new:
        raise ProofSizesError(f"old_size {old_size} is over new_size {new}: expected at most it")
    reader = ledger_store.SqlNodeReader(conn)
    return {
        "old_size": old_size,
        "old_root": merkle.root(old_size, reader).hex(),
        "new_size": new,
        "new_root": merkle.root(new, reader).hex(),
        "proof": [h.hex() for h in merkle.consistency_proof(old_size, new, reader)],
        "checkpoint": checkpoint_at(conn, new),
    }


def crossing_entry(conn: Connection, crossing: str) -> int:
    """The ledger entry of the batch that holds a crossing (by its number)."""
    row = conn.execute(
        select(crossings.c.id, crossings.c.batch_seq).where(crossings.c.id == crossing.strip())
    ).first()
    if row is None:
        raise NotFoundError(f"no crossing {crossing.strip()!r} in this registry")
    if row.batch_seq is None:
        raise CrossingNotSealedError(row.id)
    return int(row.batch_seq)


NEWEST = 20  # entries a listing shows at once


def newest_entries(conn: Connection, before: int | None = None, limit: int = NEWEST) -> list[Any]:
    """The ledger's newest entries (or those before position `before`), newest first: each
    one's `entry` (position), `type`, `recorded_at`, `account`, and what it is about: an
    order's `number` and `kind`, a batch's crossing `count`, an authority's `authority`."""
    query = (
        select(
            ledger_entries.c.seq,
            ledger_entries.c.entry_type,
            ledger_entries.c.data,
            orders.c.number,
            orders.c.kind,
        )
        .outerjoin(orders, orders.c.seq == ledger_entries.c.seq)
        .order_by(ledger_entries.c.seq.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(ledger_entries.c.seq < before)
    return [entry_row(r) for r in conn.execute(query)]


def entry_row(r: Any) -> dict[str, Any]:
    try:
        e = entries.read_entry(bytes(r.data))
    except ValueError:  # altered behind the ledger's back: `verify` says so
        e = {}
    recorded = e.get("recorded")
    recorded = recorded if isinstance(recorded, dict) else {}
    about = e.get("authority")
    batch = e.get("crossings")
    batch = batch if isinstance(batch, dict) else {}
    return {
        "entry": int(r.seq),
        "type": str(r.entry_type),
        "recorded_at": recorded.get("at"),
        "account": recorded.get("account"),
        "number": r.number,
        "kind": r.kind,
        "count": batch.get("count"),
        "authority": about.get("code") if isinstance(about, dict) else about,
    }
