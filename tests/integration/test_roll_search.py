"""Searching the registry's roll with the matcher: misspelt names without their accents, a
zone's name, surnames first, cédulas and serial numbers (current and former), and the words
of a name while the roll is still being indexed; an order's subjects read a page at a time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from muster.domain.errors import NotFoundError
from muster.domain.kinds import OrderKind as K
from muster.registry import reading
from muster.screening.identify import RollMatcher
from muster.screening.roll_search import Found, search_roll
from tests.factories import enlist, issue, new_authority, new_registry, roll_rows

DAY = date(2019, 3, 15)


def _row(serial: str, cedula: str, given: str, surnames: str, born: str, sex: str) -> list[str]:
    return [serial, cedula, given, surnames, born, sex, "GNB", "Distinguido", "active", "Unidad 1"]


MARIBEL = _row("GNB-9000010", "V-20000001", "MARIBEL", "ECHEVERRÍA BUSTAMANTE", "1988-04-12", "F")
SISTER = _row("GNB-9000011", "V-20000002", "YOSELIN", "ECHEVERRÍA BUSTAMANTE", "1990-01-30", "F")
ONE_SURNAME = _row("GNB-9000013", "V-20000004", "WILFREDO", "LÓPEZ", "1979-09-09", "M")
DESERTER = _row("GNB-9000012", "V-20000003", "WILMER JOSÉ", "CHACÓN GUILLÉN", "1985-06-02", "M")


@pytest.fixture
def roll(engine: Engine) -> tuple[Engine, RollMatcher]:
    new_registry(engine)
    clerk = new_authority(engine, "REG-GNB", [K.ENLISTMENT], ["GNB"])
    command = new_authority(engine, "CG-GNB", [K.ABSENCE, K.STRIKE_OFF], ["GNB"])
    enlist(engine, clerk, [*roll_rows(40), MARIBEL, SISTER, DESERTER, ONE_SURNAME], "ENL-1")
    issue(engine, command, K.ABSENCE, "AUS-1", "2018-06-01", ["GNB-9000012", "V-10000003"])
    issue(engine, command, K.STRIKE_OFF, "BAJA-1", "2018-12-21", ["GNB-9000012"])
    issue(engine, command, K.ABSENCE, "AUS-2", "2019-04-01", ["GNB-9000010"])  # scheduled
    with engine.connect() as conn:
        return engine, RollMatcher.from_registry(conn, DAY)


def found(roll: tuple[Engine, RollMatcher], text: str, indexed: bool = True) -> list[Found]:
    engine, matcher = roll
    with engine.connect() as conn:
        result = search_roll(conn, matcher if indexed else None, text, DAY)
    assert result.indexed is indexed
    return result.found


def reasons(f: Found) -> list[str]:
    return [str(e) for e in f.evidence]


def test_a_misspelt_name_without_accents_finds_the_person_first(
    roll: tuple[Engine, RollMatcher],
) -> None:
    best, *others = found(roll, "maribel echeverria bustamnte")  # an A missing, no accent
    assert best.person["national_id"] == "V-20000001"
    assert best.score is not None and best.score > 0.5
    assert any(r.startswith("surname BUSTAMNTE typo") for r in reasons(best)), reasons(best)
    assert any(r.startswith("given name MARIBEL exact") for r in reasons(best))
    assert best.person["status"] == "active"  # the absence takes effect after the day
    assert all(o.score is None or o.score < best.score for o in others)


def test_a_one_surname_name_with_a_letter_wrong_is_compared_by_the_matcher(
    roll: tuple[Engine, RollMatcher],
) -> None:
    best = found(roll, "wilfredo loxez")[0]  # every key of the matcher's changed
    assert best.person["national_id"] == "V-20000004"
    assert best.score is not None
    assert any(r.startswith("surname LOXEZ typo") for r in reasons(best)), reasons(best)


def test_a_zone_name_and_surnames_first_find_the_person(roll: tuple[Engine, RollMatcher]) -> None:
    for text in ("ECHEVERRIA<BUSTAMANTE<<MARIBEL<<<<<<", "ECHEVERRÍA BUSTAMANTE MARIBEL"):
        assert found(roll, text)[0].person["national_id"] == "V-20000001", text


def test_a_birth_date_tells_sisters_apart(roll: tuple[Engine, RollMatcher]) -> None:
    first = found(roll, "ECHEVERRIA BUSTAMANTE 30/01/1990")[0]
    assert first.person["given_names"] == "YOSELIN"
    assert any(r.startswith("birth date exact") for r in reasons(first))


def test_numbers_typed_whole_find_their_person_exactly(roll: tuple[Engine, RollMatcher]) -> None:
    by_cedula = found(roll, "20.000.001")[0]
    assert (by_cedula.person["national_id"], by_cedula.by_number) == ("V-20000001", "cédula")
    assert by_cedula.score == 1.0
    by_serial = found(roll, "gnb-9000010")[0]
    assert (by_serial.person["national_id"], by_serial.by_number) == ("V-20000001", "serial number")
    struck = found(roll, "GNB-9000012")[0]
    assert struck.by_number == "former serial number"
    assert struck.person["status"] == "struck_off"
    assert struck.person["serial_number"] is None


def test_a_cedula_with_two_digits_swapped_is_found_by_the_matcher(
    roll: tuple[Engine, RollMatcher],
) -> None:
    near = [f for f in found(roll, "V-20000010") if f.person["national_id"] == "V-20000001"]
    assert near and not near[0].by_number
    assert any("two adjacent digits swapped" in r for r in reasons(near[0]))


def test_part_of_a_word_and_an_unindexed_roll_search_the_words(
    roll: tuple[Engine, RollMatcher],
) -> None:
    partial = found(roll, "ECHEV")
    assert {f.person["given_names"] for f in partial} == {"MARIBEL", "YOSELIN"}
    assert all(f.score is None for f in partial)
    plain = found(roll, "maribel echeverria", indexed=False)
    assert [f.person["national_id"] for f in plain] == ["V-20000001"]
    assert found(roll, "maribel echeveria", indexed=False) == []  # no matcher, no typo
    assert found(roll, "V-20000003", indexed=False)[0].by_number == "cédula"


def test_nobody_is_found_for_a_name_nobody_bears(roll: tuple[Engine, RollMatcher]) -> None:
    assert found(roll, "ANACLETO ZAMBRANO QUINTERO") == []
    assert found(roll, "   ") == []


def test_an_order_s_subjects_are_read_a_page_at_a_time(roll: tuple[Engine, RollMatcher]) -> None:
    engine, _ = roll
    with engine.connect() as conn:
        first = reading.order_subjects_page(conn, "enl-1", 0, 10)
        last = reading.order_subjects_page(conn, "ENL-1", 40, 10)
        absence = reading.order_subjects_page(conn, "AUS-1", 0, 10)
        with pytest.raises(NotFoundError):
            reading.order_subjects_page(conn, "NOPE-1", 0, 10)
    assert (first.total, len(first.people), first.people[0]["ref"]) == (44, 10, "GNB-0000001")
    assert [p["national_id"] for p in last.people] == [
        "V-20000001",
        "V-20000002",
        "V-20000003",
        "V-20000004",
    ]
    assert last.people[2]["ref"] == "GNB-9000012"  # enlisted with it, struck off since
    assert last.people[2]["serial_number"] is None
    assert absence.total == 2
    assert {p["ref"] for p in absence.people} == {"GNB-9000012", "V-10000003"}  # as named
