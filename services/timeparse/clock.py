"""Clock times (三点半, 14:30, 九点一刻, 七八点) and how a part of day fixes their half."""

from __future__ import annotations

from services.timeparse import lexicon as lx
from services.timeparse.numbers import num
from services.timeparse.pieces import Clock, Reading


def clock_at(
    cx: Reading, p: int, bare_ok: bool = False, dotted: bool = False
) -> tuple[int, Clock] | None:
    """Match a clock reading at p (``dotted``: after a day or part of day, 2.30 is 2:30)."""
    t = cx.text
    if dotted:
        m = lx.CLOCK_DOT.match(t, p)
        if m and int(m[1]) <= 24 and int(m[2]) <= 59:
            h = int(m[1])
            return m.end(), Clock(h, int(m[2]), grain="minute", explicit24=h >= 13 or h == 0)
    m = lx.CLOCK_COLON.match(t, p)
    if m:
        h, mi = int(m[1]), int(m[2])
        if h > 24 or mi > 59:
            return None
        c = Clock(h, mi, int(m[3] or 0), grain="minute", colon=True)
        c.explicit24 = (len(m[1]) == 2 and m[1][0] == "0") or h >= 13 or h == 0
        if m[4]:
            c.ampm = m[4].lower()
        return m.end(), c
    m = lx.CLOCK_PAIR.match(t, p)
    if m and num(m[2]) == num(m[1]) + 1:
        h = num(m[1])
        return m.end(), Clock(h, explicit24=h >= 13, or_next=True)
    m = lx.CLOCK_CN.match(t, p)
    if m:
        if m[1] in ("一", "两") and p > 0 and t[p - 1] in lx.NOT_CLOCK_BEFORE:
            return None
        h = num(m[1])
        listed = p > 0 and t[p - 1] == "第"
        if listed or (m[2] is None and lx.NOT_CLOCK_AFTER.match(t, m.end())):
            return None  # 第3点, 三点意见: points of a list, not the time
        if h > 24:
            return m.end(), Clock(0, no_such=True)
        c = Clock(h)
        c.explicit24 = h >= 13 or h == 0
        tail = m[2]
        if tail == "半":
            c.minute, c.grain = 30, "minute"
        elif tail and "刻" in tail:
            c.minute, c.grain = (45 if tail[0] in "三3" else 15), "minute"
        elif m[3]:
            c.minute, c.grain = num(m[3]), "minute"
            if m[4]:
                c.second = num(m[4])
        if c.minute > 59:
            return m.end(), Clock(0, no_such=True)
        return m.end(), c
    if bare_ok:
        m = lx.CLOCK_BARE.match(t, p)
        if m:
            h = num(m[1])
            if h <= 24:
                return m.end(), Clock(h, explicit24=h >= 13 or h == 0, bare=True)
    return None


def apply_pod(h: int, pod: str) -> int:
    """Return the 24-hour hour a clock reading has within a part of day."""
    if pod in ("dawn", "daybreak"):
        return 0 if h == 12 else h
    if pod in ("morning", "forenoon"):
        return h
    if pod == "noon":
        return h + 12 if 1 <= h <= 5 else h
    if pod in ("afternoon", "early_afternoon", "dusk"):
        return h + 12 if h < 12 else h
    if pod == "evening":
        if h == 12:
            return 24
        if 1 <= h <= 4:
            return 24 + h
        return h + 12 if h < 12 else h
    if pod == "night":
        if h == 12:
            return 24
        if h <= 5:
            return 24 + h
        return h + 12 if h < 12 else h
    if pod == "daytime":
        return h + 12 if h < 7 else h
    return h


def minute_only(cx: Reading, p: int) -> tuple[int, Clock] | None:
    """Read 50分 alone as the minute of the hour (of the coming one once it has passed)."""
    t = cx.text
    if p > 0 and (t[p - 1].isdigit() or t[p - 1] in "点时钟"):
        return None
    m = lx.MINUTE_ONLY.match(t, p)
    if m is None or num(m[1]) > 59:
        return None
    return m.end(), Clock(cx.now.hour, num(m[1]), grain="minute", explicit24=True)
