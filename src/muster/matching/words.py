"""How two name words agree, for Venezuelan spellings.

`sound_key` folds spellings that sound alike in Venezuelan Spanish, so invented given names
written several ways meet: Y/I/LL, W/GU, B/V, Z/S/C before E and I, K/QU/C, J/G before E and
I, silent H, doubled letters. Word comparisons also use `spoken_key`, which folds a few more
spellings of invented names (JORMAN/YORMAN, DAIANA/DAYANA, MARYELIS/MARIELIS, WILLMER/WILMER).
`edit_distance` is Damerau-Levenshtein (optimal string alignment), for typos of one or two
characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from muster.matching.normalize import spelling_key

_RULES: tuple[tuple[str, str], ...] = (
    (r"([CG])Y(?=[^AEIOU]|$)", r"\1I"),  # CYNTHIA, FRANCYSCO, GYSELA: a vowel Y softens C and G
    (r"^H", ""), (r"([^C])H", r"\1"), (r"^WU?", "GU"), (r"W", "GU"), (r"GU([EI])", r"G\1"),
    (r"QU([EI])", r"K\1"), (r"C([EI])", r"S\1"), (r"C", "K"), (r"Q", "K"), (r"Z", "S"),
    (r"G([EI])", r"J\1"), (r"V", "B"), (r"LL", "Y"), (r"Y$", "I"), (r"Y([^AEIOU]|$)", r"I\1"),
    (r"PH", "F"), (r"X", "KS"), (r"(.)\1+", r"\1"),
)  # fmt: skip
_COMPILED = tuple((re.compile(p), r) for p, r in _RULES)


# Spellings of invented names that sound alike but `sound_key` keeps apart: a Y sound before a
# vowel written J or I (JORMAN/YORMAN with an English J, IUSMARY/YUSMARY, DAIANA/DAYANA), a glide
# after a consonant (MARYELIS/MARIELIS), a doubled L that is no LL sound (WILLMER/WILMER,
# NELLY/NELY). Used in comparisons and in the given names' blocking keys (`keys.given_tokens`).
_LL_CLOSED = re.compile(r"LL(?=[^AEIOU]|$)")
_YOD = (
    (re.compile(r"^[JI](?=[AEIOU])"), "Y"),
    (re.compile(r"(?<=[AEIOU])I(?=[AEIOU])"), "Y"),
    (re.compile(r"(?<=[B-DF-HJ-NP-TV-Z])Y(?=[AEIOU])"), "I"),
)


@lru_cache(maxsize=65536)
def sound_key(word: str) -> str:
    """The word as it sounds (folded text in, upper-case letters out)."""
    key = spelling_key(word)
    for pattern, replacement in _COMPILED:
        key = pattern.sub(replacement, key)
    return key


@lru_cache(maxsize=65536)
def spoken_key(word: str) -> str:
    """`sound_key`, also folding the invented-name spellings above (JORMAN ~ YORMAN)."""
    key = sound_key(_LL_CLOSED.sub("L", word))
    for pattern, replacement in _YOD:
        key = pattern.sub(replacement, key)
    return key


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), capped at `limit`."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    # each letter of one word that the other lacks needs an edit of its own
    if sum(c not in b for c in a) >= limit or sum(c not in a for c in b) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


class HowAgreed(StrEnum):
    """How a traveler's word agrees with the roll's (the value is the text of the reason)."""

    EXACT = "exact"
    SPELLING = "spelling"
    SOUND = "sound"
    TYPO = "typo"
    INITIAL = "initial"
    CUT = "cut"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class WordAgreement:
    """How two name words agree and how likely that rendering is for the same person."""

    how: HowAgreed
    m: float  # P(this agreement | same person), used by the score

    @property
    def agrees(self) -> bool:
        return self.how is not HowAgreed.NONE


NONE = WordAgreement(HowAgreed.NONE, 0.0)
# Share of one person's renderings that agree this way (assumption, see docs/matching.md).
M_EXACT, M_SPELLING, M_SOUND, M_TYPO1, M_TYPO2, M_INITIAL, M_CUT = (
    0.9, 0.9, 0.05, 0.04, 0.01, 0.03, 0.02,
)  # fmt: skip


def _cut_spelling(a: str, b: str) -> bool:
    """`a` is `b` cut short, with Ñ or Ü spelt another way (`BRICENN` of BRICEÑO, `BRICENX`)."""
    key = spelling_key(a)
    if key.endswith("NX"):
        key = key[:-1]  # cut inside an Ñ written NXX
    return spelling_key(b).startswith(key)


@lru_cache(maxsize=262144)
def compare_words(a: str, b: str, cut_allowed: bool = False) -> WordAgreement:
    """The strongest way traveler word `a` agrees with roll word `b`."""
    if a == b:
        return WordAgreement(HowAgreed.EXACT, M_EXACT)
    if not a or not b:
        return NONE
    if spelling_key(a) == spelling_key(b):
        return WordAgreement(HowAgreed.SPELLING, M_SPELLING)
    if len(a) == 1 or len(b) == 1:
        return WordAgreement(HowAgreed.INITIAL, M_INITIAL) if a[0] == b[0] else NONE
    if cut_allowed and len(a) >= 2 and (b.startswith(a) or _cut_spelling(a, b)):
        return WordAgreement(HowAgreed.CUT, M_CUT)
    if sound_key(a) == sound_key(b) or spoken_key(a) == spoken_key(b):
        return WordAgreement(HowAgreed.SOUND, M_SOUND)
    shortest = min(len(a), len(b))
    allowed = 1 if shortest <= 5 else 2
    distance = edit_distance(a, b, allowed + 1)
    if distance <= allowed:
        return WordAgreement(HowAgreed.TYPO, M_TYPO1 if distance == 1 else M_TYPO2)
    return NONE
