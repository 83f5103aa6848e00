"""Named cases: the same person under many renderings; namesakes and relatives kept apart."""

from __future__ import annotations

from datetime import date

import pytest

from muster.demo.population import generate_roll
from muster.names.normalize import parse_name
from muster.names.score import Identity, NameFrequencies, score

ROLL = generate_roll(20_000, 3)
FREQ = NameFrequencies.of(parse_name(p.given_names, p.surnames) for p in ROLL)


def person(
    given: str,
    surnames: str,
    born: str | None = None,
    cedula: str | None = None,
    sex: str | None = None,
) -> Identity:
    return Identity(
        parse_name(given, surnames), date.fromisoformat(born) if born else None, cedula, sex
    )


MEMBER = person("JOSÉ GREGORIO", "URDANETA ECHEVERRÍA", "1988-03-14", "V-15874895", "M")


@pytest.mark.parametrize(
    ("traveler", "verdict"),
    [
        (person("JOSÉ GREGORIO", "URDANETA ECHEVERRÍA", "1988-03-14", "V-15874895"), "match"),
        (person("JOSE", "URDANETA ECHEVERRIA", "1988-03-14"), "match"),  # second name dropped
        (person("JOSE G", "URDANETA ECHEVERRIA", "1988-03-14"), "match"),  # an initial
        (person("JOSE GREGORIO", "ECHEVERRIA URDANETA", "1988-03-14"), "match"),  # swapped
        (person("JOSE GREGORIO", "URDANETA", "1988-03-14"), "match"),  # second surname missing
        (person("JOSE GREGORIO", "URDANETA ECHEVERIA", "1988-03-14"), "match"),  # a typo
        (
            person(
                "JOSE GREGORIO",
                "URDANETA ECHEVERRIA",
                "1988-14-03"[:0] or "1988-03-14",
                "V-15874895",
            ),
            "match",
        ),
        (
            person("JOSE GREGORIO", "URDANETA ECHEVERRIA", "1988-03-14", "V-99999999"),
            "possible",
        ),  # another cédula: never enough to act on
        (person("LUIS ALBERTO", "URDANETA ECHEVERRIA", "1988-03-14"), "possible"),  # a twin
        (person("LUIS ALBERTO", "URDANETA ECHEVERRIA", "1979-01-02"), "no_match"),  # a brother
        (person("CARLOS", "PÉREZ RODRÍGUEZ", "1988-03-14"), "no_match"),
    ],
)
def test_cases(traveler: Identity, verdict: str) -> None:
    result = score(traveler, MEMBER, FREQ)
    assert result.verdict == verdict, [str(f) for f in result.features]
    assert result.features and 0.0 <= result.score <= 1.0


def test_day_and_month_swapped_or_one_digit_wrong() -> None:
    member = Identity(MEMBER.name, date(1988, 3, 4))
    flipped = score(Identity(MEMBER.name, date(1988, 4, 3)), member, FREQ)
    near = score(Identity(MEMBER.name, date(1988, 3, 5)), member, FREQ)
    assert any(f.how == "day and month swapped" for f in flipped.features)
    assert any(f.how == "one digit differs" for f in near.features)
    assert flipped.verdict != "no_match" and near.verdict != "no_match"


def test_namesake_with_another_birth_date_is_not_matched() -> None:
    namesake = score(
        person("JOSÉ GREGORIO", "URDANETA ECHEVERRÍA", "1990-07-01", "V-20111222"), MEMBER, FREQ
    )
    assert namesake.verdict != "match"


def test_a_rare_name_alone_says_more_than_jose_gonzalez_alone() -> None:
    common = person("JOSÉ", "GONZÁLEZ RODRÍGUEZ")
    rare = person("JOSÉ GREGORIO", "URDANETA ECHEVERRÍA")
    common_member = person("JOSÉ", "GONZÁLEZ RODRÍGUEZ", "1980-01-01")
    assert score(rare, MEMBER, FREQ).score > score(common, common_member, FREQ).score


def test_scoring_explains_itself() -> None:
    result = score(person("JOSE", "URDANETA ECHEVERIA", "1988-03-14"), MEMBER, FREQ)
    text = "; ".join(str(f) for f in result.features)
    assert "surname ECHEVERIA sound" in text and "birth_date exact" in text
    assert "given name JOSE exact" in text
