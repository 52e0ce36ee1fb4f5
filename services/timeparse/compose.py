"""The grammar: find an expression in the text and read it as date part, part of day and clock
time, alone or as the two ends of a range, then hand the pieces to resolution."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.anchors import REL_SHIFT, day_at, finer_at, relative_of
from services.timeparse.clock import clock_at, minute_only
from services.timeparse.numbers import num
from services.timeparse.offsets import (
    duration_seconds,
    length_of,
    near_now,
    offset_from_day,
    offset_from_now,
    shift_at,
)
from services.timeparse.pieces import Clock, Day, End, Reading, add_months, monday, skip
from services.timeparse.positions import position_at
from services.timeparse.recur import recurrence
from services.timeparse.resolve import resolve, start_of
from services.timeparse.result import Q_VAGUE_TIME, Ask, Hit


def date_at(cx: Reading, p: int) -> tuple[int, Day] | None:
    """Read a date part at p: an anchor, then any positions, relative days, offsets, finer dates.

    明天的后天, 12月1日的3天后, 本月第二天, 月底最后一个工作日, 五年后3月三十号: one anchor and
    a chain of steps, each of which works after any anchor that names what it needs.
    """
    hit = offset_from_now(cx, p) or day_at(cx, p)
    if hit is None:
        return None
    q, day = hit
    if day.by_weekday and not day.explicit:
        named = _date_after_weekday(cx, q, day)
        if named is not None:
            q, day = named
    other = _other_reading(day)  # the passed reading of a yearless date, moved alike
    while True:
        for step in _STEPS:
            moved = step(cx, q, day)
            if moved is not None and moved[0] > q:
                break
        else:
            break
        if other is not None:
            alt = step(cx, q, other)
            other = alt[1] if alt is not None and alt[0] == moved[0] else None
        q, day = moved
        day.last = other.day if other is not None else None
    return q, day


_STEPS = (position_at, relative_of, offset_from_day, finer_at)


def _other_reading(day: Day) -> Day | None:
    """Return the passed reading of a yearless date or month (for last_or_next), if any."""
    if day.last is None:
        return None
    if day.grain == "month":
        return Day(day.last, grain="month", end=add_months(day.last, 1))
    return Day(day.last)


def _date_after_weekday(cx: Reading, q: int, day: Day) -> tuple[int, Day] | None:
    """Read 周日, 11月22号: the date names the day, the weekday before it checks it."""
    t = cx.text
    m = lx.LIST_SEP.match(t, q)
    found = day_at(cx, m.end() if m else q)
    if found is None:
        return None
    named = found[1]
    if named.grain != "day" or named.end is not None or named.by_weekday or named.no_such:
        return None
    named.weekday = day.day.weekday()
    return found


def end_at(cx: Reading, p: int, first: bool) -> End | None:
    """Match a date, part of day and clock at p, any of them optional."""
    t = cx.text
    q = p
    e = End(begin=p, stop=p)
    hit = date_at(cx, q)
    if hit:
        q, e.day = hit
        e.pod = e.day.pod
        wd = lx.AFTER_WEEKDAY.match(t, q)
        if wd and e.day.grain == "day" and e.day.end is None and not e.day.by_weekday:
            q = wd.end()
            e.day.weekday = lx.WEEKDAY_NUM[wd[1]]
        whole = lx.WHOLE_DAY.match(t, q)
        if whole and e.day.grain == "day":
            q = whole.end()
        q = skip(lx.SP, t, q)
        if t.startswith("的", q):
            q += 1
        elif t.startswith(("-", "T"), q) and clock_at(cx, q + 1):
            q += 1
    m = lx.POD_CONTEXT.match(t, q)
    ctx = m is not None and (e.day is not None or clock_at(cx, m.end(), bare_ok=True))
    if m and ctx:
        e.pod = lx.POD_CONTEXT_CODE[m[1]]  # 明天晚饭后 alone: the evening
        q = m.end()
    m = None if ctx else lx.POD.match(t, q)
    if m:
        word = m[1]
        after = q + len(word)
        single = len(word) == 1
        c_hit = clock_at(cx, skip(lx.SP, t, after), bare_ok=True, dotted=True)
        vague = word == "午夜"  # 午夜 alone: tonight's midnight or this morning's? asked
        if (not single or e.day is not None or c_hit) and (c_hit or not vague):
            e.pod = lx.POD_CODE[word]
            q = after
            if t.startswith("的", q) and clock_at(cx, q + 1):
                q += 1  # 下午的三点一刻
    q2 = skip(lx.SP, t, q)
    dotted = e.day is not None or e.pod is not None
    c_hit = clock_at(cx, q2, bare_ok=True, dotted=dotted)
    if c_hit and (e.day is not None or e.pod is not None or q2 == p or not first):
        q, e.clock = c_hit
    if e.day is None and e.pod is None and e.clock is None:
        return None
    e.stop = q
    return e


def find(cx: Reading) -> Hit | None:
    """Find and resolve the first time expression in the text."""
    t = cx.text
    pos = 0
    while True:
        m = lx.TRIGGER.search(t, pos)
        if not m:
            return None
        p = m.start()
        hit = expr_at(cx, p)
        if hit is not None:
            return hit
        pos = p + 1


def expr_at(cx: Reading, p: int) -> Hit | None:
    """Resolve an expression beginning at p."""
    t = cx.text
    if p > 0 and t[p - 1].isdigit() and t[p].isdigit():
        return None
    m = lx.EVERY.match(t, p)
    if m:
        return recurrence(cx, p, m)
    m = lx.NOW.match(t, p)
    if m:
        if m[1] == "全天":
            s = datetime.combine(cx.today, time(0), cx.now.tzinfo)
            return Hit(p, m.end(), s, s + timedelta(days=1), "day")
        c = lx.CONNECT.match(t, m.end())
        upto = end_at(cx, c.end(), first=False) if c else None
        if upto is not None:
            try:
                res = start_of(cx, upto, upto.day.day if upto.day else cx.today, cx.now)
            except Ask:
                return None
            end = res[0] if upto.clock is not None else res[2]
            return Hit(p, upto.stop, cx.now, end, "minute")
        return Hit(p, m.end(), cx.now, None, "minute")
    m = lx.VAGUE.match(t, p) or lx.BAD_CLOCK.match(t, p)
    if m:
        return Hit(p, m.end(), question=Q_VAGUE_TIME, params={"text": m[0]})
    m = lx.LAST_HOUR.match(t, p)
    if m:
        return Hit(p, m.end(), cx.now - timedelta(hours=1), cx.now, "minute")
    near = near_now(cx, p) or day_run(cx, p)
    if near is not None:
        return near
    alone = minute_only(cx, p)
    if alone is not None:
        stop, mc = alone
        at = cx.now.replace(minute=mc.minute, second=0, microsecond=0)
        if cx.future and at < cx.now.replace(second=0, microsecond=0):
            at += timedelta(hours=1)
        return Hit(p, stop, at, None, "minute")
    for rx, sign in ((lx.WINDOW_AHEAD, 1), (lx.WINDOW_BACK, -1)):
        w = rx.match(t, p)
        dw = lx.DURATION.match(t, w.end()) if w else None
        if (
            dw
            and not lx.OFFSET_AFTER.match(t, dw.end())
            and not lx.OFFSET_BEFORE.match(t, dw.end())
        ):
            ahead_days = sign > 0 and dw[3] in ("天", "日")
            if w is not None and (w[0].strip() == "前" or ahead_days):
                # 未来两天: from now (JioNLP) or tomorrow and the day after (Recognizers)?
                # 前两天: a couple of days ago, the two days before, the first two days?
                text = t[p : dw.end()]
                return Hit(p, dw.end(), question=Q_VAGUE_TIME, params={"text": text})
            secs = duration_seconds(dw)[0]
            other = cx.now + timedelta(seconds=sign * secs)
            lo, hi = (cx.now, other) if sign > 0 else (other, cx.now)
            stop = skip(lx.WINDOW_TAIL, t, dw.end())
            return Hit(p, stop, lo, hi, "minute", timedelta(seconds=secs))
    d = lx.DURATION.match(t, p)
    since = lx.SINCE.match(t, d.end()) if d else None
    if d and since:
        # 一天半以来: the window from that long ago until now
        span = timedelta(seconds=duration_seconds(d)[0])
        return Hit(p, since.end(), cx.now - span, cx.now, "minute", span)
    if d:
        secs = duration_seconds(d)[0]
        bare_day = (
            d[3] in ("日", "年")
            and not lx.OFFSET_AFTER.match(t, d.end())
            and not (lx.OFFSET_BEFORE.match(t, d.end()) or lx.OFFSET_WITHIN.match(t, d.end()))
        )
        offset = lx.OFFSET_AFTER.match(t, d.end()) or lx.OFFSET_BEFORE.match(t, d.end())
        if not bare_day and not offset:  # an offset is a date part: 三天后下午4点
            o = lx.OFFSET_WITHIN.match(t, d.end())
            if o:
                return Hit(
                    p,
                    o.end(),
                    cx.now,
                    cx.now + timedelta(seconds=secs),
                    "minute",
                    timedelta(seconds=secs),
                )
            if not lx.CLOCK_CN.match(t, p) or "时" not in d[0]:
                return Hit(p, d.end(), None, None, None, timedelta(seconds=secs))
    q = p
    fm = lx.FROM.match(t, p)
    if fm:
        q = fm.end()
    a = end_at(cx, q, first=True)
    if a is None:
        return None
    ft = lx.FROM_THEN.match(t, a.stop)
    ev = lx.EVERY.match(t, ft.end()) if ft and a.day is not None and a.clock is None else None
    if ev and a.day is not None:
        return recurrence(cx, p, ev, not_before=a.day.day)
    if fm and fm[0] in "在于" and a.day is None and a.clock is None:
        return None
    b: End | None = None
    c = lx.CONNECT.match(t, a.stop)
    if c and (a.day is not None or a.clock is not None or a.pod is not None):
        b = end_at(cx, c.end(), first=False)
        pods_only = a.clock is None and a.pod is not None
        if b is not None and b.day is None and b.clock is None and not pods_only:
            b = None
        if b is not None and a.day is None and a.clock is None and b.clock is not None:
            b = None  # 晚上-8点? not a range we understand
        if b is not None and a.clock is None and b.clock is not None and a.day is not None:
            if b.day is None:
                b = None  # "12月3日-5点"? not a range we understand
        if b is not None and c[0].strip() == "和" and (a.clock or b.clock or a.pod or b.pod):
            b = None  # 上午10点和下午3点: two times, not one span (the second is left unread)
    if b is not None and a.day is not None and b.day is not None:
        _same_week(a.day, b.day)
    approx = False
    if b is None and a.clock is not None and a.clock.or_next:
        # 七八点: from seven to the end of eight, a time the booking still has to ask
        nxt = Clock(a.clock.hour + 2, explicit24=a.clock.explicit24)
        b, approx = End(a.stop, a.stop, None, a.pod, nxt), True
    if b is None and a.day is not None and a.clock is None and a.pod is None:
        b = day_list(cx, a) or weekday_list(cx, a)
    stop = b.stop if b else a.stop
    if b is not None and a.day is not None and b.day is not None and a.clock is b.clock is None:
        ev = lx.EVERY.match(t, skip(lx.SP, t, stop))
        if ev and a.pod is None and b.pod is None:
            # 下周一到周五每天上午9点: the rule on the days from the first to the last
            return recurrence(cx, p, ev, not_before=a.day.day, until=b.day.end_or_day)
    if b is None and a.clock is None and a.day is None and a.pod is None:
        return None
    if b is None and a.clock is not None and a.clock.bare:
        return None
    if a.day is not None and a.clock is None and a.pod is None and (b is None or b.clock is None):
        count = lx.DAY_COUNT.match(t, stop)
        last = b.day if b is not None and b.day is not None else a.day
        if count and (last.end_or_day - a.day.day).days == num(count[1]):
            stop = count.end()  # 周末两天, 12月3日到5日三天: the count agrees
    bw = lx.BETWEEN.match(t, stop)
    if bw:
        stop = bw.end()
    deadline = False
    dl = lx.DEADLINE.match(t, stop)
    if dl and b is None:
        deadline = True
        stop = dl.end()
    tr = lx.TRAIL.match(t, stop)
    if tr:
        stop = tr.end()
    if t.startswith("的", stop):
        stop += 1  # 明天上午10点的会 -> the rest reads 会
    hit = resolve(cx, p, stop, a, b, deadline)
    if approx and hit.question is None and a.pod is not None:
        hit.part = a.pod
    if b is None and not deadline and a.clock is not None:
        _move_by_offset(cx, hit)
    return hit


def _move_by_offset(cx: Reading, hit: Hit) -> None:
    """Move a clock time by an offset said after it: 明天晚上8点的两小时后 is 22:00."""
    if hit.start is None or hit.end is not None or hit.question is not None:
        return
    t = cx.text
    d = lx.DURATION.match(t, hit.stop)
    if d is None:
        return
    o, sign = lx.OFFSET_AFTER.match(t, d.end()), 1
    if o is None:
        o, sign = lx.OFFSET_BEFORE.match(t, d.end()), -1
    if o is None:
        return
    hit.start = shift_at(hit.start, length_of(d), sign)
    hit.grain, hit.stop = "minute", o.end()


def day_list(cx: Reading, a: End) -> End | None:
    """Read 9月10号，11号，12号 as the days from the first to the last when they follow on."""
    assert a.day is not None
    m = lx.DAY_LIST.match(cx.text, a.stop)
    if not m or a.day.grain != "day" or a.day.end is not None:
        return None
    days = [num(x) for x in re.findall(lx.N2, m[0])]
    first = a.day.day
    if days != list(range(first.day + 1, first.day + 1 + len(days))):
        return None
    last = first + timedelta(days=len(days))
    if last.month != first.month:
        return None
    return End(a.stop, m.end(), Day(last))


def weekday_list(cx: Reading, a: End) -> End | None:
    """Read 周四周五两天, 下周一二两天, 本周三四 as the days from the first to the last.

    The weekdays must follow on (周三周五 is two days apart: left unread, so asked), and a
    count of days said after them must agree.
    """
    t = cx.text
    assert a.day is not None
    if a.day.grain != "day" or a.day.end is not None:
        return None
    if not lx.ENDS_WITH_WEEKDAY.search(t[a.begin : a.stop].rstrip(" \t的")):
        return None
    last, q = a.day.day, a.stop
    while (m := lx.WEEKDAY_MORE.match(t, q)) is not None:
        if lx.WEEKDAY_NUM[m[1]] != (last.weekday() + 1) % 7 or last.weekday() == 6:
            break
        last, q = last + timedelta(days=1), m.end()
    if last == a.day.day:
        return None
    n = (last - a.day.day).days + 1
    count = lx.DAY_COUNT.match(t, q)
    if count:
        if num(count[1]) != n:
            return None
        q = count.end()
    return End(a.stop, q, Day(last))


def day_run(cx: Reading, p: int) -> Hit | None:
    """Read 明后天, 今明两天, 今明后三天, 今天明天后天三天: the days from the first to the last."""
    t = cx.text
    m = lx.COMPACT_RUN.match(t, p)
    if m:
        shifts = [_RUN_CHAR[c] for c in (m[1], m[2], m[3]) if c]
    else:
        m = lx.WORD_RUN.match(t, p)
        if m is None:
            return None
        shifts = [REL_SHIFT.get(w, 0) for w in lx.REL_DAY_WORD.findall(m[0])]
    if shifts != list(range(shifts[0], shifts[0] + len(shifts))) or len(shifts) < 2:
        return None
    if m["count"] is not None and num(m["count"]) != len(shifts):
        return None
    lo = datetime.combine(cx.today + timedelta(days=shifts[0]), time(0), cx.now.tzinfo)
    hi = lo + timedelta(days=len(shifts))
    return Hit(p, m.end(), lo, hi, "day")


_RUN_CHAR = {"今": 0, "明": 1, "后": 2, "昨": -1, "前": -2}


def _same_week(first: Day, then: Day) -> None:
    """Put a bare weekday ending a range in the week of the weekday starting it (下周一到周五)."""
    if not (first.by_weekday and then.by_weekday and not then.explicit):
        return
    then.day = monday(first.day) + timedelta(days=then.day.weekday())
    if then.day < first.day:
        then.day += timedelta(weeks=1)
