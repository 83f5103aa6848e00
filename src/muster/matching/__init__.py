"""Identity matching: find a traveler on the roll, fast, with reasons.

The normaliser (`normalize`), word comparison (`words`), scoring (`scoring`) and verdicts
(`verdict`) are pure; the candidate index (`index`) uses numpy.
"""

from muster.matching.columns import RollColumns
from muster.matching.evidence import Evidence
from muster.matching.frequencies import NameFrequencies
from muster.matching.index import CandidateIndex
from muster.matching.index_file import IndexFileError
from muster.matching.matcher import Matcher
from muster.matching.records import Member, Traveler
from muster.matching.scoring import Identity
from muster.matching.verdict import Candidate, MatchResult, Thresholds, Verdict

__all__ = [
    "Candidate",
    "CandidateIndex",
    "Evidence",
    "Identity",
    "IndexFileError",
    "MatchResult",
    "Matcher",
    "Member",
    "NameFrequencies",
    "RollColumns",
    "Thresholds",
    "Traveler",
    "Verdict",
]
