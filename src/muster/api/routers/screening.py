"""Screening travelers at border posts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from typing import Literal

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from muster import bootstrap
from muster.api.deps import OfficerUser
from muster.api.errors import NotReadyError, refusals
from muster.api.schemas import ScreeningAnswer
from muster.config import Settings, today
from muster.domain.errors import InvalidInputError
from muster.screening.crossing_process import CrossingClient, CrossingWriterUnavailableError
from muster.screening.crossing_writer import CrossingWriter
from muster.screening.decision import (
    DocumentCheckError,
    PostNotAllowedError,
    ScreeningRequest,
    decide_crossing,
)
from muster.screening.identify import Traveler

router = APIRouter(tags=["border"])
WRITE_TIMEOUT_S = 30.0


class Identity(BaseModel):
    given_names: str = Field(min_length=1, max_length=200)
    surnames: str = Field(min_length=1, max_length=200)
    birth_date: str | None = Field(
        None,
        max_length=20,
        description="YYYY-MM-DD, or as `muster match` reads one (DD/MM/YYYY, YYYYMMDD)",
    )
    national_id: str | None = Field(None, max_length=20)
    document_number: str | None = Field(None, max_length=20)
    nationality: str | None = Field(None, max_length=3)


class Screening(BaseModel):
    """A document's machine-readable zone (`mrz`), the identity typed by the officer, or
    both (the typed identity is screened when the zone fails its checks)."""

    model_config = ConfigDict(
        # What `one_of` enforces, so that the document says it too: not both missing (or null).
        json_schema_extra={
            "not": {"properties": {"mrz": {"type": "null"}, "identity": {"type": "null"}}}
        }
    )

    post: str = Field(min_length=2, max_length=8)
    direction: Literal["exit", "entry"]
    mrz: list[str] | None = Field(
        None, min_length=2, max_length=3, description="The zone's lines (TD1: 3, TD2, TD3: 2)."
    )
    identity: Identity | None = None

    @model_validator(mode="after")
    def one_of(self) -> Screening:
        if self.mrz is None and self.identity is None:
            raise ValueError("give mrz (the document's lines) or identity (typed)")
        return self


@router.post(
    "/screenings",
    response_model=ScreeningAnswer,
    responses=refusals(
        PostNotAllowedError,
        DocumentCheckError,
        InvalidInputError,
        NotReadyError,
        CrossingWriterUnavailableError,
    ),
)
async def screen_traveler(
    body: Screening,
    officer: OfficerUser,
    http_request: Request,
) -> Response:
    """Screen a traveler: the decision (clear, authorized, refer, deny), its reasons, the
    match, a minimal summary of the person, and the id of the recorded crossing. A deny is a
    decision, not an error. The answer is sent once the crossing is durable."""
    state = http_request.app.state
    if not state.ready:
        raise NotReadyError(f"not ready to screen yet: {state.not_ready_because}")
    settings: Settings = state.settings
    identity = None if body.identity is None else Traveler(**body.identity.model_dump())
    now = None
    if settings.screening_date is not None:  # a registry set in the past, such as the demo
        now = datetime.combine(settings.screening_date, time(12, 0), tzinfo=UTC)
    request = ScreeningRequest(body.post, body.direction, body.mrz, identity)
    # Decided on the event loop: a millisecond of index lookups and a few indexed reads
    # cost less there than a hop to a worker thread and back.
    with bootstrap.reading(state.engine) as conn:
        screened = decide_crossing(
            conn,
            officer,
            request,
            matcher=state.matcher,
            now=now,
            caches=state.caches,
            day=today(settings),
        )
    crossings: CrossingClient | CrossingWriter = state.crossings
    crossing_id = await asyncio.wait_for(  # durable before the answer
        crossings.record(screened.record, screened.at), WRITE_TIMEOUT_S
    )
    answer = {**screened.answer, "crossing_id": crossing_id}
    return Response(orjson.dumps(answer), media_type="application/json")
