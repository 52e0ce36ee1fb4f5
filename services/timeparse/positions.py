"""Positions inside a period: 第N天, 最后一天, 前N天, 月底/月初, 年底, 上中下旬, 第N周, 第N个周二,
最后一个周五, 第一个/最后一个工作日, 周末.

Each works in whatever period the anchor before it names (本月, 5月, 2013年2月, 明年, 下周, and the
month of a 月底), so 本月第二天, 今年的第二天, 2013年2月第二天 and 下周第一天 are one rule, and
月底最后一个工作日 is the last workday of the month 月底 was taken in. Workdays follow the official
calendar (services.workdays, with its adjusted workdays).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from services import workdays
from services.timeparse import lexicon as lx
from services.timeparse.numbers import num
from services.timeparse.pieces import Day, Reading, add_months

_POSITION = re.compile(
    rf"(?:的)?(?:"
    rf"第(?P<nth_day>\d{{1,3}}|{lx.CNN}|[一二三]百[零一二三四五六七八九十]*)[天日]"
    rf"|最后(?P<last_n>{lx.N2})[天日]"
    rf"|(?:前|头)(?P<first_n>{lx.N2})[天日]"
    rf"|(?P<unit>月|年)?(?P<edge>底|末|初(?![一二三四五六七八九十\d]))"
    rf"|(?P<xun>上|中|下)旬"
    rf"|第(?P<nth_week>{lx.N2})个?(?:周|星期|礼拜)(?!{lx.WD})"
    rf"|(?:第(?P<nth>{lx.N2})|(?P<final>最后一|最末一))个"
    rf"(?:(?P<workday>工作日)|(?:周|星期|礼拜)(?P<wd>{lx.WD}))"
    rf"|(?P<weekend>周末)"
    rf"|第?(?P<quarter>[一二三四1-4])季度"
    rf")"
)


def position_at(cx: Reading, q: int, day: Day) -> tuple[int, Day] | None:
    """Read a position at q inside the period day names, if it names one."""
    span = day.span
    if span is None:
        return None
    m = _POSITION.match(cx.text, q)
    if m is None:
        return None
    if day.period is not None and m["workday"] is None and m["wd"] is None:
        return None  # after 月底 only 最后一个工作日 / 最后一个周五 still make sense
    found = place(span, m)
    return (m.end(), found) if found is not None else None


def place(span: tuple[date, date], m: re.Match[str]) -> Day | None:
    """Return the day or days a position match names in the period [lo, hi)."""
    lo, hi = span
    length = (hi - lo).days
    is_month = lo.day == 1 and 28 <= length <= 31
    is_year = lo.month == 1 and lo.day == 1 and length in (365, 366)
    if m["nth_day"] is not None:
        n = num(m["nth_day"])
        if not 1 <= n <= length:
            return Day(lo, no_such=True)  # 2月第30天
        return Day(lo + timedelta(days=n - 1))
    if m["last_n"] is not None:
        n = min(num(m["last_n"]), length)
        return Day(hi - timedelta(days=1)) if n == 1 else Day(hi - timedelta(days=n), end=hi)
    if m["first_n"] is not None:
        n = min(num(m["first_n"]), length)
        return Day(lo) if n == 1 else Day(lo, end=lo + timedelta(days=n))
    if m["edge"] is not None:
        if (m["unit"] == "年" and not is_year) or (m["unit"] == "月" and not is_month):
            return None
        if not (is_month or is_year):
            return None
        if m["edge"] in ("底", "末"):
            return Day(hi - timedelta(days=1), period=span)  # 月底, 年底: the last day
        if is_month:
            return Day(lo, end=lo + timedelta(days=5))  # 月初: the 1st to the 5th
        return None  # 年初 has no agreed days: left unread, so asked
    if m["xun"] is not None:
        if not is_month:
            return None
        skip = {"上": 0, "中": 10, "下": 20}[m["xun"]]
        end = hi if m["xun"] == "下" else lo + timedelta(days=skip + 10)
        return Day(lo + timedelta(days=skip), end=end)
    if m["nth_week"] is not None:
        mon = lo + timedelta(days=(7 - lo.weekday()) % 7)
        start = mon + timedelta(weeks=num(m["nth_week"]) - 1)
        return Day(start, grain="week", end=start + timedelta(weeks=1))
    if m["quarter"] is not None:
        if not is_year:
            return None
        first = add_months(lo, 3 * (num(m["quarter"]) - 1))
        return Day(first, grain="month", end=add_months(first, 3))
    if m["weekend"] is not None:
        if length != 7:
            return None
        sat = lo + timedelta(days=5)
        return Day(sat, grain="week", end=sat + timedelta(days=2))
    days = [lo + timedelta(days=k) for k in range(length)]
    if m["workday"] is not None:
        picked = [d for d in days if workdays.is_workday(d)]
    else:
        wd = lx.WEEKDAY_NUM.get(m["wd"])
        target = int(m["wd"]) - 1 if wd is None else wd
        picked = [d for d in days if d.weekday() == target]
    if m["final"] is not None:
        return Day(picked[-1]) if picked else None
    n = num(m["nth"])
    if not 1 <= n <= len(picked):
        return Day(lo, no_such=True)  # 2月第5个周一
    return Day(picked[n - 1])
