"""Scoring a candidate against a traveler: each agreement weighed by how much evidence it is.

A score is the probability, under a simple naive-Bayes model, that candidate and traveler are
the same person: prior log-odds plus, for each field, the log of how much likelier the
observed agreement is for the same person than for two random people. Agreeing on GONZÁLEZ
says little (many people share it); agreeing on a rare surname, a cédula or a birth date says
a lot; a disagreement on a field both sides show counts against. Name frequencies come from
the roll itself (`NameFrequencies`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from muster.names.keys import compare_words
from muster.names.normalize import PersonName, spelling_key

PRIOR_LOG_ODDS = math.log(1 / 50_000)  # a random traveler against one random member
MATCH, POSSIBLE = 0.95, 0.40  # verdict thresholds on the score (see docs)
LLR = {  # log-likelihood ratios of non-name fields (assumed error rates, documented)
    "cedula_match": math.log(0.97 / 1e-6),
    "cedula_mismatch": math.log(0.03 / 1.0),
    "birth_exact": math.log(0.95 / (1 / 15_000)),
    "birth_swapped": math.log(0.02 / (1 / 15_000)),
    "birth_near": math.log(0.02 / (10 / 15_000)),
    "birth_mismatch": math.log(0.01 / 1.0),
    "sex_mismatch": math.log(0.01 / 0.5),
    "given_mismatch": math.log(0.05 / 1.0),
    "surname_mismatch": math.log(0.03 / 1.0),
}


@dataclass
class NameFrequencies:
    """How common each surname and given name is on the roll."""

    surnames: Counter[str] = field(default_factory=Counter)
    given: Counter[str] = field(default_factory=Counter)
    people: int = 0

    def add(self, name: PersonName) -> None:
        self.people += 1
        for s in name.surnames:
            self.surnames[spelling_key(s.core)] += 1
        for g in name.given[:1]:
            self.given[spelling_key(g)] += 1

    @classmethod
    def of(cls, names: Iterable[PersonName]) -> NameFrequencies:
        table = cls()
        for n in names:
            table.add(n)
        return table

    def surname_share(self, word: str) -> float:
        return (self.surnames[spelling_key(word)] + 1) / (self.people + 1)

    def given_share(self, word: str) -> float:
        return (self.given[spelling_key(word)] + 1) / (self.people + 1)


@dataclass(frozen=True)
class Identity:
    """One side of a comparison: a name, and what else is known."""

    name: PersonName
    birth_date: date | None = None
    national_id: str | None = None
    sex: str | None = None


@dataclass(frozen=True)
class Feature:
    """One piece of evidence: what was compared, how it agreed, what it contributed."""

    field: str
    how: str
    weight: float

    def __str__(self) -> str:
        return f"{self.field} {self.how} ({self.weight:+.1f})"


@dataclass(frozen=True)
class Scored:
    """A candidate's score in [0, 1], its verdict and the evidence behind it."""

    score: float
    verdict: str
    features: tuple[Feature, ...]


def birth_feature(a: date | None, b: date | None) -> Feature | None:
    if a is None or b is None:
        return None
    if a == b:
        return Feature("birth_date", "exact", LLR["birth_exact"])
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return Feature("birth_date", "day and month swapped", LLR["birth_swapped"])
    da, db = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(da, db, strict=True)) == 1:
        return Feature("birth_date", "one digit differs", LLR["birth_near"])
    return Feature("birth_date", "differs", LLR["birth_mismatch"])


def surname_features(t: PersonName, c: PersonName, freq: NameFrequencies) -> list[Feature]:
    """Paternal and maternal surnames, in order or swapped, with particles and spellings."""
    mine = [s for s in t.surnames] + ([t.married] if t.married else [])
    theirs = [s for s in c.surnames] + ([c.married] if c.married else [])
    used: set[int] = set()
    out: list[Feature] = []
    for position, s in enumerate(mine[:2]):
        best, best_j = None, -1
        for j, other in enumerate(theirs):
            if j in used:
                continue
            agreement = compare_words(s.core, other.core)
            if agreement.agrees and (best is None or agreement.strength > best.strength):
                best, best_j = agreement, j
        if best is None:
            out.append(
                Feature(f"surname {s.full}", "not on the candidate", LLR["surname_mismatch"])
            )
            continue
        used.add(best_j)
        weight = best.strength * -math.log(freq.surname_share(s.core))
        how = best.how + (" (swapped)" if best_j != position and best_j < 2 else "")
        out.append(Feature(f"surname {s.full}", how, weight))
    return out


def given_features(t: PersonName, c: PersonName, freq: NameFrequencies) -> list[Feature]:
    """First given name must agree; a second one may be dropped or cut to an initial."""
    if not t.given or not c.given:
        return []
    first = compare_words(t.given[0], c.given[0])
    if not first.agrees:
        return [
            Feature(f"given name {t.given[0]}", f"differs from {c.given[0]}", LLR["given_mismatch"])
        ]
    out = [
        Feature(
            f"given name {t.given[0]}",
            first.how,
            first.strength * -math.log(freq.given_share(t.given[0])),
        )
    ]
    if len(t.given) > 1 and len(c.given) > 1:
        second = compare_words(t.given[1], c.given[1])
        weight = 1.0 * second.strength if second.agrees else LLR["given_mismatch"] / 2
        out.append(Feature(f"given name {t.given[1]}", second.how, weight))
    return out


def score(traveler: Identity, candidate: Identity, freq: NameFrequencies) -> Scored:
    """The evidence that traveler and candidate are one person, as a score and verdict."""
    features = [
        *surname_features(traveler.name, candidate.name, freq),
        *given_features(traveler.name, candidate.name, freq),
    ]
    if traveler.national_id and candidate.national_id:
        same = traveler.national_id == candidate.national_id
        features.append(
            Feature(
                "cédula",
                "exact" if same else "differs",
                LLR["cedula_match" if same else "cedula_mismatch"],
            )
        )
    birth = birth_feature(traveler.birth_date, candidate.birth_date)
    if birth is not None:
        features.append(birth)
    if traveler.sex and candidate.sex and traveler.sex != candidate.sex:
        features.append(Feature("sex", "differs", LLR["sex_mismatch"]))
    log_odds = PRIOR_LOG_ODDS + sum(f.weight for f in features)
    probability = 1 / (1 + math.exp(-max(min(log_odds, 50), -50)))
    verdict = (
        "match" if probability >= MATCH else "possible" if probability >= POSSIBLE else "no_match"
    )
    if verdict == "match" and any(hard_disagreement(f) for f in features):
        verdict = "possible"  # a twin, a namesake: never enough to act on
    return Scored(round(probability, 4), verdict, tuple(features))


def hard_disagreement(f: Feature) -> bool:
    """A difference that says another person: a different cédula or first given name."""
    return f.how.startswith("differs") and (f.field == "cédula" or f.field.startswith("given name"))
