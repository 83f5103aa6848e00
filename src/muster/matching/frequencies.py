"""How often each name word and attribute value is borne on the roll: the u of the scorer.

Learnt from the roll itself and kept up to date as members are filed (`sign` -1 forgets one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from muster.matching.normalize import PersonName, spelling_key


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

    def prefix_share(self, prefix: str, given: bool) -> float:
        """The share of given names (or surnames) starting with `prefix`: what a name cut short
        (`MA` at a zone's end) says, whichever name it was cut from."""
        table = self.given if given else self.surnames
        key = (spelling_key(prefix), given, self.people, len(table))
        share = _PREFIX_SHARES.get(key)
        if share is None:
            count = sum(n for word, n in table.items() if word.startswith(key[0]))
            share = _PREFIX_SHARES[key] = (count + 1) / (self.people + 2)
            if len(_PREFIX_SHARES) > 4096:
                _PREFIX_SHARES.clear()
        return share


_PREFIX_SHARES: dict[tuple[str, bool, int, int], float] = {}


@dataclass
class AttributeFrequencies:
    """How many members carry each value of each other identifying attribute (`Member.
    attributes`, values as `normalize.attribute_value`), and how many carry the attribute."""

    values: dict[str, Counter[str]] = field(default_factory=dict)
    carrying: Counter[str] = field(default_factory=Counter)

    def add(self, attributes: Iterable[tuple[str, str]], sign: int = 1) -> None:
        """Count one member's attributes (sign -1 forgets them)."""
        for name, value in attributes:
            self.carrying[name] += sign
            self.values.setdefault(name, Counter())[value] += sign

    def share(self, name: str, value: str) -> float:
        """u: the share of the members carrying attribute `name` who carry this value."""
        counts = self.values.get(name)
        return ((counts[value] if counts else 0) + 1) / (self.carrying[name] + 2)
