"""Venezuelan names as a structure: given names and surnames, normalised for comparison.

Pure and deterministic. Handles: accents and case; Ñ written N or NN and Ü as U or UE; the
ICAO machine-readable form (`<` separators, OCR confusions 0/O, 1/I, 5/S, 8/B in name
fields); particles (`DE`, `DEL`, `DE LA`, `DE LOS`, `DE LAS`, `LA`) written apart, joined or
dropped; surnames joined by a hyphen; a married woman's `DE <husband's surname>`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PARTICLES = ("DE LOS", "DE LAS", "DE LA", "DEL", "DE", "LA", "LAS", "LOS", "Y")
# Joined particles that are safe to split (`DELACRUZ`); `DEL` is not (DELGADO), and the
# joined keys of `surname_keys` match `DELVALLE` and `DEL VALLE` anyway.
_JOINED = {"DELOS": "DE LOS", "DELAS": "DE LAS", "DELA": "DE LA"}
_OCR_IN_NAMES = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "6": "G", "2": "Z"})
_NOT_LETTER = re.compile(r"[^A-Z ]+")


def fold(text: str) -> str:
    """Upper case, accents removed (Ñ→N, Ü→U), punctuation and hyphens as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_LETTER.sub(" ", bare.replace("'", "")).split())


def fold_mrz(text: str) -> str:
    """A name field read from a machine-readable zone: `<` as spaces, OCR digits as letters."""
    return fold(text.replace("<", " ").upper().translate(_OCR_IN_NAMES))


def spelling_key(word: str) -> str:
    """The same word however Ñ and Ü were written: Ñ as N, NN or NXX; GÜE/GÜI as GUEE/GUEI."""
    return word.replace("NXX", "N").replace("NN", "N").replace("GUEE", "GUE").replace("GUEI", "GUI")


@dataclass(frozen=True)
class Surname:
    """One surname: its core word(s), the particle written before it, if any."""

    core: str
    particle: str = ""

    @property
    def full(self) -> str:
        return f"{self.particle} {self.core}".strip()


@dataclass(frozen=True)
class PersonName:
    """Given names and surnames (paternal first) of a person; `married` is a `DE X` surname."""

    given: tuple[str, ...]
    surnames: tuple[Surname, ...]
    married: Surname | None = None

    @property
    def paternal(self) -> Surname | None:
        return self.surnames[0] if self.surnames else None

    @property
    def maternal(self) -> Surname | None:
        return self.surnames[1] if len(self.surnames) > 1 else None


def split_particles(words: list[str]) -> list[Surname]:
    """Group surname words with the particles before them (`DE LA CRUZ` is one surname)."""
    out: list[Surname] = []
    i = 0
    while i < len(words):
        particle = ""
        for p in PARTICLES:
            size = len(p.split())
            if words[i : i + size] == p.split() and i + size < len(words):
                particle, i = p, i + size
                break
        core = _unjoin(words[i])
        if core[0]:
            particle, word = (core[0] if not particle else f"{particle} {core[0]}"), core[1]
        else:
            word = words[i]
        out.append(Surname(word, particle))
        i += 1
    return out


def _unjoin(word: str) -> tuple[str, str]:
    """`DELACRUZ` → (`DE LA`, `CRUZ`); a word that starts with no joined particle → ('', word)."""
    for joined, spaced in _JOINED.items():
        if word.startswith(joined) and len(word) > len(joined) + 2:
            return spaced, word[len(joined) :]
    return "", word


def parse_name(given_names: str, surnames: str, *, mrz: bool = False) -> PersonName:
    """A person's name from its two fields, as typed or as read from a zone."""
    clean = fold_mrz if mrz else fold
    given = tuple(w for w in clean(given_names).split() if w not in PARTICLES)
    groups = split_particles(clean(surnames).split())
    married = None
    if len(groups) >= 2 and groups[-1].particle == "DE" and len(groups) <= 3:
        married, groups = groups[-1], groups[:-1]  # "PÉREZ DE GONZÁLEZ": husband's surname
    return PersonName(given, tuple(groups), married)


def surname_keys(name: PersonName) -> set[str]:
    """Keys a surname may be found by: with and without particles, joined or apart."""
    keys: set[str] = set()
    for s in (*name.surnames, *([name.married] if name.married else [])):
        keys.update({spelling_key(s.core), spelling_key(s.full.replace(" ", ""))})
    return keys
