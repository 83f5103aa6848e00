"""Keys and comparisons of name words, for Venezuelan spellings.

`sound_key` folds the spellings that sound alike in Venezuelan Spanish, so that invented
given names written several ways meet: Y/I/LL, W/GU/GÜ, B/V, Z/S/C before E and I, K/QU/C,
J/G before E and I, silent H, doubled letters. `edit_distance` is Damerau-Levenshtein, for
typos of one or two characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from muster.names.normalize import spelling_key

_RULES: tuple[tuple[str, str], ...] = (
    (r"^H", ""), (r"([^C])H", r"\1"), (r"^WU?", "GU"), (r"W", "GU"), (r"GU([EI])", r"G\1"),
    (r"QU([EI])", r"K\1"), (r"C([EI])", r"S\1"), (r"C", "K"), (r"Q", "K"), (r"Z", "S"),
    (r"G([EI])", r"J\1"), (r"V", "B"), (r"LL", "Y"), (r"Y$", "I"), (r"Y([^AEIOU]|$)", r"I\1"),
    (r"PH", "F"), (r"X", "KS"), (r"(.)\1+", r"\1"),
)  # fmt: skip
_COMPILED = tuple((re.compile(p), r) for p, r in _RULES)


def sound_key(word: str) -> str:
    """The word as it sounds (folded text in, upper-case letters out)."""
    key = word
    for pattern, replacement in _COMPILED:
        key = pattern.sub(replacement, key)
    return key


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), capped at `limit`."""
    if abs(len(a) - len(b)) >= limit:
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


@dataclass(frozen=True)
class WordAgreement:
    """How two name words agree: exact, spelling, sound, typo, initial, or not at all."""

    how: str  # exact | spelling | sound | typo | initial | none
    strength: float  # 1.0 exact … 0.0 none

    @property
    def agrees(self) -> bool:
        return self.how != "none"


def compare_words(a: str, b: str) -> WordAgreement:
    """The strongest way two folded name words agree."""
    if a == b:
        return WordAgreement("exact", 1.0)
    if spelling_key(a) == spelling_key(b):
        return WordAgreement("spelling", 0.95)
    if len(a) == 1 or len(b) == 1:
        return WordAgreement("initial", 0.5) if a[0] == b[0] else WordAgreement("none", 0.0)
    if sound_key(a) == sound_key(b):
        return WordAgreement("sound", 0.85)
    shortest = min(len(a), len(b))
    allowed = 1 if shortest <= 5 else 2
    if edit_distance(a, b, allowed + 1) <= allowed:
        return WordAgreement("typo", 0.75 if allowed == 1 else 0.65)
    return WordAgreement("none", 0.0)
