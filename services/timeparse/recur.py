"""Recurrences (每周一上午10点, 每个工作日, 每月4号, 每隔3天): an RRULE and a first occurrence."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.clock import clock_at
from services.timeparse.numbers import num
from services.timeparse.pieces import Clock, Day, End, Reading, skip
from services.timeparse.resolve import start_of
from services.timeparse.result import Q_PAST_DATE, Ask, Hit


def recurrence(
    cx: Reading,
    p: int,
    m: re.Match[str],
    not_before: date | None = None,
    until: date | None = None,
) -> Hit:
    """Resolve 每… into an RRULE with its first occurrence.

    ``not_before``: the first occurrence is not before that day (下周一起每天9点); ``until``:
    the rule ends before that day and carries its count (下周一到周五每天上午9点: COUNT=5).
    """
    t = cx.text
    hit = Hit(p, m.end())
    days: list[int] = []
    rule = ""
    monthday = month = None
    if m["workday"] or m["wds"] == "工作日":
        rule, days = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", [0, 1, 2, 3, 4]
        hit.workdays_only = True
    elif m["day"] or m["pod"]:
        rule = "FREQ=DAILY"
    elif m["weekend"]:
        rule, days = "FREQ=WEEKLY;BYDAY=SA,SU", [5, 6]
    elif m["mon"]:
        monthday = -1 if m["monthlast"] else num(m["monthday"]) if m["monthday"] else None
        rule = "FREQ=MONTHLY" + (f";BYMONTHDAY={monthday}" if monthday is not None else "")
    elif m["yr"]:
        month = num(m["month"]) if m["month"] else None
        yday = num(m["yday"]) if m["yday"] else None
        rule = "FREQ=YEARLY" + (f";BYMONTH={month}" if month else "")
        if yday is not None:
            rule += f";BYMONTHDAY={yday}"
            monthday = yday
    elif m["gap"]:
        n, unit = num(m["gap"]), m["gapunit"]
        freq = {"天": "DAILY", "周": "WEEKLY", "星期": "WEEKLY", "小时": "HOURLY",
                "分钟": "MINUTELY", "秒": "SECONDLY"}[unit]  # fmt: skip
        rule = f"FREQ={freq};INTERVAL={n}"
    elif m["n"]:
        n = num(m["n"])
        freq = {"天": "DAILY", "日": "DAILY", "月": "MONTHLY", "年": "YEARLY"}.get(
            m["nunit"], "WEEKLY"
        )
        rule = f"FREQ={freq}" + (f";INTERVAL={n}" if n > 1 else "")
        if m["nwds"]:
            days = [lx.WEEKDAY_NUM.get(m["nwds"][-1], 0)]
            rule += f";BYDAY={lx.BYDAY[days[0]]}"
    elif m["half"]:
        rule = {"年": "FREQ=MONTHLY;INTERVAL=6"}.get(m["halfunit"], "FREQ=MINUTELY;INTERVAL=30")
    else:
        wds = re.findall(lx.WD, m["wds"] or "")
        days = sorted({lx.WEEKDAY_NUM.get(w, int(w) - 1 if w.isdigit() else 0) for w in wds})
        rule = "FREQ=WEEKLY" + (";BYDAY=" + ",".join(lx.BYDAY[d] for d in days) if days else "")
    hit.recurrence = rule
    q = skip(lx.SP, t, m.end())
    if t.startswith("的", q):
        q += 1
    pod: str | None = {"晚": "evening", "早": "morning"}.get(m["day"] or "")
    if m["pod"]:
        pod = lx.POD_CODE[m["pod"]]
    pm = lx.POD.match(t, q)
    if pm and len(pm[1]) > 1:
        pod = lx.POD_CODE[pm[1]]
        q = pm.end()
    clock: Clock | None = None
    c_hit = clock_at(cx, skip(lx.SP, t, q))
    end_clock: Clock | None = None
    if c_hit:
        q, clock = c_hit
        cm = lx.CONNECT.match(t, q)
        if cm:
            e_hit = clock_at(cx, cm.end())
            if e_hit:
                q, end_clock = e_hit
    hit.stop = q if (clock or pod) else hit.stop

    def fits(d: date) -> bool:
        """Tell whether the rule has an occurrence on day d."""
        if days and d.weekday() not in days:
            return False
        if monthday == -1:
            return (d + timedelta(days=1)).day == 1
        if monthday is not None and d.day != monthday:
            return False
        return month is None or (d.month == month and (monthday is not None or d.day == 1))

    base = max(cx.today, not_before or cx.today)
    first = next((base + timedelta(k) for k in range(800) if fits(base + timedelta(k))), base)
    if until is not None:
        count = sum(1 for k in range((until - first).days) if fits(first + timedelta(k)))
        if count < 1:
            hit.question, hit.params = Q_PAST_DATE, {"start": first.isoformat()}
            return hit
        hit.recurrence += f";COUNT={count}"
    e = End(p, q, Day(first), pod, clock)
    try:
        start, grain, end = start_of(cx, e, first)
    except Ask as ask:
        hit.question, hit.params = ask.code, ask.params
        return hit
    if clock is not None and start < cx.now and until is None:
        # the first slot today has gone: take the next day the rule allows
        nxt = next(
            (first + timedelta(k) for k in range(1, 800) if fits(first + timedelta(k))),
            first + timedelta(1),
        )
        start = datetime.combine(nxt, start.timetz())
    if end_clock is not None:
        e = End(p, q, Day(start.date()), pod, end_clock)
        end = start_of(cx, e, start.date(), after=start)[0]
        if end <= start:
            end += timedelta(days=1)
        hit.duration = end - start
    elif clock is not None:
        end = None
    hit.start, hit.end, hit.grain = start, end, grain if (clock or pod) else "day"
    if clock is None and pod is not None:
        hit.part = pod
    if clock is None and pod is None:
        hit.end = start + timedelta(days=1)
    return hit
