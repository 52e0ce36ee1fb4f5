"""Report jobs: the daily push on workdays, Monday's weekly push, the calendar check."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scheduler import current_settings, job
from services.reports import calendar, daily

DEFAULT_ZONE = "Asia/Shanghai"


def _tz() -> ZoneInfo:
    return ZoneInfo(getattr(current_settings(), "timezone", DEFAULT_ZONE))


def calendar_store(settings: Any) -> Path:
    """Where next year's notice is kept: the calendar file setting, or data/calendar.yaml."""
    return Path(settings.calendar_file or Path(settings.data_dir) / "calendar.yaml")


@job("reports.daily", at="daily_report_time", workdays_only=True)
async def push_daily(now: datetime) -> str:
    """Queue today's report for the office group and each leader."""
    return await daily.push_daily(now, _tz())


@job("reports.weekly", at="weekly_report_time", weekday=0, workdays_only=True)
async def push_weekly(now: datetime) -> str:
    """Queue last week's report and chart for the office group and each leader."""
    return await daily.push_weekly(now, _tz())


@job("calendar.check", at="09:00", grace=timedelta(hours=14))
async def check_calendar(now: datetime) -> str:
    """Re-read the saved notices (another replica may have added one), then warn if needed.

    The long grace makes a bot started later in the day still check that day.
    """
    settings = current_settings()
    if settings is not None:
        calendar.load_store(calendar_store(settings))
    return await calendar.warn_if_unknown(now, now.astimezone(_tz()).date())
