"""Blocking keys: the few exact keys under which a member is filed and a traveler looked up.

Chosen so that every variation the normaliser handles still shares at least one key with the
member: the cédula number; the birth date (a traveler also looks up the day/month swap); the
pair of surnames by sound, in either order; and the first given name by sound with each
surname (so one surname may be missing, misspelt, swapped or joined to the other).
"""

from __future__ import annotations

from muster.matching.normalize import PersonName
from muster.matching.scoring import Identity
from muster.matching.words import sound_key


def _surname_variants(name: PersonName) -> set[str]:
    found: set[str] = set()
    for s in name.all_surnames:
        found.add(sound_key(s.core))
        if s.particle:
            found.add(sound_key(s.joined))
    return found


def member_keys(identity: Identity) -> set[str]:
    """The keys a member is filed under."""
    name = identity.name
    keys = _common_keys(identity)
    if len(name.surnames) >= 2:
        joined = sound_key(name.surnames[0].core + name.surnames[1].core)
        keys.update(f"g{sound_key(g)}|{joined}" for g in name.given[:2])
    return keys


def traveler_keys(identity: Identity) -> set[str]:
    """The keys a traveler is looked up by (a superset: a swapped birth date too)."""
    keys = _common_keys(identity)
    born = identity.birth_date
    if born is not None and born.day <= 12 and born.day != born.month:
        keys.add(f"d{born.year:04d}-{born.day:02d}-{born.month:02d}")
    return keys


def _common_keys(identity: Identity) -> set[str]:
    keys: set[str] = set()
    if identity.national_id:
        keys.add("c" + identity.national_id.partition("-")[2])
    if identity.birth_date is not None:
        keys.add("d" + identity.birth_date.isoformat())
    name = identity.name
    primary = [s for s in name.surnames[:2]]
    if len(primary) == 2:
        a, b = sorted((sound_key(primary[0].core), sound_key(primary[1].core)))
        keys.add(f"p{a}|{b}")
    variants = _surname_variants(name)
    for g in name.given[:2]:
        gk = sound_key(g)
        keys.update(f"g{gk}|{v}" for v in variants)
    return keys
