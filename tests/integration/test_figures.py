"""The reports' figures as of a day: the roll by component and status, the changes of status
per month and component, and the crossings, decisions and referrals over a span of days, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import Engine, update

from muster.domain.errors import InvalidInputError
from muster.domain.kinds import OrderKind as K
from muster.registry import figures, standing
from muster.screening.figures import Days, crossing_counts, referral_outcomes
from muster.store.tables import referrals
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

BEFORE_STRIKE_OFF, DAY = date(2018, 12, 20), date(2019, 3, 15)


@pytest.fixture
def reg(engine: Engine) -> Engine:
    """Ten GNB members of 2014 and six EB members (four of 2014, two of mid-2018): four GNB
    reported absent in May 2018, one more in June (revoked in August), three struck off in
    December, one reinstated in February 2019, an EB member absent from March 2019, and a
    GNB absence that takes effect only in April 2019."""
    new_registry(engine)
    clerk = new_authority(engine, "REG", [K.ENLISTMENT], ["GNB", "EB"])
    gnb = new_authority(
        engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF, K.REINSTATEMENT, K.REVOCATION], ["GNB"]
    )
    eb = new_authority(engine, "CG-EB", [K.ABSENCE], ["EB"])
    enlist(engine, clerk, roll_rows(10) + roll_rows(4, 101, "EB"), "ENL-2014")
    enlist(engine, clerk, roll_rows(2, 105, "EB"), "ENL-2018", date(2018, 7, 2))
    serial = [f"GNB-{i:07d}" for i in range(11)]
    issue(engine, gnb, K.ABSENCE, "AUS-1", "2018-05-15", serial[1:5])
    issue(engine, gnb, K.ABSENCE, "AUS-2", "2018-06-01", [serial[6]])
    issue(engine, gnb, K.REVOCATION, "REV-1", "2018-08-01", revokes="AUS-2")
    issue(engine, gnb, K.STRIKE_OFF, "BAJA-1", "2018-12-21", serial[1:4])
    issue(engine, gnb, K.REINSTATEMENT, "AMN-1", "2019-02-15", [serial[1]])
    issue(engine, eb, K.ABSENCE, "AUS-EB-1", "2019-03-01", ["EB-0000101"])
    issue(engine, gnb, K.ABSENCE, "AUS-3", "2019-03-10", [serial[5]], effective="2019-04-01")
    return engine


def test_members_by_component_and_status_on_a_day(reg: Engine) -> None:
    with reg.connect() as conn:
        before = figures.members_on(conn, BEFORE_STRIKE_OFF)
        on_day = figures.members_on(conn, DAY)
        early = figures.members_on(conn, date(2018, 1, 1))
        nobody = figures.members_on(conn, date(2013, 12, 31))
    assert before == Counter({("GNB", "active"): 6, ("GNB", "absent"): 4, ("EB", "active"): 6})
    assert on_day == Counter(
        {
            ("GNB", "active"): 7,  # the reinstated one back; the April absence not yet
            ("GNB", "struck_off"): 2,
            ("GNB", "absent"): 1,
            ("EB", "active"): 5,
            ("EB", "absent"): 1,
        }
    )
    assert early == Counter({("GNB", "active"): 10, ("EB", "active"): 4})  # before mid-2018
    assert nobody == Counter()


@pytest.mark.parametrize("day", [date(2014, 1, 1), date(2018, 6, 15), BEFORE_STRIKE_OFF, DAY])
def test_members_agree_with_the_statistics_of_the_day(reg: Engine, day: date) -> None:
    with reg.connect() as conn:
        found = figures.members_on(conn, day)
        by_status, by_component, _by_category = standing.counts_on(conn, day)
    statuses: Counter[str] = Counter()
    components: Counter[str] = Counter()
    for (component, status), n in found.items():
        statuses[status] += n
        components[component] += n
    assert +statuses == +by_status
    assert +components == +by_component


def test_changes_per_month_and_component_up_to_a_day(reg: Engine) -> None:
    with reg.connect() as conn:
        on_day = figures.changes_by_month(conn, DAY)
        before = figures.changes_by_month(conn, BEFORE_STRIKE_OFF)
        later = figures.changes_by_month(conn, date(2019, 4, 30))
    assert on_day == Counter(
        {
            ("2018-05", "GNB", "absent"): 4,
            ("2018-06", "GNB", "absent"): 1,  # revoked in August: it held until then
            ("2018-12", "GNB", "struck_off"): 3,
            ("2019-02", "GNB", "reinstated"): 1,
            ("2019-03", "EB", "absent"): 1,
        }
    )  # the revocation that ended the June absence is no reinstatement
    assert before == Counter({("2018-05", "GNB", "absent"): 4, ("2018-06", "GNB", "absent"): 1})
    assert later - on_day == Counter({("2019-04", "GNB", "absent"): 1})


def stamp(engine: Engine, decision: str, at: str, post: str = "SBOL") -> str:
    with engine.begin() as conn:
        return record_crossing(conn, crossing_record(decision, post), at)


def test_crossings_per_post_day_and_decision_over_a_span(engine: Engine) -> None:
    new_registry(engine)
    stamp(engine, "clear", "2019-03-13T23:59:59Z")  # the day before the span
    stamp(engine, "clear", "2019-03-14T00:00:00Z")
    stamp(engine, "deny", "2019-03-14T12:00:00Z", "FPSA")
    stamp(engine, "refer", "2019-03-15T10:00:00+00:00")  # as stored before migration 0007
    stamp(engine, "clear", "2019-03-15T23:59:59Z")
    stamp(engine, "authorized", "2019-03-16T00:00:00Z")  # the day after
    span = Days(date(2019, 3, 14), DAY)
    with engine.connect() as conn:
        everywhere = crossing_counts(conn, span)
        at_sbol = crossing_counts(conn, span, ("SBOL",))
    assert everywhere == Counter(
        {
            ("2019-03-14", "SBOL", "clear"): 1,
            ("2019-03-14", "FPSA", "deny"): 1,
            ("2019-03-15", "SBOL", "refer"): 1,
            ("2019-03-15", "SBOL", "clear"): 1,
        }
    )
    assert at_sbol == everywhere - Counter({("2019-03-14", "FPSA", "deny"): 1})


def test_crossings_are_counted_into_the_local_days_they_fall_in(engine: Engine) -> None:
    """In Caracas (UTC-4) a day runs from 04:00Z to 04:00Z: a crossing at 01:30Z on the 16th
    is counted on the 15th; before 2016 the offset was UTC-4:30, which a whole UTC hour does
    not place in one day."""
    new_registry(engine)
    caracas = zone_named("America/Caracas")
    stamp(engine, "clear", "2019-03-14T03:59:59Z")  # 23:59:59 of the 13th: before the span
    stamp(engine, "clear", "2019-03-14T04:00:00+00:00")  # midnight of the 14th
    stamp(engine, "refer", "2019-03-15T12:00:00Z")
    stamp(engine, "refer", "2019-03-16T01:30:00Z")  # 21:30 of the 15th
    stamp(engine, "deny", "2019-03-16T03:59:59Z", "FPSA")  # 23:59:59 of the 15th
    stamp(engine, "clear", "2019-03-16T04:00:00Z")  # the 16th: after the span
    stamp(engine, "clear", "2015-03-15T04:15:00Z")  # 23:45 of the 14th at UTC-4:30
    stamp(engine, "clear", "2015-03-15T04:45:00Z")  # 00:15 of the 15th
    with engine.connect() as conn:
        local = crossing_counts(conn, Days(date(2019, 3, 14), DAY), zone=caracas)
        utc = crossing_counts(conn, Days(date(2019, 3, 14), DAY))
        old = crossing_counts(conn, Days(date(2015, 3, 14), date(2015, 3, 15)), zone=caracas)
    assert local == Counter(
        {
            ("2019-03-14", "SBOL", "clear"): 1,
            ("2019-03-15", "SBOL", "refer"): 2,
            ("2019-03-15", "FPSA", "deny"): 1,
        }
    )
    assert utc == Counter(
        {
            ("2019-03-14", "SBOL", "clear"): 2,
            ("2019-03-15", "SBOL", "refer"): 1,
        }
    )
    assert old == Counter({("2015-03-14", "SBOL", "clear"): 1, ("2015-03-15", "SBOL", "clear"): 1})


def test_referrals_by_outcome_as_it_stood_at_the_end_of_the_span(engine: Engine) -> None:
    new_registry(engine)
    early = stamp(engine, "refer", "2019-03-14T09:00:00Z")
    late = stamp(engine, "refer", "2019-03-15T20:00:00Z")
    stamp(engine, "refer", "2019-03-15T21:00:00Z")  # never resolved
    stamp(engine, "refer", "2019-03-15T21:30:00Z", "FPSA")
    with engine.begin() as conn:
        for crossing, status, at in (
            (early, "held", "2019-03-15T08:00:00Z"),
            (late, "released", "2019-03-16T00:00:00Z"),  # the next day
        ):
            conn.execute(
                update(referrals)
                .where(referrals.c.crossing_id == crossing)
                .values(status=status, resolved_at=at, resolved_by="sup")
            )
    with engine.connect() as conn:
        on_day = referral_outcomes(conn, Days.ending(DAY, 7), ("SBOL",))
        next_day = referral_outcomes(conn, Days.ending(date(2019, 3, 16), 7))
    assert on_day == Counter({"open": 2, "held": 1, "released": 0, "other": 0})
    assert next_day == Counter({"open": 2, "held": 1, "released": 1, "other": 0})


def test_a_span_is_whole_days_and_bounded() -> None:
    span = Days.ending(DAY, 30)
    assert (span.first, span.last, len(span)) == (date(2019, 2, 14), DAY, 30)
    assert span.each()[0] == span.first and span.each()[-1] == DAY
    assert span.bounds() == ("2019-02-14T00:00:00+00:00", "2019-03-16T00:00:00+00:00")
    with pytest.raises(InvalidInputError, match="before it begins"):
        Days(DAY, date(2019, 3, 1))
    with pytest.raises(InvalidInputError, match="at most 366"):
        Days.ending(DAY, 400)
