"""The evidence that a traveler is a member of the roll, each agreement weighed by its rarity.

A naive-Bayes model: every compared field contributes the log of how much likelier what was
observed is for the same person (m) than for two different people (u). For name words u is
the word's share on the roll, learnt from the roll itself: agreeing on GONZÁLEZ says little,
on a rare surname much. A member's log-odds are the sum plus the prior log(1/N) (a traveler,
on the roll or not with even odds, is one particular member of N). See docs/matching.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from muster.matching.normalize import PersonName, Surname, spelling_key
from muster.matching.words import M_EXACT, WordAgreement, compare_words

# Log-likelihood ratios of the fields that are not names (assumed error rates, documented).
LLR = {
    "cedula_exact": math.log(0.95 / 1e-7),
    "cedula_near": math.log(0.02 / 1e-5),
    "cedula_differs": math.log(0.01),
    "birth_exact": math.log(0.9 * 15_000),
    "birth_swapped": math.log(0.03 * 15_000),
    "birth_near": math.log(0.03 * 15_000 / 20),
    "birth_differs": math.log(0.001),
    "sex_differs": math.log(0.01 / 0.5),
    "given_differs": math.log(0.02),
    "second_given_differs": math.log(0.05),
    "second_given_absent": math.log(0.5),
    "surname_absent": math.log(0.01),
}
IDENTIFIERS = {"cedula_exact", "birth_exact", "birth_swapped"}
HARD = {"cedula_differs", "given_differs", "sex_differs"}


@dataclass
class NameFrequencies:
    """How many members bear each surname word and each given name word (spelling-folded)."""

    surnames: Counter[str] = field(default_factory=Counter)
    given: Counter[str] = field(default_factory=Counter)
    initials: Counter[str] = field(default_factory=Counter)
    people: int = 0

    def add(self, name: PersonName, sign: int = 1) -> None:
        """Count one member's name (sign -1 forgets it)."""
        self.people += sign
        for s in name.all_surnames:
            self.surnames[spelling_key(s.core)] += sign
        for g in set(name.given):
            self.given[spelling_key(g)] += sign
        if name.given:
            self.initials[name.given[0][0]] += sign

    @classmethod
    def of(cls, names: Iterable[PersonName]) -> NameFrequencies:
        table = cls()
        for n in names:
            table.add(n)
        return table

    def surname_share(self, word: str) -> float:
        return (self.surnames[spelling_key(word)] + 1) / (self.people + 2)

    def given_share(self, word: str) -> float:
        return (self.given[spelling_key(word)] + 1) / (self.people + 2)

    def initial_share(self, letter: str) -> float:
        return (self.initials[letter[:1]] + 1) / (self.people + 2)


@dataclass(frozen=True, slots=True)
class Identity:
    """One side of a comparison: a structured name and whatever else is known (None = missing)."""

    name: PersonName
    birth_date: date | None = None
    # `V-12345678`; `?-12345678` when the letter is unknown; `#-12345678` for a document number
    # that may be the cédula number or a passport number
    national_id: str | None = None
    sex: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One compared field: what, how it agreed, and its contribution to the log-odds."""

    field: str
    how: str
    weight: float
    kind: str = ""  # a key of LLR for the non-name facts, "" for name agreements

    def __str__(self) -> str:
        return f"{self.field} {self.how} ({self.weight:+.1f})"


_NO_AGREEMENT = WordAgreement("none", 0.0)


def name_weight(agreement: WordAgreement, share: float) -> float:
    """log(m/u): the rendering's likelihood for the same person over the word's share; an
    agreement never counts against."""
    return max(0.0, math.log(agreement.m / max(share, 1e-9)))


def _best_surname(
    t: Surname, theirs: list[Surname], used: set[int], cut: bool
) -> tuple[int, WordAgreement, str]:
    """The member's surname that traveler surname `t` agrees with best (the first of equals),
    as core words or joined with their particles; "particle" when the particles differ."""
    best_j, best = -1, _NO_AGREEMENT
    core, particle = t.core, t.particle
    joined = t.joined if particle else core
    for j, c in enumerate(theirs):
        if j in used:
            continue
        agreement = compare_words(core, c.core, cut)
        if agreement.m > best.m:
            best_j, best = j, agreement
        if particle or c.particle:  # without particles the joined words are the cores
            agreement = compare_words(joined, c.joined, cut)
            if agreement.m > best.m:
                best_j, best = j, agreement
    note = "particle" if best_j >= 0 and theirs[best_j].particle != particle else ""
    return best_j, best, note


def surname_evidence(t: PersonName, c: PersonName, freq: NameFrequencies) -> list[Evidence]:
    """Paternal and maternal surnames, in order or swapped, with particles, joined or missing."""
    theirs = list(c.all_surnames)
    if len(c.surnames) >= 2:
        theirs.append(Surname(c.surnames[0].core + c.surnames[1].core))  # written as one word
    joined_at = len(theirs) - 1 if len(c.surnames) >= 2 else -1
    used: set[int] = set()
    out: list[Evidence] = []
    for position, s in enumerate(t.surnames[:2]):
        last = t.cut and not t.given and position == len(t.surnames) - 1
        j, agreement, note = _best_surname(s, theirs, used, last)
        label = f"surname {(s.particle + ' ' + s.core).strip()}"
        if not agreement.agrees:
            out.append(
                Evidence(label, "not on the member", LLR["surname_absent"], "surname_absent")
            )
            continue
        used.add(j)
        if j == joined_at:
            used.update({0, 1})
            share = freq.surname_share(c.surnames[0].core) * freq.surname_share(c.surnames[1].core)
            out.append(Evidence(label, "both surnames joined", name_weight(agreement, share)))
            continue
        how = agreement.how
        if note:
            how += ", particle differs"
        if j < 2 and j != position:
            how += ", swapped"
        if j == len(c.surnames) and c.married is not None:
            how += ", as married name"
        out.append(Evidence(label, how, name_weight(agreement, freq.surname_share(theirs[j].core))))
    if len(t.surnames) == 1 and len(c.surnames) >= 2 and not any(j == joined_at for j in used):
        out.append(Evidence("second surname", "not shown", 0.0))
    if t.married is not None and t.married not in c.all_surnames:
        out.append(Evidence(f"married name DE {t.married.core}", "not on the roll, ignored", 0.0))
    return out


def given_evidence(t: PersonName, c: PersonName, freq: NameFrequencies) -> list[Evidence]:
    """The first given name must agree; a second may be dropped, cut or shown as an initial."""
    if not t.given or not c.given:
        return [Evidence("given names", "not shown", 0.0)] if not t.given else []
    cut_first = t.cut and len(t.given) == 1
    first = compare_words(t.given[0], c.given[0], cut_first)
    out: list[Evidence] = []
    label = f"given name {t.given[0]}"
    if not first.agrees and len(c.given) > 1:
        second = compare_words(t.given[0], c.given[1], cut_first)
        if second.agrees:
            share = freq.given_share(c.given[1])
            return [
                Evidence(label, f"{second.how}, member's second given name", math.log(0.05 / share))
            ]
    if not first.agrees:
        return [
            Evidence(label, f"differs from {c.given[0]}", LLR["given_differs"], "given_differs")
        ]
    share = (
        freq.initial_share(t.given[0]) if first.how == "initial" else freq.given_share(c.given[0])
    )
    out.append(Evidence(label, first.how, name_weight(first, share)))
    if len(t.given) > 1:
        label = f"given name {t.given[1]}"
        if len(c.given) < 2:
            out.append(Evidence(label, "not on the member", LLR["second_given_absent"]))
        else:
            second = compare_words(t.given[1], c.given[1], t.cut)
            if second.agrees:
                share = (
                    freq.initial_share(t.given[1])
                    if second.how == "initial"
                    else freq.given_share(c.given[1])
                )
                out.append(Evidence(label, second.how, min(name_weight(second, share), 6.0)))
            else:
                weight = LLR["second_given_differs"]
                out.append(Evidence(label, f"differs from {c.given[1]}", weight))
    elif len(c.given) > 1:
        out.append(Evidence(f"given name {c.given[1]}", "not shown", 0.0))
    return out


def birth_evidence(a: date | None, b: date | None) -> Evidence | None:
    """Birth dates: exact, day and month swapped, one digit differs, or different."""
    if a is None or b is None:
        return None
    if a == b:
        return Evidence("birth date", "exact", LLR["birth_exact"], "birth_exact")
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return Evidence(
            "birth date", "day and month swapped", LLR["birth_swapped"], "birth_swapped"
        )
    da, db = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(da, db, strict=True)) == 1:
        return Evidence("birth date", "one digit differs", LLR["birth_near"], "birth_near")
    return Evidence(
        "birth date", f"differs ({b.isoformat()})", LLR["birth_differs"], "birth_differs"
    )


def cedula_evidence(a: str | None, b: str | None) -> Evidence | None:
    """Cédulas compared by number (a missing letter agrees with either)."""
    if a is None or b is None:
        return None
    la, _, da = a.partition("-")
    lb, _, db = b.partition("-")
    if da == db and (la == lb or {"?", "#"} & {la, lb}):
        how = "exact, as the document number" if "#" in (la, lb) else "exact"
        return Evidence("cédula", how, LLR["cedula_exact"], "cedula_exact")
    if "#" in (la, lb):
        return None  # a document number that is not the cédula may be a passport number
    if len(da) == len(db) and sum(x != y for x, y in zip(da, db, strict=True)) == 1:
        return Evidence("cédula", "one digit differs", LLR["cedula_near"], "cedula_near")
    return Evidence("cédula", f"differs ({b})", LLR["cedula_differs"], "cedula_differs")


@dataclass(frozen=True, slots=True)
class Comparison:
    """All the evidence for one traveler–member pair and its log-odds."""

    log_odds: float
    evidence: tuple[Evidence, ...]

    @property
    def identified(self) -> bool:
        """A cédula or birth date agrees, and so does a name: neither alone identifies a person."""
        named = any(not e.kind and e.weight > 0 for e in self.evidence)
        return named and any(e.kind in IDENTIFIERS for e in self.evidence)

    @property
    def excluded(self) -> bool:
        """Shown facts rule the member out: a wholly different birth date or first given name
        with no cédula agreeing, or a different cédula with no birth date agreeing."""
        kinds = {e.kind for e in self.evidence}
        if kinds & {"birth_differs", "given_differs"} and "cedula_exact" not in kinds:
            return True
        births = {"birth_exact", "birth_swapped", "birth_near"}
        return "cedula_differs" in kinds and not kinds & births

    @property
    def contradicted(self) -> bool:
        """A different cédula, first given name or sex: another person, however close."""
        return any(e.kind in HARD for e in self.evidence)


def compare(traveler: Identity, member: Identity, freq: NameFrequencies) -> Comparison:
    """The evidence that traveler and member are one person (prior included)."""
    evidence = [
        *given_evidence(traveler.name, member.name, freq),
        *surname_evidence(traveler.name, member.name, freq),
    ]
    for extra in (
        cedula_evidence(traveler.national_id, member.national_id),
        birth_evidence(traveler.birth_date, member.birth_date),
    ):
        if extra is not None:
            evidence.append(extra)
    if traveler.sex and member.sex and traveler.sex != member.sex:
        evidence.append(Evidence("sex", "differs", LLR["sex_differs"], "sex_differs"))
    prior = math.log(1 / max(freq.people, 1))
    return Comparison(prior + sum(e.weight for e in evidence), tuple(evidence))


__all__ = ["M_EXACT", "Comparison", "Evidence", "Identity", "NameFrequencies", "compare"]
