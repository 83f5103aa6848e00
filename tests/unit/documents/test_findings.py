"""Travel-document findings: an expiry before the screening day, unknown country codes."""

from __future__ import annotations

from datetime import date

import pytest

from muster.documents.findings import document_findings
from muster.documents.mrz import parse_mrz
from muster.documents.mrz_build import make_td1, make_td3
from muster.reference_data.country_codes import icao_country_codes
from tests.unit.documents.test_mrz import TD1, TD2, TD3

DAY = date(2019, 3, 15)
CODES = icao_country_codes()


def passport(expiry: date, state: str = "VEN", nationality: str = "VEN") -> list[str]:
    return make_td3(
        surnames="GONZALEZ PEREZ",
        given_names="JOSE GREGORIO",
        number="123456789",
        state=state,
        nationality=nationality,
        birth=date(1990, 5, 4),
        sex="M",
        expiry=expiry,
        personal="18867598",
    )


def findings(lines: list[str], day: date = DAY) -> list[tuple[str, str]]:
    zone = parse_mrz(lines, day)
    assert zone.valid, zone.problems  # a finding is not a failed check
    return [(f.code, f.field) for f in document_findings(zone, day, CODES)]


def test_an_expiry_before_the_screening_day_is_a_finding() -> None:
    zone = parse_mrz(passport(date(2019, 3, 14)), DAY)
    (found,) = document_findings(zone, DAY, CODES)
    assert (found.code, found.field) == ("expired", "expiry_date")
    assert "2019-03-14" in found.text and "2019-03-15" in found.text
    assert findings(passport(date(2019, 3, 15))) == []  # valid through its expiry day
    assert findings(passport(date(2024, 1, 1))) == []


def test_the_screening_day_is_the_one_passed_in_not_the_clock() -> None:
    lines = passport(date(2019, 3, 14))
    assert findings(lines, date(2019, 3, 1)) == []
    assert findings(lines, date(2019, 4, 1)) == [("expired", "expiry_date")]


@pytest.mark.parametrize(
    ("state", "nationality", "expected"),
    [
        ("VEN", "COL", []),
        ("ZZZ", "VEN", [("unknown_code", "issuing_state")]),
        ("VEN", "QQQ", [("unknown_code", "nationality")]),
        ("AB", "AB", [("unknown_code", "issuing_state"), ("unknown_code", "nationality")]),
        # ICAO's own codes, beside ISO 3166-1 alpha-3
        ("D", "D", []),
        ("GBR", "GBD", []),
        ("GBR", "GBN", []),
        ("UNO", "XXA", []),
        ("VEN", "XXB", []),
        ("XOM", "XXX", []),
        ("EUE", "UNK", []),
        ("XPO", "XCC", []),
    ],
)
def test_country_codes_are_checked_by_field(
    state: str, nationality: str, expected: list[tuple[str, str]]
) -> None:
    assert findings(passport(date(2024, 1, 1), state, nationality)) == expected


def test_unknown_code_text_names_the_field_and_the_code() -> None:
    zone = parse_mrz(passport(date(2024, 1, 1), "VEN", "QQQ"), DAY)
    (found,) = document_findings(zone, DAY, CODES)
    assert found.text == "nationality 'QQQ' is not a country code of ICAO Doc 9303 Part 3"


@pytest.mark.parametrize("lines", [TD3, TD1, TD2], ids=["TD3", "TD1", "TD2"])
def test_icao_specimens_read_as_specimens(lines: list[str]) -> None:
    zone = parse_mrz(lines, DAY)
    assert zone.valid and zone.issuing_state == "UTO"
    codes = {(f.code, f.field) for f in document_findings(zone, DAY, CODES)}
    assert codes == {
        ("specimen", "issuing_state"),
        ("specimen", "nationality"),
        ("expired", "expiry_date"),  # the specimens expired on 2012-04-15
    }


def test_an_identity_card_zone_is_checked_too() -> None:
    lines = make_td1(
        surnames="RODRIGUEZ",
        given_names="MARIA",
        number="AB1234567",
        nationality="COL",
        state="XYZ",
        birth=date(1985, 1, 2),
        sex="F",
        expiry=date(2018, 12, 31),
    )
    assert findings(lines) == [("expired", "expiry_date"), ("unknown_code", "issuing_state")]


def test_the_code_list_is_iso_3166_plus_icao_not_a_typed_table() -> None:
    assert {"VEN", "COL", "BRA", "DEU", "GBR"} <= CODES  # from pycountry
    assert {"D", "EUE", "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK"} <= CODES
    assert "UTO" not in CODES and len(CODES) > 249
