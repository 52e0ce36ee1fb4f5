"""The grammar: find an expression in the text and read it as date part, part of day and clock
time, alone or as the two ends of a range, then hand the pieces to resolution."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from services.timeparse import lexicon as lx
from services.timeparse.anchors import day_at
from services.timeparse.clock import clock_at
from services.timeparse.numbers import num
from services.timeparse.offsets import duration_seconds, offset
from services.timeparse.pieces import Clock, Day, End, Reading, skip
from services.timeparse.recur import recurrence
from services.timeparse.resolve import resolve, start_of
from services.timeparse.result import Q_VAGUE_TIME, Ask, Hit


def end_at(cx: Reading, p: int, first: bool) -> End | None:
    """Match a date, part of day and clock at p, any of them optional."""
    t = cx.text
    q = p
    e = End(begin=p, stop=p)
    hit = day_at(cx, q)
    if hit:
        q, e.day = hit
        e.pod = e.day.pod
        wd = lx.AFTER_WEEKDAY.match(t, q)
        if wd and e.day.grain == "day" and e.day.end is None:
            q = wd.end()
            e.day.weekday = lx.WEEKDAY_NUM[t[q - 1]]
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
        c_hit = clock_at(cx, skip(lx.SP, t, after), bare_ok=True)
        if not single or e.day is not None or c_hit:
            e.pod = lx.POD_CODE[word]
            q = after
    q2 = skip(lx.SP, t, q)
    c_hit = clock_at(cx, q2, bare_ok=True)
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
        secs, unit = duration_seconds(d)
        bare_day = (
            d[3] in ("日", "年")
            and not lx.OFFSET_AFTER.match(t, d.end())
            and not (lx.OFFSET_BEFORE.match(t, d.end()) or lx.OFFSET_WITHIN.match(t, d.end()))
        )
        if not bare_day:
            for rx, sign in ((lx.OFFSET_AFTER, 1), (lx.OFFSET_BEFORE, -1)):
                o = rx.match(t, d.end())
                if o:
                    return offset(cx, p, o.end(), secs * sign, unit)
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
    approx = False
    if b is None and a.clock is not None and a.clock.or_next:
        # 七八点: from seven to the end of eight, a time the booking still has to ask
        nxt = Clock(a.clock.hour + 2, explicit24=a.clock.explicit24)
        b, approx = End(a.stop, a.stop, None, a.pod, nxt), True
    if b is None and a.day is not None and a.clock is None and a.pod is None:
        b = day_list(cx, a)
    stop = b.stop if b else a.stop
    if b is None and a.clock is None and a.day is None and a.pod is None:
        return None
    if b is None and a.clock is not None and a.clock.bare:
        return None
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
    return hit


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
