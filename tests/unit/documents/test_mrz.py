"""ICAO 9303 zones: the specimens exactly, every check named, generated zones round-trip."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muster.documents.mrz import MrzError, check_digit, parse_mrz
from muster.documents.mrz_build import make_td1, make_td2, make_td3, transliterate

TODAY = date(2019, 2, 20)
TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
TD1 = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]
TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]


def test_td3_specimen() -> None:
    z = parse_mrz(TD3, TODAY)
    assert (z.format, z.document_code, z.issuing_state) == ("TD3", "P", "UTO")
    assert (z.surnames, z.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert (z.document_number, z.nationality, z.sex) == ("L898902C3", "UTO", "F")
    assert (z.birth_date, z.expiry_date) == (date(1974, 8, 12), date(2012, 4, 15))
    assert z.optional_data == "ZE184226B" and z.valid and not z.name_truncated


@pytest.mark.parametrize("lines", [TD1, TD2], ids=["TD1", "TD2"])
def test_td1_td2_specimens(lines: list[str]) -> None:
    z = parse_mrz(lines, TODAY)
    assert z.format == ("TD1" if len(lines) == 3 else "TD2")
    assert (z.document_code, z.issuing_state, z.document_number) == ("I", "UTO", "D23145890")
    assert (z.surnames, z.given_names, z.nationality, z.sex) == (
        "ERIKSSON",
        "ANNA MARIA",
        "UTO",
        "F",
    )
    assert (z.birth_date, z.expiry_date) == (date(1974, 8, 12), date(2012, 4, 15))
    assert z.valid, z.problems


@pytest.mark.parametrize(
    ("line", "pos", "char", "field"),
    [
        (1, 9, "7", "document number"),
        (1, 19, "3", "birth date"),
        (1, 27, "8", "expiry date"),
        (1, 42, "2", "personal number"),
        (1, 43, "1", "composite"),
    ],
)
def test_each_td3_check_is_named(line: int, pos: int, char: str, field: str) -> None:
    rows = list(TD3)
    rows[line] = rows[line][:pos] + char + rows[line][pos + 1 :]
    z = parse_mrz(rows, TODAY)
    assert any(p.startswith(f"{field} check digit") for p in map(str, z.problems)), z.problems


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([TD3[0], TD3[1][:-1]], "line 2: expected 44 characters, found 43"),
        ([TD3[0]], "expected 2 lines of 44"),
        ([TD3[0], TD3[1].replace("<", "-", 1)], "characters not allowed"),
        ([TD3[0].lower(), TD3[1]], None),
    ],
)
def test_malformed_lines(lines: list[str], message: str | None) -> None:
    if message is None:
        assert parse_mrz(lines, TODAY).valid  # lower case is read as upper case
        return
    with pytest.raises(MrzError, match=message):
        parse_mrz(lines, TODAY)


def test_spanish_names_are_transliterated_and_cut() -> None:
    assert transliterate("NÚÑEZ DE LA CRUZ") == "NUNEZ<DE<LA<CRUZ"
    assert transliterate("ARGÜELLO D'ALESSANDRO") == "ARGUEELLO<DALESSANDRO"
    lines = make_td3(
        surnames="RODRÍGUEZ DE LOS SANTOS HERNÁNDEZ",
        given_names="MARÍA DEL CARMEN ALEJANDRA",
        number="123456789",
        birth=date(1990, 1, 2),
        sex="F",
        expiry=date(2024, 1, 1),
    )
    z = parse_mrz(lines, TODAY)
    assert z.valid and z.name_truncated and z.surnames == "RODRIGUEZ DE LOS SANTOS HERNANDEZ"


names_st = st.text(alphabet="ABCDEFGHIJKLMNÑOPQRSTUVWXYZÁÉÍÓÚÜ ", min_size=1, max_size=20).filter(
    lambda s: s.strip() != ""
)
dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2018, 12, 31))
numbers = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(
    surnames=names_st,
    given_names=names_st,
    number=numbers,
    birth=dates,
    sex=st.sampled_from("MF"),
    expiry=st.dates(date(2019, 3, 1), date(2035, 1, 1)),
    kind=st.sampled_from(["TD3", "TD1", "TD2"]),
)
def test_generated_zones_read_back(
    surnames: str, given_names: str, number: str, birth: date, sex: str, expiry: date, kind: str
) -> None:
    make = {"TD3": make_td3, "TD1": make_td1, "TD2": make_td2}[kind]
    lines = make(
        surnames=surnames,
        given_names=given_names,
        number=number,
        nationality="VEN",
        state="VEN",
        birth=birth,
        sex=sex,
        expiry=expiry,
    )
    z = parse_mrz(lines, TODAY)
    assert z.valid, z.problems
    assert (z.document_number, z.birth_date, z.expiry_date, z.sex, z.format) == (
        number,
        birth,
        expiry,
        sex,
        kind,
    )
    if not z.name_truncated:
        assert z.surnames == " ".join(transliterate(surnames).replace("<", " ").split())


@settings(max_examples=200, deadline=None)
@given(birth=dates, digit_pos=st.integers(0, 5), delta=st.integers(1, 9))
def test_a_changed_birth_digit_is_caught(birth: date, digit_pos: int, delta: int) -> None:
    """Changing one digit of a date always changes the 7-3-1 sum modulo 10 (weights are
    coprime with 10), so the birth-date check catches it."""
    lines = make_td3(
        surnames="PEREZ",
        given_names="ANA",
        number="X1234567",
        birth=birth,
        sex="F",
        expiry=date(2030, 1, 1),
    )
    row = lines[1]
    pos = 13 + digit_pos
    new = str((int(row[pos]) + delta) % 10)
    z = parse_mrz([lines[0], row[:pos] + new + row[pos + 1 :]], TODAY)
    assert any(str(p).startswith("birth date") for p in z.problems)


def test_check_digit_examples() -> None:
    assert check_digit("L898902C3") == 6 and check_digit("740812") == 2
