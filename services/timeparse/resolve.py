"""Resolution: turn the pieces of an expression into datetimes, or into the question to ask."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from services.timeparse.clock import apply_pod
from services.timeparse.lexicon import POD_WINDOWS
from services.timeparse.pieces import Day, End, Reading, add_months, safe_date
from services.timeparse.result import (
    Q_AM_OR_PM,
    Q_AMBIGUOUS_DATE,
    Q_END_BEFORE_START,
    Q_LAST_OR_NEXT,
    Q_NO_SUCH_DATE,
    Q_VAGUE_TIME,
    Q_WEEKDAY_MISMATCH,
    Ask,
    Hit,
)


def resolve(cx: Reading, p: int, stop: int, a: End, b: End | None, deadline: bool) -> Hit:
    """Turn the matched pieces into datetimes, or a question."""
    hit = Hit(p, stop)
    if any(
        e is not None
        and ((e.day is not None and e.day.no_such) or (e.clock is not None and e.clock.no_such))
        for e in (a, b)
    ):
        hit.question = Q_NO_SUCH_DATE
        hit.params = {"text": cx.text[p:stop].strip()}
        return hit
    a_amb = a.day is not None and a.day.ambiguous
    if a_amb or (b is not None and b.day is not None and b.day.ambiguous):
        hit.question = Q_AMBIGUOUS_DATE
        hit.params = {"text": cx.text[p:stop].strip()}
        return hit
    for e in (a, b):
        if e is not None and e.day is not None and e.day.weekday is not None:
            _choose_by_weekday(e.day)
            # reading (allow_past): the date identifies the day, a weekday beside it is a check
            if e.day.weekday != e.day.day.weekday() and cx.booking:
                hit.question = Q_WEEKDAY_MISMATCH
                hit.params = {
                    "date": e.day.day.isoformat(),
                    "weekday": e.day.weekday + 1,
                    "actual_weekday": e.day.day.weekday() + 1,
                }
                return hit
    for e in (a, b):
        if e is not None and e.day is not None and (e.clock or e.pod) and _several_days(e.day):
            # 下个月下午3点, 周末上午10点: a time of day on which of the days?
            hit.question = Q_VAGUE_TIME
            hit.params = {"text": cx.text[p:stop].strip()}
            return hit
    if a.day is not None and a.day.last is not None:
        hit.question = Q_LAST_OR_NEXT
        hit.params = {"last": a.day.last.isoformat(), "next": a.day.day.isoformat()}
        return hit
    try:
        return resolve_times(cx, hit, a, b, deadline)
    except Ask as ask:
        hit.question, hit.params = ask.code, ask.params
        hit.params.setdefault("text", cx.text[p:stop].strip())
        return hit


def resolve_times(cx: Reading, hit: Hit, a: End, b: End | None, deadline: bool) -> Hit:
    """Fill the hit's times from the two ends; raise Ask when a reading is unsure."""
    if a.day is None and b is not None and b.day is not None and b.clock is not None:
        if not b.day.day_only:
            a.day = Day(cx.today)  # 2:00-明天4:00: the start is today's, not rolled on
    try:
        start, sgrain, end = start_of(cx, a, a.day.day if a.day else cx.today)
    except Ask:
        # 3点到晚上8点: the end's half of day decides the start's
        if not start_from_end(cx, a, b) and not read_colon_as_24h(cx, a):
            raise
        start, sgrain, end = start_of(cx, a, a.day.day if a.day else cx.today)
    grain = sgrain
    if b is not None:
        bday = b.day
        if bday is not None and bday.day_only and a.day is not None:
            d = safe_date(a.day.day.year, a.day.day.month, bday.day.day)
            if d is not None and d < a.day.day:
                d = add_months(a.day.day, 1).replace(day=bday.day.day)
            if d is not None:
                bday = Day(d)
        if bday is None:
            b.day = Day(start.date())
        else:
            b.day = bday
        bstart, bgrain, bend = start_of(cx, b, b.day.day, after=start if b.clock else None)
        if b.clock is None and a.clock is None:
            end = bend if bend is not None else bstart
        elif b.clock is None:
            end = bend
        else:
            end = bstart
            if end <= start and bday is None:
                if not _overnight(start, end, b):
                    # 明天下午3点到2点: a slip, not a meeting through the night
                    raise Ask(
                        Q_END_BEFORE_START, {"start": start.isoformat(), "end": end.isoformat()}
                    )
                end += timedelta(days=1)
        if b.clock is not None and a.clock is not None:
            grain = "minute" if "minute" in (bgrain, sgrain) else bgrain
        if a.clock is None and b.clock is None:
            grain = "day" if sgrain == "day" else sgrain
    if a.clock is None and b is None and a.day is None and a.pod is None:
        return hit
    hit.start, hit.end, hit.grain = start, end, grain
    if end is not None and a.clock is not None and (b is not None and b.clock is not None):
        hit.duration = end - start
    if deadline:
        hit.deadline = True
        unit_end = end if end is not None else start
        if a.clock is not None:
            unit_end = start
        hit.start, hit.end = cx.now, unit_end
    if a.clock is None and a.pod is not None and (b is None or b.clock is None):
        if not deadline:
            hit.part = a.pod  # 下午, 夜间至次日上午: parts of day, no clock time
    return hit


def read_colon_as_24h(cx: Reading, a: End) -> bool:
    """Read a 5:00 with no half of day as the 24-hour clock it is written in, when reading.

    A booking asks instead (a meeting at 05:00 is far less likely than a slip of notation).
    Tell whether the start could be fixed so.
    """
    c = a.clock
    if cx.booking or c is None or not c.colon or a.pod is not None or c.ampm is not None:
        return False
    c.explicit24 = True
    return True


def start_from_end(cx: Reading, a: End, b: End | None) -> bool:
    """Fix a bare 1-6 o'clock start by a range end of known half on the same day.

    The start takes the latest reading before the end (3点到晚上8点 is 15:00-20:00;
    3点到上午11点 03:00-11:00). Tell whether it could.
    """
    if b is None or a.clock is None or b.clock is None or b.day is not None:
        return False
    if b.pod is None and not b.clock.explicit24 and b.clock.ampm is None:
        return False  # 3点到8点: 8点 is morning by convention only, not by the words
    day = a.day.day if a.day else cx.today
    try:
        bstart = start_of(cx, End(b.begin, b.stop, Day(day), b.pod, b.clock), day)[0]
    except Ask:
        return False  # 5:00到6:00: neither end knows its half
    c = a.clock
    for h in (c.hour + 12, c.hour):
        at = datetime.combine(day, time(h, c.minute, c.second), cx.now.tzinfo)
        if at < bstart:
            c.hour, c.explicit24 = h, True
            return True
    return False


def start_of(
    cx: Reading, e: End, day: date, after: datetime | None = None
) -> tuple[datetime, str, datetime | None]:
    """Return the start, grain and exclusive end of one range end, or raise Ask."""
    tz = cx.now.tzinfo
    if e.clock is None:
        if e.pod is not None:
            lo, hi = POD_WINDOWS[e.pod]
            s = datetime.combine(day, time(lo), tz)
            return s, "hour", s + timedelta(hours=hi - lo)
        assert e.day is not None
        if e.day.at is not None:
            return e.day.at, "minute", None  # 两小时后, 9月1号的两个星期11小时之后
        s = datetime.combine(e.day.day, time(0), tz)
        g = e.day.grain
        if e.day.end is not None:
            return s, g, datetime.combine(e.day.end, time(0), tz)
        return s, "day", s + timedelta(days=1)
    c = e.clock
    h = c.hour
    if c.ampm == "p" and h < 12:
        h += 12
    elif c.ampm == "a" and h == 12:
        h = 0
    elif c.ampm is None and not c.explicit24:
        if e.pod is not None:
            h = apply_pod(h, e.pod)
        elif after is not None:
            # the end of a range takes the first reading not before the start
            cand = [h, h + 12] if h < 12 else [h]
            best = None
            for hh in cand:
                dt = datetime.combine(day, time(0), tz) + timedelta(hours=hh, minutes=c.minute)
                if dt > after:
                    best = hh
                    break
            h = best if best is not None else h
        elif 1 <= h <= 6:
            dt_am = datetime.combine(day, time(h, c.minute), tz)
            raise Ask(Q_AM_OR_PM, {
                "hour": h, "minute": c.minute,
                "am": dt_am.isoformat(),
                "pm": (dt_am + timedelta(hours=12)).isoformat(),
            })  # fmt: skip
    s = datetime.combine(day, time(0), tz) + timedelta(hours=h, minutes=c.minute, seconds=c.second)
    if e.day is None and after is None and cx.future and s < cx.now:
        s += timedelta(days=1)
    return s, c.grain, None


def _choose_by_weekday(day: Day) -> None:
    """Take the year whose date falls on the weekday said beside it (周日, 11月22号).

    A yearless date gone this year is either last time's or next time's; when only one of
    them is on the weekday the user said, that one is meant.
    """
    if day.last is None or day.weekday is None:
        return
    if day.day.weekday() == day.weekday and day.last.weekday() != day.weekday:
        day.last = None
    elif day.last.weekday() == day.weekday and day.day.weekday() != day.weekday:
        day.day, day.last = day.last, None


def _overnight(start: datetime, end: datetime, b: End) -> bool:
    """Tell whether an end before the start means the next morning (晚上11点到1点, 到凌晨2点)."""
    if b.pod in ("dawn", "night", "daybreak"):
        return True
    return start.hour >= 18 and end.hour <= 5


def _several_days(day: Day) -> bool:
    """Tell whether a date part covers several days (a week, a month, 月初, 中旬)."""
    return day.at is None and (day.grain in ("week", "month", "year") or day.end is not None)
