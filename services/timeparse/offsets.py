"""Lengths (一个半小时) and offsets from now (两小时后, 三天前)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.numbers import num
from services.timeparse.pieces import Reading, add_months, monday
from services.timeparse.result import Hit


def offset(cx: Reading, p: int, stop: int, secs: float, unit: str) -> Hit:
    """Resolve 两小时后 / 三天前 style offsets from now."""
    at = cx.now + timedelta(seconds=secs)
    tz = cx.now.tzinfo
    if unit == "week":
        s = datetime.combine(monday(at.date()), time(0), tz)
        return Hit(p, stop, s, s + timedelta(weeks=1), "week")
    if unit == "month":
        first = at.date().replace(day=1)
        s = datetime.combine(first, time(0), tz)
        return Hit(p, stop, s, datetime.combine(add_months(first, 1), time(0), tz), "month")
    if unit == "year":
        at = cx.now.replace(year=cx.now.year + round(secs / 31536000))
    if unit in ("day", "year"):
        s = datetime.combine(at.date(), time(0), tz)
        return Hit(p, stop, s, s + timedelta(days=1), "day")
    return Hit(p, stop, at, None, "minute")


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
