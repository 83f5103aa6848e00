"""Crossings are durable at once, sealed into the ledger in batches, and verified."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, update

from muster.accounts.accounts import Account, Role
from muster.domain.errors import NotFoundError, RefusedError
from muster.registry.opening import writing
from muster.registry.sealing import seal_crossings
from muster.registry.verify import verify_registry
from muster.screening import crossings as cx
from muster.store.tables import crossings
from tests.factories import ACTOR, PASSPHRASE, crossing_record, new_registry, record_crossing

SUPERVISOR = Account("sup", Role.SUPERVISOR, ("SBOL",))
OFFICER = Account("ofc", Role.OFFICER, ("SBOL",))


def record(engine: Engine, decision: str, post: str = "SBOL") -> str:
    with engine.begin() as conn:
        return record_crossing(conn, crossing_record(decision, post))


def test_sealed_crossings_verify_and_tampering_is_named(engine: Engine) -> None:
    new_registry(engine)
    ids = [record(engine, d) for d in ("clear", "deny", "refer")]
    with engine.connect() as conn:
        assert verify_registry(conn).pending_crossings == 3
    with writing(engine, PASSPHRASE) as (conn, _reg):
        seq = seal_crossings(conn, ACTOR)
        assert seal_crossings(conn, ACTOR) is None  # nothing left to seal
    with engine.connect() as conn:
        report = verify_registry(conn)
        assert report.ok, report.problems
        assert report.pending_crossings == 0
        assert cx.get_crossing(conn, ids[1], SUPERVISOR)["ledger_entry"] == seq
    with engine.begin() as conn:
        conn.execute(update(crossings).where(crossings.c.id == ids[1]).values(decision="clear"))
    with engine.connect() as conn:
        report = verify_registry(conn)
    assert any(f"crossing {ids[1]}: stored record differs" in p for p in report.messages)


def test_referrals_are_resolved_by_the_posts_supervisors(engine: Engine) -> None:
    new_registry(engine)
    referred = record(engine, "refer")
    elsewhere = record(engine, "refer", post="FPSA")
    with engine.begin() as conn:
        open_ = cx.list_referrals(conn, SUPERVISOR, "open")
        assert [r["crossing_id"] for r in open_] == [referred]
        with pytest.raises(NotFoundError):
            cx.resolve_referral(conn, elsewhere, "held", "", SUPERVISOR)
        done = cx.resolve_referral(conn, referred, "released", "documentos en regla", SUPERVISOR)
        assert done["status"] == "released"
        with pytest.raises(RefusedError, match="already resolved"):
            cx.resolve_referral(conn, referred, "held", "", SUPERVISOR)
        officer_view = cx.get_crossing(conn, referred, OFFICER)
        assert "document" not in officer_view  # an officer sees what the decision needs
        with pytest.raises(NotFoundError):
            cx.get_crossing(conn, elsewhere, OFFICER)
        rows = conn.execute(select(crossings.c.id)).all()
    assert len(rows) == 2


def test_group_commit_writes_every_crossing_and_seals_on_stop(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from muster.screening.crossing_writer import CrossingWriter

    new_registry(engine)

    def seal() -> None:
        with writing(engine, PASSPHRASE) as (conn, _reg):
            seal_crossings(conn, ACTOR)

    writer = CrossingWriter(engine, seal, seal_every_s=0.2)
    writer.start()
    record = crossing_record("refer")
    with ThreadPoolExecutor(8) as pool:
        ids = list(
            pool.map(lambda _i: writer.submit(record, "2019-03-15T12:00:00+00:00"), range(200))
        )
    writer.stop()
    assert len(set(ids)) == 200
    with engine.connect() as conn:
        stored = {r[0] for r in conn.execute(select(crossings.c.id))}
        report = verify_registry(conn)
        assert len(cx.list_referrals(conn, SUPERVISOR, "open")) == 200
    assert stored == set(ids)
    assert report.ok and report.pending_crossings == 0, report.problems
