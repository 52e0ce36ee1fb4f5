"""Date parts: the anchors an expression starts from (a date, a relative day, a week, a month,
a year) and the positions inside a month (月底, 第N周, 第N个周二)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.numbers import num, year_of
from services.timeparse.pieces import (
    Day,
    Reading,
    add_months,
    monday,
    nearer_next,
    safe_date,
    week_shift,
)


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
        shift = {
            "大大后天": 4, "大后天": 3, "后天": 2, "明天": 1, "明日": 1, "次日": 1,
            "翌日": 1, "第二天": 1, "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1,
        }.get(m[1], 0)  # fmt: skip
        return m.end(), Day(today + timedelta(days=shift))
    m = lx.WEEKDAY.match(t, p)
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
        return m.end(), Day(d, explicit=explicit)
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
        shift = (
            -1
            if w.startswith("上")
            else 2
            if w.startswith("下下")
            else (1 if w.startswith("下") else 0)
        )
        first = add_months(today, shift)
        end = m.end()
        n = lx.NTH_WEEK.match(t, end)
        if m[2] is None and n:
            return nth_week(first, num(n[1]), n.end())
        if m[2] is None:
            me = lx.MONTH_TAIL.match(t, end)
            if me:
                return me.end(), month_part(first, me)
            return end, Day(first, grain="month", end=add_months(first, 1))
        d = safe_date(first.year, first.month, num(m[2]))
        return (end, Day(d)) if d else None
    m = lx.MONTH_END.match(t, p)
    if m:
        return m.end(), month_part(today.replace(day=1), lx.MONTH_TAIL.match(t, p + 1))
    m = lx.NTH_DAY.match(t, p)
    if m:
        if m[1]:
            return m.end(), Day(date(year_of(m[1], cx.now), 1, 1) + timedelta(num(m[2]) - 1))
        return m.end(), Day(today + timedelta(days=num(m[2]) - 1))
    year: int | None = None
    q = p
    m = lx.REL_YEAR.match(t, p)
    if m:
        year = today.year + {"今": 0, "明": 1, "去": -1, "前": -2, "后": 2}[m[1][0]]
        q = m.end()
        rm = lx.REL_MONTH.match(t, q)
        if rm and rm[1] in ("本月", "这个月", "这月", "当月") and rm[2]:
            d = safe_date(year, today.month, num(rm[2]))
            return (rm.end(), Day(d)) if d else None
        if not lx.CN_DATE.match(t, q):
            n = lx.NTH_WEEK.match(t, q)
            if n:
                return nth_week(date(year, 1, 1), num(n[1]), n.end())
            return None
    m = lx.CN_DATE.match(t, q)
    if m and (m[1] is None or year is None):
        if m[1] is not None:
            year = year_of(m[1], cx.now)
        month = num(m[2])
        if not 1 <= month <= 12:
            # 13月5日 is written as a date but is none: say so rather than read 5日 alone
            return (m.end(), Day(today, no_such=True)) if m[3] and m[4] else None
        if m[3] is None or (m[4] is None and re_room(t, m.end())):
            end = m.end() if m[3] is None else m.start(3)
            y = year if year is not None else today.year
            first = date(y, month, 1)
            form = in_month(cx, first, m, end)
            if year is None and cx.future and form and form[1].end_or_day <= today:
                # 3月第三周 said in June: last March's or next March's? Ask.
                nxt = in_month(cx, date(y + 1, month, 1), m, end)
                if nxt:
                    nxt[1].last = nearer_next(form[1].day, nxt[1].day, today)
                return nxt
            return form
        day = num(m[3])
        if year is not None:
            d = safe_date(year, month, day)
            return m.end(), Day(d) if d else Day(today, no_such=True)
        return roll_month_day(cx, month, day, m.end(), written=m[4] is not None)
    m = lx.YEAR_ONLY.match(t, p)
    if m and not lx.CN_DATE.match(t, m.end()):
        y = year_of(m[1], cx.now)
        n = lx.NTH_WEEK.match(t, m.end())
        if n:
            return nth_week(date(y, 1, 1), num(n[1]), n.end())
        if 1000 <= y <= 2999 or len(m[1]) == 2:
            return m.end(), Day(date(y, 1, 1), grain="year", end=date(y + 1, 1, 1))
        return None
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


def in_month(cx: Reading, first: date, m: re.Match[str], end: int) -> tuple[int, Day] | None:
    """Resolve X月 alone or followed by 第N周, 第N个周二, 初/底, 前N天 in one month."""
    t = cx.text
    n = lx.NTH_WEEK.match(t, end)
    if n:
        return nth_week(first, num(n[1]), n.end())
    n = lx.NTH_WEEKDAY.match(t, end)
    if n:
        return nth_weekday(first, num(n[1]), n[2], n.end())
    me = lx.MONTH_TAIL.match(t, m.end(2)) or lx.MONTH_TAIL.match(t, end)
    if me:
        return me.end(), month_part(first, me)
    return end, Day(first, grain="month", end=add_months(first, 1))


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
    last: date | None = None
    for k in range(0, 9):
        d = safe_date(y + k, month, day)
        if d is None:
            continue
        if d >= cx.today or not cx.future:
            return end, Day(d, explicit=False, last=nearer_next(last, d, cx.today))
        last = d
    return None


def nth_week(first: date, n: int, end: int) -> tuple[int, Day] | None:
    """Return the n-th Monday-started week of the month or year beginning at first."""
    mon = first + timedelta(days=(7 - first.weekday()) % 7)
    start = mon + timedelta(weeks=n - 1)
    return end, Day(start, grain="week", end=start + timedelta(weeks=1))


def nth_weekday(first: date, n: int, wd: str, end: int) -> tuple[int, Day] | None:
    """Return the n-th given weekday of the month beginning at first."""
    target = lx.WEEKDAY_NUM.get(wd, None)
    target = int(wd) - 1 if target is None else target
    d = first + timedelta(days=(target - first.weekday()) % 7) + timedelta(weeks=n - 1)
    return end, Day(d)


def month_part(first: date, m: re.Match[str] | None) -> Day:
    """Return the days 月初 (1st-5th), 月底 (25th-last) or 前/最后N天 cover in a month."""
    nxt = add_months(first, 1)
    if m is None or m[1] in ("底", "末"):
        return Day(first.replace(day=25), grain="day", end=nxt)
    if m[1] == "初":
        return Day(first, grain="day", end=first.replace(day=6))
    n = min(num(m[3]), 28)
    if m[2] == "最后":
        return Day(nxt - timedelta(days=n), grain="day", end=nxt)
    return Day(first, grain="day", end=first + timedelta(days=n))


def re_room(t: str, p: int) -> bool:
    """Tell whether a room word follows p."""
    return re.match(lx.ROOM_AFTER, t[p:]) is not None
