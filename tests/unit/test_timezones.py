"""The registry's time zone: moments stored in UTC are shown, and counted into days, as the
clocks of the zone read them (America/Caracas, UTC-4, unless `MUSTER_TIMEZONE` names another);
a name that is not a time zone is refused naming the setting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from muster.config import Settings, local_today, registry_zone
from muster.domain.errors import InvalidInputError
from muster.screening.figures import Days
from muster.screening.listings import day_bounds
from muster.timezones import DEFAULT_ZONE, day_range, local, local_day, today_in, zone_named
from muster.web.i18n import Formats

CARACAS = zone_named("America/Caracas")
LATE = "2019-03-16T01:30:00Z"  # 21:30 of the 15th in Caracas


def test_a_crossing_at_01_30z_on_the_16th_is_21_30_of_the_15th_in_caracas() -> None:
    assert local(LATE, CARACAS).strftime("%Y-%m-%d %H:%M") == "2019-03-15 21:30"
    assert local_day(LATE, CARACAS) == date(2019, 3, 15)
    assert local_day("2019-03-16T01:30:00+00:00", CARACAS) == date(2019, 3, 15)  # before 0007
    assert local_day(LATE, UTC) == date(2019, 3, 16)


def test_a_local_day_is_the_utc_range_between_its_midnights() -> None:
    start, end = day_range(date(2019, 3, 15), CARACAS)
    assert (start, end) == (
        datetime(2019, 3, 15, 4, tzinfo=UTC),
        datetime(2019, 3, 16, 4, tzinfo=UTC),
    )
    assert start <= local(LATE, UTC) < end  # the late crossing belongs to the 15th's list
    assert day_range(date(2019, 3, 14), CARACAS, days=2)[1] == end


def test_the_bounds_of_a_days_list_find_both_stored_forms() -> None:
    lo, hi = day_bounds(date(2019, 3, 15), CARACAS)
    assert lo <= "2019-03-15T04:00:00+00:00" <= "2019-03-15T04:00:00Z"
    assert lo <= LATE < hi
    assert hi <= "2019-03-16T04:00:00+00:00" and lo > "2019-03-15T03:59:59Z"
    assert day_bounds(date(2019, 3, 15)) == (
        "2019-03-15T00:00:00+00:00",
        "2019-03-16T00:00:00+00:00",
    )


def test_a_day_with_a_clock_change_is_as_long_as_the_clocks_say() -> None:
    new_york = zone_named("America/New_York")
    start, end = day_range(date(2019, 3, 10), new_york)  # clocks forward at 02:00
    assert (end - start).total_seconds() == 23 * 3600


def test_a_span_of_days_is_counted_by_the_hour_or_finer_when_the_offset_needs_it() -> None:
    span = Days(date(2019, 3, 1), date(2019, 3, 15))
    assert span.bounds(CARACAS)[0] == "2019-03-01T04:00:00+00:00"
    assert span.moment_length(CARACAS) == 13  # UTC-4: whole hours
    assert Days(date(2015, 3, 1), date(2015, 3, 2)).moment_length(CARACAS) == 16  # UTC-4:30
    assert span.moment_length(zone_named("Asia/Kathmandu")) == 16  # UTC+5:45


def test_the_pages_show_moments_in_the_zone_as_the_language_writes_them() -> None:
    es, en = Formats("es", CARACAS), Formats("en", "America/Caracas")
    assert es.time(LATE) == "21:30:00"
    assert es.date(LATE) == "15 mar 2019"  # the day of the moment there, not its UTC day
    assert es.date("2019-03-16") == "16 mar 2019"  # a day is a day
    assert en.datetime(LATE) == "Mar 15, 2019, 9:30:00\u202fPM GMT-04:00"
    assert es.zone_name(LATE) == "GMT-04:00"
    assert Formats("es").time(LATE) == "1:30:00"  # UTC unless told


def test_the_default_zone_is_caracas_and_a_setting_names_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MUSTER_TIMEZONE", raising=False)
    assert Settings().timezone == DEFAULT_ZONE == "America/Caracas"
    monkeypatch.setenv("MUSTER_TIMEZONE", "Europe/Madrid")
    assert registry_zone(Settings()).key == "Europe/Madrid"


@pytest.mark.parametrize("name", ["Caracas", "America/Gotham", "", "../etc/passwd", "UTC+4"])
def test_a_name_that_is_not_a_time_zone_is_refused_naming_the_setting(name: str) -> None:
    with pytest.raises(InvalidInputError, match="MUSTER_TIMEZONE") as refused:
        registry_zone(Settings(timezone=name))
    assert "IANA name" in str(refused.value)


def test_the_day_listed_is_the_screening_day_or_the_local_day() -> None:
    set_in_the_past = Settings(screening_date=date(2019, 3, 15), timezone="Asia/Tokyo")
    assert local_today(set_in_the_past) == date(2019, 3, 15)
    assert today_in(CARACAS, datetime(2019, 3, 16, 1, 30, tzinfo=UTC)) == date(2019, 3, 15)
    assert local_today(Settings(timezone="America/Caracas")) == today_in(CARACAS)
