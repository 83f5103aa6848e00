"""Drafting and signing orders over HTTP: the signer sends a signature, never a key."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from muster.accounts.accounts import Role
from muster.actor import Actor
from muster.api.deps import AuthorityUser, OrderDrafter, ReadConn, engine_of, settings_of
from muster.api.errors import AuthError, refusals
from muster.api.limits import body_limit
from muster.api.schemas import Draft, DraftList, DraftState, IsoDate, RecordedOrder
from muster.config import Settings
from muster.domain import errors as d
from muster.domain.kinds import Category, OrderKind
from muster.errors import MusterError
from muster.ledger.canonical import sha256_hex
from muster.ledger.signing import SigningKeyError
from muster.registry import drafts
from muster.registry import review as rv
from muster.registry.opening import registry_row, writing
from muster.registry.signing_flow import (
    NOTE_MAX,
    decline_draft,
    load_draft,
    save_draft,
    submit_signature,
    withdraw_draft,
)

router = APIRouter(tags=["orders"])


# Every kind but enlistment, which is drafted from a roll file (`muster roll import`).
DraftableKind = Literal[
    "absence",
    "strike-off",
    "reinstatement",
    "discharge",
    "category-change",
    "amendment",
    "travel-authorization",
    "exit-control",
    "revocation",
]


class DraftRequest(BaseModel):
    kind: DraftableKind
    number: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^\S(.*\S)?$",
        description="Unique in the registry regardless of case; no surrounding spaces.",
    )
    authority: str
    signed_on: IsoDate
    effective: IsoDate | None = None
    grounds: str = ""
    subjects: list[str] = []
    category: Category | None = None
    valid_from: IsoDate | None = None
    valid_until: IsoDate | None = None
    revokes: str | None = None
    rules: dict[str, Any] | None = None
    changes: dict[str, str] | None = None


class Signature(BaseModel):
    draft_id: str = Field(min_length=1, max_length=40)
    signature: str = Field(
        pattern="^[A-Za-z0-9+/]{86}==$",
        description="The Ed25519 signature (64 bytes) over the draft's bytes, base64.",
    )
    key: str = Field(min_length=1, max_length=100, description="The signing key's fingerprint.")


class Withdrawal(BaseModel):
    note: str = Field(
        "", max_length=NOTE_MAX, description="Why it is withdrawn (optional), for the record."
    )


class Refusal(BaseModel):
    reason: str = Field(
        min_length=1,
        max_length=NOTE_MAX,
        description="Why the authority declines it: what the drafter reads.",
    )


def actor_of(account: Any) -> Actor:
    return Actor(Actor.current().os_user, account.name)


DRAFT_REFUSALS: tuple[type[MusterError], ...] = (
    d.InvalidInputError,
    d.UnknownSubjectError,
    d.NotFoundError,
    d.DuplicateSubjectError,
    d.AmbiguousSubjectError,
    d.AmbiguousOrderNumberError,
)
SIGN_REFUSALS: tuple[type[MusterError], ...] = (
    d.SignatureError,
    SigningKeyError,
    d.NotFoundError,
    d.UnknownSubjectError,
    d.OrderOutOfScopeError,
    d.OrderNumberTakenError,
    d.TransitionRefusedError,
    d.SubjectsRefusedError,
    d.DraftClosedError,
    d.RefusedError,
)


@router.post(
    "/orders/drafts", status_code=201, response_model=Draft, responses=refusals(*DRAFT_REFUSALS)
)
@body_limit("max_order_body_bytes")  # its subjects: thousands of serial numbers or cédulas
def draft(
    body: DraftRequest, account: OrderDrafter, engine: Annotated[Engine, Depends(engine_of)]
) -> dict[str, Any]:
    """Draft an order (not enlistments: `muster roll import`); returns the bytes to sign."""
    if account.role is Role.AUTHORITY and account.authority != body.authority:
        raise AuthError(403, f"{account.name} drafts only for {account.authority}")
    request = drafts.OrderRequest(
        kind=OrderKind(body.kind),
        number=body.number.strip(),
        authority=body.authority,
        signed_on=body.signed_on,
        effective=body.effective or body.signed_on,
        grounds=body.grounds,
        refs=body.subjects,
        category=body.category,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        revokes=body.revokes,
        rules=body.rules,
        changes=body.changes,
        source="subjects",
    )
    with engine.begin() as conn:
        origin, _public = registry_row(conn)
        made = drafts.draft_order(conn, origin, request)
        draft_id = save_draft(conn, made, account.name)
    return {
        "draft_id": draft_id,
        "bytes": base64.b64encode(made.order_bytes).decode(),
        "sha256": sha256_hex(made.order_bytes),
        "content": made.content.to_json(),
    }


@router.post(
    "/orders", status_code=201, response_model=RecordedOrder, responses=refusals(*SIGN_REFUSALS)
)
def sign(
    body: Signature,
    account: AuthorityUser,
    engine: Annotated[Engine, Depends(engine_of)],
    settings: Annotated[Settings, Depends(settings_of)],
    http_request: Request,
) -> dict[str, Any]:
    """Record a drafted order with its signature; every rule is checked again now."""
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):  # the pattern admits only base64: kept as a guard
        raise d.InvalidInputError("signature: expected base64") from None
    passphrase = settings.registry_passphrase
    with writing(engine, passphrase.get_secret_value() if passphrase else None) as (conn, reg):
        if load_draft(conn, body.draft_id).content.authority != account.authority:
            raise AuthError(403, f"{account.name} signs only for {account.authority}")
        result = submit_signature(conn, reg, actor_of(account), body.draft_id, signature, body.key)
    http_request.app.state.caches.orders.recorded()  # the next screening sees it
    return {
        "number": result.number,
        "kind": result.kind,
        "ledger_entry": result.seq,
        "subjects": result.subject_count,
        "key": result.fingerprint,
    }


def draft_state(found: rv.PendingDraft) -> dict[str, Any]:
    content = found.content
    return {
        "draft_id": found.draft_id,
        "number": content.number,
        "kind": content.kind.value,
        "authority": content.authority,
        "signed_on": content.signed_on,
        "effective": content.effective,
        "subjects": content.subjects.count if content.subjects else None,
        "created_by": found.created_by,
        "created_at": found.created_at,
        "state": found.state,
        "ledger_entry": found.recorded_seq,
        "closed_by": found.closed_by,
        "closed_at": found.closed_at,
        "closed_note": found.closed_note,
    }


@router.get("/orders/drafts", response_model=DraftList)
def list_drafts(
    account: OrderDrafter, conn: ReadConn, limit: int = Query(200, ge=1, le=1000)
) -> dict[str, Any]:
    """An authority: the drafts awaiting its signature. A clerk: the drafts it made, in every
    state (awaiting, recorded, withdrawn, declined with the reason). Newest first."""
    if account.role is Role.AUTHORITY:
        found, total = rv.pending_drafts(conn, account.authority or "", limit)
    else:
        found, total = rv.drafts_by(conn, account.name, limit)
    return {"drafts": [draft_state(f) for f in found], "total": total}


def visible_draft(conn: Any, account: Any, draft_id: str) -> rv.PendingDraft:
    """A draft the account may see: an authority its own authority's, a clerk any (as the
    review pages show them)."""
    found = rv.listed_draft(conn, draft_id)
    if account.role is Role.AUTHORITY and found.content.authority != account.authority:
        raise AuthError(403, f"{account.name} sees only the drafts of {account.authority}")
    return found


@router.get(
    "/orders/drafts/{draft_id}", response_model=DraftState, responses=refusals(d.NotFoundError)
)
def show_draft(draft_id: str, account: OrderDrafter, conn: ReadConn) -> dict[str, Any]:
    """A draft and its state: who closed it, when, how and why, once it is closed."""
    return draft_state(visible_draft(conn, account, draft_id))


CLOSE_REFUSALS: tuple[type[MusterError], ...] = (
    d.NotFoundError,
    d.DraftNotYoursError,
    d.InvalidInputError,
    d.DraftClosedError,
    d.RefusedError,
)


@router.post(
    "/orders/drafts/{draft_id}/withdrawal",
    response_model=DraftState,
    responses=refusals(*CLOSE_REFUSALS),
)
def withdraw(
    draft_id: str,
    body: Withdrawal,
    account: OrderDrafter,
    engine: Annotated[Engine, Depends(engine_of)],
) -> dict[str, Any]:
    """Withdraw a draft awaiting its signature: only the account that drafted it; it is
    never signed then. Nothing of the roll or the ledger changes."""
    with engine.begin() as conn:
        withdraw_draft(conn, draft_id, account.name, body.note)
        return draft_state(rv.listed_draft(conn, draft_id))


@router.post(
    "/orders/drafts/{draft_id}/refusal",
    response_model=DraftState,
    responses=refusals(*CLOSE_REFUSALS),
)
def decline(
    draft_id: str,
    body: Refusal,
    account: AuthorityUser,
    engine: Annotated[Engine, Depends(engine_of)],
) -> dict[str, Any]:
    """Decline a draft awaiting this authority's signature, with the reason its drafter
    reads; it is never signed then. Nothing of the roll or the ledger changes."""
    with engine.begin() as conn:
        decline_draft(conn, draft_id, account.name, account.authority or "", body.reason)
        return draft_state(rv.listed_draft(conn, draft_id))
