"""Properties of the matcher: a member is found under any rendering the normaliser claims to
handle, among people easily confused with them, and matching is deterministic.

Names come from the synthetic population's tables (common and tail surnames, given names,
invented given names) and from random letters. Renderings combine: accents dropped, case, Ñ as
N or NN, Ü as U or UE, the machine-readable zone (in one or two fields, with OCR digits, cut at
the field's length), particles joined, half joined or dropped, surnames joined by a hyphen or
nothing, swapped or the second missing, a second given name dropped or an initial, a married
woman's `DE <husband>`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from muster.demo import names_data as nd
from muster.demo.travelers import one_digit_wrong
from muster.matching import Matcher, Member, Traveler, Verdict
from muster.matching.normalize import fold
from muster.matching.scoring import IDENTIFIERS

# Fixed and derandomised: the same examples on every run, quick enough for the unit suite.
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

GIVEN = sorted({n for n, _ in (*nd.MALE_GIVEN, *nd.FEMALE_GIVEN) if " " not in n})
INVENTED = sorted(
    {h + t for h in nd.INVENTED_HEADS for t in (*nd.INVENTED_TAILS_F, *nd.INVENTED_TAILS_M)}
)
# One-word surnames; particles (`DE LA CRUZ`) are drawn apart, as the roll structures them.
# Surnames with Ü (GÜE, GÜI: the only places Spanish writes it) are added; the tables have none.
SURNAMES = sorted(
    {s for s in (*nd.TOP_SURNAMES, *nd.TAIL_SURNAMES) if " " not in s}
    | {"ARGÜELLO", "AGÜERO", "GÜERE", "SIGÜENZA"}
)
PARTICLES = ("", "", "", "DE LA", "DEL", "DE LOS")
NOT_A_WORD = {"DE", "DEL", "LA", "LAS", "LOS", "Y", "MA"}
BORN = "1984-06-17"


def _real_word(word: str) -> bool:
    """A random word that reads as one name word (not a particle, not starting like a joined
    particle such as DELA-, which the normaliser splits on purpose)."""
    return fold(word) not in NOT_A_WORD and not fold(word).startswith(("DELA", "DELO"))


random_word = st.text(alphabet="ABCDEFGHIJLMNÑOPRSTUVYZÁÉÍÓÚ", min_size=3, max_size=9).filter(
    _real_word
)
given_word = st.one_of(st.sampled_from(GIVEN), st.sampled_from(INVENTED), random_word)
surname_word = st.one_of(st.sampled_from(SURNAMES), random_word)


@dataclass(frozen=True)
class Name:
    """A member's name as the roll writes it: given names, and (particle, core) per surname."""

    given: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]

    def given_text(self) -> str:
        return " ".join(self.given)

    def surname_text(self) -> str:
        return " ".join(f"{p} {c}".strip() for p, c in self.surnames)


@st.composite
def names(draw: st.DrawFn) -> Name:
    given = tuple(draw(st.lists(given_word, min_size=1, max_size=2, unique=True)))
    paternal = (draw(st.sampled_from(PARTICLES)), draw(surname_word))
    other = surname_word.filter(lambda w: fold(w) != fold(paternal[1]))
    maternal = (draw(st.sampled_from(PARTICLES)), draw(other))
    return Name(given, (paternal, maternal))


# Renderings, each (given, surnames) → (given, surnames), applied in this order.
STRUCTURE = ("as written", "swapped", "second surname missing", "hyphen-joined", "one word")
PARTICLE_FORMS = ("apart", "joined", "half joined", "dropped")
GIVEN_FORMS = ("all", "second dropped", "second initial", "second initial, dot")
LETTERS = ("as written", "accents dropped", "lower case", "Ñ as NN", "Ü as UE")
ZONE = ("typed", "zone, two fields", "zone, one field", "zone, line 1")


@dataclass(frozen=True)
class Rendering:
    structure: str
    particles: str
    given_form: str
    letters: str
    zone: str
    married: bool
    cut: int  # characters kept of the zone's name field beyond the surnames (0: not cut)
    ocr_seed: int  # which letters OCR reads as digits (0: none)


def renderings(zones: tuple[str, ...] = ZONE) -> st.SearchStrategy[Rendering]:
    return st.builds(
        Rendering,
        st.sampled_from(STRUCTURE),
        st.sampled_from(PARTICLE_FORMS),
        st.sampled_from(GIVEN_FORMS),
        st.sampled_from(LETTERS),
        st.sampled_from(zones),
        st.booleans(),
        st.integers(min_value=0, max_value=12),
        st.integers(min_value=0, max_value=3),
    )


def _surname(particle: str, core: str, form: str) -> str:
    if not particle:
        return core
    return {
        "apart": f"{particle} {core}",
        "joined": (particle + core).replace(" ", ""),
        "half joined": f"{particle.replace(' ', '')} {core}",
        "dropped": core,
    }[form]


def render(name: Name, r: Rendering) -> tuple[str, str]:
    """The member's name as a document or an officer writes it."""
    parts = [_surname(p, c, r.particles) for p, c in name.surnames]
    plain = not any(p for p, _ in name.surnames)  # joining is for surnames without particles
    surnames = {
        "as written": " ".join(parts),
        "swapped": " ".join(reversed(parts)),
        "second surname missing": parts[0],
        "hyphen-joined": "-".join(parts) if plain else " ".join(parts),
        "one word": "".join(parts) if plain else " ".join(parts),
    }[r.structure]
    if r.married:
        surnames += " DE MARCANO"
    first, *rest = name.given
    given = {
        "all": " ".join(name.given),
        "second dropped": first,
        "second initial": " ".join([first, *(w[0] for w in rest)]),
        "second initial, dot": " ".join([first, *(w[0] + "." for w in rest)]),
    }[r.given_form]
    given, surnames = letters(given, r.letters), letters(surnames, r.letters)
    if r.zone == "typed":
        return given, surnames
    return zone(given, surnames, r)


def letters(text: str, form: str) -> str:
    if form == "accents dropped":
        return fold(text)
    if form == "lower case":
        return text.lower()
    if form == "Ñ as NN":
        return text.replace("Ñ", "NN")
    if form == "Ü as UE":
        return text.replace("Ü", "UE")
    return text


def zone(given: str, surnames: str, r: Rendering) -> tuple[str, str]:
    """The name as a machine-readable zone writes it (ICAO 9303: Ñ → N, Ü → UE, `<`), cut at
    the field's length, with OCR digits for some letters; in one field (padded with `<` to its
    39 characters), as line 1 (`P<VEN` and the field) or split at `<<` into two fields."""

    def icao(text: str) -> str:
        text = text.upper().replace("Ñ", "N").replace("Ü", "UE").replace("-", " ")
        return fold(text).replace(" ", "<")

    g, s = icao(given), icao(surnames)
    field = f"{s}<<{g}"
    # Cut earlier than 39 to reach the given names of short names too, as a longer name would
    # be; only where the surnames hold a `<`, as any 35-odd characters of surnames do.
    length = 39 if not r.cut or "<" not in s else min(39, len(s) + 2 + 1 + r.cut)
    field = field[:length]
    if r.ocr_seed:
        digits = {"O": "0", "I": "1", "S": "5", "B": "8"}
        rng = random.Random(r.ocr_seed)
        spots = [i for i, c in enumerate(field) if c in digits]
        for i in rng.sample(spots, min(2, len(spots))):
            field = field[:i] + digits[field[i]] + field[i + 1 :]
    padded = field.ljust(39, "<")
    if r.zone == "zone, one field":
        return "", padded
    if r.zone == "zone, line 1":
        return "", "P<VEN" + padded
    s_part, _, g_part = field.partition("<<")
    return g_part or "<", s_part


def roll(name: Name) -> list[Member]:
    """The member and the people most easily confused with them: a sibling (same surnames,
    another given name), a namesake by given name with other surnames, and common names."""
    first = fold(name.given[0])
    sibling = next(g for g in ("PEDRO", "ANA", "LUIS") if g[0] != first[0])
    others = [s for s in ("GONZÁLEZ", "RODRÍGUEZ", "PÉREZ", "HERNÁNDEZ", "GARCÍA")
              if fold(s) not in {fold(c) for _, c in name.surnames}]  # fmt: skip
    people = [
        Member("X-1", "X-1", name.given_text(), name.surname_text(), BORN, "V-15000001", "F"),
        Member("S-1", "S-1", sibling, name.surname_text(), "1986-02-03", "V-15000002", "M"),
        Member("G-1", "G-1", name.given_text(), f"{others[0]} {others[1]}", "1979-09-30",
               "V-12000003", "M"),
    ]  # fmt: skip
    common = ("JOSÉ", "MARÍA", "CARLOS", "YUSMARY", "JESÚS", "ANA", "LUIS", "CARMEN")
    for i, g in enumerate(common):
        for j, (s1, s2) in enumerate(zip(nd.TOP_SURNAMES[:6], nd.TOP_SURNAMES[6:12], strict=True)):
            serial = f"F-{i}-{j}"
            born = f"19{60 + i * 3 + j}-0{1 + j}-{10 + i}"
            nid = f"V-{9_000_000 + i * 100 + j}"
            people.append(Member(serial, serial, g, f"{s1} {s2}", born, nid, "M"))
    return people


def name_agrees(evidence: tuple[object, ...]) -> bool:
    """Some name word agrees (positive weight) and no name word contradicts the member."""
    kinds = {getattr(e, "kind", "") for e in evidence}
    named = any(getattr(e, "name_agrees", False) for e in evidence)
    return named and not kinds & {"given_differs", "surname_absent"}


def _distinct(name: Name) -> bool:
    """No common name on the distractor roll is this very name."""
    return fold(name.surname_text()) not in {
        fold(f"{a} {b}") for a, b in zip(nd.TOP_SURNAMES[:6], nd.TOP_SURNAMES[6:12], strict=True)
    }


@PROPERTY
@given(name=names(), r=renderings())
def test_member_found_under_any_rendering_with_birth_date(name: Name, r: Rendering) -> None:
    assume(_distinct(name))
    given_names, surnames = render(name, r)
    result = Matcher.from_members(roll(name)).match(Traveler(given_names, surnames, BORN))
    best = result.best
    assert best is not None, (name, given_names, surnames)
    assert best.serial_number == "X-1", (name, given_names, surnames, result.reasons())
    assert name_agrees(best.evidence), (name, given_names, surnames, result.reasons())
    assert result.verdict is Verdict.MATCH, (name, given_names, surnames, result.reasons())


@PROPERTY
@given(name=names(), r=renderings(zones=("typed",)))
def test_member_is_the_best_candidate_by_name_alone(name: Name, r: Rendering) -> None:
    """Typed names only: a zone always comes with its birth date (line 2)."""
    assume(_distinct(name))
    given_names, surnames = render(name, r)
    result = Matcher.from_members(roll(name)).match(Traveler(given_names, surnames))
    best = result.best
    assert best is not None, (name, given_names, surnames)
    assert best.serial_number == "X-1", (name, given_names, surnames, result.reasons())
    assert name_agrees(best.evidence), (name, given_names, surnames, result.reasons())
    # A name alone never identifies a person: referred, never matched.
    assert not any(e.kind in IDENTIFIERS for e in best.evidence)
    assert result.verdict is Verdict.POSSIBLE, (name, given_names, surnames, result.reasons())


@PROPERTY
@given(
    name=names(),
    r=renderings(),
    born=st.sampled_from(("", BORN, "17/06/1984", "1984-06-18", "1990-01-01")),
    nid=st.sampled_from(("", "V-15.000.001", "15000001", "V-15000002", "E-84000000")),
)
def test_matching_is_deterministic(name: Name, r: Rendering, born: str, nid: str) -> None:
    members = roll(name)
    traveler = Traveler(*render(name, r), born, nid)
    matcher = Matcher.from_members(members)
    first = matcher.match(traveler)
    assert matcher.match(traveler) == first
    assert Matcher.from_members(members).match(traveler) == first
    assert first.reasons() == Matcher.from_members(list(members)).match(traveler).reasons()


@PROPERTY
@given(born=st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)), seed=st.integers())
def test_synthetic_birth_date_one_digit_wrong_changes_exactly_one_digit(
    born: date, seed: int
) -> None:
    """The generator's "one digit wrong" is one digit of the day, and still a date."""
    wrong = one_digit_wrong(random.Random(seed), born)
    digits = sum(a != b for a, b in zip(born.isoformat(), wrong.isoformat(), strict=True))
    assert digits == 1 and (wrong.year, wrong.month) == (born.year, born.month)
