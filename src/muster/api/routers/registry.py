"""People, orders, statistics and the ledger, read through the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from muster.api.deps import AnyAccount, AppSettings, ReadConn, RecordsReader
from muster.api.errors import refusals
from muster.api.schemas import (
    Checkpoint,
    ConsistencyProof,
    InclusionProof,
    IsoDate,
    OrderView,
    PersonSearch,
    PersonView,
    Stats,
)
from muster.config import today
from muster.domain.errors import (
    AmbiguousOrderNumberError,
    AmbiguousSubjectError,
    NotFoundError,
)
from muster.registry import proofs, reading

router = APIRouter()

# `?entry=N` or `?order=NUMBER`, exactly one: declared as one exploded object so that the
# document can say "one of" (OpenAPI has no such rule across separate parameters).
INCLUSION_OF = {
    "name": "of",
    "in": "query",
    "required": True,
    "style": "form",
    "explode": True,
    "description": "Which entry: `entry=N` (from 0), or `order=NUMBER` for an order's entry; "
    "exactly one of them.",
    "schema": {
        "type": "object",
        "properties": {
            "entry": {"type": "integer", "minimum": 0},
            "order": {"type": "string", "minLength": 1, "maxLength": 100},
        },
        "oneOf": [{"required": ["entry"]}, {"required": ["order"]}],
    },
}


def malformed(field: str, message: str) -> RequestValidationError:
    """A 422 for a query that the parameters' own checks cannot refuse alone."""
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error"}]
    )


@router.get("/persons", tags=["registry"], response_model=PersonSearch)
def search_persons(
    _who: RecordsReader,
    conn: ReadConn,
    settings: AppSettings,
    q: str = Query(min_length=2, max_length=200),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    """People whose name holds every word of `q` (any case or accents), with their status
    today."""
    return {"query": q, "people": reading.search_people(conn, q, today(settings), limit)}


@router.get(
    "/persons/{ref}",
    tags=["registry"],
    response_model=PersonView,
    responses=refusals(NotFoundError, AmbiguousSubjectError),
)
def show_person(
    ref: str,
    _who: RecordsReader,
    conn: ReadConn,
    settings: AppSettings,
    as_of: Annotated[IsoDate, Query(description="The day (default today).")] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    """A person by serial number (current or former) or cédula: their state on `as_of`
    (default today), the periods of their state (those after that day scheduled), history."""
    return reading.person_view(conn, ref, as_of or today(settings))


@router.get("/stats", tags=["registry"], response_model=Stats)
def stats(
    _who: RecordsReader,
    conn: ReadConn,
    settings: AppSettings,
    as_of: Annotated[IsoDate, Query(description="The day (default today).")] = None,  # type: ignore[assignment]
) -> dict[str, Any]:
    """Counts by status, component and category on `as_of` (default today)."""
    return reading.stats(conn, as_of or today(settings))


@router.get(
    "/orders/{number}",
    tags=["orders"],
    response_model=OrderView,
    response_model_exclude_unset=True,
    responses=refusals(NotFoundError, AmbiguousOrderNumberError),
)
def show_order(number: str, _who: RecordsReader, conn: ReadConn) -> dict[str, Any]:
    """An order as recorded: signed content, signature, key, ledger entry, revocation."""
    return reading.order_view(conn, number)


@router.get("/ledger/checkpoint", tags=["ledger"], response_model=Checkpoint)
def checkpoint(_who: AnyAccount, conn: ReadConn) -> dict[str, Any]:
    """The newest signed checkpoint (a C2SP tlog-checkpoint note) and its tree size."""
    return proofs.latest_checkpoint(conn)


@router.get(
    "/ledger/proofs/inclusion",
    tags=["ledger"],
    response_model=InclusionProof,
    responses=refusals(NotFoundError, AmbiguousOrderNumberError),
    openapi_extra={"parameters": [INCLUSION_OF]},
)
def inclusion(
    _who: AnyAccount,
    conn: ReadConn,
    entry: int | None = Query(None, ge=0, include_in_schema=False),
    order: str | None = Query(None, min_length=1, max_length=100, include_in_schema=False),
) -> dict[str, Any]:
    """An RFC 9162 inclusion proof for a ledger entry (or an order's entry), in the current
    tree."""
    if (entry is None) == (order is None):
        raise malformed("entry", "give entry or order, exactly one of them")
    return proofs.inclusion_proof(conn, entry, order)


@router.get(
    "/ledger/proofs/consistency",
    tags=["ledger"],
    response_model=ConsistencyProof,
    responses=refusals(NotFoundError),
)
def consistency(
    _who: AnyAccount,
    conn: ReadConn,
    old_size: int = Query(ge=1, description="A tree size, at most `new_size`."),
    new_size: int = Query(  # absent: the current size (no null in the document)
        None, ge=1, description="A tree size up to the current one (the default)."
    ),
) -> dict[str, Any]:
    """An RFC 9162 consistency proof between two tree sizes (default: the current size): a
    size beyond the current tree is not found (404), an old size over the new one is
    malformed (422)."""
    if new_size is not None and old_size > new_size:
        raise malformed("old_size", f"must not exceed new_size ({new_size})")
    return proofs.consistency_proof(conn, old_size, new_size)
