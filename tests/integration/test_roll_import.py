"""Importing a roll while its rows go in: the same ledger bytes, all rows or none."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select

from muster.actor import Actor
from muster.domain.errors import SignatureError
from muster.domain.kinds import OrderKind as K
from muster.domain.roll_import import ROLL_COLUMNS, RollChecker, RollFileError, check_roll_rows
from muster.ledger import signing
from muster.ledger.entries import Recorded
from muster.reference_data import load_reference
from muster.registry import drafts, roll_file, roll_import
from muster.registry.opening import open_for_writing
from muster.registry.recording import record_order
from muster.store.tables import ledger_entries, roll, subject_lists
from tests.factories import (
    PASSPHRASE,
    Signer,
    csv_text,
    enlist,
    new_authority,
    new_registry,
    roll_rows,
)

POSITIONS = {c: i for i, c in enumerate(ROLL_COLUMNS)}
DAY = date(2014, 1, 1)


class FixedActor(Actor):
    """An actor whose writes are all recorded at one moment, so entries can be compared."""

    def recorded(self, now: datetime | None = None) -> Recorded:
        return super().recorded(datetime(2020, 1, 1, tzinfo=UTC))


ACTOR = FixedActor("tester")


def in_rolled_back(engine: Engine, write: Callable[..., object]) -> tuple[list[bytes], list[tuple]]:
    """The ledger entries and roll rows a write leaves, in a transaction then rolled back."""
    left = what_stays(engine, write)
    return left["entries"], left["rows"]


def what_stays(engine: Engine, write: Callable[..., object]) -> dict[str, list[Any]]:
    """What a write leaves in the registry (ledger, roll, subject lists, the roll's indexes),
    in a transaction then rolled back."""
    with engine.connect() as conn:
        tx = conn.begin()
        reg = open_for_writing(conn, PASSPHRASE)
        write(conn, reg)
        left = {
            "entries": [bytes(r[0]) for r in conn.execute(select(ledger_entries.c.data))],
            "rows": [tuple(r) for r in conn.execute(select(roll).order_by(roll.c.person_id))],
            "lists": [tuple(r) for r in conn.execute(select(subject_lists))],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspect(conn).get_indexes("roll")
            ),
        }
        if conn.dialect.name == "sqlite":
            left["sql"] = conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'roll' ORDER BY name"
            ).all()
            left["check"] = conn.exec_driver_sql("PRAGMA integrity_check").all()
        tx.rollback()
    return left


def chunks_of(rows: Sequence[Sequence[str]], size: int) -> Iterator[Sequence[Sequence[str]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def pipelined(
    signer: Signer, rows: Sequence[Sequence[str]], size: int = 7
) -> Callable[..., object]:
    def write(conn, reg):  # type: ignore[no-untyped-def]
        checker = RollChecker(POSITIONS, load_reference(), source="r.csv")
        request = roll_import.EnlistmentRequest("ENL-1", signer.code, DAY, DAY)
        sign = lambda data: (signing.sign(signer.key, data), signer.fingerprint)  # noqa: E731
        return roll_import.import_roll(
            conn, reg, ACTOR, chunks_of(rows, size), checker, request, sign
        )

    return write


@pytest.fixture
def clerk(engine: Engine) -> Signer:
    new_registry(engine)
    return new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])


def test_import_while_inserting_records_the_same_bytes(engine: Engine, clerk: Signer) -> None:
    rows = roll_rows(40)

    def one_go(conn, reg):  # type: ignore[no-untyped-def]
        checked = check_roll_rows(rows, POSITIONS, load_reference(), source="r.csv")
        draft = drafts.draft_enlistment(
            reg.origin, checked, number="ENL-1", authority=clerk.code,
            signed_on=DAY, effective=DAY, grounds="",
        )  # fmt: skip
        sig = signing.sign(clerk.key, draft.order_bytes)
        return record_order(conn, reg, ACTOR, draft, sig, clerk.fingerprint)

    before = in_rolled_back(engine, one_go)
    after = in_rolled_back(engine, pipelined(clerk, rows))
    assert after[0] == before[0]  # ledger entries, byte for byte
    assert after[1] == before[1] and len(after[1]) == 40


def one_go(signer: Signer, rows: Sequence[Sequence[str]]) -> Callable[..., object]:
    def write(conn, reg):  # type: ignore[no-untyped-def]
        checked = check_roll_rows(rows, POSITIONS, load_reference(), source="r.csv")
        draft = drafts.draft_enlistment(
            reg.origin, checked, number="ENL-1", authority=signer.code,
            signed_on=DAY, effective=DAY, grounds="",
        )  # fmt: skip
        sig = signing.sign(signer.key, draft.order_bytes)
        return record_order(conn, reg, ACTOR, draft, sig, signer.fingerprint)

    return write


def test_import_into_an_empty_roll_leaves_what_one_go_leaves(engine: Engine, clerk: Signer) -> None:
    """Subject list (table and its compressed bytes) and the roll's indexes as well: those
    built after the rows are the ones an insert with them in place keeps."""
    rows = roll_rows(2_500)
    before = what_stays(engine, one_go(clerk, rows))
    after = what_stays(engine, pipelined(clerk, rows, size=1_000))
    assert after == before
    (_digest, count, data) = after["lists"][0]
    assert count == 2_500 and bytes(data) == zlib.compress(zlib.decompress(data), 1)
    assert ("ix_roll_birth_date", ("birth_date",), False) in after["indexes"]
    assert after.get("check", [("ok",)]) == [("ok",)]


def test_import_onto_a_roll_with_people_keeps_its_indexes(engine: Engine, clerk: Signer) -> None:
    enlist(engine, clerk, roll_rows(5, start=9_000), "ENL-0")
    with engine.connect() as conn:
        first = conn.execute(select(func.count()).select_from(roll)).scalar_one()
    rows = roll_rows(30)
    assert what_stays(engine, pipelined(clerk, rows)) == what_stays(engine, one_go(clerk, rows))
    assert first == 5


def test_a_bad_row_in_a_later_chunk_leaves_nothing(engine: Engine, clerk: Signer) -> None:
    rows = [list(r) for r in roll_rows(30)]
    rows[25][ROLL_COLUMNS.index("sex")] = "X"
    with pytest.raises(RollFileError, match="row 27, column sex"):
        in_rolled_back(engine, pipelined(clerk, rows, size=5))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(roll)).scalar_one() == 0


def test_a_bad_signature_after_the_rows_went_in_leaves_nothing(
    engine: Engine, clerk: Signer
) -> None:
    other = signing.generate_private_key()
    request = roll_import.EnlistmentRequest("ENL-1", clerk.code, DAY, DAY)
    with (
        engine.connect() as conn,
        pytest.raises(SignatureError, match="does not verify"),
        conn.begin(),
    ):
        reg = open_for_writing(conn, PASSPHRASE)
        roll_import.import_roll(
            conn, reg, ACTOR, chunks_of(roll_rows(12), 5),
            RollChecker(POSITIONS, load_reference(), source="r.csv"), request,
            lambda data: (signing.sign(other, data), clerk.fingerprint),
        )  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(roll)).scalar_one() == 0


def test_a_roll_file_is_imported_whole_by_the_registry(
    engine: Engine, clerk: Signer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The use case `muster roll import` calls: the file read and checked against the roll
    (serial numbers held now or before, cédulas on it), the number generated when none is
    given, all rows or none."""
    path = tmp_path / "roll.csv"
    path.write_text(csv_text(roll_rows(12)), encoding="utf-8")
    request = roll_import.EnlistmentRequest("", clerk.code, DAY, DAY)
    sign = lambda data: (signing.sign(clerk.key, data), clerk.fingerprint)  # noqa: E731
    monkeypatch.setattr("muster.domain.roll_import.PROGRESS_EVERY", 4)
    seen: list[int] = []
    first = roll_import.import_roll_file(
        engine, PASSPHRASE, ACTOR, roll_file.open_roll_file(path), request, sign, seen.append
    )
    assert first.number.startswith(f"ENL-{clerk.code}-") and first.subject_count == 12
    assert sum(seen) == 12
    again = tmp_path / "again.csv"
    again.write_text(csv_text(roll_rows(3, start=12)), encoding="utf-8")  # row 1: on the roll
    with pytest.raises(RollFileError) as refused:
        roll_import.import_roll_file(
            engine, PASSPHRASE, ACTOR, roll_file.open_roll_file(again), request, sign
        )
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (2, "serial_number"),
        (2, "national_id"),
    ]
    assert "a person on the roll holds or held it" in str(refused.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(roll)).scalar_one() == 12
