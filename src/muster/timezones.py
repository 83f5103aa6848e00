"""The registry's time zone (`MUSTER_TIMEZONE`, an IANA name; default America/Caracas): the
zone the pages show moments in and cut days by. Moments are stored in UTC (`timestamps`); a
local day is turned into the range of UTC moments it covers before a query reads it.

Decisions keep their own day (`environment.today`): this zone changes what a page shows and
which crossings a page's day lists, never how a traveler is screened."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from muster.domain.errors import InvalidInputError
from muster.timestamps import parse_timestamp

DEFAULT_ZONE = "America/Caracas"  # the registry's users: Venezuela (UTC-4)


@cache
def zone_named(name: str) -> ZoneInfo:
    """The time zone `MUSTER_TIMEZONE` names, or an error naming the setting."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInputError(
            f"MUSTER_TIMEZONE: {name!r} is not a time zone: expected an IANA name such as "
            f"{DEFAULT_ZONE} or UTC"
        ) from None


def local(moment: datetime | str, zone: tzinfo) -> datetime:
    """A moment (aware, or as stored: `…Z` or `…+00:00`) in `zone`."""
    if isinstance(moment, str):
        moment = parse_timestamp(moment)
    return moment.astimezone(zone)


def local_day(moment: datetime | str, zone: tzinfo) -> date:
    """The day a moment falls on in `zone`."""
    return local(moment, zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first moment of a local day, in UTC (a midnight a clock change skips: the moment
    the clocks were put forward)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def day_range(first: date, zone: tzinfo, days: int = 1) -> tuple[datetime, datetime]:
    """The UTC moments from the local midnight that begins `first` to the one that ends the
    `days`-th day: the lower bound included, the upper one not."""
    return day_start(first, zone), day_start(first + timedelta(days=days), zone)


def today_in(zone: tzinfo, now: datetime | None = None) -> date:
    """The local day it is in `zone` (at `now`, default the clock)."""
    return (now or datetime.now(UTC)).astimezone(zone).date()
