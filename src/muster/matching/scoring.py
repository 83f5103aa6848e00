"""The evidence that a traveler is a member of the roll, each agreement weighed by its rarity.

A naive-Bayes model: every compared field contributes the log of how much likelier what was
observed is for the same person (m) than for two different people (u). For name words u is
the word's share on the roll, learnt from the roll itself: agreeing on GONZÁLEZ says little,
on a rare surname much. A member's log-odds are the sum plus the prior log(1/N) (a traveler,
on the roll or not with even odds, is one particular member of N). See docs/matching.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from muster.matching.evidence import Evidence, Field, Kind
from muster.matching.frequencies import AttributeFrequencies, NameFrequencies
from muster.matching.near import date_digits, near
from muster.matching.normalize import MonthFirstDate, PersonName, Surname, spelling_key
from muster.matching.words import (
    M_EXACT,
    HowAgreed,
    WordAgreement,
    compare_words,
    edit_distance,
)

# Log-likelihood ratios of the fields that are not names (assumed error rates, documented in
# docs/matching.md). A contradiction is evidence like any other, never proof on its own.
LLR = {
    "cedula_exact": math.log(0.95 / 3e-8),  # about 30 million cédulas issued
    "cedula_near": math.log(0.02 / 1e-5),  # one digit differs, or two adjacent digits swapped
    "cedula_differs": math.log(0.002),
    "birth_exact": math.log(0.9 * 15_000),
    "birth_sibling": math.log(0.9 / 0.03),  # exact, but the first given name differs: a twin's
    "birth_swapped": math.log(0.03 * 15_000),
    "birth_near": math.log(0.03 * 15_000 / 20),  # one digit, or two adjacent digits swapped
    "birth_differs": math.log(0.001),
    "sex_differs": math.log(0.01 / 0.5),
    "given_differs": math.log(0.01),
    "given_unclear": 0.0,  # two slips in a short name, or a typo that is another roll name
    "second_given_differs": math.log(0.05),
    "second_given_absent": math.log(0.5),
    "surname_absent": math.log(0.01),
    "swap": math.log(0.02),  # fields exchanged: given names as surnames (see `_exchange_weight`)
}
# Name words are not independent. A full name is shared by namesakes (a son named after his
# father, a child after an uncle) far more often than its words' shares multiply to: a stranger
# bears a member's full name at least as often as one person in the population the roll is
# drawn from (assumed NAMESAKE_POPULATION times the roll), so the name words add at most
# log(M_EXACT * NAMESAKE_POPULATION * N). And a member's surnames are borne by their family:
# when the first given name does not agree, the surnames add at most log(N) - FAMILY, as if
# e^FAMILY (about 20) brothers, sisters and cousins shared them.
NAMESAKE_POPULATION = 15
FAMILY = 3.0
IDENTIFIERS = {Kind.CEDULA_EXACT, Kind.BIRTH_EXACT, Kind.BIRTH_SWAPPED}
# Facts that say another person: weighed in the score, and a `match` then needs the cédula.
CONTRADICTIONS = {Kind.CEDULA_DIFFERS, Kind.GIVEN_DIFFERS, Kind.SEX_DIFFERS, Kind.BIRTH_DIFFERS}
UNCONFIRMED_GIVEN = {Kind.GIVEN_DIFFERS, Kind.GIVEN_UNCLEAR, Kind.SEX_DIFFERS}
ATTRIBUTE_KINDS = {Kind.ATTRIBUTE_AGREES, Kind.ATTRIBUTE_DIFFERS}
# Other identifying attributes (`Member.attributes`: a place of birth, an address, a postcode):
# m, how often the same person's two records agree on one, unless given per attribute. An
# attribute recorded twice for one person differs when it was mistyped (1-2%) or changed in
# between (a move, for an address): assumed one record in ten.
M_ATTRIBUTE = 0.9


@dataclass(frozen=True, slots=True)
class Identity:
    """One side of a comparison: a structured name and whatever else is known (None = missing)."""

    name: PersonName
    birth_date: date | None = None
    # `V-12345678`; `?-12345678` when the letter is unknown; `#-12345678` for a document number
    # that may be the cédula number or a passport number
    national_id: str | None = None
    sex: str | None = None
    # other identifying attributes, (name, value as `normalize.attribute_value`), sorted by
    # name, blank values left out
    attributes: tuple[tuple[str, str], ...] = ()
    # where a `#-` cédula was read: the document number's field ("zone's personal number")
    national_id_from: str = "document number"


AS_SECOND = ", member's second given name"  # text only: the kind is `Kind.GIVEN_AS_SECOND`
_FIRST_GIVEN = (Field.GIVEN_NAME, Field.GIVEN_NAMES)  # the first given name's evidence
_SLIPS = (HowAgreed.TYPO, HowAgreed.SOUND)  # a word agreeing by a slip


def _surname_agrees(evidence: Iterable[Evidence]) -> bool:
    """Some surname agrees."""
    return any(e.field is Field.SURNAME and e.name_agrees for e in evidence)


def _not_first_given(e: Evidence) -> bool:
    """The first given name does not agree as the member's first: another name, two slips, the
    member's second given name. What a brother or sister shows too."""
    return e.kind in UNCONFIRMED_GIVEN or e.kind is Kind.GIVEN_AS_SECOND


_NO_AGREEMENT = WordAgreement(HowAgreed.NONE, 0.0)


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


def slip_share(m: float, theirs: float, shown: float) -> float:
    """The share u (in log(m/u)) of a word that agrees by a typo or by sound: a stranger shows
    this rendering when they bear the member's word and render it the same way (as often,
    against writing it right, as the member: m / M_EXACT), or when they bear the word as shown.
    A slip that makes no name on the roll then weighs nearly what the word itself does (a rare
    one, at most about log(m · N)); one that makes another common name, little."""
    return m * theirs / M_EXACT + shown


def _surname_share(agreement: WordAgreement, word: str, shown: str, freq: NameFrequencies) -> float:
    """The share of the surname as agreed: a cut word says only what its first letters say."""
    if agreement.how is HowAgreed.CUT:
        return freq.prefix_share(shown, given=False)
    if agreement.how in _SLIPS:
        return slip_share(agreement.m, freq.surname_share(word), freq.surname_share(shown))
    return freq.surname_share(word)


def surname_evidence(t: PersonName, c: PersonName, freq: NameFrequencies) -> list[Evidence]:
    """Paternal and maternal surnames, in order or swapped, with particles, joined or missing;
    a married woman's `DE <husband>` on either side; one surname written in two words
    (`SATTE RLEY`)."""
    out = _surnames(t, c, freq)
    if len(t.surnames) >= 2 and any(e.kind is Kind.SURNAME_ABSENT for e in out[:2]):
        first, second = t.surnames[0], t.surnames[1]
        joined = Surname(first.core + second.core, first.particle)
        if not any(
            m.core[:1] == joined.core[:1]
            and abs(len(m.core) - len(joined.core)) <= 2
            and compare_words(joined.core, m.core).agrees
            for m in c.surnames
        ):
            return out
        one = PersonName(t.given, (joined, *t.surnames[2:]), t.married, t.mrz, t.cut)
        other = _surnames(one, c, freq)
        if other[0].kind is not Kind.SURNAME_ABSENT and sum(e.weight for e in other) > sum(
            e.weight for e in out
        ):
            head = other[0]
            label = f"surname {(first.particle + ' ' + first.core).strip()} {second.core}"
            other[0] = Evidence(
                Field.SURNAME, label, head.how + ", written in two words", head.weight
            )
            return other
    return out


def _surnames(t: PersonName, c: PersonName, freq: NameFrequencies) -> list[Evidence]:
    theirs = list(c.all_surnames)
    married_at = len(c.surnames) if c.married is not None else -1
    joined_at: set[int] = set()  # both surnames written as one word, with particles or not
    if len(c.surnames) >= 2:
        first, second = c.surnames[0], c.surnames[1]
        joined_at.add(len(theirs))
        theirs.append(Surname(first.core + second.core))
        if first.particle or second.particle:  # PENADELACRUZ
            joined_at.add(len(theirs))
            theirs.append(Surname(first.joined + second.joined))
    used: set[int] = set()
    out: list[Evidence] = []
    shown = t.surnames[:2]
    for position, s in enumerate(shown):
        last = t.cut and not t.given and position == len(t.surnames) - 1
        j, agreement, note = _best_surname(s, theirs, used, last)
        label = f"surname {(s.particle + ' ' + s.core).strip()}"
        if not agreement.agrees:
            weight, absent = LLR["surname_absent"], Kind.SURNAME_ABSENT
            out.append(Evidence(Field.SURNAME, label, "not on the member", weight, absent))
            continue
        used.add(j)
        if j in joined_at:
            used.update({0, 1})
            share = freq.surname_share(c.surnames[0].core) * freq.surname_share(c.surnames[1].core)
            out.append(
                Evidence(
                    Field.SURNAME, label, "both surnames joined", name_weight(agreement, share)
                )
            )
            continue
        how = agreement.how.value
        if note:
            how += ", particle differs"
        if j < 2 and j != position:
            how += ", swapped" if len(shown) > 1 else ", the member's second surname"
        if j == married_at:
            how += ", as married name"
        share = _surname_share(agreement, theirs[j].core, s.core, freq)
        out.append(Evidence(Field.SURNAME, label, how, name_weight(agreement, share)))
    if len(shown) == 1 and len(c.surnames) >= 2 and not used & joined_at:
        missing = "first" if 1 in used else "second"
        out.append(Evidence(Field.SURNAME, f"{missing} surname", "not shown", 0.0))
    married = _married_evidence(t, c, freq, married_at in used)
    if married is not None:
        out.append(married)
    return out


def _married_evidence(
    t: PersonName, c: PersonName, freq: NameFrequencies, used: bool
) -> Evidence | None:
    """A married woman's `DE <husband>`: agreeing on both sides, shown on one side only."""
    if t.married is not None:
        label = f"married name DE {t.married.core}"
        if c.married is None:
            return Evidence(Field.MARRIED_NAME, label, "not on the roll, ignored", 0.0)
        agreement = compare_words(t.married.core, c.married.core)
        if not agreement.agrees:
            how = f"differs from DE {c.married.core}, ignored"
            return Evidence(Field.MARRIED_NAME, label, how, 0.0)
        share = freq.surname_share(c.married.core)
        return Evidence(
            Field.MARRIED_NAME, label, agreement.how.value, name_weight(agreement, share)
        )
    if c.married is not None and not used:
        return Evidence(Field.MARRIED_NAME, f"married name DE {c.married.core}", "not shown", 0.0)
    return None


def _unclear_slips(shown: str, theirs: str, freq: NameFrequencies) -> bool:
    """Two slips in a short name (`JSESS` for JESÚS, `ELAINA` for ELENA): first and last letters
    kept, and not itself a given name on the roll (JOSUÉ is another name, not JESÚS mistyped)."""
    if min(len(shown), len(theirs)) > 5 or min(len(shown), len(theirs)) < 3:
        return False
    if shown[0] != theirs[0] or shown[-1] != theirs[-1]:
        return False
    return freq.given[spelling_key(shown)] == 0 and edit_distance(shown, theirs, 3) == 2


def _given_share(freq: NameFrequencies, agreement: WordAgreement, shown: str, theirs: str) -> float:
    """How common what agreed is: the initial shown, the prefix a cut name shows, a slip
    (`slip_share`), or the member's given name."""
    if agreement.how is HowAgreed.INITIAL:
        return freq.initial_share(shown)
    if agreement.how is HowAgreed.CUT:
        return freq.prefix_share(shown, given=True)
    if agreement.how in _SLIPS:
        return slip_share(agreement.m, freq.given_share(theirs), freq.given_share(shown))
    return freq.given_share(theirs)


def given_evidence(t: PersonName, c: PersonName, freq: NameFrequencies) -> list[Evidence]:
    """The first given name should agree; a second may be dropped, cut or shown as an initial; a
    name written in two words (`ISABE LLA`) is read as one."""
    if not t.given or not c.given:
        return [Evidence(Field.GIVEN_NAMES, "given names", "not shown", 0.0)] if not t.given else []
    shown, split = t.given, ""
    cut_first = t.cut and len(shown) == 1
    first = compare_words(shown[0], c.given[0], cut_first)
    if not first.agrees and len(shown) > 1:
        joined = compare_words(shown[0] + shown[1], c.given[0], t.cut and len(shown) == 2)
        if joined.agrees and joined.how is not HowAgreed.INITIAL:
            split = f"{shown[0]} {shown[1]}"
            shown, first = (shown[0] + shown[1], *shown[2:]), joined
            cut_first = t.cut and len(shown) == 1
    label = f"given name {split or shown[0]}"
    written = ", written in two words" if split else ""
    if not first.agrees and len(c.given) > 1:
        second = compare_words(shown[0], c.given[1], cut_first)
        if second.agrees:
            share = freq.given_share(c.given[1])
            how = second.how + AS_SECOND
            weight = math.log(0.05 / share)
            return [Evidence(Field.GIVEN_NAME, label, how, weight, Kind.GIVEN_AS_SECOND)]
    if not first.agrees:
        if _unclear_slips(shown[0], c.given[0], freq):
            how = f"two slips from {c.given[0]}? neither agrees nor differs"
            return [
                Evidence(Field.GIVEN_NAME, label, how, LLR["given_unclear"], Kind.GIVEN_UNCLEAR)
            ]
        how = f"differs from {c.given[0]}"
        return [Evidence(Field.GIVEN_NAME, label, how, LLR["given_differs"], Kind.GIVEN_DIFFERS)]
    if first.how is HowAgreed.TYPO and freq.given[spelling_key(shown[0])] > 0:
        # YORDAN for YORMAN: a brother's name as likely as a slip
        how = f"typo of {c.given[0]}, but itself a given name on the roll"
        return [Evidence(Field.GIVEN_NAME, label, how, LLR["given_unclear"], Kind.GIVEN_UNCLEAR)]
    out: list[Evidence] = []
    share = _given_share(freq, first, shown[0], c.given[0])
    out.append(Evidence(Field.GIVEN_NAME, label, first.how + written, name_weight(first, share)))
    if len(shown) > 1:
        label = f"given name {shown[1]}"
        if len(c.given) < 2:
            weight = LLR["second_given_absent"]
            out.append(Evidence(Field.SECOND_GIVEN_NAME, label, "not on the member", weight))
        else:
            second = compare_words(shown[1], c.given[1], t.cut)
            if second.agrees:
                share = _given_share(freq, second, shown[1], c.given[1])
                weight = min(name_weight(second, share), 6.0)
                out.append(Evidence(Field.SECOND_GIVEN_NAME, label, second.how.value, weight))
            else:
                weight = LLR["second_given_differs"]
                how = f"differs from {c.given[1]}"
                out.append(Evidence(Field.SECOND_GIVEN_NAME, label, how, weight))
    elif len(c.given) > 1:
        out.append(Evidence(Field.SECOND_GIVEN_NAME, f"given name {c.given[1]}", "not shown", 0.0))
    return out


def birth_evidence(a: date | None, b: date | None) -> Evidence | None:
    """Birth dates: exact, day and month swapped, one digit or two adjacent digits off, or
    different. A date the traveler wrote month first (`05/14/1987`) is read swapped."""
    if a is None or b is None:
        return None
    if a == b:
        if isinstance(a, MonthFirstDate):
            return _birth("day and month swapped (written month first)", Kind.BIRTH_SWAPPED)
        return _birth("exact", Kind.BIRTH_EXACT)
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return _birth("day and month swapped", Kind.BIRTH_SWAPPED)
    found = near(date_digits(a), date_digits(b))
    if found is not None:
        return _birth(found.value, Kind.BIRTH_NEAR)
    return _birth(f"differs ({b.isoformat()})", Kind.BIRTH_DIFFERS)


def _birth(how: str, kind: Kind) -> Evidence:
    return Evidence(Field.BIRTH_DATE, "birth date", how, LLR[kind], kind)


def _cedula(how: str, kind: Kind) -> Evidence:
    return Evidence(Field.CEDULA, "cédula", how, LLR[kind], kind)


def cedula_evidence(
    a: str | None, b: str | None, read_from: str = "document number"
) -> Evidence | None:
    """Cédulas compared by number (a missing letter agrees with either); `read_from` names
    the field a document number that is the cédula was read from."""
    if a is None or b is None:
        return None
    la, _, da = a.partition("-")
    lb, _, db = b.partition("-")
    if da == db and (la == lb or {"?", "#"} & {la, lb}):
        how = f"exact, as the {read_from}" if "#" in (la, lb) else "exact"
        return _cedula(how, Kind.CEDULA_EXACT)
    if "#" in (la, lb):
        return None  # a document number that is not the cédula may be a passport number
    found = near(da, db)
    if found is not None:
        return _cedula(found.value, Kind.CEDULA_NEAR)
    return _cedula(f"differs ({b})", Kind.CEDULA_DIFFERS)


def attribute_evidence(
    traveler: tuple[tuple[str, str], ...],
    member: tuple[tuple[str, str], ...],
    values: AttributeFrequencies,
    m: Mapping[str, float] | None = None,
) -> list[Evidence]:
    """Other identifying attributes carried on both sides under the same name, the
    Fellegi-Sunter way: agreeing adds log(m / u), u the share of the roll's members carrying
    the member's value (learnt from the roll); differing adds log((1 - m) / (1 - u)). m is
    `M_ATTRIBUTE` unless given for the attribute. An agreement never counts against, nor a
    difference for; a difference is no contradiction (people move)."""
    if not traveler or not member:
        return []
    theirs = dict(member)
    out: list[Evidence] = []
    for name, shown in traveler:
        value = theirs.get(name)
        if value is None:
            continue
        rate = (m or {}).get(name, M_ATTRIBUTE)
        u = values.share(name, value)
        label = f"attribute {name}"
        if shown == value:
            weight = max(0.0, math.log(rate / u))
            out.append(Evidence(Field.ATTRIBUTE, label, "agrees", weight, Kind.ATTRIBUTE_AGREES))
        else:
            weight = min(0.0, math.log((1 - rate) / (1 - min(u, 0.999))))
            how = f"differs ({value})"
            out.append(Evidence(Field.ATTRIBUTE, label, how, weight, Kind.ATTRIBUTE_DIFFERS))
    return out


@dataclass(frozen=True, slots=True)
class Comparison:
    """All the evidence for one traveler–member pair and its log-odds."""

    log_odds: float
    evidence: tuple[Evidence, ...]

    @property
    def named(self) -> bool:
        """Some name word agrees."""
        return any(e.name_agrees for e in self.evidence)

    @property
    def full_name(self) -> bool:
        """The first given name agrees (as the member's first) and so does a surname."""
        given = next((e for e in self.evidence if e.field in _FIRST_GIVEN), None)
        if given is None or given.kind is not Kind.NAME or given.weight <= 0:
            return False
        return _surname_agrees(self.evidence)

    @property
    def attributes_identify(self) -> bool:
        """The other identifying attributes together say at least what an exact birth date
        says (their weights, agreeing and differing, sum to `LLR["birth_exact"]` or more): a
        stranger bearing the member's name would share them only by chance. A relative living
        with the member may share them all the same."""
        weight = sum(e.weight for e in self.evidence if e.kind in ATTRIBUTE_KINDS)
        return weight >= LLR["birth_exact"]

    @property
    def identified(self) -> bool:
        """A cédula or birth date agrees, and so does a name: neither alone identifies a person;
        or both the cédula and the birth date agree, whatever the name. A cédula one digit off
        or with two adjacent digits swapped identifies with the full name (first given name and
        a surname): a namesake's cédula is any other number, a sibling's bears another name.
        Other identifying attributes as telling as a birth date (`attributes_identify`) also
        identify with a name: they rule out a namesake who is a stranger."""
        kinds = {e.kind for e in self.evidence}
        if self.named:
            return (
                bool(kinds & IDENTIFIERS)
                or (Kind.CEDULA_NEAR in kinds and self.full_name)
                or (bool(kinds & ATTRIBUTE_KINDS) and self.attributes_identify)
            )
        return Kind.CEDULA_EXACT in kinds and bool(kinds & {Kind.BIRTH_EXACT, Kind.BIRTH_SWAPPED})

    @property
    def contradicted(self) -> bool:
        """A shown fact says another person: a different cédula, birth date, first given name
        or sex (weighed in the score like any other evidence)."""
        return any(e.kind in CONTRADICTIONS for e in self.evidence)

    @property
    def unconfirmed(self) -> str:
        """Why this member cannot be a `match` whatever the score ("" when they can): a name
        alone never identifies a person; a first given name that does not agree (a relative
        may share the surnames and even the birth date), a different sex or birth date need the
        cédula; a different cédula needs the exact birth date (or other attributes as telling:
        both rule out a namesake with their own cédula). What a relative shows (another first
        given name, another birth date) still needs the cédula: a relative may share the
        member's address."""
        kinds = {e.kind for e in self.evidence}
        attributes = bool(kinds & ATTRIBUTE_KINDS)
        if not self.identified:
            if self.named:
                if attributes:
                    return "name only: neither cédula, birth date nor other attributes confirm it"
                return "name only: neither cédula nor birth date confirms it"
            return "no name agrees, and the cédula and birth date do not both agree"
        if Kind.CEDULA_EXACT in kinds:
            return ""
        if kinds & UNCONFIRMED_GIVEN:
            return "the first given name does not agree and no exact cédula confirms it"
        if Kind.BIRTH_DIFFERS in kinds:
            return "the birth date differs and no exact cédula confirms it"
        if Kind.CEDULA_DIFFERS in kinds and Kind.BIRTH_EXACT not in kinds:
            if attributes and self.attributes_identify:
                return ""
            if attributes:
                return (
                    "the cédula differs and neither the birth date nor other attributes confirm it"
                )
            return "the cédula differs and the birth date does not agree exactly"
        return ""


def _swapped(name: PersonName) -> PersonName:
    """The name with its fields exchanged: given names written as surnames and the reverse."""
    given = tuple(s.core for s in name.surnames)
    return PersonName(given, tuple(Surname(g) for g in name.given), name.married)


def _exchanged(traveler: PersonName, member: PersonName) -> bool:
    """A word of one of the traveler's fields agrees with the member's word of the other: the
    first given name with a surname, or a surname with the first given name (the other field
    may have been changed too, or written in two words)."""
    if not traveler.given or not traveler.surnames or not member.given or not member.surnames:
        return False
    first = member.given[0]
    if any(
        s.core[:1] == first[:1] and compare_words(s.core, first).agrees for s in traveler.surnames
    ):
        return True
    shown = traveler.given[0]
    return any(
        m.core[:1] == shown[:1] and compare_words(shown, m.core).agrees for m in member.surnames
    )


def _exchange_weight(traveler: PersonName, freq: NameFrequencies) -> float:
    """What reading the fields exchanged costs: log(m / (m + r)), m the rate of exchanges
    (`LLR["swap"]`), r how much more often people bear the name as written (its first given
    name as a given name, its first surname as a surname) than read exchanged. Nobody bears
    `GAWTHROP` as a given name: the exchange is the only reading and costs little; given name
    CRUZ and surname LEON are both common: the exchange costs log(m) or more."""
    given, surname = traveler.given[0], traveler.surnames[0].core
    as_written = freq.given_share(given) * freq.surname_share(surname)
    exchanged = freq.given_share(surname) * freq.surname_share(given)
    rate = math.exp(LLR["swap"])
    return math.log(rate / (rate + as_written / exchanged))


def _names(
    traveler: PersonName, member: PersonName, freq: NameFrequencies, family: bool = True
) -> list[Evidence]:
    """Given names and surnames; read with the fields exchanged when that agrees far better;
    the name words' total capped for namesakes and, without the first given name, for family
    (unless `family` is False: the exact cédula rules a relative out)."""
    given = given_evidence(traveler, member, freq)
    surnames = surname_evidence(traveler, member, freq)
    if given and given[0].kind is Kind.GIVEN_DIFFERS and _exchanged(traveler, member):
        swapped = _swapped(traveler)
        other = given_evidence(swapped, member, freq)
        other_surnames = surname_evidence(swapped, member, freq)
        before = sum(e.weight for e in (*given, *surnames))
        cost = _exchange_weight(traveler, freq)
        after = sum(e.weight for e in (*other, *other_surnames)) + cost
        if after > before:
            how = "written in each other's fields"
            other.append(
                Evidence(Field.NAME_FIELDS, "given names and surnames", how, cost, Kind.SWAP)
            )
            given, surnames = other, other_surnames
    people = max(freq.people, 1)
    evidence = [*given, *surnames]
    if family and given and _not_first_given(given[0]):
        agreeing = sum(e.weight for e in surnames if e.name_agrees)
        cap = max(math.log(people) - FAMILY, 0.0)
        if agreeing > cap:
            how = f"capped at {cap:+.1f} without the member's first given name: a family bears them"
            capped = Evidence(Field.SURNAMES, "surnames", how, cap - agreeing, Kind.FAMILY_CAP)
            evidence.append(capped)
        return evidence
    named = sum(e.weight for e in evidence if e.name_agrees)
    cap = math.log(M_EXACT * NAMESAKE_POPULATION * people)
    if named > cap:
        how = f"capped at {cap:+.1f}: namesakes share full names more than their words say"
        evidence.append(Evidence(Field.FULL_NAME, "full name", how, cap - named, Kind.NAME_CAP))
    return evidence


def compare(
    traveler: Identity,
    member: Identity,
    freq: NameFrequencies,
    values: AttributeFrequencies | None = None,
    m: Mapping[str, float] | None = None,
) -> Comparison:
    """The evidence that traveler and member are one person (prior included); other
    identifying attributes weighed by `values` (`attribute_evidence`, m by attribute name)."""
    cedula = cedula_evidence(traveler.national_id, member.national_id, traveler.national_id_from)
    # Another first given name with the member's surnames (and birth date) is what a relative
    # shows; a relative carries their own cédula, so with the member's exact cédula the other
    # person would be a stranger holding that number by a slip: no family cap, no twin.
    family = cedula is None or cedula.kind is not Kind.CEDULA_EXACT
    evidence = _names(traveler.name, member.name, freq, family)
    if cedula is not None:
        evidence.append(cedula)
    birth = birth_evidence(traveler.birth_date, member.birth_date)
    if birth is not None:
        if (
            family
            and birth.kind is Kind.BIRTH_EXACT
            and evidence
            and _not_first_given(evidence[0])
            and _surname_agrees(evidence)
        ):
            # Another first given name, the same surnames and birth date: what a twin shows.
            how = "exact, as a twin's would be (not the member's first given name)"
            birth = Evidence(
                Field.BIRTH_DATE, "birth date", how, LLR["birth_sibling"], Kind.BIRTH_EXACT
            )
        evidence.append(birth)
    if traveler.sex and member.sex and traveler.sex != member.sex:
        sex = Evidence(Field.SEX, "sex", "differs", LLR["sex_differs"], Kind.SEX_DIFFERS)
        evidence.append(sex)
    if traveler.attributes and member.attributes:
        found = values if values is not None else AttributeFrequencies()
        evidence.extend(attribute_evidence(traveler.attributes, member.attributes, found, m))
    prior = math.log(1 / max(freq.people, 1))
    return Comparison(prior + sum(e.weight for e in evidence), tuple(evidence))


__all__ = [
    "FAMILY",
    "LLR",
    "M_ATTRIBUTE",
    "M_EXACT",
    "NAMESAKE_POPULATION",
    "Comparison",
    "Identity",
    "attribute_evidence",
    "compare",
]
