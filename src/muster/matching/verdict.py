"""From the compared candidates to a verdict an officer can read.

Each candidate's model probability is its share among the candidates found and "nobody on the
roll": `exp(L_i) / (1 + Σ_j exp(L_j))` with `L` the log-odds of `scoring.compare`, so namesakes
share it between them. The score reported is that probability through `CALIBRATION`, a
monotone map learnt from labelled travelers (docs/matching.md says on which data and with what
risk), so that a score of 0.9 is right about nine times in ten.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from muster.matching.evidence import Evidence
from muster.matching.scoring import Comparison


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
    calibrated: bool = True  # False: the model's probability as it is (to fit `CALIBRATION`)


# The calibration maps: (model probability, observed share of travelers who are that member),
# knots of an isotonic fit (constant within a block, straight on the log-odds between blocks),
# one for the candidates who may be matched (a name confirmed by a cédula or birth date, nothing
# unconfirmed: `Comparison.unconfirmed`) and one for the others (a name alone is more often a
# namesake's, another given name more often a brother's, than the model can know). Fitted by
# `python -m bench.matching_calibration --fit`: see docs/matching.md for the data and the risk.
Table = tuple[tuple[float, float], ...]
# Fitted on 80,000 synthetic travelers (rolls of 100,000, seeds 7001 to 7004): True for the
# candidates who may be matched, False for the others.
CALIBRATION: dict[bool, Table] = {
    True: (  # 40,168 travelers
        (0.0, 0.0),
        (0.0001, 0.0),
        (0.0002, 0.0011),
        (0.0107, 0.0011),
        (0.0108, 0.0379),
        (0.0727, 0.0379),
        (0.0731, 0.11),
        (0.5135, 0.11),
        (0.5198, 0.5784),
        (0.9787, 0.5784),
        (0.979, 0.9715),
        (0.9973, 0.9715),
        (0.9974, 0.9995),
        (0.9999, 0.9995),
        (1.0, 0.9998),
    ),
    False: (  # 39,832 travelers
        (0.0, 0.0),
        (0.0001, 0.0),
        (0.0002, 0.0014),
        (0.0029, 0.0014),
        (0.003, 0.0026),
        (0.0135, 0.0026),
        (0.0136, 0.0268),
        (0.036, 0.0268),
        (0.0361, 0.0352),
        (0.072, 0.0352),
        (0.0721, 0.0792),
        (0.1188, 0.0792),
        (0.1189, 0.2037),
        (0.1835, 0.2037),
        (0.1839, 0.3106),
        (0.2782, 0.3106),
        (0.2784, 0.4068),
        (0.391, 0.4068),
        (0.3911, 0.5238),
        (0.4819, 0.5238),
        (0.4821, 0.5607),
        (0.583, 0.5607),
        (0.5831, 0.5973),
        (0.931, 0.5973),
        (0.9352, 0.9533),
        (0.9833, 0.9533),
        (0.9834, 0.9816),
        (0.9967, 0.9816),
    ),
}


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


@lru_cache(maxsize=8)
def _knots(table: Table) -> tuple[list[float], list[float], list[float]]:
    """A table's model probabilities, their log-odds and the calibrated scores, for bisection."""
    return [p for p, _ in table], [_logit(p) for p, _ in table], [c for _, c in table]


def calibrate(p: float, table: Table) -> float:
    """The calibrated score of model probability `p` (monotone; `p` itself without a table)."""
    if not table:
        return p
    ps, xs, cs = _knots(table)
    i = bisect.bisect_left(ps, p)
    if i == 0:
        return cs[0] * p / ps[0] if ps[0] > 0 else cs[0]
    if i == len(ps):
        return cs[-1]
    if ps[i] == p or xs[i] <= xs[i - 1]:
        return cs[i]
    x = _logit(p)
    return cs[i - 1] + (cs[i] - cs[i - 1]) * (x - xs[i - 1]) / (xs[i] - xs[i - 1])


@dataclass(frozen=True, slots=True)
class Candidate:
    """One member the traveler may be, with the score and the evidence behind it."""

    serial_number: str
    key: str
    score: float
    evidence: tuple[Evidence, ...]
    identified: bool
    contradicted: bool
    unconfirmed: str = ""  # why this member cannot be a `match` whatever the score

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
        return " | ".join(self.reason_parts())

    def reason_parts(self) -> list[str]:
        """The summary's parts: the best candidate's evidence (or why there is none), why it
        is not a match, close runners-up, and the notes on ignored input."""
        parts: list[str] = []
        best = self.best
        if best is None:
            parts.append("no candidate shares a name, cédula or birth date")
        else:
            parts.append(best.explain())
            if self.verdict is Verdict.MATCH:
                pass
            elif best.unconfirmed and self.verdict is Verdict.POSSIBLE:
                parts.append(f"not a match: {best.unconfirmed}")
            elif best.contradicted:
                parts.append("contradicted: shown facts say another person")
            for other in self.candidates[1:3]:
                if other.score >= 0.05 or (other.score >= best.score / 3 and other.score > 0.01):
                    parts.append(f"runner-up {other.serial_number} ({other.score:.2f})")
        parts.extend(self.notes)
        return parts


def decide(
    compared: list[tuple[str, str, Comparison]],
    thresholds: Thresholds,
    notes: tuple[str, ...] = (),
) -> MatchResult:
    """The verdict over compared candidates `(serial_number, key, comparison)`.

    `match`: the best candidate's (calibrated) score reaches `thresholds.match` and nothing keeps
    them from being matched (`Comparison.unconfirmed`); `possible`: the candidates' scores sum
    to `thresholds.possible` or more; `no_match` otherwise, so its best score is under that.
    """
    if not compared:
        return MatchResult(Verdict.NO_MATCH, (), notes)
    top = max(c.log_odds for _, _, c in compared)
    shift = max(top, 0.0)  # exp without overflow: divide everything by exp(shift)
    weights = [math.exp(c.log_odds - shift) for _, _, c in compared]
    total = math.exp(-shift) + sum(weights)
    every = []
    for (serial, key, c), w in zip(compared, weights, strict=True):
        p, why = w / total, c.unconfirmed
        shown = calibrate(p, CALIBRATION[not why]) if thresholds.calibrated else p
        every.append((shown, p, serial, key, c, why))
    on_roll = sum(item[0] for item in every)  # someone among the candidates
    scored = sorted(every, key=lambda item: (-item[0], -item[1], item[2]))[: thresholds.shown]
    score, _, _, _, _, why = scored[0]
    if score >= thresholds.match and not why:
        verdict = Verdict.MATCH
    elif on_roll >= thresholds.possible:
        verdict = Verdict.POSSIBLE
    else:
        verdict = Verdict.NO_MATCH
    rounded = tuple(
        Candidate(serial, key, round(p, 4), c.evidence, c.identified, c.contradicted, why)
        for p, _, serial, key, c, why in scored
    )
    return MatchResult(verdict, rounded, notes)
