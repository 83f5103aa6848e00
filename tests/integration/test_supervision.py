"""What a post's supervisors read: the queue (open first, oldest first; then the day's
resolved), a crossing with its referral, the day's decisions counted, and a referral resolved
only once, by its post's supervisors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, update

from muster.accounts.accounts import Account, Role
from muster.domain.errors import InvalidInputError
from muster.screening import crossings as cx
from muster.screening import supervision
from muster.store.tables import crossings
from tests.factories import crossing_record, new_registry, record_crossing

SUPERVISOR = Account("sup", Role.SUPERVISOR, ("SBOL",))
OTHER = Account("sup2", Role.SUPERVISOR, ("SBOL",))
AUDITOR = Account("aud", Role.AUDITOR, ())
OFFICER = Account("ofc", Role.OFFICER, ("SBOL",))
DAY = date(2019, 3, 15)


def crossing_at(engine: Engine, decision: str, at: str, post: str = "SBOL") -> str:
    with engine.begin() as conn:
        cid = record_crossing(conn, crossing_record(decision, post))
        conn.execute(update(crossings).where(crossings.c.id == cid).values(at=at))
    return cid


def test_the_queue_shows_open_referrals_oldest_first_then_the_days_resolved(
    engine: Engine,
) -> None:
    new_registry(engine)
    yesterday = crossing_at(engine, "refer", "2019-03-14T20:00:00Z")
    later = crossing_at(engine, "refer", "2019-03-15T11:00:00Z")
    earlier = crossing_at(engine, "refer", "2019-03-15T09:00:00Z")
    done = crossing_at(engine, "refer", "2019-03-15T08:00:00Z")
    elsewhere = crossing_at(engine, "refer", "2019-03-15T10:00:00Z", post="FPSA")
    crossing_at(engine, "clear", "2019-03-15T10:00:00Z")
    with engine.begin() as conn:
        cx.resolve_referral(conn, done, "released", "", SUPERVISOR)
    with engine.connect() as conn:
        queue = supervision.referral_queue(conn, SUPERVISOR, DAY)
        everywhere = supervision.referral_queue(conn, AUDITOR, DAY)
        small = supervision.referral_queue(conn, SUPERVISOR, DAY, limit=1)
    assert [r["crossing_id"] for r in queue.open] == [yesterday, earlier, later]
    assert queue.open_total == 3
    assert [(r["crossing_id"], r["status"]) for r in queue.resolved] == [(done, "released")]
    assert elsewhere in {r["crossing_id"] for r in everywhere.open}
    assert [r["crossing_id"] for r in small.open] == [yesterday] and small.open_total == 3


def test_a_crossing_shows_its_referral_but_an_officer_sees_the_decision_only(
    engine: Engine,
) -> None:
    new_registry(engine)
    referred = crossing_at(engine, "refer", "2019-03-15T09:00:00Z")
    cleared = crossing_at(engine, "clear", "2019-03-15T09:30:00Z")
    with engine.begin() as conn:
        cx.resolve_referral(conn, referred, "held", "fiscalía", SUPERVISOR)
    with engine.connect() as conn:
        seen = supervision.crossing_with_referral(conn, referred, AUDITOR)
        plain = supervision.crossing_with_referral(conn, cleared, SUPERVISOR)
        officer = supervision.crossing_with_referral(conn, referred, OFFICER)
        counts = supervision.decisions_of_day(conn, SUPERVISOR, DAY)
        statuses = supervision.referral_statuses(conn, [referred, cleared])
    assert seen["referral"]["status"] == "held" and seen["referral"]["note"] == "fiscalía"
    assert seen["referral"]["resolved_by"] == "sup"
    assert plain["referral"] is None
    assert "referral" not in officer and "document" not in officer
    assert counts == {"clear": 1, "authorized": 0, "refer": 1, "deny": 0}
    assert statuses == {referred: "held"}


def test_a_referral_is_resolved_once_and_names_who_resolved_it(engine: Engine) -> None:
    new_registry(engine)
    referred = crossing_at(engine, "refer", "2019-03-15T09:00:00Z")
    with engine.begin() as conn:
        with pytest.raises(InvalidInputError, match="note: 2001 characters") as long:
            cx.resolve_referral(conn, referred, "held", "x" * 2001, SUPERVISOR)
        assert long.value.fields == ["note"]
        with pytest.raises(InvalidInputError) as bad:
            cx.resolve_referral(conn, referred, "freed", "", SUPERVISOR)
        assert bad.value.fields == ["outcome"]
        cx.resolve_referral(conn, referred, "released", "", SUPERVISOR)
        with pytest.raises(cx.ReferralResolvedError) as again:
            cx.resolve_referral(conn, referred, "held", "", OTHER)
    assert (again.value.status, again.value.resolved_by) == ("released", "sup")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"kind": "typed", "identity": {"given_names": "ANA", "surnames": "PEREZ"}},
            {"source": "typed", "given_names": "ANA", "surnames": "PEREZ", "birth_date": ""},
        ),
        (
            {"kind": "mrz", "zone": {"given_names": "JOSE", "surnames": "GIL", "sex": "M"}},
            {"source": "zone", "given_names": "JOSE", "sex": "M", "national_id": ""},
        ),
        (
            {  # a zone that failed its checks: the identity typed beside it was screened
                "kind": "mrz",
                "zone": {"given_names": "J0SE"},
                "identity": {"given_names": "JOSE", "surnames": "GIL"},
            },
            {"source": "typed", "given_names": "JOSE"},
        ),
        ({"kind": "typed", "findings": []}, {"source": "unknown", "given_names": ""}),
    ],
)
def test_the_traveler_as_the_officer_saw_them(
    document: dict[str, Any], expected: dict[str, str]
) -> None:
    shown = supervision.presented(document)
    assert {k: shown[k] for k in expected} == expected
