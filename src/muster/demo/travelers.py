"""Synthetic travelers with ground truth, for tests and measurements (never for decisions).

Half are members of the roll, written with the variations a border post sees; half are not on
the roll: random people, namesakes (a member's full name, their own birth date and cédula) and
relatives (a member's two surnames, another given name, sometimes a twin's birth date).
Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from muster.demo.population import SyntheticPerson, draw_identity, draw_national_id
from muster.matching.normalize import fold
from muster.matching.records import Member, Traveler


@dataclass(frozen=True, slots=True)
class LabelledTraveler:
    """A traveler, the serial number of the member they are (None: not on the roll), and how
    they were made."""

    traveler: Traveler
    truth: str | None
    kind: str


def as_member(p: SyntheticPerson) -> Member:
    """A member of the synthetic roll as the matcher reads them, keyed by serial number."""
    return Member(
        p.serial_number,
        p.serial_number,
        p.given_names,
        p.surnames,
        p.birth_date.isoformat(),
        p.national_id,
        p.sex,
    )


Rendering = tuple[str, str]  # given names, surnames


def _accents(rng: random.Random, g: str, s: str) -> Rendering:
    return (fold(g), fold(s).lower()) if rng.random() < 0.5 else (fold(g).lower(), fold(s))


def _enye(rng: random.Random, g: str, s: str) -> Rendering:
    table = {"Ñ": rng.choice(("N", "NN")), "Ü": rng.choice(("U", "UE"))}
    return "".join(table.get(c, c) for c in g), "".join(table.get(c, c) for c in s)


def _mrz(rng: random.Random, g: str, s: str) -> Rendering:
    field = (fold(s).replace(" ", "<") + "<<" + fold(g).replace(" ", "<"))[:39]
    if rng.random() < 0.3:
        swaps = {"O": "0", "I": "1", "S": "5", "B": "8"}
        spots = [i for i, c in enumerate(field) if c in swaps]
        if spots:
            i = rng.choice(spots)
            field = field[:i] + swaps[field[i]] + field[i + 1 :]
    surnames, _, given = field.partition("<<")
    return given or "<", surnames


def _particles(rng: random.Random, g: str, s: str) -> Rendering:
    words = s.split()
    if not any(w in ("DE", "DEL", "LA", "LOS") for w in words):
        return g, s.replace(" ", rng.choice(("-", "")), 1) if rng.random() < 0.5 else s
    joined = s.replace("DE LA ", rng.choice(("DELA", "DELA ", ""))).replace("DEL ", "DEL")
    return g, joined


def _surname_order(rng: random.Random, g: str, s: str) -> Rendering:
    words = s.split()
    if len(words) == 2:
        return g, (f"{words[1]} {words[0]}" if rng.random() < 0.5 else words[0])
    return g, s


def _given(rng: random.Random, g: str, s: str) -> Rendering:
    words = g.split()
    if len(words) >= 2:
        return (words[0] if rng.random() < 0.5 else f"{words[0]} {words[1][0]}."), s
    return g, s


def _married(rng: random.Random, g: str, s: str) -> Rendering:
    if " DE " in s:
        return g, s.split(" DE ")[0]
    return g, f"{s} DE {rng.choice(('GONZÁLEZ', 'PÉREZ', 'ROJAS', 'MARCANO'))}"


def _typo(rng: random.Random, g: str, s: str) -> Rendering:
    text = f"{g}|{s}"
    for _ in range(rng.choice((1, 1, 2))):
        spots = [i for i, c in enumerate(text) if c.isalpha()]
        i = rng.choice(spots)
        action = rng.random()
        letter = rng.choice("AEIOURSNLTCM")
        if action < 0.4:
            text = text[:i] + letter + text[i + 1 :]
        elif action < 0.7 and i + 1 < len(text) and text[i + 1].isalpha():
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        else:
            text = text[:i] + text[i + 1 :] if action < 0.85 else text[:i] + letter + text[i:]
    g2, _, s2 = text.partition("|")
    return g2 or g, s2 or s


def _invented(rng: random.Random, g: str, s: str) -> Rendering:
    first, _, rest = g.partition(" ")
    for a, b in (("Y", "I"), ("LL", "Y"), ("W", "GU"), ("GU", "W"), ("I", "Y"), ("L", "LL")):
        if a in first:
            return (first.replace(a, b, 1) + (" " + rest if rest else "")), s
    return first + first[-1] + (" " + rest if rest else ""), s


VARIATIONS: dict[str, Callable[[random.Random, str, str], Rendering]] = {
    "accents": _accents, "enye": _enye, "mrz": _mrz, "particles": _particles,
    "surname_order": _surname_order, "given": _given, "married": _married, "typo": _typo,
    "invented": _invented,
}  # fmt: skip


def _cedula_form(rng: random.Random, nid: str) -> str:
    letter, _, digits = nid.partition("-")
    dotted = f"{int(digits):,}".replace(",", ".")
    return rng.choice((nid, f"{letter}-{dotted}", f"{letter}{digits}", digits, dotted))


def _birth_form(rng: random.Random, born: date) -> str:
    roll = rng.random()
    if roll < 0.12:
        return ""
    if roll < 0.17 and born.day <= 12:
        born = date(born.year, born.day, born.month)
    elif roll < 0.21:  # one digit of the day wrong
        born = one_digit_wrong(rng, born)
    if rng.random() < 0.3:
        return born.strftime("%d/%m/%Y")
    return born.isoformat()


def one_digit_wrong(rng: random.Random, born: date) -> date:
    """The birth date with exactly one digit of its day changed, still a valid date (14 → 15,
    24, 04; never 31 → 28, which changes two)."""
    day = f"{born.day:02d}"
    options = []
    for position in (0, 1):
        for digit in "0123456789":
            if digit == day[position]:
                continue
            changed = int(day[:position] + digit + day[position + 1 :])
            try:
                options.append(date(born.year, born.month, changed))
            except ValueError:
                continue
    return rng.choice(options)


def _documents(rng: random.Random, nid: str) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.45:
        return _cedula_form(rng, nid), ""
    if roll < 0.6:
        return "", nid.partition("-")[2]
    return "", f"{rng.randint(100_000_000, 199_999_999)}"


def member_traveler(rng: random.Random, p: SyntheticPerson, tid: str) -> LabelledTraveler:
    """A member as presented, with one to three variations."""
    g, s = p.given_names, p.surnames
    kinds = rng.sample(sorted(VARIATIONS), rng.choice((1, 1, 2, 3)))
    for kind in kinds:
        g, s = VARIATIONS[kind](rng, g, s)
    nid, doc = _documents(rng, p.national_id)
    t = Traveler(g, s, _birth_form(rng, p.birth_date), nid, doc, "", tid)
    return LabelledTraveler(t, p.serial_number, "member:" + "+".join(kinds))


def stranger_traveler(
    rng: random.Random, roll: Sequence[SyntheticPerson], ids: set[str], tid: str
) -> LabelledTraveler:
    """Someone not on the roll: a random person, a member's namesake or relative."""
    given, surnames, _sex, born = draw_identity(rng)
    nid = draw_national_id(rng, born)
    while nid in ids:
        nid = draw_national_id(rng, born)
    kind = rng.choice(("random", "namesake", "relative"))
    other = rng.choice(roll)
    if kind == "namesake":
        given, surnames = other.given_names, other.surnames
    elif kind == "relative":
        surnames = other.surnames
        while given == other.given_names:
            given = draw_identity(rng)[0]
        if rng.random() < 0.1:
            born, kind = other.birth_date, "relative:twin"
    doc_nid, doc = _documents(rng, nid)
    born_text = born.isoformat() if rng.random() < 0.85 else ""
    return LabelledTraveler(Traveler(given, surnames, born_text, doc_nid, doc, "", tid), None, kind)


def generate_travelers(
    roll: Sequence[SyntheticPerson], count: int, seed: int
) -> list[LabelledTraveler]:
    """`count` travelers, half members of `roll` (with variations), half not on it."""
    rng = random.Random(seed)
    ids = {p.national_id for p in roll}
    out = []
    for i in range(count):
        tid = f"T{i:07d}"
        if i % 2 == 0:
            out.append(member_traveler(rng, rng.choice(roll), tid))
        else:
            out.append(stranger_traveler(rng, roll, ids, tid))
    return out
