"""The parse as callers see it: find the expression, take a length said elsewhere, check what is
past or still needs a clock time, and tidy the rest of the text."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.inputs import FIRST_YEAR, LAST_YEAR
from services.timeparse import lexicon as lx
from services.timeparse.compose import find
from services.timeparse.consumed import unread
from services.timeparse.numbers import normalise
from services.timeparse.offsets import duration_seconds
from services.timeparse.pieces import Reading
from services.timeparse.result import (
    NO_TIMES,
    Q_AMBIGUOUS_DATE,
    Q_NEED_CLOCK_TIME,
    Q_OUT_OF_RANGE,
    Q_PAST_DATE,
    Q_UNCLEAR_PART,
    TimeParse,
)

#: Questions about the part that was read, which stand even when another part was not read.
_ABOUT_READ_PART = frozenset({"no_such_date", "vague_time", "ambiguous_date", "am_or_pm"})


def parse_time(
    text: str,
    now: datetime,
    *,
    tz: str = "Asia/Shanghai",
    prefer_future: bool = True,
    allow_past: bool = False,
    need_start: bool = False,
) -> TimeParse:
    """Parse the first date/time expression in text, relative to now, or say what to ask.

    ``need_start=True`` (booking) asks ``need_clock_time`` for a part of day with no clock time
    (明天下午); with the default the part of day's window is the answer (``part`` names it).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    norm = normalise(text)
    off_calendar = TimeParse("ask", question=Q_OUT_OF_RANGE, rest=_tidy(text),
                             question_params={"first": FIRST_YEAR, "last": LAST_YEAR})
    try:
        hit = find(Reading(norm, local_now, prefer_future, booking=not allow_past))
    except (OverflowError, ValueError):  # 9999年12月31日 and the day after it
        return off_calendar
    if hit is not None and any(moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR
                               for moment in (hit.start, hit.end)):
        return off_calendar
    if hit is None:
        left = unread(norm, [])
        if left:  # 第三季度: words about time, none of them read
            params = {"text": _quote(text, left), "read": ""}
            return TimeParse(
                "ask", question=Q_UNCLEAR_PART, question_params=params, rest=_tidy(text)
            )
        return TimeParse(status="none", rest=_tidy(text))
    read = [(hit.begin, hit.stop)]
    rest_text = text[: hit.begin] + " " + text[hit.stop :]
    duration = hit.duration
    start, end = hit.start, hit.end
    if duration is None or start is None:
        # a length said elsewhere in the sentence: 九点半开一小时会
        tail = norm[hit.stop :]
        for dm in lx.DURATION.finditer(tail):
            secs, grain = duration_seconds(dm)
            if grain != "minute" or not _is_length(tail, dm):
                continue  # 第三天, 一个周五, 三天后: not how long the meeting lasts
            if hit.recurrence is None and start is None and hit.duration is not None:
                break
            duration = timedelta(seconds=secs)
            a, b = hit.stop + dm.start(), hit.stop + dm.end()
            read.append((a, b))
            rest_text = text[: hit.begin] + " " + text[hit.stop : a] + text[b:]
            if start is not None and hit.grain in ("minute", "hour") and not hit.deadline:
                if hit.question is None and (end is None or hit.recurrence is not None):
                    end = start + duration
            break
    question, params = hit.question, hit.params
    left = unread(norm, read)
    if left and question not in _ABOUT_READ_PART:
        # the answer would come from part of what was said: 去年的今天 read as 今天
        read_text = text[hit.begin : hit.stop].strip()
        question, params = Q_UNCLEAR_PART, {"text": _quote(text, left), "read": read_text}
    if start is not None and end is not None and start > end:
        if hit.deadline:
            start = end  # a deadline already gone: nothing is left before it
        elif question is None:
            question, params = Q_AMBIGUOUS_DATE, {"text": norm[hit.begin : hit.stop].strip()}
    status = "ok"
    if question is None and not allow_past and start is not None and not hit.recurrence:
        unit_end = end if hit.grain in ("day", "week", "month", "year") and end else start
        check = end if hit.deadline and end is not None else unit_end
        if check is not None and (
            check < local_now
            if hit.grain in ("minute", "hour") or hit.deadline
            else check <= local_now
        ):
            question, params = Q_PAST_DATE, {"start": start.isoformat()}
    if question is None and hit.part is not None and need_start and start is not None:
        question, params = Q_NEED_CLOCK_TIME, {"part": hit.part, "date": start.date().isoformat()}
    if question is not None:
        status = "ask"
    if question in NO_TIMES:
        start = end = None
    return TimeParse(
        status=status,
        start=start,
        end=end,
        grain=hit.grain,
        duration=duration,
        recurrence=hit.recurrence,
        workdays_only=hit.workdays_only,
        deadline=hit.deadline,
        question=question,
        question_params=params,
        span=(hit.begin, hit.stop),
        rest=_tidy(rest_text),
        part=hit.part,
    )


def _is_length(tail: str, dm: re.Match[str]) -> bool:
    """Tell whether a duration after the expression says how long it lasts (开一小时会)."""
    if lx.OFFSET_AFTER.match(tail, dm.end()) or lx.OFFSET_BEFORE.match(tail, dm.end()):
        return False
    if lx.OFFSET_WITHIN.match(tail, dm.end()) or lx.SINCE.match(tail, dm.end()):
        return False
    return not tail[: dm.start()].endswith(("第", "最后", "每", "隔", "前", "后", "头"))


def _quote(text: str, spans: list[tuple[int, int]]) -> str:
    """Return the unread words as the user wrote them, neighbours together, joined by 、."""
    merged: list[list[int]] = []
    for b, e in spans:
        if merged and not text[merged[-1][1] : b].strip():
            merged[-1][1] = e  # 下午 and 3点 side by side: one part, 下午3点
        else:
            merged.append([b, e])
    return "、".join(dict.fromkeys(text[b:e].strip() for b, e in merged))


_PUNCT_EDGE = " \t\r\n，,。.;；、:："


def _tidy(s: str) -> str:
    """Collapse whitespace and strip stray punctuation at the ends."""
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r" ?([，,。；;、]) ?", r"\1", s)
    s = re.sub(r"([，,；;、])[，,；;、]+", r"\1", s)
    return s.strip(_PUNCT_EDGE)
