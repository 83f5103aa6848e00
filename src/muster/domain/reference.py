"""Components and ranks of the armed force, as reference data the roll is checked against."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

RANK_CLASSES = {
    "enlisted-troop": "enlisted",
    "professional-NCO": "NCO",
    "officer": "officer",
    "general-officer": "officer",
}


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Latin letters with accents, folded by one C-level translate; anything else the slow way.
_LATIN = {cp: _strip_marks(chr(cp)) for cp in range(0xC0, 0x250) if _strip_marks(chr(cp)).isascii()}


# The same folding for Latin-1 text, as one byte-to-byte table (one mapping per byte).
_LATIN_1 = bytes(ord(_LATIN[b]) if b in _LATIN and len(_LATIN[b]) == 1 else b for b in range(256))
assert all(len(_LATIN[b]) == 1 for b in range(256) if b in _LATIN)
_PRINTABLE_ASCII_AND_LINE_BREAK = bytes(range(0x20, 0x7F)) + b"\n"


def fold_text(text: str) -> str:
    """Text with accents removed, case folded and spaces collapsed, for lookups."""
    try:  # most names are Latin-1: a byte table is faster than a str translation
        bare = text.encode("latin-1").translate(_LATIN_1).decode("latin-1")
    except UnicodeEncodeError:
        bare = text.translate(_LATIN)
    if not bare.isascii():
        bare = _strip_marks(bare)
    return " ".join(bare.casefold().split())


def fold_texts(texts: Sequence[str]) -> list[str]:
    """`fold_text` of each text; texts of Latin-1 letters and single spaces (nearly every
    name on a roll) are folded together, in one pass over them all."""
    if not texts:
        return []
    try:
        data = "\n".join(texts).encode("latin-1").translate(_LATIN_1)
    except UnicodeEncodeError:
        return list(map(fold_text, texts))
    if not data.isascii() or data.count(b"\n") != len(texts) - 1:
        return list(map(fold_text, texts))
    data = data.lower()  # ASCII's case folding
    # Split on whitespace and joined by single spaces again, a text stays as it is unless it
    # has whitespace other than single spaces between words (in ASCII, all other whitespace
    # is a control character).
    if (
        data.translate(None, _PRINTABLE_ASCII_AND_LINE_BREAK)
        or b"  " in data
        or b" \n" in data
        or b"\n " in data
        or data[:1] == b" "
        or data[-1:] == b" "
    ):
        return list(map(fold_text, texts))
    return data.decode("ascii").split("\n")


@dataclass(frozen=True, slots=True)
class Component:
    """A component of the armed force (EB, AB, AMB, GNB, MB)."""

    code: str
    name_es: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Rank:
    """A rank of one component, with its class (officer, NCO, enlisted)."""

    component: str
    grade_order: int
    name_es: str
    name_en: str
    rank_class: str
    aliases: tuple[str, ...]


class Reference:
    """Lookup of components and ranks; ranks found by Spanish name or alias, any case or accent."""

    def __init__(self, components: Iterable[Component], ranks: Iterable[Rank]) -> None:
        self.components: dict[str, Component] = {c.code: c for c in components}
        self.ranks: dict[tuple[str, str], Rank] = {}
        self._by_name: dict[tuple[str, str], Rank] = {}
        for rank in ranks:
            self.ranks[(rank.component, rank.name_es)] = rank
            for name in (rank.name_es, *rank.aliases):
                self._by_name.setdefault((rank.component, fold_text(name)), rank)

    def find_rank(self, component: str, text: str) -> Rank | None:
        """The rank of a component written as its Spanish name or an alias; None if unknown."""
        return self._by_name.get((component, fold_text(text)))

    def rank_names(self, component: str) -> list[str]:
        """The Spanish names of a component's ranks, lowest grade first."""
        ranks = [r for r in self.ranks.values() if r.component == component]
        return [r.name_es for r in sorted(ranks, key=lambda r: r.grade_order)]

    @classmethod
    def from_rows(
        cls, components: Iterable[Mapping[str, str]], ranks: Iterable[Mapping[str, str]]
    ) -> Reference:
        """Built from the rows of fanb_components.csv and fanb_ranks.csv."""
        comps = [Component(r["code"], r["name_es"], r["name_en"]) for r in components]
        rank_list = []
        for r in ranks:
            aliases = [a.strip() for a in r.get("aliases_es", "").replace("|", ";").split(";")]
            if r.get("abbr_es"):
                aliases.append(r["abbr_es"].strip())
            rank_list.append(
                Rank(
                    component=r["component"],
                    grade_order=int(r["grade_order"]),
                    name_es=r["rank_es"],
                    name_en=r["rank_en"],
                    rank_class=RANK_CLASSES.get(r["category"], r["category"]),
                    aliases=tuple(a for a in aliases if a),
                )
            )
        return cls(comps, rank_list)
