"""Blocking keys: the few exact keys under which a member is filed and a traveler looked up.

Chosen so that every variation the normaliser handles still shares at least one key with the
member: the cédula number; the birth date (a traveler also looks up the day/month swap); the
pair of surnames by sound, in either order; and the first and second given name as spoken
(`words.spoken_key`, which also folds JORMAN/YORMAN) with each surname (so one surname may be
missing, misspelt, swapped or joined to the other).

A key is `(kind, first, second)`: `("c", digits, "")`, `("d", "YYYYMMDD", "")`, `("p", surname,
surname)` (the pair, sorted) or `("g", given name, surname)`, each word by sound. The key of a
name depends on the given names and the surnames separately (`given_tokens`,
`surname_tokens`), which lets the index file a whole roll by its distinct given names and
distinct surnames instead of member by member.
"""

from __future__ import annotations

from muster.matching.near import adjacent_swaps, date_digits
from muster.matching.normalize import PersonName, Surname
from muster.matching.scoring import Identity
from muster.matching.words import sound_key, spoken_key

Key = tuple[str, str, str]


def given_tokens(name: PersonName) -> tuple[str, ...]:
    """The first two given names as spoken (`spoken_key`: JORMAN and YORMAN alike), each once."""
    return tuple(dict.fromkeys(spoken_key(g) for g in name.given[:2]))


def surname_tokens(name: PersonName) -> tuple[tuple[str, ...], tuple[str, str] | None, str]:
    """Every surname by sound (core, and joined with its particle); the sorted pair of the two
    surnames by sound; the two surnames as one word by sound ("" without two surnames)."""
    found: dict[str, None] = {}
    for s in name.all_surnames:
        found[sound_key(s.core)] = None
        if s.particle:
            found[sound_key(s.joined)] = None
    if len(name.surnames) < 2:
        return tuple(sorted(found)), None, ""
    first, second = name.surnames[0].core, name.surnames[1].core
    a, b = sorted((sound_key(first), sound_key(second)))
    return tuple(sorted(found)), (a, b), sound_key(first + second)


def member_keys(identity: Identity) -> set[Key]:
    """The keys a member is filed under."""
    keys = _common_keys(identity)
    _, _, joined = surname_tokens(identity.name)
    if joined:
        keys.update(("g", g, joined) for g in given_tokens(identity.name))
    return keys


def traveler_keys(identity: Identity) -> set[Key]:
    """The keys a traveler is looked up by (`member_keys`, whose surnames as one word also find
    a surname written in two words, SATTE RLEY; and more, all on the traveler's side so a saved
    index keeps its keys): the birth date with day and month swapped; the cédula with two
    adjacent digits swapped; a given name or surname written in two words, joined; the name
    keys of the name read with its fields exchanged (given names written as surnames and
    surnames as given names)."""
    keys = member_keys(identity)
    born = identity.birth_date
    if born is not None and born.day <= 12 and born.day != born.month:
        keys.add(("d", f"{born.year:04d}{born.day:02d}{born.month:02d}", ""))
    digits = _cedula_digits(identity)
    keys.update(("c", swapped, "") for swapped in adjacent_swaps(digits) if swapped[0] != "0")
    name = identity.name
    if len(name.given) >= 2:  # a given name written in two words (YUS MARY)
        variants = surname_tokens(name)[0]
        keys.update(("g", spoken_key(name.given[0] + name.given[1]), v) for v in variants)
    if name.given and name.surnames:
        exchanged = PersonName(
            tuple(s.core for s in name.surnames), tuple(Surname(g) for g in name.given)
        )
        keys.update(_name_keys(exchanged))
    return keys


def _cedula_digits(identity: Identity) -> str:
    if not identity.national_id:
        return ""
    digits = identity.national_id.partition("-")[2]
    return digits if digits.isdigit() else ""


def _common_keys(identity: Identity) -> set[Key]:
    keys: set[Key] = set()
    digits = _cedula_digits(identity)
    if digits:
        keys.add(("c", digits, ""))
    if identity.birth_date is not None:
        keys.add(("d", date_digits(identity.birth_date), ""))
    keys.update(_name_keys(identity.name))
    return keys


def _name_keys(name: PersonName) -> set[Key]:
    keys: set[Key] = set()
    variants, pair, _ = surname_tokens(name)
    if pair is not None:
        keys.add(("p", *pair))
    keys.update(("g", g, v) for g in given_tokens(name) for v in variants)
    return keys
