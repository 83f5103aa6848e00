"""A roll search shows more of a common name's bearers than a screening compares, best first,
and its best is the screening's."""

from __future__ import annotations

import pytest

from muster.matching import Matcher, Member, Traveler


def namesakes(n: int) -> list[Member]:
    return [
        Member(
            str(i),
            f"GNB-{i:07d}",
            "JOSÉ",
            "GONZÁLEZ PÉREZ",
            f"{1960 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            f"V-{12_000_000 + i}",
            "M",
        )
        for i in range(n)
    ]


def test_a_search_shows_up_to_its_limit_where_a_screening_shows_five() -> None:
    matcher = Matcher.from_members(namesakes(30))
    traveler = Traveler("JOSE", "GONZALEZ PEREZ")
    screened = matcher.match(traveler)
    searched = matcher.search(traveler, 20)
    assert len(screened.candidates) == 5
    assert len(searched.candidates) == 20
    assert len({c.key for c in searched.candidates}) == 20
    scores = [c.score for c in searched.candidates]
    assert scores == sorted(scores, reverse=True)


def test_the_best_found_is_the_one_a_screening_finds() -> None:
    roll = [
        *namesakes(12),
        Member("99", "EB-0000099", "YUSMARY", "ARGÜELLO ZAMBRANO", "1990-11-07"),
    ]
    matcher = Matcher.from_members(roll)
    traveler = Traveler("IUSMARY", "ARGUELLO ZAMBRANO", "07/11/1990")
    assert matcher.search(traveler, 10).best == matcher.match(traveler).best
    assert matcher.search(traveler, 10).serial_number == "EB-0000099"


def test_a_search_needs_a_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        Matcher.from_members(namesakes(2)).search(Traveler("JOSE", "GONZALEZ"), 0)


def test_members_found_otherwise_are_compared_with_the_roll_s_frequencies() -> None:
    lopez = Member("7", "EB-0000007", "ALBERTO", "LÓPEZ", "1979-09-09", "V-7000007", "M")
    matcher = Matcher.from_members([*namesakes(5), lopez])
    traveler = Traveler("ALBERTO", "LOXEZ")  # no key of the index's is left
    assert matcher.search(traveler, 5).candidates == ()
    result = matcher.compare_members(traveler, [lopez, namesakes(1)[0]], 5)
    assert result.best is not None and result.best.key == "7"
    assert "surname LOXEZ typo" in result.best.explain()
