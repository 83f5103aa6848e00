"""The matcher the screening service and `muster match` call: traveler in, verdict out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from muster.matching.columns import RollColumns
from muster.matching.index import CandidateIndex
from muster.matching.records import Member, Traveler
from muster.matching.scoring import Comparison, Identity, compare
from muster.matching.verdict import MatchResult, Thresholds, decide

CANDIDATES = 10  # members fully compared per traveler (the likeliest by the index's pre-score)


class Matcher:
    """Finds a traveler on the roll and says how sure it is, with reasons.

    `attribute_m`: by attribute name, how often the same person's two records agree on that
    other identifying attribute (`scoring.M_ATTRIBUTE` for the others; docs/matching.md).
    """

    def __init__(
        self,
        index: CandidateIndex,
        thresholds: Thresholds | None = None,
        attribute_m: Mapping[str, float] | None = None,
    ) -> None:
        self.index = index
        self.thresholds = thresholds or Thresholds()
        for name, m in (attribute_m or {}).items():
            if not 0.0 < m < 1.0:
                raise ValueError(f"attribute {name}: m must be between 0 and 1, not {m}")
        self.attribute_m = dict(attribute_m or {})

    @classmethod
    def from_members(
        cls,
        members: Iterable[Member],
        thresholds: Thresholds | None = None,
        attribute_m: Mapping[str, float] | None = None,
    ) -> Matcher:
        """A matcher over these members (name and attribute frequencies learnt from them)."""
        return cls(CandidateIndex.build(members), thresholds, attribute_m)

    @classmethod
    def from_columns(
        cls,
        columns: RollColumns,
        thresholds: Thresholds | None = None,
        workers: int = 1,
        attribute_m: Mapping[str, float] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Matcher:
        """A matcher over a roll gathered as columns (`muster match --roll`); `workers` > 1
        parses the names in forked processes (only from a process without other threads);
        `progress` is told each step of the build as it starts."""
        index = CandidateIndex.from_columns(columns, workers, progress)
        return cls(index, thresholds, attribute_m)

    @classmethod
    def load(
        cls,
        path: Path,
        thresholds: Thresholds | None = None,
        attribute_m: Mapping[str, float] | None = None,
    ) -> Matcher:
        """A matcher over an index saved with `save` (digest checked)."""
        return cls(CandidateIndex.load(path), thresholds, attribute_m)

    def save(self, path: Path) -> None:
        self.index.save(path)

    def add(self, member: Member) -> None:
        """File a member as the roll now holds them: an enlisted one, or an amended one (same
        key, replacing the one filed), with no rebuild."""
        self.index.add(member)

    def match(self, traveler: Traveler) -> MatchResult:
        """The verdict on one traveler as presented."""
        identity, notes = traveler.identity()
        return self.match_identity(identity, notes)

    def match_identity(self, identity: Identity, notes: tuple[str, ...] = ()) -> MatchResult:
        """The verdict on an identity already parsed."""
        return self._compared(identity, notes, CANDIDATES, self.thresholds)

    def search(self, traveler: Traveler, limit: int) -> MatchResult:
        """Up to `limit` members the traveler may be, best first, each with its evidence: a
        search of the roll, which shows more of the namesakes than a screening compares (at
        least `CANDIDATES` are compared, so the best are those a screening would find)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        identity, notes = traveler.identity()
        shown = replace(self.thresholds, shown=limit)
        return self._compared(identity, notes, max(limit, CANDIDATES), shown)

    def compare_members(
        self, traveler: Traveler, members: Iterable[Member], limit: int
    ) -> MatchResult:
        """The traveler compared with these members (found some other way than by the index's
        keys), weighed by the roll's name frequencies: the best `limit`, with their evidence."""
        identity, notes = traveler.identity()
        index = self.index
        compared = [
            (
                m.serial_number,
                m.key,
                compare(identity, m.identity(), index.freq, index.values, self.attribute_m),
            )
            for m in members
        ]
        return decide(compared, replace(self.thresholds, shown=max(limit, 1)), notes)

    def _compared(
        self, identity: Identity, notes: tuple[str, ...], candidates: int, thresholds: Thresholds
    ) -> MatchResult:
        compared: list[tuple[str, str, Comparison]] = []
        index = self.index
        rows = index.candidates(identity, candidates)
        for row, member in zip(rows, index.identities(rows), strict=True):
            comparison = compare(identity, member, index.freq, index.values, self.attribute_m)
            compared.append((index.serial(row), index.key(row), comparison))
        return decide(compared, thresholds, notes)
