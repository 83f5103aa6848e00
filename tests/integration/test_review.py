"""Reviewing a draft before it is signed (SQLite and PostgreSQL): the drafts awaiting a
signature, the counts before and after, and the refusals the registry would give, which
must be those recording then gives, with nothing written by the review."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select, update

from muster.domain.errors import (
    InvalidInputError,
    OrderNumberTakenError,
    OrderOutOfScopeError,
    RefusedError,
    SubjectsRefusedError,
    TransitionRefusedError,
)
from muster.domain.kinds import OrderKind
from muster.domain.roll_import import ROLL_COLUMNS
from muster.ledger import signing
from muster.ledger.canonical import canonical_table
from muster.registry import authorities, drafts, review
from muster.registry.opening import registry_row, writing
from muster.registry.signing_flow import load_draft, save_draft, submit_signature
from muster.store import ledger_store
from muster.store.dialects import reading
from muster.store.tables import drafts as kept
from muster.store.tables import person_periods, roll
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

K = OrderKind


@pytest.fixture
def reg(engine: Engine) -> tuple[Engine, Signer, Signer]:
    new_registry(engine)
    clerk = new_authority(engine, "REG-FANB", [K.ENLISTMENT], ["GNB", "EB"])
    command = new_authority(
        engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF, K.REINSTATEMENT, K.REVOCATION], ["GNB"]
    )
    enlist(engine, clerk, roll_rows(12) + roll_rows(2, 50, component="EB"), "ENL-1")
    issue(engine, command, K.ABSENCE, "AUS-1", "2016-05-02", ["GNB-0000001", "GNB-0000002"])
    return engine, clerk, command


def keep(
    engine: Engine, kind: OrderKind, number: str, refs: list[str], authority: str = "CG-GNB", **kw
) -> str:
    """A draft made and kept as `POST /orders/drafts` keeps one; its id."""
    with engine.begin() as conn:
        origin, _public = registry_row(conn)
        request = drafts.OrderRequest(
            kind=kind,
            number=number,
            authority=authority,
            signed_on=date(2018, 12, 21),
            effective=date(2018, 12, 21),
            refs=refs,
            **kw,
        )
        return save_draft(conn, drafts.draft_order(conn, origin, request), "clerk")


def snapshot(engine: Engine) -> tuple[int, list[tuple[object, ...]], int]:
    """The ledger's size, the roll, and how many periods are stored: what a write changes."""
    with reading(engine) as conn:
        rows = [tuple(r) for r in conn.execute(select(roll).order_by(roll.c.person_id))]
        spans = conn.execute(select(func.count()).select_from(person_periods)).scalar_one()
        return ledger_store.tree_size(conn), rows, int(spans)


def reviewed(engine: Engine, draft_id: str) -> review.Review:
    with reading(engine) as conn:
        return review.review_draft(conn, draft_id)


def sign_kept(engine: Engine, signer: Signer, draft_id: str) -> None:
    with writing(engine, PASSPHRASE) as (conn, reg):
        draft = load_draft(conn, draft_id)
        signature = signing.sign(signer.key, draft.order_bytes)
        submit_signature(conn, reg, ACTOR, draft_id, signature, signer.fingerprint)


def counts(found: review.Review, name: str) -> dict[object, tuple[int, int]]:
    return {row.value: (row.before, row.after) for row in found.tallies[name]}


def test_a_strike_off_shows_its_counts_before_and_after_and_writes_nothing(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, command = reg
    draft_id = keep(engine, K.STRIKE_OFF, "OA-1", ["GNB-0000001", "V-10000002"])
    before = snapshot(engine)
    found = reviewed(engine, draft_id)
    assert snapshot(engine) == before, "a review writes nothing"
    assert found.would_record and found.problems == [] and found.refused == []
    assert found.subject_count == 2
    assert counts(found, "status") == {"absent": (2, 0), "struck_off": (0, 2)}
    assert counts(found, "component") == {"GNB": (2, 2)}
    ranks = counts(found, "rank")
    assert ranks[("GNB", None)] == (0, 2)  # the strike-off removes their ranks
    assert sum(b for b, _a in ranks.values()) == 2
    assert found.active_keys == (command.fingerprint,)
    sign_kept(engine, command, draft_id)  # and recording agrees
    with reading(engine) as conn:
        assert review.find_draft(conn, draft_id).recorded_seq is not None


def test_the_rules_refusals_are_named_per_subject_as_recording_refuses(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, command = reg
    # GNB-0000003 is active: a strike-off applies only to the absent
    draft_id = keep(engine, K.STRIKE_OFF, "OA-2", ["GNB-0000001", "GNB-0000003"])
    found = reviewed(engine, draft_id)
    assert not found.would_record and found.problems == []
    assert [c.ref for c in found.refused] == ["GNB-0000003"]
    refusal = found.refused[0].refusal
    assert isinstance(refusal, TransitionRefusedError) and refusal.status == "active"
    assert counts(found, "status") == {"active": (1, 1), "absent": (1, 0), "struck_off": (0, 1)}
    before = snapshot(engine)
    with pytest.raises(SubjectsRefusedError) as refused:
        sign_kept(engine, command, draft_id)
    assert len(refused.value.problems) == 1 and "GNB-0000003" in refused.value.problems[0]
    assert snapshot(engine) == before


def test_problems_of_the_order_itself_are_all_found(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, command = reg
    # an EB member is outside CG-GNB's scope; the number is taken once the draft is kept
    draft_id = keep(engine, K.ABSENCE, "AUS-2", ["EB-0000050"])
    issue(engine, command, K.ABSENCE, "aus-2", "2016-06-01", ["GNB-0000004"])
    found = reviewed(engine, draft_id)
    assert [type(p) for p in found.problems] == [OrderNumberTakenError, OrderOutOfScopeError]
    assert not found.would_record
    with pytest.raises(OrderNumberTakenError):  # what recording refuses it for first
        sign_kept(engine, command, draft_id)


def test_an_order_dated_after_today_is_refused_in_the_review(
    reg: tuple[Engine, Signer, Signer], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _clerk, _command = reg
    draft_id = keep(engine, K.ABSENCE, "AUS-3", ["GNB-0000005"])
    monkeypatch.setenv("MUSTER_SCREENING_DATE", "2018-12-01")  # the registry's day is earlier
    found = reviewed(engine, draft_id)
    assert [type(p) for p in found.problems] == [InvalidInputError]
    assert "signed in the future" in str(found.problems[0])


def test_a_revocation_shows_the_subjects_of_the_order_it_revokes(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, command = reg
    draft_id = keep(engine, K.REVOCATION, "REV-1", [], revokes="aus-1")
    found = reviewed(engine, draft_id)
    assert found.would_record
    assert counts(found, "status") == {"active": (0, 2), "absent": (2, 0)}
    sign_kept(engine, command, draft_id)
    again = keep(engine, K.REVOCATION, "REV-2", [], revokes="AUS-1")
    found = reviewed(engine, again)
    assert len(found.problems) == 1 and isinstance(found.problems[0], RefusedError)
    assert "already revoked" in str(found.problems[0])


def test_subjects_come_a_page_at_a_time(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, _clerk, _command = reg
    refs = [f"GNB-{i:07d}" for i in range(3, 13)]
    draft_id = keep(engine, K.ABSENCE, "AUS-4", refs)
    with reading(engine) as conn:
        draft = load_draft(conn, draft_id)
        page = review.subject_changes(conn, draft, 4, 8)
        assert review.draft_refs(conn, draft_id, 3) == refs[:3]
        table = canonical_table(ROLL_COLUMNS, [tuple(roll_row(90))])  # an enlistment's rows
    with engine.begin() as conn:
        conn.execute(update(kept).where(kept.c.id == draft_id).values(subjects=table.decode()))
    with reading(engine) as conn:
        assert review.draft_refs(conn, draft_id, 3) == ["GNB-0000090"]
    assert [c.ref for c in page] == refs[4:8]
    assert all(c.before and c.after and c.after.status.value == "absent" for c in page)


def test_drafts_awaiting_a_signature_newest_first_per_authority(
    reg: tuple[Engine, Signer, Signer],
) -> None:
    engine, _clerk, command = reg
    first = keep(engine, K.ABSENCE, "AUS-5", ["GNB-0000006"])
    second = keep(engine, K.ABSENCE, "AUS-6", ["GNB-0000007"])
    with engine.begin() as conn:  # kept later than the first (both were kept within a second)
        conn.execute(
            update(kept).where(kept.c.id == second).values(created_at="2999-01-01T00:00:00Z")
        )
    with reading(engine) as conn:
        mine, total = review.pending_drafts(conn, "CG-GNB")
        assert [d.draft_id for d in mine] == [second, first] and total == 2
        assert review.pending_drafts(conn, "MPPD") == ([], 0)
        assert review.pending_drafts(conn, None, limit=1)[1] == 2
    sign_kept(engine, command, first)
    with reading(engine) as conn:
        assert [d.content.number for d in review.pending_drafts(conn, "CG-GNB")[0]] == ["AUS-6"]


def test_why_a_signature_would_be_refused(reg: tuple[Engine, Signer, Signer]) -> None:
    engine, clerk, command = reg
    draft_id = keep(engine, K.ABSENCE, "AUS-7", ["GNB-0000008"])
    stranger = signing.generate_private_key()
    with reading(engine) as conn:
        draft = load_draft(conn, draft_id)
        content, data = draft.content, draft.order_bytes

        def fault(key: object, fingerprint: str) -> object:
            return review.signature_fault(
                conn,
                content,
                data,
                signing.sign(key, data),
                fingerprint,  # type: ignore[arg-type]
            )

        assert fault(command.key, command.fingerprint) is None
        unknown = signing.fingerprint(signing.public_key_raw(stranger))
        assert fault(stranger, unknown) == ("unknown_key", None)
        assert fault(clerk.key, clerk.fingerprint) == ("other_authority", "REG-FANB")
        assert fault(stranger, command.fingerprint) == ("bad_signature", None)
    with writing(engine, PASSPHRASE) as (conn, _reg):
        authorities.revoke_key(conn, ACTOR, "CG-GNB", command.fingerprint, "lost")
    with reading(engine) as conn:
        assert fault(command.key, command.fingerprint) == ("revoked_key", None)
        assert reviewed(engine, draft_id).active_keys == ()
        assert "no active key" in str(reviewed(engine, draft_id).problems[0])
