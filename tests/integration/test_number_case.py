"""Order and serial numbers compare without regard to case, in every lookup, on every backend;
numbers recorded before that which differ only in case are kept, and named together."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from alembic import command
from sqlalchemy import Engine, select, update

from muster.domain import numbers
from muster.domain.errors import (
    AmbiguousOrderNumberError,
    AmbiguousSubjectError,
    OrderNumberTakenError,
)
from muster.domain.kinds import OrderKind as K
from muster.domain.roll_import import ROLL_COLUMNS, RollFileError, check_roll_rows
from muster.reference_data import load_reference
from muster.registry import reading
from muster.registry.drafts import find_order, resolve_subjects
from muster.registry.opening import init_registry
from muster.registry.verify import verify_registry
from muster.store import schema
from muster.store.tables import former_serials, orders, roll
from tests.factories import (
    ACTOR,
    PASSPHRASE,
    Signer,
    enlist,
    issue,
    new_authority,
    new_registry,
    roll_row,
    roll_rows,
)

ALL_KINDS = [K.ENLISTMENT, K.ABSENCE, K.STRIKE_OFF, K.REINSTATEMENT, K.REVOCATION]

LATER = date(2030, 1, 1)  # a day after every order of these tests has taken effect


@pytest.fixture
def reg(engine: Engine) -> Iterator[tuple[Engine, Signer]]:
    new_registry(engine)
    signer = new_authority(engine, "CG-GNB", ALL_KINDS, ["GNB"])
    enlist(engine, signer, roll_rows(5), "ENL-1")
    yield engine, signer


def test_a_number_differing_only_in_case_is_taken(reg: tuple[Engine, Signer]) -> None:
    engine, signer = reg
    issue(engine, signer, K.ABSENCE, "AUS-A1", "2016-01-01", ["GNB-0000001"])
    with pytest.raises(OrderNumberTakenError, match=r"'aus-a1'.*regardless of case"):
        issue(engine, signer, K.ABSENCE, "aus-a1", "2016-01-01", ["GNB-0000002"])
    with engine.connect() as conn:
        assert conn.execute(select(orders.c.number).where(orders.c.kind == "absence")).all() == [
            ("AUS-A1",)
        ]


def test_orders_are_found_and_revoked_in_any_case(reg: tuple[Engine, Signer]) -> None:
    engine, signer = reg
    issue(engine, signer, K.ABSENCE, "AUS-A1", "2016-01-01", ["GNB-0000001"])
    with engine.connect() as conn:
        assert reading.order_view(conn, "aus-a1")["number"] == "AUS-A1"
        assert find_order(conn, "Enl-1").number == "ENL-1"
    issue(engine, signer, K.REVOCATION, "REV-1", "2016-06-01", revokes="aus-a1")
    with engine.connect() as conn:
        assert find_order(conn, "AUS-A1").revoked_by == "REV-1"
        # the signed revocation names the order as it was recorded
        assert reading.order_view(conn, "rev-1")["content"]["revokes"] == "AUS-A1"
        assert verify_registry(conn).ok


def test_serial_numbers_are_found_in_any_case(reg: tuple[Engine, Signer]) -> None:
    engine, signer = reg
    issue(engine, signer, K.ABSENCE, "AUS-1", "2016-01-01", ["gnb-0000001", "Gnb-0000002"])
    issue(engine, signer, K.STRIKE_OFF, "SO-1", "2018-12-21", ["gnb-0000002"])
    with engine.connect() as conn:
        assert reading.person_view(conn, "gnb-0000001", LATER)["status"] == "absent"
        struck = reading.person_view(conn, "gnb-0000002", LATER)  # a former serial number
        assert struck["status"] == "struck_off" and struck["serial_number"] is None
        assert resolve_subjects(conn, ["gnb-0000003", "GNB-0000004"], "f") == [
            (3, "gnb-0000003"),
            (4, "GNB-0000004"),
        ]
        assert verify_registry(conn).ok
    issue(engine, signer, K.REINSTATEMENT, "REI-1", "2019-02-01", ["gnb-0000002"])
    with engine.connect() as conn:
        assert reading.person_view(conn, "GNB-0000002", LATER)["serial_number"] == "GNB-0000002"
        assert verify_registry(conn).ok


def test_a_roll_file_serial_differing_only_in_case_is_on_the_roll(
    reg: tuple[Engine, Signer],
) -> None:
    engine, _signer = reg
    with engine.connect() as conn:
        held = {r[0] for r in conn.execute(select(roll.c.serial_key))}
    row = roll_row(50)
    row[0] = "gnb-0000003"
    with pytest.raises(RollFileError, match="'gnb-0000003': unique; a person on the roll"):
        check_roll_rows(
            [row],
            {c: i for i, c in enumerate(ROLL_COLUMNS)},
            load_reference(),
            source="roll.csv",
            on_roll_serials=held,
        )


def test_verify_checks_the_folded_numbers(reg: tuple[Engine, Signer]) -> None:
    engine, signer = reg
    issue(engine, signer, K.ABSENCE, "AUS-1", "2016-01-01", ["GNB-0000001"])
    issue(engine, signer, K.STRIKE_OFF, "SO-1", "2018-12-21", ["GNB-0000001"])
    with engine.begin() as conn:
        conn.execute(update(orders).where(orders.c.number == "AUS-1").values(number_key="X"))
        conn.execute(update(roll).where(roll.c.person_id == 2).values(serial_dup=1))
        conn.execute(update(former_serials).values(serial_key="Y"))
    with engine.connect() as conn:
        problems = verify_registry(conn).messages
    assert "order AUS-1: number_key stored 'X', ledger says 'AUS-1'" in problems
    assert any(p.startswith("roll person 2 ") and "serial_dup stored 1" in p for p in problems)
    assert "former_serials: differs from the serial numbers struck off in the ledger" in problems


def downgrade_to_0003(engine: Engine) -> None:
    config = schema.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")


def legacy_registry(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry at migration 0003 holding numbers that differ only in case, as it could."""
    new_registry(engine)
    signer = new_authority(engine, "CG-GNB", ALL_KINDS, ["GNB"])
    with monkeypatch.context() as m:
        m.setattr(numbers, "fold", lambda number: number)  # the old exact comparison
        enlist(engine, signer, roll_rows(3), "A1")
        lower = roll_rows(2, start=2)
        for r, nid in zip(lower, ("V-20000002", "V-20000003"), strict=True):
            r[0], r[1] = r[0].lower(), nid
        enlist(engine, signer, lower, "a1")  # people 4 and 5: gnb-0000002, gnb-0000003
        issue(engine, signer, K.ABSENCE, "AUS-1", "2016-01-01", ["V-20000003"])
        issue(engine, signer, K.STRIKE_OFF, "SO-1", "2018-12-21", ["V-20000003"])
    downgrade_to_0003(engine)
    assert schema.current_revision(engine) == "0003"


def test_migration_keeps_numbers_differing_in_case_and_says_so(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    legacy_registry(engine, monkeypatch)
    info = init_registry(engine, PASSPHRASE, None, ACTOR)
    assert info.schema_changed and schema.current_revision(engine) == schema.head_revision()
    notes = " ".join(info.schema_notes)
    assert "1 order number(s) differ only in case" in notes
    assert "A1 (ledger entry 3) and a1 (ledger entry 4)" in notes
    assert "2 serial number(s) differ only in case" in notes
    assert "GNB-0000002 (person 2) and gnb-0000002 (person 4)" in notes
    assert "GNB-0000003 (person 3) and gnb-0000003 (person 5)" in notes
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(orders.c.number).order_by(orders.c.seq))][
            :2
        ] == [("A1",), ("a1",)]
        with pytest.raises(AmbiguousOrderNumberError) as err:
            find_order(conn, "a1")
        assert "A1 (ledger entry 3), a1 (ledger entry 4)" in str(err.value)
        with pytest.raises(AmbiguousSubjectError) as serr:
            reading.person_view(conn, "gnb-0000003", LATER)  # person 5 holds it as a former serial
        assert "GNB-0000003 (person 3), gnb-0000003 (person 5)" in str(serr.value)
        assert reading.person_view(conn, "V-20000003", LATER)["status"] == "struck_off"
        assert reading.person_view(conn, "GNB-0000001", LATER)["person_id"] == 1
        report = verify_registry(conn)
    assert report.ok, report.problems
    assert init_registry(engine, PASSPHRASE, None, ACTOR).schema_notes == ()


def test_after_the_migration_numbers_stay_unique_regardless_of_case(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    legacy_registry(engine, monkeypatch)
    init_registry(engine, PASSPHRASE, None, ACTOR)
    signer = new_authority(engine, "REG-2", ALL_KINDS, ["GNB"])
    with pytest.raises(OrderNumberTakenError):
        issue(engine, signer, K.ABSENCE, "A1", "2016-01-01", ["GNB-0000001"])
    issue(engine, signer, K.REINSTATEMENT, "REI-1", "2019-02-01", ["V-20000003"])
    with engine.connect() as conn:
        back = reading.person_view(conn, "V-20000003", LATER)
        assert back["serial_number"] == "gnb-0000003" and back["status"] == "active"
        assert verify_registry(conn).ok
