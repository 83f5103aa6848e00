"""The matcher the screening service and `muster match` call: traveler in, verdict out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
        compared: list[tuple[str, str, Comparison]] = []
        index = self.index
        rows = index.candidates(identity, CANDIDATES)
        for row, member in zip(rows, index.identities(rows), strict=True):
            comparison = compare(identity, member, index.freq, index.values, self.attribute_m)
            compared.append((index.serial(row), index.key(row), comparison))
        return decide(compared, self.thresholds, notes)
