"""Muster writes one timestamp form, `Z`, and reads both (rows from before migration 0007)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from muster.actor import Actor
from muster.timestamps import lowest_of_second, parse_timestamp, timestamp

MOMENT = datetime(2019, 3, 15, 8, 30, 5, 999_999, tzinfo=timezone(timedelta(hours=-4)))


def test_a_moment_is_written_in_utc_to_the_second_with_z() -> None:
    assert timestamp(MOMENT) == "2019-03-15T12:30:05Z"
    assert timestamp().endswith("Z")


def test_the_ledger_and_the_tables_write_the_same_form() -> None:
    assert Actor("clerk").recorded(MOMENT).at == timestamp(MOMENT)


def test_both_forms_are_read_as_the_same_moment() -> None:
    moment = datetime(2019, 3, 15, 12, 30, 5, tzinfo=UTC)
    assert parse_timestamp("2019-03-15T12:30:05Z") == moment
    assert parse_timestamp("2019-03-15T12:30:05+00:00") == moment


def test_a_lower_bound_finds_both_forms_of_its_second() -> None:
    bound = lowest_of_second(datetime(2019, 3, 15, tzinfo=UTC))
    assert bound <= "2019-03-15T00:00:00+00:00" <= "2019-03-15T00:00:00Z"
    assert bound > "2019-03-14T23:59:59Z"
