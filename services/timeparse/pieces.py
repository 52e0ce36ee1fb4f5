"""The pieces an expression is built from (a date part, a clock reading, a range end) and the
reading context every stage shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass
class Reading:
    """Hold one text being read against one reference time, and how to read it."""

    text: str  # normalised (full-width made ASCII): offsets are the user's text's offsets
    now: datetime  # aware, in the office's zone
    future: bool  # prefer_future: underspecified forms mean the coming one
    booking: bool  # not allow_past: a booking, where a past reading is impossible

    @property
    def today(self) -> date:
        """Return the reference day."""
        return self.now.date()


@dataclass
class Day:
    """Hold a resolved date part: first day, grain and how it was stated."""

    day: date
    grain: str = "day"  # "day" | "week" | "month" | "year"
    end: date | None = None  # exclusive end for week/month/year grains
    explicit: bool = True  # False when rolled forward from an underspecified form
    pod: str | None = None  # a part of day carried by words like 今晚
    ambiguous: bool = False
    day_only: bool = False  # "十二日" alone: takes year and month from a range's start
    weekday: int | None = None  # a weekday said beside the date (0 = Monday), to cross-check
    last: date | None = None  # the reading already past when this one was rolled forward
    no_such: bool = False  # 2月30日, 13月5日, 2026-02-30: written as a date, on no calendar
    at: datetime | None = None  # an exact instant: an offset with hours (两小时后, 的11小时之后)
    #: The period a position was taken in (月底: the month), for a further position in it
    #: (月底最后一个工作日); week, month and year grains are their own period.
    period: tuple[date, date] | None = None
    #: "year" or "month" when finer fields may still be said (五年后3月30号, 两个月后的5号).
    scope: str | None = None
    by_weekday: bool = False  # named by a weekday (周日, 下周三); explicit False when bare

    @property
    def span(self) -> tuple[date, date] | None:
        """Return the period positions are taken in (第N天, 最后一个工作日), if any."""
        if self.period is not None:
            return self.period
        if self.end is not None:  # a week, month, year, or days such as 中旬 and 月初
            return self.day, self.end
        return None

    @property
    def end_or_day(self) -> date:
        """Return the exclusive end of the days this part covers."""
        return self.end if self.end is not None else self.day + timedelta(days=1)


@dataclass
class Clock:
    """Hold a clock reading before the part of day is applied."""

    hour: int
    minute: int = 0
    second: int = 0
    explicit24: bool = False
    grain: str = "hour"
    ampm: str | None = None
    bare: bool = False  # a number with no 点/时 that only counts as the start of a range
    or_next: bool = False  # 七八点: seven or eight o'clock, the two hours from seven
    colon: bool = False  # written 5:00, the 24-hour clock's notation
    no_such: bool = False  # 25点, 3点75分: written as a clock time, on no clock


@dataclass
class End:
    """Hold one end of a range: its date, part of day and clock, any of them missing."""

    begin: int
    stop: int
    day: Day | None = None
    pod: str | None = None
    clock: Clock | None = None


def add_months(d: date, n: int) -> date:
    """Return the first of the month n months after d's month."""
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def safe_date(y: int, m: int, d: int) -> date | None:
    """Return the date or None when it does not exist."""
    try:
        return date(y, m, d)
    except ValueError:
        return None


def nearer_next(last: date | None, nxt: date, today: date) -> date | None:
    """Return last, or None when the coming reading is at most half as far as the gone one.

    In November 1月19号 is the coming January (73 days on, against 293 days back); in June
    四月十三 could be this April or next, and the suites read it both ways, so it stays asked.
    """
    if last is not None and 2 * (nxt - today).days <= (today - last).days:
        return None
    return last


def monday(d: date) -> date:
    """Return the Monday of d's week."""
    return d - timedelta(days=d.weekday())


def week_shift(word: str | None) -> int:
    """Return the week offset a modifier like 下下 or 上 means."""
    if not word:
        return 0
    if word.startswith("上上"):
        return -2
    if word.startswith("下下"):
        return 2
    if word.startswith("上"):
        return -1
    if word.startswith("下"):
        return 1
    return 0


def skip(rx: re.Pattern[str], t: str, p: int) -> int:
    """Return where an optional pattern matched at p ends (p when it does not match)."""
    m = rx.match(t, p)
    return m.end() if m else p
