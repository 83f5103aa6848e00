"""Verdicts are decided on the typed field and kind of the evidence, never on its wording."""

from __future__ import annotations

import pytest

import muster.matching.scoring as scoring
from muster.demo.population import generate_roll
from muster.demo.travelers import as_member, generate_travelers
from muster.matching import Matcher, MatchResult, Traveler
from muster.matching.evidence import Evidence, Field, Kind
from tests.unit.matching.test_variations import CASES, ROLL

SYNTHETIC = generate_roll(2_000, 61)
SYNTHETIC_MATCHER = Matcher.from_members(as_member(p) for p in SYNTHETIC)
TRAVELERS = [t.traveler for t in generate_travelers(SYNTHETIC, 400, 62)]


def _decided(result: MatchResult) -> tuple[object, ...]:
    """All that is decided about a traveler, without the text of the reasons."""
    return (
        result.verdict,
        tuple(
            (c.serial_number, c.score, c.identified, c.contradicted, bool(c.unconfirmed),
             tuple((e.field, e.kind, e.weight) for e in c.evidence))
            for c in result.candidates
        ),
    )  # fmt: skip


def _reworded(
    field: Field, label: str, how: str, weight: float, kind: Kind = Kind.NAME
) -> Evidence:
    """The same evidence in other words: every label and every reason changed."""
    return Evidence(field, f"«{label[::-1]}»", f"reworded: {how.upper()[::-1]}", weight, kind)


def _everything(matchers: list[tuple[Matcher, list[Traveler]]]) -> list[tuple[object, ...]]:
    return [_decided(m.match(t)) for m, travelers in matchers for t in travelers]


def test_rewording_every_reason_changes_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = Matcher.from_members(ROLL)
    matchers = [(cases, [c.traveler for c in CASES.values()]), (SYNTHETIC_MATCHER, TRAVELERS)]
    before = _everything(matchers)
    monkeypatch.setattr(scoring, "Evidence", _reworded)
    monkeypatch.setattr(scoring, "AS_SECOND", ", said otherwise")
    after = _everything(matchers)
    assert after == before
    reworded = cases.match(next(iter(CASES.values())).traveler).reasons()
    assert "reworded:" in reworded  # the reasons did change


def test_the_verdict_sets_hold_kinds() -> None:
    for kinds in (scoring.IDENTIFIERS, scoring.CONTRADICTIONS, scoring.UNCONFIRMED_GIVEN):
        assert all(isinstance(k, Kind) for k in kinds)
    assert {k.value for k in Kind} - {""} <= {*scoring.LLR, "given_as_second", "swap",
                                             "family_cap", "name_cap", "attribute_agrees",
                                             "attribute_differs"}  # fmt: skip
