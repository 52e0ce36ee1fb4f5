"""Anchors: the date parts an expression starts from (12月3日, 明天, 下周三, 下个月, 明年, 2.15),
and the finer date or relative day said after one (明年3月5号, 两个月后的5号, 去年的今天)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.clock import clock_at
from services.timeparse.numbers import num, year_of
from services.timeparse.pieces import (
    Day,
    Reading,
    add_months,
    monday,
    nearer_next,
    safe_date,
    skip,
    week_shift,
)
from services.timeparse.positions import position_at

#: Days from today a relative day word means.
REL_SHIFT = {
    "大大后天": 4, "大后天": 3, "后天": 2, "明天": 1, "明日": 1, "次日": 1, "翌日": 1,
    "第二天": 1, "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1,
}  # fmt: skip


def day_at(cx: Reading, p: int) -> tuple[int, Day] | None:
    """Match a date part at p."""
    t, today = cx.text, cx.today
    m = lx.ISO.match(t, p)
    if m:
        d = safe_date(int(m[1]), int(m[3]), int(m[4]))
        return m.end(), Day(d) if d else Day(today, no_such=True)
    m = lx.YMD_SP.match(t, p) or lx.YMD8.match(t, p)
    if m:
        d = safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (m.end(), Day(d)) if d else None
    m = lx.DMY.match(t, p)
    if m:
        a, b, y = int(m[1]), int(m[3]), year_of(m[4], cx.now)
        if len(m[1]) == 2 and len(m[4]) <= 2:
            # 27-7-3, 12-11-10: no part is marked as the year (a year is never written with
            # one digit), so the Chinese order applies: year, month, day
            ymd = safe_date(year_of(m[1], cx.now), b, int(m[4]))
            if ymd:
                return m.end(), Day(ymd)
        if len(m[4]) == 1 or len(m[4]) == 3:
            return m.end(), Day(today, ambiguous=True)
        if a == b:
            d = safe_date(y, a, a)
        elif a > 12 and b <= 12:
            d = safe_date(y, b, a)
        elif b > 12 and a <= 12:
            d = safe_date(y, a, b)
        else:
            # 1/2/2020, 3-7-2017: with the year written last, the order is day-month-year
            # wherever that order is used (both suites read it so). Reading takes it; a
            # booking asks, since a wrong guess would book the wrong day.
            d = safe_date(y, b, a) if a <= 31 else None
            if d and cx.booking:
                return m.end(), Day(d, ambiguous=True)
        return (m.end(), Day(d)) if d else None
    m = lx.REL_DAY_POD.match(t, p)
    if m:
        w = m[1]
        shift = {"今": 0, "当": 0, "明": 1, "次": 1, "昨": -1, "前": -2}[w[0]]
        return m.end(), Day(today + timedelta(days=shift), pod=lx.POD_CODE[w])
    m = lx.REL_DAY.match(t, p)
    if m:
        return m.end(), Day(today + timedelta(days=REL_SHIFT.get(m[1], 0)))
    m = lx.WEEKDAY.match(t, p)
    if m and m[2] == "一" and t.startswith("下", m.end()) and not t.startswith("下午", m.end()):
        m = None  # 下周一下: 一下 is "a little", the week stays a week
    if m:
        shift = week_shift(m[1])
        mon = monday(today) + timedelta(weeks=shift)
        if m[2] == "末":
            sat = mon + timedelta(days=5)
            if m[1] is None and cx.future and sat + timedelta(days=2) <= today:
                sat += timedelta(weeks=1)
            return m.end(), Day(sat, grain="week", end=sat + timedelta(days=2))
        wd = lx.WEEKDAY_NUM.get(m[2], None)
        wd = int(m[2]) - 1 if wd is None else wd
        d = mon + timedelta(days=wd)
        explicit = m[1] is not None
        if not explicit and cx.future and d < today:
            d += timedelta(weeks=1)
        return m.end(), Day(d, explicit=explicit, by_weekday=True)
    m = lx.HALF_WEEK.match(t, p)
    if m:
        mon = monday(today)
        if m[1] == "上":
            return m.end(), Day(mon, grain="day", end=mon + timedelta(days=3))
        return m.end(), Day(mon + timedelta(days=3), grain="day", end=mon + timedelta(7))
    m = lx.WEEK.match(t, p)
    if m:
        q = m.end()
        if t[q : q + 1] in tuple("零〇○八九089") and t[q + 1 : q + 2] not in ("点", "时", ":"):
            return q + 1, Day(today, no_such=True)  # 下周八: no such weekday
        mon = monday(today) + timedelta(weeks=week_shift(m[1]))
        return m.end(), Day(mon, grain="week", end=mon + timedelta(weeks=1))
    m = lx.REL_MONTH.match(t, p)
    if m:
        w = m[1]
        shift = -1 if w.startswith("上") else 2 if w.startswith("下下") else int(w[0] == "下")
        first = add_months(today, shift)
        return m.end(), Day(first, grain="month", end=add_months(first, 1))
    m = lx.MONTH_END.match(t, p)
    if m:  # 月底, 年底 alone: this month's or this year's
        whole = this_year(today) if m[1] == "年" else this_month(today)
        return position_at(cx, p, whole)
    m = lx.NTH_DAY.match(t, p)
    if m:
        return m.end(), Day(today + timedelta(days=num(m[1]) - 1))
    m = lx.REL_YEAR.match(t, p)
    if m:
        y = today.year + {"今": 0, "明": 1, "去": -1, "前": -2, "后": 2}[m[1][0]]
        return m.end(), Day(date(y, 1, 1), grain="year", end=date(y + 1, 1, 1))
    m = lx.CN_DATE.match(t, p)
    if m:
        year = year_of(m[1], cx.now) if m[1] is not None else None
        month = num(m[2])
        if not 1 <= month <= 12:
            # 13月5日 is written as a date but is none: say so rather than read 5日 alone
            return (m.end(), Day(today, no_such=True)) if m[3] and m[4] else None
        if m[3] is None or (m[4] is None and not_a_day(t, m.end())):
            end = m.end() if m[3] is None else m.start(3)
            y = year if year is not None else today.year
            first = date(y, month, 1)
            form = end, Day(first, grain="month", end=add_months(first, 1))
            if year is None and cx.future and form[1].end_or_day <= today:
                # 3月 said in June: last March or next March? Ask unless next is much nearer.
                nxt = date(y + 1, month, 1)
                later = Day(nxt, grain="month", end=add_months(nxt, 1), explicit=False)
                later.last = nearer_next(first, nxt, today)
                return end, later
            return form
        day = num(m[3])
        if year is not None:
            d = safe_date(year, month, day)
            return m.end(), Day(d) if d else Day(today, no_such=True)
        return roll_month_day(cx, month, day, m.end(), written=m[4] is not None)
    m = lx.YEAR_ONLY.match(t, p)
    if m and not lx.CN_DATE.match(t, m.end()):
        y = year_of(m[1], cx.now)
        if 1000 <= y <= 2999 or len(m[1]) == 2:
            return m.end(), Day(date(y, 1, 1), grain="year", end=date(y + 1, 1, 1))
        return None
    m = lx.MD_DOT.match(t, p)
    if m and dotted_date(cx, p, m.end()):
        return roll_month_day(cx, int(m[1]), int(m[2]), m.end())
    m = lx.MD_SLASH.match(t, p) or lx.MD_DASH.match(t, p)
    if m:
        return roll_month_day(cx, int(m[1]), int(m[2]), m.end(), written=int(m[2]) <= 31)
    m = lx.DAY_ONLY.match(t, p)
    if m:
        day = num(m[1])
        if not 1 <= day <= 31:
            return None
        first = today.replace(day=1)
        last: date | None = None
        for k in range(0, 13):
            mo = add_months(first, k)
            d = safe_date(mo.year, mo.month, day)
            if d and (d >= today or not cx.future):
                # a booking cannot mean the day gone this month: the next month's it is
                last = None if cx.booking else nearer_next(last, d, today)
                return m.end(), Day(d, explicit=False, day_only=True, last=last)
            if d and not cx.future:
                break
            last = last or d
        return None
    return None


def roll_month_day(
    cx: Reading, month: int, day: int, end: int, written: bool = True
) -> tuple[int, Day] | None:
    """Resolve a month and day without a year; a day gone this year is last_or_next.

    A day no month has (2月30日, 11月31号, 4/31) is ``no_such`` when the form is plainly a
    date (``written``: 日/号 or a slash), else no date at all.
    """
    if not (1 <= month <= 12 and 1 <= day <= 31):
        if written and 1 <= month <= 12 and day <= 99:
            return end, Day(cx.today, no_such=True)
        return None
    if safe_date(2028, month, day) is None:  # a leap year holds every month-day there is
        return (end, Day(cx.today, no_such=True)) if written else None
    y = cx.today.year
    if safe_date(y, month, day) is None and safe_date(y + 1, month, day) is None:
        return end, Day(cx.today, no_such=True)  # 2月29日 said in 2025: none this year or next
    y = cx.today.year
    last: date | None = None
    for k in range(0, 9):
        d = safe_date(y + k, month, day)
        if d is None:
            continue
        if d >= cx.today or not cx.future:
            return end, Day(d, explicit=False, last=nearer_next(last, d, cx.today))
        last = d
    return None


def not_a_day(t: str, p: int) -> bool:
    """Tell whether a number after X月 with no 日/号 is something else (3号楼, 一下, 两天)."""
    if t.startswith("下午", p):
        return False
    return re_room(t, p) or t[p : p + 1] in ("下", "天", "个", "周", "小", "分", "点", "时")


def re_room(t: str, p: int) -> bool:
    """Tell whether a room word follows p."""
    return re.match(lx.ROOM_AFTER, t[p:]) is not None


def this_month(today: date) -> Day:
    """Return today's month as a period."""
    first = today.replace(day=1)
    return Day(first, grain="month", end=add_months(first, 1))


def this_year(today: date) -> Day:
    """Return today's year as a period."""
    return Day(date(today.year, 1, 1), grain="year", end=date(today.year + 1, 1, 1))


def dotted_date(cx: Reading, p: int, end: int) -> bool:
    """Tell whether 12.10 at p is a month and day: a time, a part of day or a weekday follows.

    Alone, 12.10 could be a number or a version; 12.10 下午3点 and 2.15早上 are dates.
    """
    t = cx.text
    if p > 0 and (t[p - 1].isdigit() or t[p - 1] == "."):
        return False
    q = skip(lx.SP, t, end)
    if lx.AFTER_WEEKDAY.match(t, end) or t.startswith(("号", "日"), q):
        return True
    pod = lx.POD.match(t, q)
    if pod and len(pod[1]) > 1:
        return True
    return clock_at(cx, q) is not None


def relative_of(cx: Reading, q: int, day: Day) -> tuple[int, Day] | None:
    """Read 的今天, 的后天 after an anchor: 去年的今天, 明天的后天, 下个月的今天.

    After a day 的 is needed (明天后天 is two days, not the day after tomorrow's); after a
    year, month or week the day is today's place in it, moved as the word says.
    """
    t = cx.text
    p = q + 1 if t.startswith("的", q) else q
    m = lx.REL_DAY.match(t, p)
    if m is None:
        return None
    shift = timedelta(days=REL_SHIFT.get(m[1], 0))
    span = day.span
    if span is None:
        return (m.end(), Day(day.day + shift)) if p > q else None
    lo, hi = span
    today = cx.today
    if day.grain == "year":
        base = safe_date(lo.year, today.month, today.day) or date(lo.year, 2, 28)
    elif day.grain == "month":
        base = safe_date(lo.year, lo.month, today.day) or hi - timedelta(days=1)
    elif day.grain == "week" and (hi - lo).days == 7:
        base = lo + timedelta(days=today.weekday())
    else:
        return None
    return m.end(), Day(base + shift)


def finer_at(cx: Reading, q: int, day: Day) -> tuple[int, Day] | None:
    """Read a finer date after a coarser anchor: 明年3月5号, 五年后3月三十号, 两个月后的5号."""
    t = cx.text
    p = q + 1 if t.startswith("的", q) else q
    scope = day.scope or day.grain
    y = day.day.year
    if scope == "year":
        m = lx.CN_DATE.match(t, p)
        if m and m[1] is None:
            month = num(m[2])
            if not 1 <= month <= 12:
                return None
            if m[3] is None or (m[4] is None and not_a_day(t, m.end())):
                first = date(y, month, 1)
                return m.start(3) if m[3] else m.end(), Day(
                    first, grain="month", end=add_months(first, 1)
                )
            d = safe_date(y, month, num(m[3]))
            return m.end(), Day(d) if d else Day(cx.today, no_such=True)
        m = lx.THIS_MONTH.match(t, p)
        if m:  # 去年本月: this month of that year
            first = date(y, cx.today.month, 1)
            return m.end(), Day(first, grain="month", end=add_months(first, 1))
    if scope == "month":
        m = lx.DAY_ONLY.match(t, p)
        if m:
            d = safe_date(y, day.day.month, num(m[1]))
            return m.end(), Day(d) if d else Day(cx.today, no_such=True)
    return None
