"""Workdays by the official Chinese calendar (holidays and adjusted workdays, 调休).

chinese-calendar knows the years published before its release; for a later year the office
adds the State Council's notice as data (`set_extra_days`, loaded from a YAML file by the
wiring), and `known_year` tells whether a year is covered so an admin can be warned.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml

#: Extra data for years the library does not know: date -> True (workday) / False (day off).
_extra: dict[date, bool] = {}
_extra_years: set[int] = set()
#: Office hours used for "working hours" rules.
WORK_START = time(9, 0)
WORK_END = time(17, 30)


def set_extra_days(
    holidays: Iterable[date], workdays: Iterable[date], years: Iterable[int]
) -> None:
    """Declare a year's holidays and adjusted workdays (the notice the library lacks)."""
    for day in holidays:
        _extra[day] = False
    for day in workdays:
        _extra[day] = True
    _extra_years.update(years)


def load_calendar_file(path: Path) -> list[int]:
    """Load `{2027: {holidays: [...], workdays: [...]}}` from YAML; returns the years added."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    years = []
    for year, days in data.items():
        set_extra_days(
            [_as_date(d) for d in days.get("holidays", [])],
            [_as_date(d) for d in days.get("workdays", [])],
            [int(year)],
        )
        years.append(int(year))
    return years


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def known_year(year: int) -> bool:
    if year in _extra_years:
        return True
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    """True on workdays, including weekend days made workdays; weekends only when unknown."""
    if day in _extra:
        return _extra[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def next_workday(day: date, *, include_today: bool = False) -> date:
    current = day if include_today else day + timedelta(days=1)
    while not is_workday(current):
        current += timedelta(days=1)
    return current


def working_seconds_between(start: datetime, end: datetime, tz: ZoneInfo) -> float:
    """Seconds of office hours on workdays between two instants (for chasing approvals)."""
    if end <= start:
        return 0.0
    total = 0.0
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.date()
    while day <= local_end.date():
        if is_workday(day):
            open_at = datetime.combine(day, WORK_START, tz)
            close_at = datetime.combine(day, WORK_END, tz)
            lo, hi = max(open_at, local_start), min(close_at, local_end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def add_working_hours(start: datetime, hours: float, tz: ZoneInfo) -> datetime:
    """The instant when `hours` of office time will have passed after `start`."""
    remaining = hours * 3600.0
    current = start.astimezone(tz)
    for _ in range(3660):  # at most ten years of days; never loops forever
        day = current.date()
        if is_workday(day):
            open_at = datetime.combine(day, WORK_START, tz)
            close_at = datetime.combine(day, WORK_END, tz)
            lo = max(open_at, current)
            if close_at > lo:
                available = (close_at - lo).total_seconds()
                if available >= remaining:
                    return lo + timedelta(seconds=remaining)
                remaining -= available
        current = datetime.combine(day + timedelta(days=1), time(0, 0), tz)
    raise ValueError("working hours do not fit in ten years")
