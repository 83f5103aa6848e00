"""People, orders, statistics and the ledger, read through the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from muster.api.deps import AnyAccount, AppSettings, ReadConn, RecordsReader
from muster.config import today
from muster.domain.errors import InvalidInputError
from muster.ledger import merkle
from muster.services import queries
from muster.services.drafts import find_order
from muster.store import ledger_store
from muster.store.tables import ledger_entries

router = APIRouter()


@router.get("/persons", tags=["registry"])
def search_persons(
    _who: RecordsReader,
    conn: ReadConn,
    settings: AppSettings,
    q: str = Query(min_length=2, max_length=200),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    """People whose name holds every word of `q` (any case or accents), with their status
    today."""
    return {"query": q, "people": queries.search_people(conn, q, today(settings), limit)}


@router.get("/persons/{ref}", tags=["registry"])
def show_person(
    ref: str,
    _who: RecordsReader,
    conn: ReadConn,
    settings: AppSettings,
    as_of: date | None = None,
) -> dict[str, Any]:
    """A person by serial number (current or former) or cédula: their state on `as_of`
    (default today), the periods of their state (those after that day scheduled), history."""
    return queries.person_view(conn, ref, as_of or today(settings))


@router.get("/stats", tags=["registry"])
def stats(
    _who: RecordsReader, conn: ReadConn, settings: AppSettings, as_of: date | None = None
) -> dict[str, Any]:
    """Counts by status, component and category on `as_of` (default today)."""
    return queries.stats(conn, as_of or today(settings))


@router.get("/orders/{number}", tags=["orders"])
def show_order(number: str, _who: RecordsReader, conn: ReadConn) -> dict[str, Any]:
    """An order as recorded: signed content, signature, key, ledger entry, revocation."""
    return queries.order_view(conn, number)


@router.get("/ledger/checkpoint", tags=["ledger"])
def checkpoint(_who: AnyAccount, conn: ReadConn) -> dict[str, Any]:
    """The newest signed checkpoint (a C2SP tlog-checkpoint note) and its tree size."""
    note = ledger_store.latest_checkpoint(conn)
    return {"tree_size": ledger_store.tree_size(conn), "checkpoint": note}


@router.get("/ledger/proofs/inclusion", tags=["ledger"])
def inclusion(
    _who: AnyAccount,
    conn: ReadConn,
    entry: int | None = Query(None, ge=0),
    order: str | None = None,
) -> dict[str, Any]:
    """An RFC 9162 inclusion proof for a ledger entry (or an order's entry)."""
    size = ledger_store.tree_size(conn)
    if order is not None:
        entry = int(find_order(conn, order).seq)
    if entry is None or entry >= size:
        raise InvalidInputError(f"give entry (0..{size - 1}) or order")
    reader = ledger_store.SqlNodeReader(conn)
    leaf = conn.execute(
        select(ledger_entries.c.leaf_hash).where(ledger_entries.c.seq == entry)
    ).scalar_one()
    return {
        "entry": entry,
        "tree_size": size,
        "leaf_hash": bytes(leaf).hex(),
        "root": merkle.root(size, reader).hex(),
        "proof": [h.hex() for h in merkle.inclusion_proof(entry, size, reader)],
    }


@router.get("/ledger/proofs/consistency", tags=["ledger"])
def consistency(
    _who: AnyAccount,
    conn: ReadConn,
    old_size: int = Query(ge=1),
    new_size: int | None = Query(None, ge=1),
) -> dict[str, Any]:
    """An RFC 9162 consistency proof between two tree sizes (default: the current size)."""
    size = ledger_store.tree_size(conn)
    new = new_size or size
    if not old_size <= new <= size:
        raise InvalidInputError(f"expected old_size <= new_size <= {size}")
    reader = ledger_store.SqlNodeReader(conn)
    return {
        "old_size": old_size,
        "new_size": new,
        "old_root": merkle.root(old_size, reader).hex(),
        "new_root": merkle.root(new, reader).hex(),
        "proof": [h.hex() for h in merkle.consistency_proof(old_size, new, reader)],
    }
