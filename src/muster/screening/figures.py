"""Figures of the crossings for reports, over a span of days (UTC, as crossings are stamped):
crossings by post, day and decision, and the referrals among them by their outcome as it
stood at the end of the span's last day.

Crossings are read through `ix_crossings_post_at` (post, then time), one range of times for
each post, so that a report of 90 days reads only those days' entries of the index, however
many crossings the registry holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, literal_column, select
from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError
from muster.store.tables import crossings, posts, referrals
from muster.timestamps import lowest_of_second

OUTCOMES = ("open", "released", "held", "other")  # a referral's outcome (open: not yet)
MAX_DAYS = 366


@dataclass(frozen=True)
class Days:
    """The days from `first` to `last`, both included (UTC days)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInputError(f"the span ends on {self.last}, before it begins")
        if len(self) > MAX_DAYS:
            raise InvalidInputError(f"a span of {len(self)} days: at most {MAX_DAYS}")

    @classmethod
    def ending(cls, last: date, count: int) -> Days:
        """The `count` days that end on `last`."""
        return cls(last - timedelta(days=count - 1), last)

    def __len__(self) -> int:
        return (self.last - self.first).days + 1

    def each(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(len(self))]

    def bounds(self) -> tuple[str, str]:
        """The first moment of the first day and of the day after the last, as bounds of a
        text comparison that finds crossing times in either stored form (`timestamps`)."""
        start = datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)
        return lowest_of_second(start), lowest_of_second(start + timedelta(days=len(self)))


def post_codes(conn: Connection, only: Sequence[str] | None) -> list[str]:
    """The posts a report covers: `only` (an account's posts), or every post."""
    if only is not None:
        return sorted(only)
    return sorted(conn.execute(select(posts.c.code)).scalars())


# The day of a crossing: the first ten characters of its time (UTC), written with constants
# rather than parameters so that the grouping is the same expression as the selection.
_DAY = func.substr(crossings.c.at, literal_column("1"), literal_column("10"))


def crossing_counts(
    conn: Connection, days: Days, only: Sequence[str] | None = None
) -> Counter[tuple[str, str, str]]:
    """How many crossings each post recorded each day, by decision: ("YYYY-MM-DD", post,
    decision) -> n. `only`: the posts an account may see (None: every post)."""
    lo, hi = days.bounds()
    query = (
        select(_DAY, crossings.c.post_code, crossings.c.decision, func.count())
        .where(
            crossings.c.post_code.in_(post_codes(conn, only)),
            crossings.c.at >= lo,
            crossings.c.at < hi,
        )
        .group_by(_DAY, crossings.c.post_code, crossings.c.decision)
    )
    return Counter({(day, post, decision): n for day, post, decision, n in conn.execute(query)})


def referral_outcomes(
    conn: Connection, days: Days, only: Sequence[str] | None = None
) -> Counter[str]:
    """The referrals of the crossings of `days`, by outcome as it stood at the end of the last
    day: one resolved later was still open then."""
    lo, hi = days.bounds()
    span = (
        crossings.c.post_code.in_(post_codes(conn, only)),
        crossings.c.at >= lo,
        crossings.c.at < hi,
    )
    joined = referrals.join(crossings, crossings.c.id == referrals.c.crossing_id)
    now = (
        select(referrals.c.status, func.count())
        .select_from(joined)
        .where(*span)
        .group_by(referrals.c.status)
    )
    later = (
        select(referrals.c.status, func.count())
        .select_from(joined)
        .where(*span, referrals.c.resolved_at.is_not(None), referrals.c.resolved_at >= hi)
        .group_by(referrals.c.status)
    )
    found: Counter[str] = Counter(dict.fromkeys(OUTCOMES, 0))
    for status, n in conn.execute(now):
        found[status] += n
    for status, n in conn.execute(later):
        found[status] -= n
        found["open"] += n
    return found
