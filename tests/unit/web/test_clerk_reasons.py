"""The matcher's reasons in the viewer's words: the field, the value compared, how it agreed,
and its weight, with every phrase the matcher writes translated."""

from __future__ import annotations

import pytest

from muster.matching import Evidence, Matcher, Member, Traveler
from muster.matching.evidence import Field
from muster.web.pages.clerk import FIELDS, Reason, how_part, reason_of
from muster.web.session import Viewer

ES = Viewer(None, None, "es", "x").gettext
EN = Viewer(None, None, "en", "x").gettext


def test_a_reason_names_its_field_value_how_and_weight() -> None:
    typo = Evidence(Field.SURNAME, "surname ECHEVERIA", "typo", 5.25)
    assert reason_of(typo, EN, "en") == Reason("surname", "ECHEVERIA", "typo", "+5.2", "for")
    assert reason_of(typo, ES, "es") == Reason(
        "apellido", "ECHEVERIA", "error de tipeo", "+5,2", "for"
    )
    born = Evidence(Field.BIRTH_DATE, "birth date", "differs (1990-01-30)", -6.9)
    assert reason_of(born, ES, "es") == Reason(
        "fecha de nacimiento", "", "distinta (1990-01-30)", "-6,9", "against"
    )
    shown = Evidence(Field.SURNAME, "second surname", "not shown", 0.0)
    assert reason_of(shown, ES, "es").leaning == "neither"
    assert reason_of(shown, ES, "es").field == "segundo apellido"


def test_each_part_of_how_a_field_agreed_is_translated() -> None:
    swapped = Evidence(Field.SURNAME, "surname PEREZ", "exact, swapped", 2.0)
    assert reason_of(swapped, ES, "es").how == "exacto, invertidos"
    assert how_part("differs from JOSÉ", ES) == "distinto de JOSÉ"
    assert how_part("a phrase the matcher does not write", ES) == (
        "a phrase the matcher does not write"
    )


ROLL = [
    Member("1", "GNB-0000001", "MARÍA JOSÉ", "PEÑA DE LA CRUZ", "1987-05-14", "V-16789012", "F"),
    Member("2", "GNB-0000002", "YUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07", "V-18000111", "F"),
    Member("3", "GNB-0000003", "LEOMARIS", "ARGÜELLO ZAMBRANO", "1990-11-07", "V-18000112", "F"),
    Member("4", "EB-0000004", "WILMER ANTONIO", "CHACÓN GUILLÉN", "1985-03-04", "V-15321654", "M"),
    Member("5", "EB-0000005", "LUIS ALBERTO", "RIVAS", "1979-02-01", "V-9000005", "M"),
]
TRAVELERS = [
    Traveler("maria jose", "pena de la cruz", "14/05/1987", "V-16789012"),
    Traveler("", "PENA<DE<LA<CRUZ<<MA"),
    Traveler("MARIA J.", "CRUZ PENA", "05/14/1987"),
    Traveler("IUSMARY", "ARGUELLO", "1990-07-11"),
    Traveler("YUSMARI", "ARGÜE LLO ZAMBRANO"),
    Traveler("JOSEFA", "ARGUELLO ZAMBRANO", "1990-11-07"),
    Traveler("CHACON GUILLEN", "WILMER", "", "V-15321564"),
    Traveler("GUILMER", "CHACONGUILLEN", "1985-03-05", "V-15321650", sex="F"),
    Traveler("ALBERTO", "RIVAS MONTILLA", "1979-02-01"),
    Traveler("PEDRO", "RIVAS", "1979-02-02", "V-9000005"),
]


@pytest.mark.parametrize("traveler", TRAVELERS, ids=lambda t: f"{t.given_names}/{t.surnames}")
def test_every_phrase_the_matcher_writes_has_its_spanish(traveler: Traveler) -> None:
    untranslated = []
    for candidate in Matcher.from_members(ROLL).search(traveler, 5).candidates:
        for evidence in candidate.evidence:
            label = evidence.label
            if not any(label == e or label.startswith(e + " ") for e, _ in FIELDS):
                untranslated.append(label)
            untranslated += [p for p in evidence.how.split(", ") if how_part(p, ES) == p]
    assert untranslated == []
