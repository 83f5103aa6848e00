"""Orders on a real registry (SQLite and PostgreSQL): effects, refusals, as-of, revocation."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from muster.domain.errors import (
    DuplicateSubjectError,
    InvalidInputError,
    OrderNumberTakenError,
    OrderOutOfScopeError,
    RefusedError,
    SignatureError,
    SubjectsRefusedError,
    UnknownSubjectError,
)
from muster.domain.kinds import Category, OrderKind
from muster.domain.roll_import import RollFileError
from muster.ledger import signing
from muster.registry import authorities, reading
from muster.registry.opening import writing
from muster.registry.verify import verify_registry
from muster.store import ledger_store
from muster.store.tables import orders, roll
from tests.factories import (
    ACTOR,
    PASSPHRASE,
    Signer,
    enlist,
    issue,
    new_authority,
    new_registry,
    roll_rows,
)

K = OrderKind
LATER = date(2030, 1, 1)  # a day after every order of these tests has taken effect
ALL_PERSON_KINDS = [
    K.ABSENCE,
    K.STRIKE_OFF,
    K.REINSTATEMENT,
    K.DISCHARGE,
    K.CATEGORY_CHANGE,
    K.AMENDMENT,
    K.TRAVEL_AUTHORIZATION,
    K.REVOCATION,
]


@pytest.fixture
def reg(engine: Engine) -> tuple[Engine, Signer, Signer]:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command = new_authority(engine, "CG-GNB", ALL_PERSON_KINDS, ["GNB"])
    enlist(engine, clerk, roll_rows(20), "ENL-1")
    return engine, clerk, command


def snapshot(engine: Engine) -> tuple[int, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(roll).order_by(roll.c.person_id))]
        return ledger_store.tree_size(conn), rows


def status_of(engine: Engine, ref: str) -> str:
    with engine.connect() as conn:
        return str(reading.person_view(conn, ref, LATER)["status"])


def test_strike_off_and_reinstatement(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-1", "2016-05-02", ["GNB-0000003", "V-10.000.004"])
    result = issue(engine, cmd, K.STRIKE_OFF, "GNB-2018-1", "2018-12-21", ["V10000003", "10000004"])
    assert result.subject_count == 2
    with engine.connect() as conn:
        person = reading.person_view(conn, "V-10000003", LATER)
    assert person["status"] == "struck_off" and person["serial_number"] is None
    assert person["rank"] is None and person["former_serial_numbers"] == ["GNB-0000003"]
    assert [e["order"] for e in person["history"]] == ["ENL-1", "AUS-1", "GNB-2018-1"]
    # found by the serial number they held
    assert status_of(engine, "GNB-0000003") == "struck_off"
    issue(engine, cmd, K.REINSTATEMENT, "AMN-1", "2019-02-01", ["GNB-0000003"])
    with engine.connect() as conn:
        person = reading.person_view(conn, "GNB-0000003", LATER)
        assert verify_registry(conn).ok
    assert person["status"] == "active" and person["reinstated"] is True
    assert person["serial_number"] == "GNB-0000003"


def refused(engine: Engine, exc: type[Exception], match: str, **call: object) -> None:
    before = snapshot(engine)
    with pytest.raises(exc, match=match):
        issue(engine, **call)  # type: ignore[arg-type]
    assert snapshot(engine) == before, "a refused order must write nothing"


def test_refusals_write_nothing(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, clerk, cmd = reg
    base = dict(kind=K.ABSENCE, on="2016-01-01", refs=["GNB-0000001"])
    issue(engine, cmd, K.ABSENCE, "USED-1", "2016-01-01", ["GNB-0000002"])
    other = signing.generate_private_key()
    refused(
        engine, SignatureError, "does not verify", signer=cmd, number="X1", sign_with=other, **base
    )
    refused(
        engine,
        SignatureError,
        "not registered",
        signer=cmd,
        number="X2",
        sign_with=other,
        fingerprint=signing.fingerprint(signing.public_key_raw(other)),
        **base,
    )
    refused(engine, OrderOutOfScopeError, "may not sign absence", signer=clerk, number="X3", **base)
    refused(engine, OrderNumberTakenError, "USED-1", signer=cmd, number="USED-1", **base)
    refused(
        engine,
        UnknownSubjectError,
        "not on the roll",
        signer=cmd,
        number="X4",
        kind=K.ABSENCE,
        on="2016-01-01",
        refs=["GNB-9999999"],
    )
    refused(
        engine,
        DuplicateSubjectError,
        "same person",
        signer=cmd,
        number="X5",
        kind=K.ABSENCE,
        on="2016-01-01",
        refs=["GNB-0000001", "V-10000001"],
    )
    refused(
        engine,
        SubjectsRefusedError,
        "strike-off refused",
        signer=cmd,
        number="X6",
        kind=K.STRIKE_OFF,
        on="2018-12-21",
        refs=["GNB-0000001"],
    )
    refused(
        engine,
        RefusedError,
        "not on the roll on that date",
        signer=cmd,
        number="X7",
        kind=K.ABSENCE,
        on="2010-01-01",
        refs=["GNB-0000001"],
    )
    # a key of another authority
    refused(
        engine,
        SignatureError,
        "belongs to REG-GNB",
        signer=cmd,
        number="X8",
        sign_with=clerk.key,
        fingerprint=clerk.fingerprint,
        **base,
    )
    # a revoked key
    with writing(engine, PASSPHRASE) as (conn, _r):
        authorities.revoke_key(conn, ACTOR, cmd.code, cmd.fingerprint, "lost")
    refused(engine, SignatureError, "revoked", signer=cmd, number="X9", **base)


def test_component_scope(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, clerk, cmd = reg
    army = new_authority(engine, "REG-EB", [K.ENLISTMENT], ["EB"])
    enlist(engine, army, roll_rows(3, start=100, component="EB"), "ENL-EB")
    refused(
        engine,
        OrderOutOfScopeError,
        "component",
        signer=cmd,
        number="X1",
        kind=K.ABSENCE,
        on="2016-01-01",
        refs=["EB-0000100"],
    )
    with pytest.raises(OrderOutOfScopeError, match="EB"):
        enlist(engine, clerk, roll_rows(2, start=200, component="EB"), "ENL-X")


def test_duplicates_against_the_roll_are_refused(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, _cmd = reg
    from muster.domain.roll_import import ROLL_COLUMNS, check_roll_rows
    from muster.reference_data import load_reference

    with engine.connect() as conn:
        serials = {r[0] for r in conn.execute(select(roll.c.serial_number))}
        ids = {r[0] for r in conn.execute(select(roll.c.national_id))}
    rows = roll_rows(2, start=5) + roll_rows(1, start=50) + roll_rows(1, start=50)
    with pytest.raises(RollFileError) as err:
        check_roll_rows(
            rows,
            {c: i for i, c in enumerate(ROLL_COLUMNS)},
            load_reference(),
            source="roll.csv",
            on_roll_serials=serials,
            on_roll_ids=ids,
        )
    text = str(err.value)
    assert "row 2, column serial_number: 'GNB-0000005'" in text
    assert "a person on the roll" in text and "row 5, column serial_number" in text
    assert "row 4 has it too" in text


def test_stats_as_of_before_and_after_a_backdated_order(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, cmd = reg
    with engine.connect() as conn:
        before = reading.stats(conn, date(2017, 6, 1))
    assert before["by_status"]["active"] == 20
    # recorded today, effective in 2017: it changes what "as of 2017-06-01" says
    issue(engine, cmd, K.ABSENCE, "AUS-B", "2019-03-01", ["GNB-0000001"], effective="2017-01-15")
    with engine.connect() as conn:
        after = reading.stats(conn, date(2017, 6, 1))
        earlier = reading.stats(conn, date(2017, 1, 14))
        current = reading.stats(conn, LATER)
    assert after["by_status"] == {"active": 19, "absent": 1, "struck_off": 0, "discharged": 0}
    assert earlier["by_status"]["absent"] == 0
    assert current["by_status"]["absent"] == 1 and current["by_component"] == {"GNB": 20}
    assert sum(current["by_category"].values()) == 20


def test_revocation_undoes_an_order_from_its_effective_date(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-R", "2016-01-01", ["GNB-0000007"])
    issue(
        engine,
        cmd,
        K.CATEGORY_CHANGE,
        "CAT-1",
        "2016-02-01",
        ["GNB-0000008"],
        category=Category.RESERVE,
    )
    issue(engine, cmd, K.REVOCATION, "REV-1", "2016-06-01", revokes="AUS-R")
    assert status_of(engine, "GNB-0000007") == "active"
    with engine.connect() as conn:
        assert reading.stats(conn, date(2016, 3, 1))["by_status"]["absent"] == 1
        assert reading.stats(conn, date(2016, 6, 1))["by_status"]["absent"] == 0
        assert reading.order_view(conn, "AUS-R")["revoked_by"] == "REV-1"
        assert reading.stats(conn, LATER)["by_category"]["reserve"] == 1
        assert verify_registry(conn).ok
    with pytest.raises(RefusedError, match="already revoked"):
        issue(engine, cmd, K.REVOCATION, "REV-2", "2016-07-01", revokes="AUS-R")


def test_enlistments_and_revocations_cannot_be_revoked_whoever_signs(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    """The kind of the revoked order is checked before the scope: CG-GNB may not sign
    enlistments, but what it is told is that no one can revoke one."""
    engine, _clerk, cmd = reg
    refused(
        engine,
        RefusedError,
        "^order ENL-1 is an enlistment, which cannot be revoked; correct a roll with "
        "amendments or discharges$",
        signer=cmd,
        number="REV-E",
        kind=K.REVOCATION,
        on="2016-01-01",
        revokes="ENL-1",
    )
    issue(engine, cmd, K.ABSENCE, "AUS-X", "2016-01-01", ["GNB-0000005"])
    issue(engine, cmd, K.REVOCATION, "REV-X", "2016-02-01", revokes="AUS-X")
    refused(
        engine,
        RefusedError,
        "^order REV-X is a revocation, which cannot be revoked",
        signer=cmd,
        number="REV-Y",
        kind=K.REVOCATION,
        on="2016-03-01",
        revokes="REV-X",
    )


def test_revocation_refused_when_a_later_order_depends_on_it(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, cmd = reg
    issue(engine, cmd, K.ABSENCE, "AUS-D", "2016-01-01", ["GNB-0000009"])
    issue(engine, cmd, K.STRIKE_OFF, "SO-D", "2018-12-21", ["GNB-0000009"])
    refused(
        engine,
        SubjectsRefusedError,
        "strike-off refused",
        signer=cmd,
        number="REV-D",
        kind=K.REVOCATION,
        on="2019-01-01",
        revokes="AUS-D",
    )


def test_amendment_keeps_old_values(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, cmd = reg
    issue(
        engine,
        cmd,
        K.AMENDMENT,
        "AMD-1",
        "2015-01-01",
        ["GNB-0000010"],
        changes={"surnames": "GONZÁLES", "national_id": "V-9.999.999"},
    )
    with engine.connect() as conn:
        person = reading.person_view(conn, "V-9999999", LATER)
        assert verify_registry(conn).ok
    assert person["surnames"] == "GONZÁLES"
    event = person["history"][-1]
    assert event["before"]["national_id"] == "V-10000010"
    assert event["after"]["national_id"] == "V-9999999"
    with pytest.raises(InvalidInputError, match="cannot be amended"):
        issue(
            engine,
            cmd,
            K.AMENDMENT,
            "AMD-2",
            "2015-01-01",
            ["GNB-0000010"],
            changes={"component": "EB"},
        )


def test_travel_authorization_and_exit_control(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, cmd = reg
    saime = new_authority(engine, "SAIME", [K.EXIT_CONTROL])
    rules = {
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
    issue(engine, saime, K.EXIT_CONTROL, "SAIME-1", "2018-11-13", rules=rules)
    with pytest.raises(InvalidInputError, match=r"\$.rules\[0\].outcome"):
        issue(
            engine,
            saime,
            K.EXIT_CONTROL,
            "SAIME-2",
            "2018-11-13",
            rules={"version": 1, "rules": [{"id": "x", "outcome": "shoot", "reason": "R"}]},
        )
    with pytest.raises(InvalidInputError, match=r"\$\.rules\[0\]\.reason: rule 'absent' has no"):
        issue(
            engine,
            saime,
            K.EXIT_CONTROL,
            "SAIME-3",
            "2018-11-13",
            rules={"version": 1, "rules": [{"id": "absent", "outcome": "deny"}]},
        )
    with engine.connect() as conn:
        assert reading.order_view(conn, "SAIME-1")["number"] == "SAIME-1"
        numbers = {r.number for r in conn.execute(select(orders.c.number)).all()}
        assert not {"SAIME-2", "SAIME-3"} & numbers  # nothing written
    issue(
        engine,
        cmd,
        K.TRAVEL_AUTHORIZATION,
        "TA-1",
        "2019-01-05",
        ["GNB-0000011"],
        valid_from=date(2019, 1, 10),
        valid_until=date(2019, 2, 10),
    )
    with pytest.raises(InvalidInputError, match="needs valid_from"):
        issue(engine, cmd, K.TRAVEL_AUTHORIZATION, "TA-2", "2019-01-05", ["GNB-0000011"])
    with engine.connect() as conn:
        assert verify_registry(conn).ok
        assert reading.order_view(conn, "TA-1")["content"]["valid_until"] == "2019-02-10"


def test_order_number_generation_and_subject_export(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, _cmd = reg
    with engine.connect() as conn:
        columns, rows = reading.order_subjects_table(conn, "ENL-1")
        assert columns[0] == "serial_number" and len(rows) == 20
        assert conn.execute(select(func.count()).select_from(roll)).scalar_one() == 20


def test_directive_cache_follows_new_directives_and_revocations(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    from muster.screening.policy_inputs import DirectiveCache

    engine, _clerk, _cmd = reg
    saime = new_authority(engine, "SAIME", [K.EXIT_CONTROL, K.REVOCATION])
    rules = {"version": 1, "rules": [{"id": "all", "outcome": "refer", "reason": "every case"}]}
    cache = DirectiveCache()
    with engine.connect() as conn:
        assert cache.get(conn) == []
    issue(engine, saime, K.EXIT_CONTROL, "DIR-1", "2018-11-13", rules=rules)
    with engine.connect() as conn:
        (directive,) = cache.get(conn)
        assert directive.number == "DIR-1" and directive.revoked_on is None
    issue(engine, saime, K.REVOCATION, "REV-DIR-1", "2019-06-01", revokes="DIR-1")
    with engine.connect() as conn:
        assert cache.get(conn)[0].revoked_on == date(2019, 6, 1)
