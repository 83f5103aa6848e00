"""Decisions on the status of their day: orders effective later are scheduled, and every
reader (people, statistics, screening, the matcher's index, verify) reads the period that
holds on its day. "Today" is MUSTER_SCREENING_DATE here, as in a registry set in the past."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, update

from muster.accounts.accounts import Account, Role
from muster.domain.errors import InvalidInputError, SubjectsRefusedError
from muster.domain.kinds import OrderKind as K
from muster.matching import Traveler
from muster.registry import reading, standing
from muster.registry.verify import verify_registry
from muster.screening.decision import Identity, Screening, ScreeningCaches, decide_crossing
from muster.screening.identify import OrderWatch, RollMatcher
from muster.screening.policy_inputs import load_person
from muster.store import ledger_store, schema
from muster.store.tables import person_periods, roll
from tests.factories import Signer, enlist, issue, new_authority, new_registry, roll_rows

TODAY = date(2018, 12, 1)
DENY_ABSENT = {
    "version": 1,
    "rules": [
        {
            "id": "absent",
            "when": {"status": ["absent"]},
            "outcome": "deny",
            "reason": "absent without leave",
        }
    ],
    "default": "clear",
}


@pytest.fixture
def reg(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> tuple[Engine, Signer, Signer]:
    monkeypatch.setenv("MUSTER_SCREENING_DATE", TODAY.isoformat())
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command_ = new_authority(
        engine,
        "CG-GNB",
        [K.ABSENCE, K.STRIKE_OFF, K.DISCHARGE, K.AMENDMENT, K.REVOCATION, K.REINSTATEMENT],
        ["GNB"],
    )
    enlist(engine, clerk, roll_rows(20), "ENL-1")
    return engine, clerk, command_


def person_id(engine: Engine, cedula: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(roll.c.person_id).where(roll.c.national_id == cedula)).scalar_one()
        )


def test_an_absence_effective_later_is_scheduled_not_in_force(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-F", "2018-12-01", ["GNB-0000001"], effective="2019-01-30")
    with engine.connect() as conn:
        today = reading.person_view(conn, "GNB-0000001", TODAY)
        later = reading.person_view(conn, "GNB-0000001", date(2019, 1, 30))
        assert reading.stats(conn, TODAY)["by_status"]["absent"] == 0
        assert reading.stats(conn, date(2019, 1, 29))["by_status"]["absent"] == 0
        assert reading.stats(conn, date(2019, 1, 30))["by_status"]["absent"] == 1
        assert reading.stats(conn, date(2019, 1, 30))["total"] == 20
        found = reading.search_people(conn, today["given_names"], TODAY)
        assert verify_registry(conn).ok
    assert today["status"] == "active" and today["as_of"] == "2018-12-01"
    assert [(s["from"], s["status"], s["order"]) for s in today["scheduled"]] == [
        ("2019-01-30", "absent", "AUS-F")
    ]
    assert [(p["from"], p["until"], p["status"]) for p in today["periods"]] == [
        ("2014-01-01", "2019-01-30", "active"),
        ("2019-01-30", None, "absent"),
    ]
    assert later["status"] == "absent" and later["scheduled"] == []
    assert {p["status"] for p in found if p["serial_number"] == "GNB-0000001"} == {"active"}


def test_an_earlier_absence_beside_a_scheduled_one_is_judged_on_the_right_date(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-F", "2018-12-01", ["GNB-0000001"], effective="2019-01-30")
    # Absent from 2019-01-01 too: on that day she is active, so the refusal (two absences at
    # once) comes on the day the scheduled one takes effect, and says so.
    with pytest.raises(SubjectsRefusedError, match="status on 2019-01-30 is 'absent'") as err:
        issue(
            engine, cmd, K.ABSENCE, "AUS-E", "2018-12-01", ["GNB-0000001"], effective="2019-01-01"
        )
    assert "2019-01-01 is" not in str(err.value)


def test_an_order_refused_for_several_subjects_names_every_one(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-1", "2018-06-01", ["GNB-0000002"])
    with engine.connect() as conn:
        before = ledger_store.tree_size(conn)
    with pytest.raises(SubjectsRefusedError) as err:
        issue(
            engine,
            cmd,
            K.STRIKE_OFF,
            "SO-1",
            "2018-12-01",
            ["GNB-0000001", "GNB-0000002", "GNB-0000003"],
        )
    assert len(err.value.problems) == 2
    assert err.value.problems[0].startswith("GNB-0000001: ")
    assert err.value.problems[1].startswith("GNB-0000003: ")
    assert "refused for 2 subject(s)" in str(err.value)
    with engine.connect() as conn:
        assert ledger_store.tree_size(conn) == before


def test_a_backdated_absence_before_a_discharge_is_accepted(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.DISCHARGE, "BAJA-1", "2018-06-01", ["GNB-0000004"])
    issue(engine, cmd, K.ABSENCE, "AUS-B", "2018-07-01", ["GNB-0000004"], effective="2018-01-01")
    with engine.connect() as conn:
        view = reading.person_view(conn, "GNB-0000004", TODAY)
        spring = reading.person_view(conn, "GNB-0000004", date(2018, 3, 1))
        assert verify_registry(conn).ok
    assert view["status"] == "discharged" and spring["status"] == "absent"
    assert [e["order"] for e in view["history"]] == ["ENL-1", "AUS-B", "BAJA-1"]


def test_screening_decides_on_the_status_of_its_day(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, cmd = reg
    saime = new_authority(engine, "SAIME", [K.EXIT_CONTROL])
    issue(engine, saime, K.EXIT_CONTROL, "SAIME-1", "2018-11-13", rules=DENY_ABSENT)
    issue(engine, cmd, K.ABSENCE, "AUS-F", "2018-12-01", ["GNB-0000001"], effective="2019-01-30")
    with engine.connect() as conn:
        member = reading.person_view(conn, "GNB-0000001", TODAY)
    traveler = Identity(
        given_names=member["given_names"],
        surnames=member["surnames"],
        birth_date=member["birth_date"],
        national_id=member["national_id"],
    )
    officer = Account("ofc", Role.OFFICER, ("SBOL",))
    caches = ScreeningCaches(OrderWatch(max_age_s=0))
    with engine.connect() as conn:
        matcher = RollMatcher.from_registry(conn, TODAY)

    def decide(day: date, with_caches: bool) -> str:
        request = Screening(post="SBOL", direction="exit", identity=traveler)
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        with engine.connect() as conn:
            screened = decide_crossing(
                conn, officer, request, matcher, moment, caches if with_caches else None, day
            )
        return str(screened.answer["decision"])

    for with_caches in (True, False):
        assert decide(TODAY, with_caches) == "clear"
        assert decide(date(2019, 1, 29), with_caches) == "clear"
        assert decide(date(2019, 1, 30), with_caches) == "deny"
        assert decide(TODAY, with_caches) == "clear"  # the cache follows the day back too


def test_a_strike_off_effective_later_keeps_serial_and_name_until_then(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-1", "2018-06-01", ["GNB-0000005"])
    issue(engine, cmd, K.STRIKE_OFF, "SO-1", "2018-12-01", ["GNB-0000005"], effective="2019-01-01")
    issue(
        engine,
        cmd,
        K.AMENDMENT,
        "AMD-1",
        "2018-12-01",
        ["GNB-0000006"],
        effective="2019-01-15",
        changes={"given_names": "WUILMER ALEXANDER"},
    )
    struck, renamed = person_id(engine, "V-10000005"), person_id(engine, "V-10000006")
    with engine.connect() as conn:
        before = standing.state_on(conn, struck, date(2018, 12, 31))
        after = standing.state_on(conn, struck, date(2019, 1, 1))
        matcher = RollMatcher.from_registry(conn, TODAY)
        old_name = reading.person_view(conn, "V-10000006", TODAY)
        born = old_name["birth_date"]
        new = Traveler("WUILMER ALEXANDER", old_name["surnames"], born, "V-10000006")
        old = Traveler(old_name["given_names"], old_name["surnames"], born, "V-10000006")
        old_today = matcher.identify(conn, old, day=TODAY)
        new_today = matcher.identify(conn, new, day=TODAY)
        assert matcher.refresh(conn, day=date(2019, 1, 20)) == 2  # both change by then
        new_later = matcher.identify(conn, new, day=date(2019, 1, 20))
        old_later = matcher.identify(conn, old, day=date(2019, 1, 20))
        assert matcher.refresh(conn, day=date(2019, 1, 20)) == 0
    assert before is not None and before.serial_number == "GNB-0000005"
    assert before.status.value == "absent" and before.rank is not None
    assert after is not None and after.serial_number is None and after.rank is None
    assert after.former_serial_numbers == ("GNB-0000005",)
    # filed by the old name until the amendment takes effect, then by the new one
    assert (old_today.person_id, old_today.verdict) == (renamed, "match")
    assert (new_later.person_id, new_later.verdict) == (renamed, "match")
    assert new_later.score > new_today.score
    assert old_today.score > old_later.score


def test_signing_in_the_future_or_before_1900_is_refused(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    with engine.connect() as conn:
        before = ledger_store.tree_size(conn)
    with pytest.raises(InvalidInputError, match="cannot be signed in the future"):
        issue(engine, cmd, K.ABSENCE, "AUS-X", "2018-12-02", ["GNB-0000001"])
    with pytest.raises(InvalidInputError, match="before 1900-01-01: expected a date from 1900"):
        issue(engine, cmd, K.ABSENCE, "AUS-Y", "1800-02-01", ["GNB-0000001"])
    with engine.connect() as conn:
        assert ledger_store.tree_size(conn) == before
    # signed today, effective later: accepted and scheduled
    issue(engine, cmd, K.ABSENCE, "AUS-Z", "2018-12-01", ["GNB-0000001"], effective="2031-05-05")


def test_verify_names_an_altered_period(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-F", "2018-12-01", ["GNB-0000001"], effective="2019-01-30")
    pid = person_id(engine, "V-10000001")
    with engine.begin() as conn:
        conn.execute(
            update(person_periods)
            .where(person_periods.c.person_id == pid, person_periods.c.valid_until.is_(None))
            .values(valid_from=date(2018, 12, 2))
        )
    with engine.connect() as conn:
        report = verify_registry(conn)
    assert not report.ok
    assert any(f"period of person {pid} from 2018-12-02: stored" in p for p in report.messages)
    assert any(f"period of person {pid} from 2019-01-30: missing" in p for p in report.messages)


def test_upgrading_a_registry_fills_the_periods(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-1", "2018-06-01", ["GNB-0000002", "GNB-0000003"])
    issue(engine, cmd, K.STRIKE_OFF, "SO-1", "2018-12-01", ["GNB-0000002"], effective="2019-01-01")
    with engine.connect() as conn:
        want = conn.execute(select(person_periods).order_by(*person_periods.primary_key)).all()
    config = schema.alembic_config()
    with engine.begin() as conn:  # the schema as it was before periods
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    assert schema.upgrade(engine) is True
    with engine.connect() as conn:
        have = conn.execute(select(person_periods).order_by(*person_periods.primary_key)).all()
        assert conn.execute(select(func.count()).select_from(person_periods)).scalar_one() == 5
        assert verify_registry(conn).ok
    assert have == want


def test_today_is_the_screening_date_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from muster.config import Settings, today

    monkeypatch.setenv("MUSTER_SCREENING_DATE", "2019-03-15")
    assert today() == today(Settings()) == date(2019, 3, 15)
    monkeypatch.setenv("MUSTER_SCREENING_DATE", "15/03/2019")
    with pytest.raises(InvalidInputError, match="MUSTER_SCREENING_DATE '15/03/2019'"):
        today()
    monkeypatch.delenv("MUSTER_SCREENING_DATE")
    assert today() == today(Settings()) == date.today()


def test_each_order_writes_what_a_fold_from_scratch_gives(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    """Recording writes only the roll columns and periods that change (and extends a timeline
    without folding it again when the order takes effect after all its dates): after every
    order of a busy timeline (backdated, scheduled, revoked, reinstated, amended) the roll,
    former serial numbers and periods are what verify rebuilds from the ledger; and the
    screening's one-query reading of a person agrees with `state_on` on every day."""
    engine, _clerk, cmd = reg
    refs = ["GNB-0000007", "GNB-0000008", "GNB-0000009"]
    steps = [
        dict(kind=K.ABSENCE, number="AUS-1", on="2016-01-01", refs=refs),
        dict(kind=K.STRIKE_OFF, number="SO-1", on="2018-06-01", refs=refs[:2]),
        dict(kind=K.REVOCATION, number="REV-1", on="2018-07-01", revokes="SO-1"),
        dict(kind=K.STRIKE_OFF, number="SO-2", on="2018-08-01", refs=refs[1:]),
        dict(
            kind=K.AMENDMENT,
            number="AMD-1",
            on="2018-09-01",
            refs=refs[2:],
            changes={"surnames": "PÉREZ RAMOS"},
        ),
        dict(kind=K.ABSENCE, number="AUS-2", on="2018-10-01", refs=["GNB-0000010"]),
        dict(
            kind=K.DISCHARGE,
            number="BAJA-1",
            on="2018-11-01",
            refs=["GNB-0000010"],
            effective="2019-03-01",
        ),
        dict(kind=K.REVOCATION, number="REV-2", on="2018-11-15", revokes="AUS-2"),
        dict(kind=K.REINSTATEMENT, number="AMN-1", on="2018-11-20", refs=refs[1:2]),
        # on the day of the person's last order: the whole timeline is folded again
        dict(kind=K.DISCHARGE, number="BAJA-2", on="2018-11-20", refs=refs[1:2]),
        # before a scheduled order: likewise
        dict(kind=K.ABSENCE, number="AUS-3", on="2018-12-01", refs=["GNB-0000010"]),
    ]
    pids = [person_id(engine, f"V-1000000{i}") for i in (7, 8, 9)] + [
        person_id(engine, "V-10000010")
    ]
    days = [date(2013, 12, 31), date(2016, 1, 1), date(2018, 6, 1), date(2018, 11, 30)]
    days += [date(2019, 3, 1), date(2018, 8, 15)]
    for step in steps:
        issue(engine, cmd, **step)  # type: ignore[arg-type]
        with engine.connect() as conn:
            report = verify_registry(conn)
            assert report.ok, (step["number"], report.problems)
            for pid in pids:
                for day in days:
                    state = standing.state_on(conn, pid, day)
                    facts = load_person(conn, pid, day)
                    if state is None:
                        assert facts is None
                        continue
                    assert facts is not None
                    assert (facts.status, facts.category) == (state.status, state.category)
                    assert (facts.serial_number, facts.rank) == (state.serial_number, state.rank)
                    assert facts.former_serial_numbers == state.former_serial_numbers
                    assert facts.name == f"{state.given_names} {state.surnames}"
                    assert facts.reinstated == state.reinstated
