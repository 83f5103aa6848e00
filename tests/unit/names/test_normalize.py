"""Venezuelan names: each rendering the normaliser claims to handle, case by case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from muster.names.normalize import (
    Surname,
    fold,
    fold_mrz,
    parse_name,
    spelling_key,
    surname_keys,
)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("José Gregorio", "JOSE GREGORIO"),
        ("PEÑA", "PENA"),
        ("Argüello", "ARGUELLO"),
        ("D'Alessandro", "DALESSANDRO"),
        ("Pérez-González", "PEREZ GONZALEZ"),
        ("  maría   del  carmen ", "MARIA DEL CARMEN"),
    ],
)
def test_fold(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_mrz_names_with_ocr_confusions() -> None:
    assert fold_mrz("GONZ4LEZ<PEREZ") == "GONZ LEZ PEREZ"  # 4 is not a letter: a gap
    assert fold_mrz("R0DRIGUEZ<<JO5E") == "RODRIGUEZ JOSE"
    assert fold_mrz("8RICENO") == "BRICENO"


@pytest.mark.parametrize(
    ("a", "b"),
    [("PENA", "PENNA"), ("PENA", "PENXXA"), ("ARGUELLO", "ARGUEELLO"), ("GUIRO", "GUEIRO")],
)
def test_spellings_of_n_tilde_and_u_umlaut_agree(a: str, b: str) -> None:
    assert spelling_key(a) == spelling_key(b)


def test_particles_apart_joined_or_dropped() -> None:
    apart = parse_name("JUAN", "DE LA CRUZ HERNÁNDEZ")
    joined = parse_name("JUAN", "DELACRUZ HERNANDEZ")
    assert apart.surnames == (Surname("CRUZ", "DE LA"), Surname("HERNANDEZ"))
    assert joined.surnames == apart.surnames
    assert "CRUZ" in surname_keys(parse_name("JUAN", "CRUZ HERNANDEZ"))
    assert surname_keys(apart) & surname_keys(parse_name("JUAN", "CRUZ HERNANDEZ"))
    assert parse_name("ANA", "DELGADO").surnames == (Surname("DELGADO"),)  # not DEL + GADO
    assert surname_keys(parse_name("ANA", "DEL VALLE")) & surname_keys(
        parse_name("ANA", "DELVALLE")
    )


def test_married_woman_surname_and_hyphen() -> None:
    married = parse_name("MARÍA", "PÉREZ DE GONZÁLEZ")
    assert married.paternal == Surname("PEREZ") and married.married == Surname("GONZALEZ", "DE")
    assert parse_name("MARÍA", "PÉREZ-GONZÁLEZ").surnames == (Surname("PEREZ"), Surname("GONZALEZ"))


def test_given_names_keep_order_and_drop_particles() -> None:
    assert parse_name("MARÍA DEL CARMEN", "RIVAS").given == ("MARIA", "CARMEN")


@given(st.text(alphabet="ABCDEFGHIJKLMNÑOPQRSTUVWXYZÁÉÍÓÚÜ -'", max_size=40))
def test_folding_is_idempotent_and_ascii(text: str) -> None:
    once = fold(text)
    assert fold(once) == once and once.isascii()
