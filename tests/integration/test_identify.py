"""Finding travelers on the registry's roll: the matcher's index built from the roll and
following the orders recorded after it was built (no rebuild)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from muster.domain.kinds import OrderKind as K
from muster.matching import Traveler
from muster.screening.identify import RollMatcher, current_members, members_as_of
from muster.store.dialects import make_engine
from muster.store.tables import roll
from tests.factories import Signer, enlist, issue, new_authority, new_registry, roll_rows


def _row(serial: str, cedula: str, given: str, surnames: str, born: str, sex: str) -> list[str]:
    return [serial, cedula, given, surnames, born, sex, "GNB", "Distinguido", "active", "Unidad 1"]


YUSMARY = _row("GNB-9000001", "V-30000001", "YUSMARY", "URDANETA ECHEVERRÍA", "1991-07-21", "F")
TWIN = _row("GNB-9000002", "V-30000002", "LEOMARIS", "URDANETA ECHEVERRÍA", "1991-07-21", "F")


def _registry(engine: Engine) -> tuple[Signer, Signer]:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command = new_authority(
        engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF, K.AMENDMENT, K.REVOCATION], ["GNB"]
    )
    enlist(engine, clerk, [*roll_rows(40), YUSMARY, TWIN], "ENL-1")
    return clerk, command


def _desert(engine: Engine, command: Signer) -> None:
    issue(engine, command, K.ABSENCE, "AUS-1", "2018-06-01", ["GNB-9000001"])
    issue(engine, command, K.STRIKE_OFF, "BAJA-1", "2018-09-01", ["GNB-9000001"])


def _rename_twin(engine: Engine, command: Signer, given: str) -> None:
    changes = {"given_names": given}
    issue(engine, command, K.AMENDMENT, "AMD-1", "2019-01-10", ["V-30000002"], changes=changes)


def _person(engine: Engine, cedula: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(roll.c.person_id).where(roll.c.national_id == cedula)).scalar_one()
        )


def test_travelers_found_with_reasons(engine: Engine) -> None:
    _registry(engine)
    first = _person(engine, "V-30000001")
    with engine.connect() as conn:
        matcher = RollMatcher.from_registry(conn)
        typo = matcher.identify(conn, Traveler("YUSMARI", "URDANETA ECHEVERRIA", "1991-07-21"))
        twin = matcher.identify(conn, Traveler("MARIA", "URDANETA ECHEVERRIA", "1991-07-21"))
        by_cedula = matcher.identify(conn, Traveler("YUSMARY", "URDANETA", "", "30.000.001"))
        # written month first: read with day and month swapped
        swapped = matcher.identify(conn, Traveler("YUSMARY", "URDANETA ECHEVERRIA", "07/21/1991"))
        name_only = matcher.identify(conn, Traveler("YUSMARY", "URDANETA ECHEVERRIA"))
        zone = matcher.identify(
            conn,
            Traveler("YUSMARY<", "URDANETA<ECHEVERR<", "1991-07-21", sex="F"),
        )
        stranger = matcher.identify(conn, Traveler("ANACLETO", "ZAMBRANO", "1950-02-02"))
    assert (typo.verdict, typo.person_id) == ("match", first)
    assert any("birth date exact" in r for r in typo.reasons)
    assert twin.verdict != "match"  # her twin sister's birth date and surnames, not her name
    assert (by_cedula.verdict, by_cedula.person_id) == ("match", first)
    assert any(r.startswith("cédula exact") for r in by_cedula.reasons)
    assert swapped.person_id == first
    assert any(r.startswith("birth date day and month swapped") for r in swapped.reasons)
    # a rare full name with nothing else: refer, never enough to act on
    assert (name_only.verdict, name_only.person_id) == ("possible", first)
    assert (zone.verdict, zone.person_id) == ("match", first)
    assert (stranger.verdict, stranger.person_id) == ("no_match", None)


def test_index_follows_orders_without_rebuild(engine: Engine) -> None:
    clerk, command = _registry(engine)
    with engine.connect() as conn:
        matcher = RollMatcher.from_registry(conn)
        built = matcher.seq
    index_before = matcher.matcher.index

    # a new enlistment: found at once
    enlist(
        engine,
        clerk,
        [_row("GNB-9000003", "V-30000003", "WUILMER", "QUINTERO DE LA CRUZ", "1994-03-09", "M")],
        "ENL-2",
    )
    new = Traveler("WILMER", "QUINTERO DELACRUZ", "1994-03-09")
    with engine.connect() as conn:
        found = matcher.identify(conn, new)
    assert found.verdict == "match"
    assert found.person_id == _person(engine, "V-30000003")

    # a deserter struck off: still found, named by the serial number they last held
    _desert(engine, command)  # YUSMARY absent, then struck off
    deserter = Traveler("YUSMARY", "URDANETA ECHEVERRIA", "1991-07-21")
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(roll.c.serial_number).where(roll.c.national_id == "V-30000001")
            ).scalar_one()
            is None
        )
        struck = matcher.identify(conn, deserter)
        result = matcher.matcher.match(deserter)
    assert (struck.verdict, struck.person_id) == ("match", _person(engine, "V-30000001"))
    assert result.serial_number == "GNB-9000001"

    # an amendment: the corrected name is found, by its new spelling too
    _rename_twin(engine, command, "LEOMARYS DEL VALLE")
    with engine.connect() as conn:
        amended = matcher.identify(
            conn, Traveler("LEOMARYS DEL VALLE", "URDANETA ECHEVERRIA", "1991-07-21")
        )
    assert (amended.verdict, amended.person_id) == ("match", _person(engine, "V-30000002"))
    assert matcher.matcher.index is index_before  # followed, not rebuilt
    assert matcher.seq > built
    with engine.connect() as conn:
        assert matcher.refresh(conn) == 0  # nothing new since


def test_members_as_of(engine: Engine) -> None:
    _clerk, command = _registry(engine)
    _desert(engine, command)  # YUSMARY absent, then struck off
    _rename_twin(engine, command, "LEOMARYS")
    with engine.connect() as conn:
        everyone = [int(r[0]) for r in conn.execute(select(roll.c.person_id))]
        now = {m.national_id: m for m in current_members(conn, everyone, date(2030, 1, 1))}
        before = {m.national_id: m for m in members_as_of(conn, date(2018, 12, 31))}
        early = list(members_as_of(conn, date(2013, 12, 31)))
    assert len(now) == len(before) == 42
    assert early == []  # the roll was enlisted in 2014
    assert before["V-30000002"].given_names == "LEOMARIS"
    assert now["V-30000002"].given_names == "LEOMARYS"
    # struck off either way: named by the serial number they last held
    assert now["V-30000001"].serial_number == before["V-30000001"].serial_number == "GNB-9000001"


def test_a_running_service_decides_on_orders_recorded_after_it_started(engine: Engine) -> None:
    """The index, the person cache and the directive cache all follow new orders."""
    from datetime import UTC, datetime

    from muster.accounts.accounts import Account, Role
    from muster.screening.decision import Identity, Screening, ScreeningCaches, decide_crossing
    from muster.screening.identify import OrderWatch

    _clerk, command = _registry(engine)
    saime = new_authority(engine, "SAIME", [K.EXIT_CONTROL])
    officer = Account("ofc", Role.OFFICER, ("SBOL",))
    caches = ScreeningCaches(OrderWatch(max_age_s=0))  # other orders are seen at once here
    with engine.connect() as conn:
        matcher = RollMatcher.from_registry(conn)
    yusmary = Identity(
        given_names="YUSMARY",
        surnames="URDANETA ECHEVERRIA",
        birth_date="1991-07-21",
        national_id="V-30000001",
    )
    moment = datetime(2019, 3, 15, 12, tzinfo=UTC)

    def decide() -> str:
        request = Screening(post="SBOL", direction="exit", identity=yusmary)
        with engine.connect() as conn:
            screened = decide_crossing(conn, officer, request, matcher, moment, caches)
        return str(screened.answer["decision"])

    assert decide() == "clear"  # no directive yet
    rules = {
        "version": 1,
        "rules": [
            {"id": "absent", "when": {"status": ["absent"]}, "outcome": "deny", "reason": "absent"}
        ],
        "default": "clear",
    }
    issue(engine, saime, K.EXIT_CONTROL, "SAIME-1", "2018-11-13", rules=rules)
    assert decide() == "clear"  # in force, but she is active
    issue(engine, command, K.ABSENCE, "AUS-1", "2019-01-10", ["GNB-9000001"])
    assert decide() == "deny"  # absent without leave since January


def test_saved_index_is_loaded_brought_up_to_date_or_rebuilt(
    engine: Engine, tmp_path: Path
) -> None:
    clerk, command = _registry(engine)
    path = tmp_path / "index" / "roll.npz"
    with engine.connect() as conn:
        first, how = RollMatcher.open(conn, path)
    assert how.startswith("built from the roll and saved")
    assert first.saved_seq == first.seq and path.exists()

    # orders recorded while the server was down are followed after loading
    enlist(
        engine,
        clerk,
        [_row("GNB-9000003", "V-30000003", "WUILMER", "QUINTERO DE LA CRUZ", "1994-03-09", "M")],
        "ENL-2",
    )
    issue(engine, command, K.ABSENCE, "AUS-1", "2018-06-01", ["GNB-9000001"])
    with engine.connect() as conn:
        second, how = RollMatcher.open(conn, path)
        found = second.identify(conn, Traveler("WILMER", "QUINTERO DELACRUZ", "1994-03-09"))
    assert how.startswith("loaded") and "re-filed 1 " in how  # the absence changes no identity
    assert (found.verdict, found.person_id) == ("match", _person(engine, "V-30000003"))
    assert second.saved_seq == first.seq < second.seq

    # an altered file fails its digest: built again, never trusted
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with engine.connect() as conn:
        _third, how = RollMatcher.open(conn, path)
    assert how.startswith("built from the roll and saved")

    # another registry's index is not used
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    _registry(other)
    with other.connect() as conn:
        _fourth, how = RollMatcher.open(conn, path)
    assert how.startswith("built from the roll and saved")
    other.dispose()


def test_order_watch_reads_the_ledger_again_when_told_or_when_old(engine: Engine) -> None:
    from muster.screening.identify import OrderWatch, last_order_seq

    _clerk, command = _registry(engine)
    lazy, eager = OrderWatch(max_age_s=3600), OrderWatch(max_age_s=0)
    with engine.connect() as conn:
        before = lazy.last_order(conn)
        assert eager.last_order(conn) == before == last_order_seq(conn)
    issue(engine, command, K.ABSENCE, "AUS-1", "2018-06-01", ["GNB-9000001"])
    with engine.connect() as conn:
        after = last_order_seq(conn)
        assert after > before
        assert lazy.last_order(conn) == before  # recorded elsewhere: seen within max_age_s
        assert eager.last_order(conn) == after
        lazy.recorded()  # recorded by this process: seen at once
        assert lazy.last_order(conn) == after
