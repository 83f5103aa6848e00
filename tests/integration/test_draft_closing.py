"""Closing a draft without signing it (SQLite and PostgreSQL): withdrawn by whoever drafted
it, declined by its authority with a reason; a closed draft is never signed, leaves the list
awaiting signature, and neither the roll nor the ledger changes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from muster.domain.errors import (
    DraftClosedError,
    DraftNotYoursError,
    InvalidInputError,
    NotFoundError,
    RefusedError,
)
from muster.registry import review
from muster.registry.signing_flow import (
    NOTE_MAX,
    decline_draft,
    load_draft,
    withdraw_draft,
)
from muster.store.dialects import reading
from muster.store.tables import drafts as kept
from tests.factories import Signer
from tests.integration.test_review import K, keep, reg, sign_kept, snapshot

__all__ = ["reg"]  # the fixture, shared with the review's tests


def test_the_drafter_withdraws_its_draft_with_a_note(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, _command = reg
    draft_id = keep(engine, K.ABSENCE, "AUS-W1", ["GNB-0000006"])
    before = snapshot(engine)
    with engine.begin() as conn:
        withdraw_draft(conn, draft_id, "clerk", "  wrong person  ")
    assert snapshot(engine) == before  # neither the roll nor the ledger
    with reading(engine) as conn:
        record = review.find_draft(conn, draft_id)
        assert (record.state, record.closed_by, record.closed_note) == (
            "withdrawn",
            "clerk",
            "wrong person",
        )
        assert record.closed_at is not None and record.closed_at.endswith("Z")
        assert review.pending_drafts(conn, "CG-GNB") == ([], 0)
        mine, total = review.drafts_by(conn, "clerk")
        assert total == 1 and mine[0].state == "withdrawn" and mine[0].closed_note == "wrong person"
        with pytest.raises(DraftClosedError, match="withdrawn by clerk"):
            load_draft(conn, draft_id)


def test_a_note_is_optional_and_only_the_drafter_withdraws(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, _command = reg
    draft_id = keep(engine, K.ABSENCE, "AUS-W2", ["GNB-0000006"])
    with engine.begin() as conn, pytest.raises(DraftNotYoursError, match="drafted by clerk"):
        withdraw_draft(conn, draft_id, "another-clerk")
    with engine.begin() as conn:
        withdraw_draft(conn, draft_id, "clerk")
    with reading(engine) as conn:
        assert review.find_draft(conn, draft_id).closed_note is None


def test_the_authority_declines_with_a_reason_and_the_draft_is_never_signed(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, command = reg
    draft_id = keep(engine, K.ABSENCE, "AUS-D1", ["GNB-0000007"])
    other = keep(engine, K.ABSENCE, "AUS-D2", ["GNB-0000008"])
    before = snapshot(engine)
    with engine.begin() as conn:
        decline_draft(conn, draft_id, "cmdr", "CG-GNB", "the dates are wrong")
    with reading(engine) as conn:
        record = review.find_draft(conn, draft_id)
        assert (record.state, record.closed_by, record.closed_note) == (
            "declined",
            "cmdr",
            "the dates are wrong",
        )
        assert [d.draft_id for d in review.pending_drafts(conn, "CG-GNB")[0]] == [other]
    with pytest.raises(DraftClosedError, match="declined by cmdr"):
        sign_kept(engine, command, draft_id)
    assert snapshot(engine) == before
    with engine.begin() as conn, pytest.raises(DraftClosedError):
        withdraw_draft(conn, draft_id, "clerk")  # closed once, stays as it was closed
    with engine.begin() as conn, pytest.raises(DraftClosedError):
        decline_draft(conn, draft_id, "cmdr", "CG-GNB", "again")
    with reading(engine) as conn:
        assert review.find_draft(conn, draft_id).closed_note == "the dates are wrong"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("", "reason is required"), ("   ", "reason is required"),
     ("x" * (NOTE_MAX + 1), f"reason: at most {NOTE_MAX} characters")],
)  # fmt: skip
def test_a_refusal_needs_a_short_reason(
    reg: tuple[Engine, Signer, Signer], reason: str, expected: str
) -> None:
    engine, _clerk, _command = reg
    draft_id = keep(engine, K.ABSENCE, "AUS-D3", ["GNB-0000007"])
    with engine.begin() as conn, pytest.raises(InvalidInputError, match=expected) as refused:
        decline_draft(conn, draft_id, "cmdr", "CG-GNB", reason)
    assert refused.value.fields == ["reason"]
    with engine.begin() as conn, pytest.raises(InvalidInputError) as long_note:
        withdraw_draft(conn, draft_id, "clerk", "y" * (NOTE_MAX + 1))
    assert long_note.value.fields == ["note"]
    with reading(engine) as conn:
        assert review.find_draft(conn, draft_id).state == "awaiting-signature"


def test_only_its_authority_declines_and_a_recorded_draft_stays_recorded(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, command = reg
    draft_id = keep(engine, K.ABSENCE, "AUS-D4", ["GNB-0000009"])
    with engine.begin() as conn, pytest.raises(DraftNotYoursError, match="CG-GNB"):
        decline_draft(conn, draft_id, "minister", "MPPD", "not mine")
    sign_kept(engine, command, draft_id)
    for close in (
        lambda conn: withdraw_draft(conn, draft_id, "clerk"),
        lambda conn: decline_draft(conn, draft_id, "cmdr", "CG-GNB", "too late"),
    ):
        with engine.begin() as conn, pytest.raises(RefusedError, match="already signed"):
            close(conn)
    with reading(engine) as conn:
        row = conn.execute(select(kept).where(kept.c.id == draft_id)).one()
        assert row.recorded_seq is not None and row.closed_as is None
        assert review.find_draft(conn, draft_id).state == "recorded"
    with engine.begin() as conn, pytest.raises(NotFoundError):
        withdraw_draft(conn, "d_nothing", "clerk")
