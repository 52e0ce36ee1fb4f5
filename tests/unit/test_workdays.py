"""Workdays follow the official calendar, holidays and adjusted workdays included."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services import workdays

SH = ZoneInfo("Asia/Shanghai")


def test_national_day_is_off_and_the_adjusted_sunday_is_a_workday() -> None:
    assert not workdays.is_workday(date(2026, 10, 1))
    assert workdays.is_workday(date(2026, 9, 20)) or workdays.is_workday(date(2026, 10, 10))


def test_working_hours_skip_the_weekend() -> None:
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=SH)
    monday_10am = datetime(2026, 11, 30, 10, 0, tzinfo=SH)
    assert workdays.working_seconds_between(friday_4pm, monday_10am, SH) == 2.5 * 3600
    assert workdays.add_working_hours(friday_4pm, 2.5, SH) == monday_10am


def test_unknown_year_can_be_added_as_data(calendar_state: None) -> None:
    assert not workdays.known_year(2033)
    workdays.set_extra_days([date(2033, 1, 3)], [date(2033, 1, 8)], [2033])
    assert workdays.known_year(2033)
    assert not workdays.is_workday(date(2033, 1, 3))
    assert workdays.is_workday(date(2033, 1, 8))  # a Saturday made a workday
