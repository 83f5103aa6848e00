"""Screening travelers at border posts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from muster import bootstrap
from muster.accounts.accounts import Account
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
    Screening,
    decide_crossing,
)

router = APIRouter(tags=["border"])
WRITE_TIMEOUT_S = 30.0


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
    answer = await screen_and_record(http_request.app.state, officer, body)
    return Response(orjson.dumps(answer), media_type="application/json")


async def screen_and_record(state: Any, officer: Account, body: Screening) -> dict[str, Any]:
    """The decision on `body` and the id of its crossing, once the crossing is durable (the
    API's screenings and the officer's web page alike)."""
    if not state.ready:
        raise NotReadyError(f"not ready to screen yet: {state.not_ready_because}")
    settings: Settings = state.settings
    now = None
    if settings.screening_date is not None:  # a registry set in the past, such as the demo
        now = datetime.combine(settings.screening_date, time(12, 0), tzinfo=UTC)
    # Decided on the event loop: a millisecond of index lookups and a few indexed reads
    # cost less there than a hop to a worker thread and back.
    with bootstrap.reading(state.engine) as conn:
        screened = decide_crossing(
            conn,
            officer,
            body,
            matcher=state.matcher,
            now=now,
            caches=state.caches,
            day=today(settings),
        )
    crossings: CrossingClient | CrossingWriter = state.crossings
    crossing_id = await asyncio.wait_for(  # durable before the answer
        crossings.record(screened.record, screened.at), WRITE_TIMEOUT_S
    )
    return {**screened.answer, "crossing_id": crossing_id}
