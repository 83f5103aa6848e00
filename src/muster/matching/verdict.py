"""From the compared candidates to a verdict an officer can read.

Each candidate's score is the probability that the traveler is that member, among the
candidates found and "nobody on the roll": `exp(L_i) / (1 + Σ_j exp(L_j))` with `L` the
log-odds of `scoring.compare`. Namesakes therefore share the probability between them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from muster.matching.scoring import Comparison, Evidence


class Verdict(StrEnum):
    """`match`: policy may act on it; `possible`: refer to secondary inspection; `no_match`."""

    MATCH = "match"
    POSSIBLE = "possible"
    NO_MATCH = "no_match"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Verdict thresholds on the score (a probability, see docs/matching.md)."""

    match: float = 0.95
    possible: float = 0.05
    shown: int = 5  # candidates kept in a result


@dataclass(frozen=True, slots=True)
class Candidate:
    """One member the traveler may be, with the score and the evidence behind it."""

    serial_number: str
    key: str
    score: float
    evidence: tuple[Evidence, ...]
    identified: bool
    contradicted: bool

    def explain(self) -> str:
        """The evidence in one line: names, then cédula and birth date."""
        return "; ".join(str(e) for e in self.evidence)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The verdict on one traveler, the best candidates (best first) and input notes."""

    verdict: Verdict
    candidates: tuple[Candidate, ...]
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def serial_number(self) -> str:
        """The member named by the verdict; blank for `no_match`."""
        best = self.best
        return best.serial_number if best and self.verdict is not Verdict.NO_MATCH else ""

    @property
    def score(self) -> float:
        return self.best.score if self.best else 0.0

    def reasons(self) -> str:
        """A short readable summary: why, any close runner-up, and any ignored input."""
        parts: list[str] = []
        best = self.best
        if best is None:
            parts.append("no candidate shares a name, cédula or birth date")
        else:
            parts.append(best.explain())
            if self.verdict is Verdict.MATCH:
                pass
            elif best.contradicted:
                parts.append("contradicted: shown facts say another person")
            elif not best.identified and self.verdict is Verdict.POSSIBLE:
                parts.append("name only: neither cédula nor birth date confirms it")
            for other in self.candidates[1:3]:
                if other.score >= 0.05 or (other.score >= best.score / 3 and other.score > 0.01):
                    parts.append(f"runner-up {other.serial_number} ({other.score:.2f})")
        parts.extend(self.notes)
        return " | ".join(parts)


def decide(
    compared: list[tuple[str, str, Comparison]],
    thresholds: Thresholds,
    notes: tuple[str, ...] = (),
) -> MatchResult:
    """The verdict over compared candidates `(serial_number, key, comparison)`."""
    if not compared:
        return MatchResult(Verdict.NO_MATCH, (), notes)
    top = max(c.log_odds for _, _, c in compared)
    shift = max(top, 0.0)  # exp without overflow: divide everything by exp(shift)
    weights = [math.exp(c.log_odds - shift) for _, _, c in compared]
    total = math.exp(-shift) + sum(weights)
    ranked = sorted(
        (
            Candidate(serial, key, w / total, c.evidence, c.identified, c.contradicted)
            for (serial, key, c), w in zip(compared, weights, strict=True)
        ),
        key=lambda cand: (-cand.score, cand.serial_number),
    )[: thresholds.shown]
    best = ranked[0]
    on_roll = sum(w for (_, _, c), w in zip(compared, weights, strict=True) if not c.excluded)
    on_roll /= total
    if best.score >= thresholds.match and best.identified and not best.contradicted:
        verdict = Verdict.MATCH
    elif on_roll >= thresholds.possible:
        verdict = Verdict.POSSIBLE
    else:
        verdict = Verdict.NO_MATCH
    rounded = tuple(
        Candidate(
            c.serial_number, c.key, round(c.score, 4), c.evidence, c.identified, c.contradicted
        )
        for c in ranked
    )
    return MatchResult(verdict, rounded, notes)
