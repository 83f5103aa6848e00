"""Figures of the crossings for reports, over a span of days in the registry's time zone
(`timezones`; UTC unless told): crossings by post, day and decision, and the referrals among
them by their outcome as it stood at the end of the span's last day.

Crossings are read through `ix_crossings_post_at` (post, then time), one range of times for
each post, so that a report of 90 days reads only those days' entries of the index, however
many crossings the registry holds. Times are stored in UTC: the database counts them by UTC
hour (by minute in a zone whose offset is not whole hours), and each hour is given to the
local day it falls in, so that no dialect needs to know time zones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.engine import Connection

from muster.domain.errors import InvalidInputError
from muster.store.tables import crossings, posts, referrals
from muster.timestamps import lowest_of_second
from muster.timezones import day_range, local_day

OUTCOMES = ("open", "released", "held", "other")  # a referral's outcome (open: not yet)
MAX_DAYS = 366


@dataclass(frozen=True)
class Days:
    """The days from `first` to `last`, both included (days of a zone, given where read)."""

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

    def bounds(self, zone: tzinfo = UTC) -> tuple[str, str]:
        """The first moment of the first day and of the day after the last (midnights in
        `zone`, in UTC), as bounds of a text comparison that finds crossing times in either
        stored form (`timestamps`)."""
        start, end = day_range(self.first, zone, len(self))
        return lowest_of_second(start), lowest_of_second(end)

    def moment_length(self, zone: tzinfo) -> int:
        """How many leading characters of a stored time place it in one local day of the span:
        its UTC hour (13) when every offset of `zone` in the span is whole hours, else its
        minute (16), else its second (19)."""
        lo, hi = day_range(self.first, zone, len(self))
        offsets = {_offset(lo, zone), _offset(hi, zone)}
        offsets.update(_offset(day_range(d, zone)[0], zone) for d in self.each())
        if all(o % 3600 == 0 for o in offsets):
            return 13
        return 16 if all(o % 60 == 0 for o in offsets) else 19


def _offset(moment: datetime, zone: tzinfo) -> int:
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def post_codes(conn: Connection, only: Sequence[str] | None) -> list[str]:
    """The posts a report covers: `only` (an account's posts), or every post."""
    if only is not None:
        return sorted(only)
    return sorted(conn.execute(select(posts.c.code)).scalars())


def _moment_of(length: int) -> Any:
    """The leading `length` characters of a crossing's time (UTC), written with constants
    rather than parameters so that the grouping is the same expression as the selection."""
    return func.substr(crossings.c.at, literal_column("1"), literal_column(str(length)))


_COMPLETIONS = {13: ":00:00+00:00", 16: ":00+00:00", 19: "+00:00"}


def crossing_counts(
    conn: Connection, days: Days, only: Sequence[str] | None = None, zone: tzinfo = UTC
) -> Counter[tuple[str, str, str]]:
    """How many crossings each post recorded each day (a day in `zone`), by decision:
    ("YYYY-MM-DD", post, decision) -> n. `only`: the posts an account may see (None: every
    post)."""
    lo, hi = days.bounds(zone)
    length = days.moment_length(zone)
    moment = _moment_of(length)
    query = (
        select(moment, crossings.c.post_code, crossings.c.decision, func.count())
        .where(
            crossings.c.post_code.in_(post_codes(conn, only)),
            crossings.c.at >= lo,
            crossings.c.at < hi,
        )
        .group_by(moment, crossings.c.post_code, crossings.c.decision)
    )
    found: Counter[tuple[str, str, str]] = Counter()
    day_of: dict[str, str] = {}
    for start, post, decision, n in conn.execute(query):
        if start not in day_of:
            day_of[start] = local_day(start + _COMPLETIONS[length], zone).isoformat()
        found[(day_of[start], post, decision)] += n
    return found


def referral_outcomes(
    conn: Connection, days: Days, only: Sequence[str] | None = None, zone: tzinfo = UTC
) -> Counter[str]:
    """The referrals of the crossings of `days` (days in `zone`), by outcome as it stood at
    the end of the last day: one resolved later was still open then."""
    lo, hi = days.bounds(zone)
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
