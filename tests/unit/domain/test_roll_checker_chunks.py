"""A chunk of good rows checked a column at a time gives what the row-by-row checks give."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from muster.domain import roll_import
from muster.domain.roll_import import ROLL_COLUMNS, RollChecker
from muster.reference_data import load_reference

REFERENCE = load_reference()
# The file's columns in another order, with one more that is ignored.
HEADER = ["unit", "national_id", "surnames", "given_names", "serial_number", "birth_date"]
HEADER += ["sex", "component", "rank", "category", "remarks"]
POSITIONS = {c: HEADER.index(c) for c in ROLL_COLUMNS}


def good_row(i: int) -> dict[str, str]:
    comp = ("GNB", "EB", "AB")[i % 3]
    rank = {"GNB": "Sargento Primero", "EB": "Soldado", "AB": "Marinero"}[comp]
    return {
        "serial_number": f"{comp}-{i:07d}",
        "national_id": f"V-{10_000_000 + i}",
        "given_names": ("JOSÉ GREGORIO", "MARÍA", "ÑAKI")[i % 3],
        "surnames": ("PÉREZ", "DE LA CRUZ", "O'HIGGINS")[i % 3],
        "birth_date": f"{1960 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "sex": "MF"[i % 2],
        "component": comp,
        "rank": rank,
        "category": ("active", "reserve")[i % 2],
        "unit": f"Unidad {i % 7}",
        "remarks": "",
    }


# What can be wrong with a value, or merely written another way (then the row is still good).
CHANGES: dict[str, list[str]] = {
    "serial_number": ["", "  ", "gnb-0000003", "GNB-0000003", "GNB-9999999 ", "on-roll-1"],
    "national_id": ["V12.345.678", "12345678", "V-0", "V-10000001", "X-1", "E-84123456", "V-7"],
    "given_names": ["", " ANA", "ANA  MARÍA", "JOSE\u0301", "A\u00a0B", "L|UIS"],
    "surnames": ["", "PÉREZ ", "\t", "ÑÚÑEZ"],
    "birth_date": ["1899-12-31", "2030-01-01", "1990-02-30", "19900101", "1990-1-1", ""],
    "sex": ["m", "f", "X", ""],
    "component": ["gnb", "Eb", "XX", ""],
    "rank": ["sargento primero", "SOLDADO", "General de Brigada", "Nada"],
    "category": ["ACTIVE", "Reserve", "retired", ""],
    "unit": ["", "Unidad  9", "Unidad|9"],
}
CHANGE = st.one_of(
    *[st.none()] * 4,  # most rows as they were written
    st.sampled_from(sorted(CHANGES)).flatmap(
        lambda column: st.tuples(st.just(column), st.sampled_from(CHANGES[column]))
    ),
    st.sampled_from(["blank", "short", "long"]),
)


def file_row(i: int, change: Any) -> list[str]:
    values = good_row(i)
    if isinstance(change, tuple):
        values[change[0]] = change[1]
    row = [values[c] for c in HEADER]
    if change == "blank":
        return ["", " ", "", "", "", "", "", "", "", "", ""]
    if change == "short":
        return row[:-2]
    if change == "long":
        return [*row, "extra"]
    return row


def run(chunks: Sequence[Sequence[list[str]]], fast: bool) -> dict[str, Any]:
    calls: list[int] = []
    checker = RollChecker(
        POSITIONS,
        REFERENCE,
        source="r.csv",
        on_roll_serials={"ON-ROLL-1"},
        on_roll_ids={"V-7"},
        latest_birth=date(2014, 1, 1),
        progress=calls.append,
        header_width=len(HEADER),
    )
    if not fast:
        checker._check_good_chunk = lambda rows: None  # type: ignore[method-assign]
    whole = checker._check_good_chunk
    wholes: list[bool] = []

    def counted(rows: list[Sequence[str]]) -> Any:
        found = whole(rows)
        wholes.append(found is not None)
        return found

    checker._check_good_chunk = counted  # type: ignore[method-assign]
    out = [checker.check(chunk) for chunk in chunks]
    return {
        "out": out,
        "problems": checker.problems,
        "seen": (checker.seen_serial.rows(), checker.seen_id.rows()),
        "counts": (checker.next_row, checker.accepted),
        "progress": calls,
        "wholes": wholes,
    }


@settings(max_examples=400)
@given(
    st.lists(st.lists(st.tuples(st.integers(1, 40), CHANGE), max_size=12), min_size=1, max_size=6)
)
@example([[(3, None), (4, ("serial_number", "gnb-0000003"))]])  # one serial number twice
@example([[(1, None)], [(2, ("national_id", "V-10000001"))]])  # in an earlier chunk
@example([[(1, None), (2, ("national_id", "V-10000001"))]])  # one cédula twice
@example([[(1, ("birth_date", "19900101"))]])  # a date written another way
@example([[(5, ("national_id", "V12.345.678")), (6, ("national_id", "12345678"))]])
@example([[(1, ("birth_date", "2030-01-01"))], [(2, ("birth_date", "1899-12-31"))]])
@example([[(1, ("surnames", ""))], [(2, ("given_names", ""))], [(4, ("serial_number", ""))]])
@example([[(2, ("serial_number", "on-roll-1"))], [(3, ("national_id", "V-7"))]])
@example([[(1, ("component", "gnb")), (2, ("rank", "SOLDADO")), (3, ("category", "ACTIVE"))]])
@example([[(1, ("sex", "m"))], [(2, ("sex", "X"))], [(3, ("unit", "Unidad|9"))]])
@example([[(1, "long")], [(2, "short")], [(3, "blank"), (4, None)]])
def test_chunks_checked_whole_are_checked_as_row_by_row(
    chunks: list[list[tuple[int, Any]]],
) -> None:
    rows = [[file_row(i, change) for i, change in chunk] for chunk in chunks]
    with mock.patch.object(roll_import, "PROGRESS_EVERY", 3):
        fast, slow = run(rows, fast=True), run(rows, fast=False)
    wholes = fast.pop("wholes")
    slow.pop("wholes")
    assert fast == slow
    seen: set[int] = set()
    for chunk, was_whole in zip(chunks, wholes, strict=True):
        people = [i for i, _ in chunk]
        if any(change is not None for _, change in chunk):
            break  # whether later chunks are good depends on what this one held
        if chunk and len(set(people)) == len(people) and seen.isdisjoint(people):
            assert was_whole  # distinct people written plainly: checked whole
        seen.update(people)


def test_a_good_chunk_is_checked_whole() -> None:
    checker = RollChecker(POSITIONS, REFERENCE, source="r.csv", header_width=len(HEADER))
    rows = [file_row(i, None) for i in range(1, 30)]
    rows[3][HEADER.index("sex")] = "f"  # written another way, still good
    with mock.patch.object(checker, "_check_rows") as by_rows:
        good = checker.check(rows)
    assert by_rows.call_count == 0 and len(good) == 29 and good[3][5] == "F"
    assert good[0] == (
        "EB-0000001", "V-10000001", "MARÍA", "DE LA CRUZ", "1961-02-02", "F", "EB",
        "Soldado", "reserve", "Unidad 1",
    )  # fmt: skip
