"""Listing orders, posts, tokens, crossings and referrals: filters, limits, totals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from muster.accounts import accounts
from muster.accounts.accounts import Account, Role
from muster.domain.errors import InvalidInputError
from muster.domain.kinds import OrderKind as K
from muster.registry import listings
from muster.registry.listings import OrderFilter
from muster.screening import crossings as cx
from muster.screening import listings as border_listings
from muster.screening import supervision
from muster.screening.listings import CrossingFilter
from muster.store.tables import crossings
from muster.timezones import zone_named
from tests.factories import (
    crossing_record,
    enlist,
    issue,
    new_authority,
    new_registry,
    record_crossing,
    roll_rows,
)

SUPERVISOR = Account("sup", Role.SUPERVISOR, ("SBOL",))


def with_orders(engine: Engine) -> None:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command = new_authority(engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF], ["GNB"])
    enlist(engine, clerk, roll_rows(5), "ENL-1")
    issue(engine, command, K.ABSENCE, "AUS-1", "2016-01-01", ["GNB-0000002"])
    issue(engine, command, K.ABSENCE, "AUS-2", "2017-03-01", ["GNB-0000003"], "2017-04-01")
    issue(engine, command, K.STRIKE_OFF, "SO-1", "2018-12-21", ["GNB-0000002"])


def numbers(found: listings.Listing) -> list[str]:
    return [r["number"] for r in found.rows]


def test_orders_by_kind_authority_and_dates(engine: Engine) -> None:
    with_orders(engine)
    with engine.connect() as conn:
        every = listings.list_orders(conn, OrderFilter())
        assert numbers(every) == ["SO-1", "AUS-2", "AUS-1", "ENL-1"]  # newest first
        assert every.rows[0]["subjects"] == 1 and every.rows[0]["authority"] == "CG-GNB"
        absences = listings.list_orders(conn, OrderFilter(kind=K.ABSENCE))
        assert numbers(absences) == ["AUS-2", "AUS-1"]
        assert numbers(listings.list_orders(conn, OrderFilter(authority="reg-gnb"))) == ["ENL-1"]
        signed = OrderFilter(signed_from=date(2016, 1, 1), signed_until=date(2017, 3, 1))
        assert numbers(listings.list_orders(conn, signed)) == ["AUS-2", "AUS-1"]
        effective = OrderFilter(effective_from=date(2017, 4, 1), effective_until=date(2017, 4, 1))
        assert numbers(listings.list_orders(conn, effective)) == ["AUS-2"]
        first = listings.list_orders(conn, OrderFilter(), limit=2)
        assert numbers(first) == ["SO-1", "AUS-2"] and first.total == 4
        assert first.to_json("orders")["shown"] == 2


def test_posts_by_type_and_state(engine: Engine) -> None:
    new_registry(engine)
    with engine.connect() as conn:
        every = listings.list_posts(conn)
        land = listings.list_posts(conn, post_type="LAND", state="táchira")
    assert every.total == len(every.rows) >= 20
    assert "SBOL" in [p["code"] for p in land.rows]
    assert {p["type"] for p in land.rows} == {"land"}
    assert {p["state"] for p in land.rows} == {"Táchira"}


def test_tokens_show_their_state_never_the_token(engine: Engine) -> None:
    new_registry(engine)
    with engine.begin() as conn:
        for name in ("machine-a", "machine-b"):
            accounts.add_user(
                conn,
                name,
                Role.ADMIN,
                "a long password",
                post_codes=[],
                authority=None,
                created_by="test",
            )
        first, first_id = accounts.create_token(conn, "machine-a", None)
        _second, second_id = accounts.create_token(conn, "machine-a", 1)
        _third, third_id = accounts.create_token(conn, "machine-b", None)
        accounts.revoke_token(conn, third_id)
        accounts.login(conn, "machine-a", "a long password")  # a session is not listed
    with engine.connect() as conn:
        every = listings.list_tokens(conn)
        later = listings.list_tokens(conn, now=datetime.now(UTC) + timedelta(days=2))
        mine = listings.list_tokens(conn, user="machine-a", state="active")
        with pytest.raises(InvalidInputError, match="active, expired, revoked"):
            listings.list_tokens(conn, state="gone")
    assert every.total == 3
    states = {r["id"]: r["state"] for r in every.rows}
    assert states == {first_id: "active", second_id: "active", third_id: "revoked"}
    assert {r["id"]: r["state"] for r in later.rows}[second_id] == "expired"
    assert {r["id"] for r in mine.rows} == {first_id, second_id}
    assert first not in str(every.rows)


def crossing_at(engine: Engine, decision: str, post: str, at: str) -> str:
    with engine.begin() as conn:
        cid = record_crossing(conn, crossing_record(decision, post))
        conn.execute(update(crossings).where(crossings.c.id == cid).values(at=at))
    return cid


def test_crossings_and_referrals_by_post_day_and_decision(engine: Engine) -> None:
    new_registry(engine)
    day = "2019-02-23T{}+00:00"
    a = crossing_at(engine, "clear", "SBOL", day.format("08:00:00"))
    b = crossing_at(engine, "refer", "SBOL", day.format("23:59:59"))
    c = crossing_at(engine, "refer", "FPSA", day.format("12:00:00"))
    d = crossing_at(engine, "deny", "SBOL", "2019-02-24T00:00:00+00:00")
    with engine.begin() as conn:
        cx.resolve_referral(conn, b, "held", "", SUPERVISOR)
    that_day = CrossingFilter(day=date(2019, 2, 23))
    with engine.connect() as conn:
        ids = [r["id"] for r in border_listings.list_crossings(conn, CrossingFilter()).rows]
        assert ids == [d, b, c, a]  # newest first
        found = border_listings.list_crossings(conn, that_day)
        assert [r["id"] for r in found.rows] == [b, c, a]
        at_sbol = CrossingFilter(post="sbol", day=date(2019, 2, 23), decision="refer")
        assert [r["id"] for r in border_listings.list_crossings(conn, at_sbol).rows] == [b]
        limited = border_listings.list_crossings(conn, CrossingFilter(post="SBOL"), limit=1)
        assert [r["id"] for r in limited.rows] == [d] and limited.total == 3
        with pytest.raises(InvalidInputError, match="decision 'maybe'"):
            border_listings.list_crossings(conn, CrossingFilter(decision="maybe"))
        referred = border_listings.list_referrals(conn, that_day)
        assert [(r["crossing_id"], r["status"]) for r in referred.rows] == [
            (b, "held"),
            (c, "open"),
        ]
        opened = border_listings.list_referrals(conn, CrossingFilter(), status="open")
        assert [r["crossing_id"] for r in opened.rows] == [c]
        assert border_listings.list_referrals(conn, CrossingFilter(post="FPSA")).total == 1


def test_a_day_holds_its_midnight_in_either_timestamp_form(engine: Engine) -> None:
    """Crossings written before migration 0007 end in `+00:00` (the sealed ones keep it)."""
    new_registry(engine)
    old = crossing_at(engine, "clear", "SBOL", "2019-02-23T00:00:00+00:00")
    new = crossing_at(engine, "clear", "SBOL", "2019-02-23T00:00:00Z")
    crossing_at(engine, "clear", "SBOL", "2019-02-24T00:00:00+00:00")
    crossing_at(engine, "clear", "SBOL", "2019-02-24T00:00:00Z")
    crossing_at(engine, "clear", "SBOL", "2019-02-22T23:59:59Z")
    with engine.connect() as conn:
        found = border_listings.list_crossings(conn, CrossingFilter(day=date(2019, 2, 23)))
    assert {r["id"] for r in found.rows} == {old, new}


def test_a_local_days_crossings_run_from_its_midnight_to_the_next(engine: Engine) -> None:
    """In Caracas (UTC-4) the 15th runs from 04:00Z on the 15th to 04:00Z on the 16th: a
    crossing at 01:30Z on the 16th is one of the 15th's (21:30 there), one at 03:00Z on the
    15th is one of the 14th's. The referral queue and the day's counts cut the day there too."""
    new_registry(engine)
    caracas = zone_named("America/Caracas")
    evening = crossing_at(engine, "refer", "SBOL", "2019-03-16T01:30:00Z")
    morning = crossing_at(engine, "clear", "SBOL", "2019-03-15T04:00:00+00:00")
    crossing_at(engine, "deny", "SBOL", "2019-03-15T03:59:59Z")  # 23:59:59 of the 14th
    crossing_at(engine, "clear", "SBOL", "2019-03-16T04:00:00Z")  # midnight of the 16th
    with engine.begin() as conn:
        cx.resolve_referral(conn, evening, "released", "", SUPERVISOR)
    local_15th = CrossingFilter(day=date(2019, 3, 15), zone=caracas)
    with engine.connect() as conn:
        found = border_listings.list_crossings(conn, local_15th)
        utc_16th = border_listings.list_crossings(conn, CrossingFilter(day=date(2019, 3, 16)))
        referred = border_listings.list_referrals(conn, local_15th)
        queue = supervision.referral_queue(conn, SUPERVISOR, date(2019, 3, 15), zone=caracas)
        counts = supervision.decisions_of_day(conn, SUPERVISOR, date(2019, 3, 15), zone=caracas)
        utc_counts = supervision.decisions_of_day(conn, SUPERVISOR, date(2019, 3, 15))
    assert [r["id"] for r in found.rows] == [evening, morning]
    assert evening in [r["id"] for r in utc_16th.rows]  # its UTC day is the 16th
    assert [r["crossing_id"] for r in referred.rows] == [evening]
    assert [r["crossing_id"] for r in queue.resolved] == [evening]
    assert counts == {"clear": 1, "authorized": 0, "refer": 1, "deny": 0}
    assert utc_counts == {"clear": 1, "authorized": 0, "refer": 0, "deny": 1}
