"""Days and periods typed as command arguments (明天, 下周五, 12月1日, 本月, 今年, 2026-11).

Every date a command takes goes through the parser here, so what people write in a sentence
(明天, 下周五, 上月) is understood in a command's argument too.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.errors import InvalidInput
from services.timeparse.api import parse_time
from services.timeparse.result import Q_LAST_OR_NEXT, Q_PAST_DATE

#: A year and a month alone (2026-11, 2026/11, 2026.11): the parser reads 2026年11月.
_YEAR_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*$")
#: A year written out: 2026年, 2026-…
_HAS_YEAR = re.compile(r"\d{4}\s*[年/.-]")
#: A month and a day in figures (12-01, 12/1).
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")
#: A bare year (2026).
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


#: The English words the bot's English texts offer for periods and days.
_ENGLISH = {
    "today": "今天", "yesterday": "昨天", "tomorrow": "明天",
    "week": "本周", "this_week": "本周", "last_week": "上周", "next_week": "下周",
    "month": "本月", "this_month": "本月", "last_month": "上月", "next_month": "下月",
    "year": "今年", "this_year": "今年", "last_year": "去年",
}


def _spoken(text: str) -> str:
    text = text.strip()
    text = _ENGLISH.get(text.lower().replace(" ", "_").replace("-", "_"), text)
    if (m := _YEAR_MONTH.match(text)) is not None:
        return f"{m[1]}年{int(m[2])}月"
    if (m := _YEAR.match(text)) is not None:
        return f"{m[1]}年"
    if (m := _MONTH_DAY.match(text)) is not None:
        return f"{int(m[1])}月{int(m[2])}日"
    return text.replace("~", "到").replace("～", "到")


def read_day(text: str, now: datetime, tz: str, *, past: bool = False,
             code: str = "timeparse.error.day") -> date:
    """The one day a text names; an earlier day is meant when `past` (a record of what
    happened), a coming one otherwise (a plan)."""
    said = _spoken(text)[:100]
    parsed = parse_time(said, now, tz=tz, prefer_future=not past, allow_past=past)
    if not past and parsed.question in (Q_LAST_OR_NEXT, Q_PAST_DATE) and not _HAS_YEAR.search(
            said):
        # 11月20日 said on 26 November, for a plan: next year's
        parsed = parse_time(f"{now.astimezone(ZoneInfo(tz)).year + 1}年{said}", now, tz=tz)
    if parsed.start is None or parsed.grain != "day" or parsed.status != "ok" or parsed.rest or (
            parsed.end is not None and parsed.end - parsed.start > timedelta(days=1)):
        raise InvalidInput(code, value=text.strip())
    return parsed.start.date()


def read_period(text: str, now: datetime, tz: str, *,
                code: str = "timeparse.error.period") -> tuple[date, date]:
    """The first and last day (inclusive) of a period: 本月, 上月, 今年, 2026, 2026-11,
    上周, 11月1日到11月30日, 2026-11-01~2026-11-30."""
    parsed = parse_time(_spoken(text)[:100], now, tz=tz, prefer_future=False, allow_past=True)
    if parsed.start is None or parsed.status != "ok" or parsed.rest:
        # an argument is a period as a whole: 明年春天 is not 明年
        raise InvalidInput(code, value=text.strip())
    end = parsed.end if parsed.end is not None else parsed.start + timedelta(days=1)
    last = (end - timedelta(microseconds=1)).date()
    return parsed.start.date(), max(last, parsed.start.date())
