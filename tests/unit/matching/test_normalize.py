"""The normaliser, case by case: each a real pair of renderings of one name or value."""

from __future__ import annotations

from datetime import date

import pytest

from muster.matching.normalize import (
    BirthDateError,
    MonthFirstDate,
    cedula_from_document,
    parse_birth_date,
    parse_mrz_name,
    parse_name,
    parse_national_id,
    parse_sex,
    typed_birth_date,
)


def test_mrz_line_is_split_into_surnames_and_given_names() -> None:
    name = parse_mrz_name("P<VENGONZALEZ<PEREZ<<JOSE<LUIS<<<<<<<<<<<<<<<<<")
    assert name.given == ("JOSE", "LUIS")
    assert [s.core for s in name.surnames] == ["GONZALEZ", "PEREZ"]
    assert name.mrz and name.cut  # the last word of a zone name may be cut


def test_full_mrz_field_is_marked_cut_and_ocr_digits_read_as_letters() -> None:
    name = parse_name("MAR1A<DE<L0S<ANGELE", "RODRIGUEZ<5ANCHEZ")
    assert name.given[0] == "MARIA" and name.surnames[1].core == "SANCHEZ"
    assert parse_mrz_name("CASTRO<RODRIGUEZ<<MARIA<ALEJANDRA<CAROL").given[-1] == "CAROL"


@pytest.mark.parametrize(
    ("surnames", "cores", "particles"),
    [
        ("DE LA CRUZ PÉREZ", ["CRUZ", "PEREZ"], ["DE LA", ""]),
        ("DELACRUZ PÉREZ", ["CRUZ", "PEREZ"], ["DE LA", ""]),
        ("DELA CRUZ PÉREZ", ["CRUZ", "PEREZ"], ["DE LA", ""]),
        ("GONZÁLEZ-PÉREZ", ["GONZALEZ", "PEREZ"], ["", ""]),
        ("DEL VALLE ROJAS", ["VALLE", "ROJAS"], ["DEL", ""]),
    ],
)
def test_particles_and_hyphens(surnames: str, cores: list[str], particles: list[str]) -> None:
    name = parse_name("ANA", surnames)
    assert [s.core for s in name.surnames] == cores
    assert [s.particle for s in name.surnames] == particles


def test_married_woman_de_husband_is_kept_apart() -> None:
    name = parse_name("MARÍA", "PÉREZ DE GONZÁLEZ")
    assert [s.core for s in name.surnames] == ["PEREZ"]
    assert name.married is not None and name.married.core == "GONZALEZ"


@pytest.mark.parametrize(
    ("text", "value"),
    [("V-12.345.678", "V-12345678"), ("V12345678", "V-12345678"), ("E-84123456", "E-84123456"),
     ("12345678", "?-12345678"), ("12.345.678", "?-12345678"), ("", None), ("ABC", None)],
)  # fmt: skip
def test_cedula_forms(text: str, value: str | None) -> None:
    assert parse_national_id(text).value == value


def test_odd_values_become_missing_with_a_note() -> None:
    assert "no letter" in parse_national_id("12345678").note
    assert parse_birth_date("31/02/1990").value is None
    assert "unreadable" in parse_birth_date("soon").note
    assert parse_sex("X").value is None and parse_sex("X").note
    assert cedula_from_document("12.345.678") == "#-12345678"
    assert cedula_from_document("AB123") is None


@pytest.mark.parametrize("text", ["1985-03-04", "04/03/1985", "04-03-1985", "19850304", "850304"])
def test_birth_date_forms(text: str) -> None:
    assert parse_birth_date(text).value == date(1985, 3, 4)


def test_a_date_written_month_first_is_marked_as_read_swapped() -> None:
    swapped = parse_birth_date("05/14/1987").value
    assert swapped == date(1987, 5, 14) and isinstance(swapped, MonthFirstDate)
    assert not isinstance(parse_birth_date("14/05/1987").value, MonthFirstDate)


@pytest.mark.parametrize(
    "text", ["1995-12-27", "27/12/1995", "27.12.1995", "27-12-1995", "19951227", "12/27/1995", ""]
)
def test_a_typed_birth_date_is_read_as_a_travelers_file_is(text: str) -> None:
    assert typed_birth_date(text) == parse_birth_date(text)
    if text:
        assert typed_birth_date(text).value == date(1995, 12, 27)


@pytest.mark.parametrize("text", ["31/31/1995", "1995-02-30", "soon", "27 de diciembre"])
def test_a_typed_birth_date_no_form_reads_is_refused(text: str) -> None:
    with pytest.raises(BirthDateError, match=r"identity\.birth_date: .* expected YYYY-MM-DD"):
        typed_birth_date(text, "identity.birth_date")
    assert "expected YYYY-MM-DD" in parse_birth_date(text).note  # a file's is ignored, so noted
