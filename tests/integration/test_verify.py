"""`verify` passes on an honest registry and names whatever was altered behind its back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from muster.domain.errors import OrderOutOfScopeError
from muster.domain.kinds import OrderKind as K
from muster.registry import drafts
from muster.registry.findings import TEXTS, Problem
from muster.registry.trust import TrustedKey
from muster.registry.verify import verify_registry
from muster.store.tables import (
    authority_keys,
    checkpoints,
    ledger_entries,
    merkle_nodes,
    order_subjects,
    orders,
    person_periods,
    roll,
    subject_lists,
)
from tests.factories import (
    Signer,
    enlist,
    issue,
    new_authority,
    new_registry,
    record_unchecked,
    roll_rows,
)


@pytest.fixture
def built(engine: Engine) -> Engine:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    cmd = new_authority(engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF, K.AMENDMENT], ["GNB"])
    enlist(engine, clerk, roll_rows(12), "ENL-1")
    issue(engine, cmd, K.ABSENCE, "AUS-1", "2016-01-01", ["GNB-0000002", "GNB-0000003"])
    issue(engine, cmd, K.STRIKE_OFF, "SO-1", "2018-12-21", ["GNB-0000002"])
    issue(
        engine,
        cmd,
        K.AMENDMENT,
        "AMD-1",
        "2017-01-01",
        ["GNB-0000004"],
        changes={"given_names": "PEDRO"},
    )
    return engine


def test_honest_registry_verifies(built: Engine) -> None:
    with built.connect() as conn:
        report = verify_registry(conn)
    assert report.ok, report.problems
    assert report.people == 12 and report.orders == 4 and report.last_order == "AMD-1"
    assert report.tree_size == 9  # registry, 2 authorities with a key each, 4 orders


def order_seq(conn: Connection, number: str) -> int:
    return int(conn.execute(select(orders.c.seq).where(orders.c.number == number)).scalar_one())


def alter_order_entry(conn: Connection) -> None:
    seq = order_seq(conn, "SO-1")
    data = conn.execute(
        select(ledger_entries.c.data).where(ledger_entries.c.seq == seq)
    ).scalar_one()
    conn.execute(
        update(ledger_entries)
        .where(ledger_entries.c.seq == seq)
        .values(data=bytes(data).replace(b'"recorded":{"at":"2', b'"recorded":{"at":"1'))
    )


def alter_authority_entry(conn: Connection) -> None:
    data = conn.execute(select(ledger_entries.c.data).where(ledger_entries.c.seq == 1)).scalar_one()
    conn.execute(
        update(ledger_entries)
        .where(ledger_entries.c.seq == 1)
        .values(data=bytes(data).replace(b"Office REG-GNB", b"Office XXX-GNB"))
    )


def alter_key(conn: Connection) -> None:
    fp = conn.execute(select(authority_keys.c.fingerprint).limit(1)).scalar_one()
    conn.execute(
        update(authority_keys)
        .where(authority_keys.c.fingerprint == fp)
        .values(public_key=b"\x00" * 32)
    )


def alter_roll(conn: Connection) -> None:
    conn.execute(
        update(roll).where(roll.c.serial_number == "GNB-0000005").values(status="discharged")
    )


def alter_identity(conn: Connection) -> None:
    conn.execute(
        update(roll)
        .where(roll.c.serial_number == "GNB-0000006")
        .values(birth_date=date(1999, 9, 9))
    )


def alter_subjects(conn: Connection) -> None:
    import zlib

    digest, blob = conn.execute(
        select(subject_lists.c.sha256, subject_lists.c.data).where(subject_lists.c.count == 12)
    ).one()
    data = zlib.decompress(bytes(blob)).replace(b"GNB-0000007", b"GNB-0000777")
    conn.execute(
        update(subject_lists)
        .where(subject_lists.c.sha256 == digest)
        .values(data=zlib.compress(data))
    )


def alter_checkpoint(conn: Connection) -> None:
    size, note = conn.execute(
        select(checkpoints.c.size, checkpoints.c.note).order_by(checkpoints.c.size.desc()).limit(1)
    ).one()
    lines = note.split("\n")
    lines[1] = str(int(lines[1]) + 1)
    conn.execute(
        update(checkpoints).where(checkpoints.c.size == size).values(note="\n".join(lines))
    )


def drop_node(conn: Connection) -> None:
    conn.execute(merkle_nodes.delete().where(merkle_nodes.c.level == 1, merkle_nodes.c.idx == 0))


def alter_order_row(conn: Connection) -> None:
    conn.execute(update(orders).where(orders.c.number == "AUS-1").values(authority_code="REG-GNB"))


TAMPERS: dict[str, tuple[Callable[[Connection], None], str]] = {
    "order entry": (alter_order_entry, "ledger entry 7"),
    "authority entry": (alter_authority_entry, "ledger entry 1"),
    "authority key": (alter_key, "authority key"),
    "roll status": (alter_roll, "roll person 5"),
    "roll identity": (alter_identity, "birth_date stored"),
    "subject list": (alter_subjects, "subject list is missing or altered"),
    "checkpoint": (alter_checkpoint, "checkpoint at size"),
    "merkle node": (drop_node, "Merkle nodes"),
    "order row": (alter_order_row, "order AUS-1: authority_code"),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampering_is_found_and_named(built: Engine, name: str) -> None:
    tamper, expected = TAMPERS[name]
    with built.begin() as conn:
        tamper(conn)
    with built.connect() as conn:
        report = verify_registry(conn)
    assert not report.ok
    assert any(expected in p for p in report.messages), report.messages


# A tampered value for every roll column: stored instead of what the ledger says.
ROLL_TAMPERS: dict[str, object] = {
    "serial_number": "GNB-9999999",
    "national_id": "V-99999999",
    "given_names": "XAVIER",
    "surnames": "XAVIER",
    "birth_date": date(1999, 9, 9),
    "sex": "X",
    "component": "EB",
    "rank": "Capitán",
    "category": "reserve",
    "unit": "Unidad 99",
    "status": "discharged",
    "reinstated": True,
    "former_serials": "GNB-0000001",
    "removed_rank": "Sargento",
    "enlisted_seq": 999,
    "enlisted_category": "reserve",
    "name_key": "xavier",
    "serial_key": "X",
    "serial_dup": 7,
}


def shown(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize("column", list(ROLL_TAMPERS))
@pytest.mark.parametrize(
    ("serial", "pid"),
    [("GNB-0000005", 5), ("GNB-0000004", 4)],  # no order after the enlistment / an amendment
)
def test_every_roll_column_altered_is_named_with_both_values(
    built: Engine, column: str, serial: str, pid: int
) -> None:
    value = ROLL_TAMPERS[column]
    with built.begin() as conn:
        ledger = conn.execute(select(roll.c[column]).where(roll.c.person_id == pid)).scalar()
        conn.execute(update(roll).where(roll.c.person_id == pid).values({column: value}))
    with built.connect() as conn:
        report = verify_registry(conn)
    assert report.messages == [
        f"roll person {pid} ({serial}): "
        f"{column} stored {shown(value)!r}, ledger says {shown(ledger)!r}"
    ]


def test_a_roll_row_missing_or_unaccounted_for_is_named(built: Engine) -> None:
    with built.begin() as conn:
        conn.execute(update(roll).where(roll.c.person_id == 5).values(person_id=99))
    with built.connect() as conn:
        report = verify_registry(conn)
    assert report.messages == ["roll person 99: stored, but no enlistment accounts for it"]


@pytest.fixture
def two_components(engine: Engine) -> tuple[Engine, Signer]:
    """A roll of GNB and EB members; CG-GNB may report absent and strike off GNB members
    only."""
    new_registry(engine)
    clerk = new_authority(engine, "REG-ALL", [K.ENLISTMENT], ["GNB", "EB"])
    cmd = new_authority(engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF], ["GNB"])
    enlist(engine, clerk, [*roll_rows(3), *roll_rows(3, start=4, component="EB")], "ENL-1")
    return engine, cmd


def tamper_order(engine: Engine, signer: Signer, kind: K, number: str, ref: str) -> int:
    """An order CG-GNB really signed, written past recording's checks; its ledger position."""
    request = drafts.OrderRequest(
        kind=kind,
        number=number,
        authority=signer.code,
        signed_on=date(2018, 12, 21),
        effective=date(2018, 12, 21),
        refs=[ref],
    )
    return record_unchecked(engine, signer.key, signer.fingerprint, request)


def test_recording_refuses_a_subject_outside_the_authoritys_components(
    two_components: tuple[Engine, Signer],
) -> None:
    engine, cmd = two_components
    with pytest.raises(OrderOutOfScopeError, match=r"may not sign for component\(s\) EB"):
        issue(engine, cmd, K.ABSENCE, "AUS-EB", "2018-12-21", ["EB-0000004"])


@pytest.mark.parametrize(
    ("kind", "ref", "why"),
    [
        (K.ABSENCE, "EB-0000004", "may not sign for component(s) EB (its scope: GNB)"),
        (
            K.DISCHARGE,
            "GNB-0000001",
            "may not sign discharge orders (its scope: absence, strike-off)",
        ),
    ],
    ids=["component", "kind"],
)
def test_an_order_outside_its_authoritys_scope_written_directly_fails_verify(
    two_components: tuple[Engine, Signer], kind: K, ref: str, why: str
) -> None:
    """Signed with the authority's real key, so every signature verifies: verification
    finds the order by the scope rules recording refuses it by."""
    engine, cmd = two_components
    seq = tamper_order(engine, cmd, kind, "X-1", ref)
    with engine.connect() as conn:
        report = verify_registry(conn)
    assert report.messages == [f"ledger entry {seq} (order X-1): authority CG-GNB {why}"]


def test_an_order_within_scope_written_the_same_way_verifies(
    two_components: tuple[Engine, Signer],
) -> None:
    """The tampering path writes what recording would: only the scope gives it away."""
    engine, cmd = two_components
    tamper_order(engine, cmd, K.ABSENCE, "AUS-1", "GNB-0000001")
    with engine.connect() as conn:
        report = verify_registry(conn)
    assert report.ok, report.problems


def test_verify_tells_each_stage_in_order_and_counts_to_the_end(built: Engine) -> None:
    from muster.registry.verify import ENTRIES, ROLL, STAGES

    told: list[str] = []
    counts: list[tuple[str, int, int]] = []
    with built.connect() as conn:
        report = verify_registry(
            conn, told.append, counted=lambda done, total: counts.append((told[-1], done, total))
        )
    assert report.ok, report.problems
    assert [m for m in told if m in STAGES] == list(STAGES)
    assert [m for m in told if m not in STAGES] == ["rebuilding 12 people of ENL-1"]
    assert counts[0] == (ENTRIES, 0, 9) and (ENTRIES, 9, 9) in counts  # 9 entries
    assert (ROLL, 0, 12) in counts and counts[-1] == (ROLL, 12, 12)  # 12 people
    assert all(done <= total for _stage, done, total in counts)


def test_a_progress_that_raises_stops_the_verification(built: Engine) -> None:
    from muster.registry.verify import ROLL

    class Stop(Exception):
        pass

    def stop_at_the_roll(done: int, total: int) -> None:
        if total == 12:
            raise Stop

    told: list[str] = []
    with built.connect() as conn, pytest.raises(Stop):
        verify_registry(conn, told.append, counted=stop_at_the_roll)
    assert told[-1] == ROLL  # stopped there, before the crossings


def tamper_everything(conn: Connection) -> None:
    """Many tamperings at once, each giving problems of other codes."""
    for name in ("order entry", "authority entry", "roll status", "roll identity", "merkle node"):
        TAMPERS[name][0](conn)
    alter_order_row(conn)
    conn.execute(update(roll).where(roll.c.person_id == 9).values(person_id=99))
    conn.execute(person_periods.delete().where(person_periods.c.person_id == 3))
    conn.execute(update(orders).where(orders.c.number == "AMD-1").values(details='{"x": 1}'))
    conn.execute(order_subjects.delete().where(order_subjects.c.person_id == 4))
    conn.execute(update(roll).where(roll.c.person_id == 7).values(rank="Capitán", unit="U-9"))
    conn.execute(
        update(person_periods)
        .where(person_periods.c.person_id == 2, person_periods.c.valid_from == date(2016, 1, 1))
        .values(unit="U-9")
    )


# What `verify` said of `tamper_everything` before its problems were coded: the same words.
EVERYTHING_SAID = [
    "ledger entry 1: its data does not match its stored leaf hash (the entry was altered)",
    "ledger entry 7: its data does not match its stored leaf hash (the entry was altered)",
    "Merkle node level 0 index 1: does not match the entries",
    "Merkle node level 2 index 0: does not match the entries",
    "Merkle node level 0 index 7: does not match the entries",
    "Merkle node level 1 index 3: does not match the entries",
    "Merkle node level 2 index 1: does not match the entries",
    "Merkle node level 3 index 0: does not match the entries",
    "Merkle nodes: 15 stored, 16 expected for 9 entries",
    "checkpoint at size 3: root does not match the ledger's entries",
    "checkpoint at size 5: root does not match the ledger's entries",
    "checkpoint at size 6: root does not match the ledger's entries",
    "checkpoint at size 7: root does not match the ledger's entries",
    "checkpoint at size 8: root does not match the ledger's entries",
    "checkpoint at size 9: root does not match the ledger's entries",
    "authority REG-GNB: name stored 'Office REG-GNB', ledger says 'Office XXX-GNB'",
    "order AUS-1: authority_code stored 'REG-GNB', ledger says 'CG-GNB'",
    "order AMD-1: details stored differ from the signed order",
    "roll person 5 (GNB-0000005): status stored 'discharged', ledger says 'active'",
    "roll person 6 (GNB-0000006): birth_date stored '1999-09-09', ledger says '1976-07-07'",
    "roll person 7 (GNB-0000007): rank stored 'Capitán', ledger says 'Teniente'; "
    "unit stored 'U-9', ledger says 'Unidad 7'",
    "roll person 99: stored, but no enlistment accounts for it",
    "order_subjects: 1 row(s) differ from the signed subject lists",
    "period of person 2 from 2016-01-01: unit stored 'U-9', ledger says 'Unidad 2'",
    "period of person 3 from 2014-01-01: missing from its table",
    "period of person 3 from 2016-01-01: missing from its table",
]


def test_every_problem_verification_finds_is_coded_and_worded_as_before(built: Engine) -> None:
    with built.begin() as conn:
        tamper_everything(conn)
    with built.connect() as conn:
        report = verify_registry(conn, trust=TrustedKey(fingerprint="0" * 64))
    uncoded = [p for p in report.problems if not isinstance(p, Problem) or p.code not in TEXTS]
    assert uncoded == []
    pinned = (
        f"table registry: the registry key has the fingerprint {report.key_fingerprint}, "
        f"not the one pinned ({'0' * 64})"
    )
    assert report.messages == [pinned, *EVERYTHING_SAID]
    assert report.to_json()["problems"] == report.messages
    assert {p.code for p in report.problems if isinstance(p, Problem)} == {
        "key_not_pinned", "entry_altered", "merkle_node_differs", "merkle_node_count",
        "checkpoint_root_differs", "authority_differs", "order_differs", "order_details_differ",
        "roll_person_differs", "roll_person_unaccounted", "order_subjects_differ",
        "period_differs", "period_missing",
    }  # fmt: skip
    several = next(
        p for p in report.problems if isinstance(p, Problem) and p.params.get("person") == 7
    )
    assert [d.field for d in several.params["differences"]] == ["rank", "unit"]


def test_every_tampering_gives_coded_problems_only(built: Engine) -> None:
    for name in TAMPERS:
        with built.begin() as conn:
            TAMPERS[name][0](conn)
    with built.connect() as conn:
        report = verify_registry(conn)
    assert not report.ok
    assert [p for p in report.problems if not isinstance(p, Problem)] == []
