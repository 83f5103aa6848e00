"""What a roll search's one box holds, read into what the matcher compares."""

from __future__ import annotations

import pytest

from muster.screening.roll_search import SearchQuery, name_readings, read_query


@pytest.mark.parametrize(
    ("text", "names", "numbers", "born", "zone"),
    [
        ("  maría   gonzález ", "maría gonzález", (), "", False),
        ("GONZALEZ<<MARIA<JOSE<<<<", "GONZALEZ<<MARIA<JOSE<<<<", (), "", True),
        ("V-12.345.678", "", ("V-12.345.678",), "", False),
        ("gnb-0001234", "", ("gnb-0001234",), "", False),
        ("maria perez 14/05/1987", "maria perez", (), "14/05/1987", False),
        ("maria perez 1987-05-14 12345678", "maria perez", ("12345678",), "1987-05-14", False),
        ("8ELKIS SOSA", "8ELKIS SOSA", (), "", False),  # a zone's OCR digit is a letter
        ("PEREZ GONZALEZ, MARIA", "PEREZ GONZALEZ, MARIA", (), "", False),
    ],
)
def test_a_query_is_read_into_names_numbers_and_a_birth_date(
    text: str, names: str, numbers: tuple[str, ...], born: str, zone: bool
) -> None:
    query = read_query(text)
    assert (query.names, query.numbers, query.birth_date, query.zone) == (
        names,
        numbers,
        born,
        zone,
    )


def test_a_cedula_is_the_first_number_that_can_be_one() -> None:
    assert read_query("GNB-0001234 V-12.345.678").cedula == "V-12.345.678"
    assert read_query("GNB-0001234").cedula == ""
    assert read_query("").empty and not read_query("12/01/1990").empty


def test_name_words_are_read_at_each_split_and_in_both_orders() -> None:
    readings = name_readings(read_query("MARIA JOSE GONZALEZ"))
    assert readings == [
        ("MARIA", "JOSE GONZALEZ"),
        ("JOSE GONZALEZ", "MARIA"),
        ("MARIA JOSE", "GONZALEZ"),
        ("GONZALEZ", "MARIA JOSE"),
    ]


def test_a_comma_says_which_words_are_the_surnames() -> None:
    assert name_readings(read_query("PÉREZ GONZÁLEZ, MARÍA")) == [("MARÍA", "PÉREZ GONZÁLEZ")]


def test_a_zone_is_read_as_the_zone_reads_it() -> None:
    assert name_readings(read_query("GONZALEZ<<MARIA<JOSE")) == [("", "GONZALEZ<<MARIA<JOSE")]


def test_one_word_has_no_reading_for_the_matcher() -> None:
    assert name_readings(read_query("GONZALEZ")) == []
    assert name_readings(SearchQuery("")) == []
