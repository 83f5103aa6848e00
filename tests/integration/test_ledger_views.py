"""The ledger as an auditor's pages list it: the newest entries and what each records, and
the batch entry that holds a crossing (to prove the crossing is in the ledger)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from muster.domain.errors import NotFoundError
from muster.domain.kinds import OrderKind as K
from muster.ledger import entries
from muster.registry import proofs
from muster.registry.opening import writing
from muster.registry.sealing import seal_crossings
from tests.factories import (
    ACTOR,
    PASSPHRASE,
    crossing_record,
    enlist,
    issue,
    new_authority,
    new_registry,
    record_crossing,
    roll_rows,
)


@pytest.fixture
def built(engine: Engine) -> Engine:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    cmd = new_authority(engine, "CG-GNB", [K.ABSENCE], ["GNB"])
    enlist(engine, clerk, roll_rows(3), "ENL-1")
    issue(engine, cmd, K.ABSENCE, "AUS-1", "2016-01-01", ["GNB-0000002"])
    return engine


def test_the_newest_entries_come_first_each_with_what_it_records(built: Engine) -> None:
    with built.connect() as conn:
        rows = proofs.newest_entries(conn)
    assert [r["entry"] for r in rows] == [6, 5, 4, 3, 2, 1, 0]
    newest = rows[0]
    assert (newest["type"], newest["number"], newest["kind"]) == (entries.ORDER, "AUS-1", "absence")
    assert newest["recorded_at"]
    assert rows[-1]["type"] == entries.REGISTRY_CREATED and rows[-1]["number"] is None
    authorities = [r["authority"] for r in rows if r["type"] == entries.AUTHORITY_CREATED]
    assert authorities == ["CG-GNB", "REG-GNB"]
    with built.connect() as conn:
        assert [r["entry"] for r in proofs.newest_entries(conn, before=3, limit=2)] == [2, 1]


def test_a_crossing_is_proved_by_the_batch_entry_that_holds_it(built: Engine) -> None:
    with built.begin() as conn:
        crossing = record_crossing(conn, crossing_record("clear", "SBOL"))
    with built.connect() as conn, pytest.raises(proofs.CrossingNotSealedError) as early:
        proofs.crossing_entry(conn, crossing)
    assert crossing in str(early.value) and early.value.crossing == crossing
    with writing(built, PASSPHRASE) as (conn, _registry):
        seq = seal_crossings(conn, ACTOR)
    with built.connect() as conn:
        assert proofs.crossing_entry(conn, crossing) == seq
        batch = proofs.newest_entries(conn)[0]
        proof = proofs.inclusion_proof(conn, proofs.crossing_entry(conn, f" {crossing} "))
        with pytest.raises(NotFoundError, match="no crossing 'X0'"):
            proofs.crossing_entry(conn, "X0")
    assert (batch["entry"], batch["type"], batch["count"]) == (seq, entries.CROSSING_BATCH, 1)
    assert proof["entry"] == seq
