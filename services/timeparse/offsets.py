"""Lengths and offsets: 一个半小时, 两小时后, 三天前, 过三分钟, 12月1日的3天后, 后三天, 上两分钟.

A length is kept as whole months plus seconds, so that an offset in months or years lands on the
same day of the month (明天的一个月以前, 五年后) and one in days or hours is exact. An offset moves
an anchor: now (三天后) or a stated day (12月1日的3天后); it never stands for the week or month
around the day it lands on (三星期后 is the day three weeks on).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.numbers import num
from services.timeparse.pieces import Day, Reading, add_months, monday, skip
from services.timeparse.result import Hit

_DAY = 86400


@dataclass(frozen=True)
class Length:
    """Hold a length as whole months and seconds, and its coarsest unit."""

    months: int
    secs: float
    unit: str  # "year" | "month" | "week" | "day" | "minute"

    @property
    def fine(self) -> bool:
        """Tell whether the length has a part below a whole day (两个星期11小时)."""
        return self.unit == "minute" or self.secs % _DAY != 0

    @property
    def approx_secs(self) -> float:
        """Return the length in seconds, a month counted as 30 days."""
        return self.months * 30 * _DAY + self.secs


def duration_seconds(m: re.Match[str]) -> tuple[float, str]:
    """Return the seconds a duration match means and its coarsest unit's grain."""
    if m[7]:
        secs: float = 900
        unit = 60
    elif m[5]:
        unit = lx.UNIT_SECS[m[6]]
        secs = unit / 2
    else:
        unit = lx.UNIT_SECS[m[3]]
        n = float(m[1]) if "." in m[1] else float(num(m[1]))
        if m[2] or m[4]:
            n += 0.5
        secs = n * unit
    if m[8]:
        secs += num(m[8]) * lx.UNIT_SECS[m[9]]
    return secs, lx.UNIT_GRAIN.get(unit, "minute")


def length_of(m: re.Match[str]) -> Length:
    """Return the length a duration match says, months kept whole where they are whole."""
    secs, unit = duration_seconds(m)
    word = m[6] if m[5] else m[3]
    if m[7] or word not in ("个月", "年"):
        return Length(0, secs, unit)
    tail = num(m[8]) * lx.UNIT_SECS[m[9]] if m[8] else 0
    if m[5]:
        n = 0.5  # 半个月, 半年
    else:
        n = (float(m[1]) if "." in m[1] else float(num(m[1]))) + (0.5 if m[2] or m[4] else 0.0)
    months = n * (12 if word == "年" else 1)
    whole = int(months)
    return Length(whole, (months - whole) * 30 * _DAY + tail, unit)


def add_months_keep(d: date, n: int) -> date:
    """Return d moved by n months, the day clipped to the month's length (1月31日 -> 2月28日)."""
    first = add_months(d, n)
    last = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=min(d.day, last))


def shift_day(d: date, length: Length, sign: int) -> date:
    """Return the day a whole-day length lands on from d."""
    return add_months_keep(d, sign * length.months) + timedelta(seconds=sign * length.secs)


def shift_at(at: datetime, length: Length, sign: int) -> datetime:
    """Return the instant a length lands on from at."""
    moved = datetime.combine(add_months_keep(at.date(), sign * length.months), at.timetz())
    return moved + timedelta(seconds=sign * length.secs)


def landed(base: datetime, length: Length, sign: int, *, from_day: bool) -> Day:
    """Return the date part an offset lands on: the instant when it has hours, else the day.

    ``from_day``: the anchor is a stated day (12月1日的3天后), not now; an offset in whole days
    then keeps its day, and one with hours starts from that day's midnight.
    """
    if length.fine:
        at = shift_at(base, length, sign)
        return Day(at.date(), at=at)
    scope = "year" if length.unit == "year" else "month" if length.unit == "month" else None
    return Day(shift_day(base.date(), length, sign), scope=scope, explicit=from_day)


def offset_from_now(cx: Reading, p: int) -> tuple[int, Day] | None:
    """Read 两小时后, 三天前, 过三分钟, 三星期后 at p as the date part (or instant) it lands on."""
    t = cx.text
    q = p
    passing = t.startswith("过", p) and not t.startswith("过去", p)
    if passing:
        q += 1  # 过三分钟: three minutes from now
    d = lx.DURATION.match(t, q)
    if d is None:
        return None
    o = lx.OFFSET_AFTER.match(t, d.end())
    sign = 1
    if o is None and not passing:
        o = lx.OFFSET_BEFORE.match(t, d.end())
        sign = -1
    if o is None and not passing:
        return None
    if d[3] == "日" and o is None:
        return None
    stop = o.end() if o is not None else d.end()
    return stop, landed(cx.now, length_of(d), sign, from_day=False)


def offset_from_day(cx: Reading, q: int, day: Day) -> tuple[int, Day] | None:
    """Read 的3天后, 3天前, 的一个月以前, 后的第2天, 的前一天 after a stated day."""
    t = cx.text
    p = q + 1 if t.startswith("的", q) else q
    m = lx.NTH_AFTER.match(t, p)
    if m:  # 12月10日后的第2天: two days on
        sign = 1 if m[1] in ("后", "以后", "之后") else -1
        return m.end(), Day(day.day + timedelta(days=sign * num(m[2])))
    m = lx.NEXT_OR_PREVIOUS_DAY.match(t, p)
    if m and p > q:  # 6月10日的前一天
        return m.end(), Day(day.day + timedelta(days=-1 if m[1] == "前" else 1))
    d = lx.DURATION.match(t, p)
    if d is None or d[3] == "日":
        return None
    o = lx.OFFSET_AFTER.match(t, d.end())
    sign = 1
    if o is None:
        o, sign = lx.OFFSET_BEFORE.match(t, d.end()), -1
    if o is None:
        return None
    base = day.at or datetime.combine(day.day, time(0), cx.now.tzinfo)
    return o.end(), landed(base, length_of(d), sign, from_day=True)


def near_now(cx: Reading, p: int) -> Hit | None:
    """Read 后三天, 下三小时, 上两分钟, 往后一刻钟: the units right after or before now.

    Below a day the span starts or ends now (下三小时 at 10:00 is 10:00-13:00); in days, weeks,
    months or years it is the whole units after or before the current one (后三天 on a Thursday
    is Friday to Sunday, 上两周 the two weeks before this one).
    """
    t = cx.text
    w = lx.NEAR_NOW.match(t, p)
    if w is None:
        return None
    d = lx.DURATION.match(t, skip(lx.SP, t, w.end()))
    if (
        d is None
        or d[5]
        or lx.OFFSET_AFTER.match(t, d.end())
        or lx.OFFSET_BEFORE.match(t, d.end())
    ):
        return None
    sign = -1 if w[1] in ("上", "往前") else 1
    length = length_of(d)
    stop = skip(lx.WINDOW_TAIL, t, d.end())
    span = timedelta(seconds=length.approx_secs)
    if length.fine:
        lo, hi = (cx.now, cx.now + span) if sign > 0 else (cx.now - span, cx.now)
        return Hit(p, stop, lo, hi, "minute", span)
    tz = cx.now.tzinfo
    if length.unit == "week" and length.months == 0:
        first = monday(cx.today) + timedelta(weeks=1 if sign > 0 else 0)
        n = timedelta(seconds=length.secs)
        lo_d, hi_d = (first, first + n) if sign > 0 else (first - n, first)
        grain = "week"
    elif length.unit in ("month", "year") and length.secs == 0:
        step = 12 if length.unit == "year" else 1
        first = cx.today.replace(month=1 if step == 12 else cx.today.month, day=1)
        if sign > 0:
            lo_d = add_months(first, step)
            hi_d = add_months(lo_d, length.months)
        else:
            lo_d, hi_d = add_months(first, -length.months), first
        grain = length.unit
    else:
        first = cx.today + timedelta(days=1 if sign > 0 else 0)
        n = timedelta(seconds=length.approx_secs)
        lo_d, hi_d = (first, first + n) if sign > 0 else (first - n, first)
        grain = "day"
    lo = datetime.combine(lo_d, time(0), tz)
    hi = datetime.combine(hi_d, time(0), tz)
    return Hit(p, stop, lo, hi, grain, hi - lo)
