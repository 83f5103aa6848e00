"""Crossings and referrals at border posts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from muster.accounts.accounts import Account, Role
from muster.api.deps import CrossingReader, ReadConn, SupervisorUser, engine_of, require
from muster.api.errors import refusals
from muster.api.schemas import Crossing, Crossings, Referrals, Resolved
from muster.domain.errors import NotFoundError, RefusedError
from muster.screening import crossings as cx

router = APIRouter(tags=["border"])
CrossingViewer = Annotated[
    Account, Depends(require(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN))
]


class Resolution(BaseModel):
    outcome: Literal["released", "held", "other"]
    note: str = Field("", max_length=2000)


@router.get("/crossings", response_model=Crossings, response_model_exclude_unset=True)
def list_crossings(
    account: CrossingReader,
    conn: ReadConn,
    post: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """Recent crossings (a supervisor sees their posts only)."""
    return {"crossings": cx.list_crossings(conn, account, post, limit)}


@router.get(
    "/crossings/{crossing_id}",
    response_model=Crossing,
    response_model_exclude_unset=True,
    responses=refusals(NotFoundError),
)
def show_crossing(crossing_id: str, account: CrossingViewer, conn: ReadConn) -> dict[str, Any]:
    """One crossing; an officer sees the decision and its reasons, not the whole file."""
    return cx.get_crossing(conn, crossing_id, account)


@router.get("/referrals", response_model=Referrals, response_model_exclude_unset=True)
def list_referrals(
    account: CrossingReader,
    conn: ReadConn,
    status: Literal["open", "released", "held", "other"] | None = None,
) -> dict[str, Any]:
    """Referrals to secondary inspection at the account's posts."""
    return {"referrals": cx.list_referrals(conn, account, status)}


@router.post(
    "/referrals/{crossing_id}/resolution",
    response_model=Resolved,
    responses=refusals(NotFoundError, RefusedError),
)
def resolve(
    crossing_id: str,
    body: Resolution,
    account: SupervisorUser,
    engine: Annotated[Engine, Depends(engine_of)],
) -> dict[str, Any]:
    """A supervisor of the post records how the referral ended."""
    with engine.begin() as conn:
        return cx.resolve_referral(conn, crossing_id, body.outcome, body.note, account)
