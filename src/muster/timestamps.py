"""How Muster writes a moment: UTC, to the second, ending in `Z` (`2019-03-15T12:00:00Z`), the
form the hashed ledger entries have always used. Rows written before migration 0007 may end in
`+00:00` instead (and the crossings sealed then keep it, as their batch hashed it): every
reader takes both."""

from __future__ import annotations

from datetime import UTC, datetime

UTC_SUFFIX = "+00:00"  # how `datetime.isoformat` ends a UTC moment; Muster writes `Z`


def timestamp(moment: datetime | None = None) -> str:
    """`moment` (default now) as Muster stores it: UTC, to the second, `Z`."""
    text = (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return text.removesuffix(UTC_SUFFIX) + "Z"


def parse_timestamp(text: str) -> datetime:
    """A stored moment, in either form (`Z`, or `+00:00` from before 0007), as an aware UTC
    datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def lowest_of_second(moment: datetime) -> str:
    """The first moment of a second, as the lower bound of a text comparison that finds both
    forms (`+` sorts before `Z`, so `...:00+00:00` <= `...:00Z`)."""
    return timestamp(moment).removesuffix("Z") + UTC_SUFFIX
