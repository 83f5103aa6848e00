"""Small factories: people, authorities and orders for tests, on a real registry."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from muster.actor import Actor
from muster.domain.kinds import OrderKind
from muster.domain.roll_import import ROLL_COLUMNS, check_roll_rows
from muster.ledger import entries, signing
from muster.reference_data import load_reference
from muster.registry import authorities, drafts, recording
from muster.registry.opening import init_registry, writing
from muster.registry.recording import RecordedOrder, record_order
from muster.screening.crossings import CrossingRecord, insert_crossings, new_crossing_id
from muster.store import ledger_store
from muster.timestamps import timestamp

PASSPHRASE = "registry passphrase for tests"
ACTOR = Actor("tester")
GIVEN = ["JOSÉ GREGORIO", "MARÍA DEL CARMEN", "LUIS", "YUSMARY", "CARLOS ALBERTO", "ANA"]
SURNAMES = ["GONZÁLEZ PÉREZ", "RODRÍGUEZ", "DE LA CRUZ HERNÁNDEZ", "PÉREZ DE GONZÁLEZ"]
RANKS = {
    "GNB": ["Guardia Nacional", "Distinguido", "Sargento Primero", "Teniente"],
    "EB": ["Soldado", "Cabo Primero", "Sargento Segundo", "Capitán"],
}


def roll_row(i: int, component: str = "GNB", category: str = "active") -> list[str]:
    """One roll row, as a CSV would hold it; `i` makes serial and cédula unique."""
    rng = random.Random(i)
    ranks = [r for r in RANKS[component] if load_reference().find_rank(component, r)]
    return [
        f"{component}-{i:07d}",
        f"V-{10_000_000 + i}",
        rng.choice(GIVEN),
        rng.choice(SURNAMES),
        f"{1970 + i % 30}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "M" if i % 3 else "F",
        component,
        rng.choice(ranks),
        category,
        f"Unidad {i % 17}",
    ]


def roll_rows(n: int, start: int = 1, component: str = "GNB") -> list[list[str]]:
    return [roll_row(i, component) for i in range(start, start + n)]


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(ROLL_COLUMNS)
    w.writerows(rows)
    return buf.getvalue()


@dataclass
class Signer:
    """An authority's code with its private key and fingerprint."""

    code: str
    key: Any
    fingerprint: str


def new_registry(engine: Engine) -> None:
    init_registry(engine, PASSPHRASE, "muster.test/registry", ACTOR)


def new_authority(
    engine: Engine, code: str, kinds: Sequence[OrderKind], components: Sequence[str] = ("GNB", "EB")
) -> Signer:
    key = signing.generate_private_key()
    public = signing.public_key_raw(key)
    with writing(engine, PASSPHRASE) as (conn, _reg):
        fp = authorities.create_authority(
            conn,
            ACTOR,
            code=code,
            name=f"Office {code}",
            kinds=kinds,
            components=list(components) if any(k.has_subjects for k in kinds) else [],
            holders=["Holder"],
            public_key=public,
            reference=load_reference(),
        )
    return Signer(code, key, fp)


def enlist(
    engine: Engine,
    signer: Signer,
    rows: Sequence[Sequence[str]],
    number: str,
    effective: date = date(2014, 1, 1),
) -> RecordedOrder:
    positions = {c: i for i, c in enumerate(ROLL_COLUMNS)}
    checked = check_roll_rows(rows, positions, load_reference(), source="test")
    with writing(engine, PASSPHRASE) as (conn, reg):
        draft = drafts.draft_enlistment(
            reg.origin,
            checked,
            number=number,
            authority=signer.code,
            signed_on=effective,
            effective=effective,
            grounds="",
        )
        return record_order(
            conn, reg, ACTOR, draft, signing.sign(signer.key, draft.order_bytes), signer.fingerprint
        )


def issue(
    engine: Engine,
    signer: Signer,
    kind: OrderKind,
    number: str,
    on: str,
    refs: Sequence[str] = (),
    effective: str | None = None,
    *,
    sign_with: Any = None,
    fingerprint: str | None = None,
    **kw: Any,
) -> RecordedOrder:
    request = drafts.OrderRequest(
        kind=kind,
        number=number,
        authority=signer.code,
        signed_on=date.fromisoformat(on),
        effective=date.fromisoformat(effective or on),
        refs=refs,
        **kw,
    )
    with writing(engine, PASSPHRASE) as (conn, reg):
        draft = drafts.draft_order(conn, reg.origin, request)
        signature = signing.sign(sign_with or signer.key, draft.order_bytes)
        return record_order(conn, reg, ACTOR, draft, signature, fingerprint or signer.fingerprint)


def record_unchecked(
    engine: Engine,
    key: Any,
    fingerprint: str,
    request: drafts.OrderRequest,
    passphrase: str = PASSPHRASE,
) -> int:
    """A tampering path: an order signed with a real authority key and written as recording
    writes one (ledger entry, subjects, roll, periods, order row) but without any of its
    checks, as a faulty or hostile writer could. Its ledger position."""
    with writing(engine, passphrase) as (conn, reg):
        draft = drafts.draft_order(conn, reg.origin, request)
        content, signature = draft.content, signing.sign(key, draft.order_bytes)
        data = entries.order_entry(draft.order_bytes, signature, fingerprint, ACTOR.recorded())
        seq = ledger_store.append_entry(conn, entries.ORDER, data)
        assert draft.subjects and draft.table_bytes is not None
        facts = recording.facts_of(seq, content)
        recording.apply_to_subjects(conn, facts, draft.subjects, number=content.number)
        recording.store_subject_list(conn, draft.table_bytes, len(draft.subjects))
        recording.insert_order_row(conn, seq, content, fingerprint, None)
        return seq


def crossing_record(decision: str, post: str = "SBOL", officer: str = "ofc") -> CrossingRecord:
    """A crossing as a screening of a typed identity records it."""
    return CrossingRecord(
        post=post,
        direction="exit",
        officer=officer,
        document={"kind": "typed", "findings": []},
        decision=decision,
        reasons=[{"code": "test", "text": "prueba ñ"}],
        match={"verdict": "no_match", "score": 0.0, "reasons": []},
        person_id=None,
    )


def record_crossing(conn: Connection, record: CrossingRecord, at: str | None = None) -> str:
    """Store a crossing (and its referral when the decision is refer) straight into its
    tables, as the crossing writer does; returns its id."""
    crossing_id = new_crossing_id()
    insert_crossings(conn, [(crossing_id, record, at or timestamp())])
    return crossing_id
