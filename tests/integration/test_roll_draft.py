"""A roll file as an enlistment draft signed later through the signing flow, and the refusals
a draft's signing would meet, asked before anyone signs it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from muster.domain.errors import (
    InvalidInputError,
    OrderNumberTakenError,
    SubjectsRefusedError,
    TransitionRefusedError,
)
from muster.domain.kinds import OrderKind as K
from muster.domain.roll_import import RollFileError
from muster.ledger import signing
from muster.registry import drafts, reading, roll_draft
from muster.registry.draft_trial import refusals_at_signing
from muster.registry.opening import registry_row, writing
from muster.registry.roll_file import open_roll_file
from muster.registry.roll_import import EnlistmentRequest
from muster.registry.signing_flow import load_draft, save_draft, submit_signature
from tests.factories import (
    ACTOR,
    PASSPHRASE,
    Signer,
    csv_text,
    enlist,
    issue,
    new_authority,
    new_registry,
    roll_rows,
)

DAY = date(2014, 1, 1)


@pytest.fixture
def reg(engine: Engine) -> tuple[Engine, Signer, Signer]:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command = new_authority(engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF], ["GNB"])
    enlist(engine, clerk, roll_rows(3), "ENL-1")
    return engine, clerk, command


def roll_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "roll.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def drafted(engine: Engine, path: Path, number: str = "") -> drafts.Draft:
    seen: list[int] = []
    with engine.connect() as conn:
        origin, _ = registry_row(conn)
        request = EnlistmentRequest(number, "REG-GNB", DAY, DAY)
        draft = roll_draft.draft_roll_file(
            conn, origin, open_roll_file(path), request, "roll.csv", seen.append
        )
    assert seen and seen[-1] == len(draft.enlist_rows or [])  # progress up to the last row
    return draft


def size(engine: Engine) -> int:
    with engine.connect() as conn:
        return reading.roll_size(conn)


def test_an_enlistment_draft_is_kept_and_signed_like_any_order(
    reg: tuple[Engine, Signer, Signer], tmp_path: Path
) -> None:
    engine, clerk, _ = reg
    draft = drafted(engine, roll_file(tmp_path, roll_rows(4, start=100)))
    assert draft.content.number.startswith("ENL-REG-GNB-20140101-")
    with engine.begin() as conn:
        draft_id = save_draft(conn, draft, "clerk")
    assert size(engine) == 3  # nothing on the roll until it is signed
    with engine.connect() as conn:
        kept = load_draft(conn, draft_id)
    assert kept.order_bytes == draft.order_bytes
    assert kept.table_bytes == draft.table_bytes
    assert list(kept.enlist_rows or []) == list(draft.enlist_rows or [])
    with writing(engine, PASSPHRASE) as (conn, open_reg):
        signature = signing.sign(clerk.key, kept.order_bytes)
        result = submit_signature(conn, open_reg, ACTOR, draft_id, signature, clerk.fingerprint)
    assert result.subject_count == 4
    assert size(engine) == 7


def test_a_draft_whose_people_were_enlisted_since_is_refused_at_signing(
    reg: tuple[Engine, Signer, Signer], tmp_path: Path
) -> None:
    engine, clerk, _ = reg
    rows = roll_rows(2, start=200)
    draft = drafted(engine, roll_file(tmp_path, rows))
    with engine.begin() as conn:
        draft_id = save_draft(conn, draft, "clerk")
    enlist(engine, clerk, rows[:1], "ENL-2")  # the same person, by another order meanwhile
    with pytest.raises(RollFileError) as refused, writing(engine, PASSPHRASE) as (conn, r):
        signature = signing.sign(clerk.key, draft.order_bytes)
        submit_signature(conn, r, ACTOR, draft_id, signature, clerk.fingerprint)
    assert {p.column for p in refused.value.problems} >= {"serial_number"}
    assert size(engine) == 4


def test_every_bad_row_of_a_file_is_named_and_no_draft_made(
    reg: tuple[Engine, Signer, Signer], tmp_path: Path
) -> None:
    engine, _, _ = reg
    rows = roll_rows(1_200, start=300)
    for i in (5, 600, 1_150):
        rows[i][4] = "31/12/1990"  # birth_date
    rows[700][6] = "XX"  # component
    with pytest.raises(RollFileError) as refused:
        drafted(engine, roll_file(tmp_path, rows))
    found = [(p.row, p.column) for p in refused.value.problems]
    assert found == [
        (7, "birth_date"),
        (602, "birth_date"),
        (702, "component"),
        (1152, "birth_date"),
    ]


def test_a_number_taken_or_an_authority_that_does_not_enlist_is_refused(
    reg: tuple[Engine, Signer, Signer], tmp_path: Path
) -> None:
    engine, _, _ = reg
    path = roll_file(tmp_path, roll_rows(1, start=400))
    with pytest.raises(OrderNumberTakenError):
        drafted(engine, path, number="enl-1")
    with engine.connect() as conn, pytest.raises(InvalidInputError, match="does not sign"):
        request = EnlistmentRequest("", "CG-GNB", DAY, DAY)
        roll_draft.draft_roll_file(conn, "x", open_roll_file(path), request, "roll.csv")


def order(engine: Engine, kind: K, number: str, refs: list[str]) -> drafts.Draft:
    day = date(2016, 1, 1)
    request = drafts.OrderRequest(kind, number, "CG-GNB", day, day, refs=refs)
    with engine.connect() as conn:
        return drafts.draft_order(conn, registry_row(conn)[0], request)


def test_the_refusals_of_signing_are_known_before_it_and_nothing_is_written(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _, command = reg
    refusals_at_signing(engine, order(engine, K.ABSENCE, "AUS-9", ["GNB-0000001"]))  # accepted
    issue(engine, command, K.ABSENCE, "AUS-1", "2015-06-01", ["GNB-0000002"])
    with pytest.raises(OrderNumberTakenError):
        refusals_at_signing(engine, order(engine, K.ABSENCE, "aus-1", ["GNB-0000001"]))
    # a strike-off applies only to the absent: every other subject is named, with its cause
    strike = order(engine, K.STRIKE_OFF, "BAJA-1", ["GNB-0000001", "GNB-0000002", "GNB-0000003"])
    with pytest.raises(SubjectsRefusedError) as refused:
        refusals_at_signing(engine, strike)
    assert [ref for ref, _ in refused.value.causes] == ["GNB-0000001", "GNB-0000003"]
    assert all(isinstance(c, TransitionRefusedError) for _, c in refused.value.causes)
    with engine.connect() as conn:
        assert reading.person_view(conn, "GNB-0000001", date(2017, 1, 1))["status"] == "active"
        assert reading.person_view(conn, "GNB-0000002", date(2017, 1, 1))["status"] == "absent"
