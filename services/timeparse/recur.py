"""Recurrences (每周一上午10点, 每个工作日, 每月4号, 每隔3天): an RRULE and a first occurrence."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.clock import clock_at
from services.timeparse.numbers import num
from services.timeparse.pieces import Clock, Day, End, Reading, skip
from services.timeparse.resolve import start_of
from services.timeparse.result import Ask, Hit


def recurrence(cx: Reading, p: int, m: re.Match[str], not_before: date | None = None) -> Hit:
    """Resolve 每… into an RRULE with its first occurrence (not before a given day)."""
    t = cx.text
    hit = Hit(p, m.end())
    days: list[int] = []
    rule = ""
    if m[1] or m[4] == "工作日":
        rule, days = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", [0, 1, 2, 3, 4]
        hit.workdays_only = True
    elif m[2]:
        rule = "FREQ=DAILY"
    elif m[3]:
        rule, days = "FREQ=WEEKLY;BYDAY=SA,SU", [5, 6]
    elif m[5]:
        rule = "FREQ=MONTHLY" + (f";BYMONTHDAY={num(m[6])}" if m[6] else "")
    elif m[7]:
        rule = "FREQ=YEARLY" + (f";BYMONTH={num(m[8])}" if m[8] else "")
    elif m[9]:
        n, unit = num(m[9]), m[10]
        freq = {"天": "DAILY", "周": "WEEKLY", "星期": "WEEKLY", "小时": "HOURLY",
                "分钟": "MINUTELY", "秒": "SECONDLY"}[unit]  # fmt: skip
        rule = f"FREQ={freq};INTERVAL={n}"
    elif m[11]:
        rule = {"年": "FREQ=MONTHLY;INTERVAL=6"}.get(m[12], "FREQ=MINUTELY;INTERVAL=30")
    else:
        wds = re.findall(lx.WD, m[4] or "")
        days = sorted({lx.WEEKDAY_NUM.get(w, int(w) - 1 if w.isdigit() else 0) for w in wds})
        rule = "FREQ=WEEKLY" + (";BYDAY=" + ",".join(lx.BYDAY[d] for d in days) if days else "")
    hit.recurrence = rule
    q = skip(lx.SP, t, m.end())
    if t.startswith("的", q):
        q += 1
    pod: str | None = {"晚": "evening", "早": "morning"}.get(m[2] or "")
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
    monthday = num(m[6]) if m[5] and m[6] else None
    month = num(m[8]) if m[7] and m[8] else None

    def fits(d: date) -> bool:
        """Tell whether the rule has an occurrence on day d."""
        if days and d.weekday() not in days:
            return False
        if monthday is not None and d.day != monthday:
            return False
        return month is None or (d.month == month and d.day == 1)

    base = max(cx.today, not_before or cx.today)
    first = next((base + timedelta(k) for k in range(800) if fits(base + timedelta(k))), base)
    e = End(p, q, Day(first), pod, clock)
    try:
        start, grain, end = start_of(cx, e, first)
    except Ask as ask:
        hit.question, hit.params = ask.code, ask.params
        return hit
    if clock is not None and start < cx.now:
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
