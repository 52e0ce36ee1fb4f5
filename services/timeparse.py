"""Chinese date and time expressions for room bookings: parse, resolve, ask back when unsure.

Pure and I/O-free apart from ``main_parse_time`` (JSON lines in, JSON lines out). The conventions
are written down in docs/timeparse.md; the questions are codes, rendered by the handlers' texts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from services.inputs import FIRST_YEAR, LAST_YEAR

__all__ = ["TimeParse", "main_parse_time", "parse_time"]

Q_AM_OR_PM = "am_or_pm"
Q_PAST_DATE = "past_date"
Q_NEED_CLOCK_TIME = "need_clock_time"
Q_AMBIGUOUS_DATE = "ambiguous_date"
Q_WEEKDAY_MISMATCH = "weekday_mismatch"
Q_LAST_OR_NEXT = "last_or_next"
Q_VAGUE_TIME = "vague_time"
Q_NO_SUCH_DATE = "no_such_date"
Q_OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class TimeParse:
    """Hold what a text says about time, or the question to ask back."""

    status: str  # "ok" | "ask" | "none"
    start: datetime | None = None
    end: datetime | None = None
    grain: str | None = None  # "minute" | "hour" | "day" | "week" | "month" | "year"
    duration: timedelta | None = None
    recurrence: str | None = None
    workdays_only: bool = False
    deadline: bool = False
    question: str | None = None
    question_params: Mapping[str, Any] = field(default_factory=dict)
    span: tuple[int, int] | None = None
    rest: str = ""
    part: str | None = None  # the part of day when start/end are its window (no clock time)


# --------------------------------------------------------------------------- numbers

_CN_DIGIT = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3,
    "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def _num(s: str) -> int:
    """Return the value of an Arabic or Chinese numeral."""
    if s.isascii():
        return int(s)
    if len(s) > 1 and all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in _CN_DIGIT:
            cur = _CN_DIGIT[c]
        elif c in _CN_UNIT:
            total += (cur or 1) * _CN_UNIT[c]
            cur = 0
        elif c == "万":
            total = (total + cur) * 10000
            cur = 0
    return total + cur


def _year(s: str, now: datetime) -> int:
    """Return a full year from a written year (two-digit years: the nearest such year)."""
    y = _num(s)
    if len(s) == 2 and y < 100:
        century = now.year // 100 * 100
        cands = (century - 100 + y, century + y, century + 100 + y)
        y = min(cands, key=lambda c: abs(c - now.year))
    return y


_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x2236: 0x3A})  # ideographic space, ratio sign "∶"

# --------------------------------------------------------------------------- patterns

_D = r"\d{1,2}"
_CNN = r"[零〇○一二两三四五六七八九十]{1,3}"
_N2 = rf"(?:{_D}|{_CNN})"  # a number up to 99
_CND = "[零〇○一二三四五六七八九]"
_YEAR = rf"(?:\d{{4}}|\d{{2}}|{_CND}{{2,4}}|两千零?[一二三四五六七八九十]{{1,3}}|两千)"
_WD = r"[一二三四五六日天七1-7]"
_ROOM_AFTER = r"(?:会议室|楼|厅|室|房|馆|门|院|栋|座|层|线|口|车间|号楼|车|位|窗)"

_SP = re.compile(r"[ \t]*")
_FROM = re.compile(r"(?:从|自|在|于)")
_CONNECT = re.compile(r"[ \t]*起?[ \t]*(?:开到|到|至|~|-|－|–|—{1,2}|～|和)[ \t]*")
_BETWEEN = re.compile(r"[ \t]*之间")
_DEADLINE = re.compile(r"(?:之前|以前|前)")
_TRAIL = re.compile(r"(?:止|起|开始|左右|许|前后|整|以后|之后)")
_FROM_THEN = re.compile(r"[ \t]*(?:开始|起)[ \t，,]*")

_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})[-/.](\d{1,2})(?:[日号])?")
_YMD_SP = re.compile(r"(\d{4}) (\d{1,2}) (\d{1,2})(?!\d)")
_YMD8 = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{1,4})(?!\d)")
_CN_DATE = re.compile(
    rf"(?:({_YEAR})[ \t]*年[ \t]*)?(?:({_N2})[ \t]*月份?)[ \t]*(?:的)?(?:({_N2})[ \t]*(日|号)?)?"
)
_YEAR_ONLY = re.compile(rf"({_YEAR})[ \t]*年(?!代|[前后内以来半多])")
_REL_YEAR = re.compile(r"(今年|明年|去年|前年|后年)(?:的)?")
_MD_SLASH = re.compile(r"(\d{1,2})[/·](\d{1,2})(?![\d/])(?:[日号])?")
_MD_DASH = re.compile(r"(\d{2})-(\d{2})(?![\d-])")
_DAY_ONLY = re.compile(rf"({_N2})[ \t]*(日|号)(?!{_ROOM_AFTER})")
_REL_MONTH = re.compile(
    rf"(本月|这个月|这月|当月|同月|下下个?月|下个?月|上个?月|上一个月|下一个月)(?:的)?"
    rf"(?:({_N2})[ \t]*[日号]?(?!{_ROOM_AFTER}))?"
)
_MONTH_END = re.compile(r"(月底|月末|月初)")
_MONTH_TAIL = re.compile(
    rf"(?:月?(底|末|初)(?![一二三四五六七八九十\d])|(?:的)?(前|头|最后)({_N2})天)"
)
_NTH_DAY = re.compile(rf"(?:({_YEAR})[ \t]*年(?:的)?)?第({_N2})天")
_HALF_WEEK = re.compile(r"(上|下)半(?:周|星期|个星期)")
_WHOLE_DAY = re.compile(r"[ \t]*(?:一整天|整天|全天)")
_NOW = re.compile(r"(现在|马上|立刻|立即|此刻|当前|全天)")
_AFTER_WEEKDAY = re.compile(r"[ \t,，]*(?:周|星期|礼拜)[一二三四五六日天]")
_WINDOW_AHEAD = re.compile(r"(?:之后|以后|未来的?|今后|接下来的?|还剩|还有)[ \t]*")
_WINDOW_BACK = re.compile(r"(?:之前|过去的?|最近的?|近|前)[ \t]*")
_SINCE = re.compile(r"[ \t]*以来")
_WINDOW_TAIL = re.compile(r"(?:里|内|之内|以内)?")
_VAGUE = re.compile(r"(?:最近|近期|近日|近来)(?![的\d零〇○一二两三四五六七八九十几半])")
_LAST_HOUR = re.compile(r"上一?个?(?:小时|钟头)")
_REL_DAY = re.compile(
    r"(大大后天|大后天|后天|明天|明日|今天|今日|本日|当天|当日|大前天|前天|昨天|昨日|次日|翌日|第二天)"
)
_REL_DAY_POD = re.compile(r"(今晚|今早|今晨|今夜|明早|明晚|明晨|昨晚|昨夜|当晚|次日早|前晚)")
_WEEKDAY = re.compile(
    rf"(上上个?|下下个?|上一?个?|下一?个?|本|这一?个?|这)?[ \t]*(?:周|星期|礼拜)"
    rf"(?:的)?(?:周|星期|礼拜)?[ \t]*({_WD}|末)"
)
_WEEK = re.compile(r"(上上个?|下下个?|上一?个?|下一?个?|本|这一?个?)[ \t]*(?:周|星期|礼拜)(?!\d)")
_NTH_WEEK = re.compile(rf"(?:的)?第({_N2})[个]?(?:周|星期|礼拜)(?!{_WD})")
_NTH_WEEKDAY = re.compile(rf"(?:的)?第({_N2})个(?:周|星期|礼拜)({_WD})")

_POD = re.compile(
    r"(凌晨|黎明|拂晓|清晨|早晨|早上|早间|上午|中午|午间|下午|午后|傍晚|晚上|晚间|后半夜|前半夜|"
    r"夜里|夜间|半夜|深夜|白天|"
    r"早|晨|晚|夜)"
)
#: Words of the working day that fix the half of a clock time right after them (午饭后两点 is
#: 14:00, 晚饭后7点 19:00); alone they are not a time.
_POD_CONTEXT = re.compile(
    r"(早饭后|早餐后|上班前|午饭前|午餐前|午饭后|午餐后|午休后|下班前|晚饭前|晚餐前|"
    r"下班后|晚饭后|晚餐后|睡觉前|睡前)[ \t]*"
)
_POD_CONTEXT_CODE = {
    "早饭后": "morning", "早餐后": "morning", "上班前": "morning", "午饭前": "forenoon",
    "午餐前": "forenoon", "午饭后": "afternoon", "午餐后": "afternoon", "午休后": "afternoon",
    "下班前": "afternoon", "晚饭前": "afternoon", "晚餐前": "afternoon", "下班后": "evening",
    "晚饭后": "evening", "晚餐后": "evening", "睡觉前": "evening", "睡前": "evening",
}  # fmt: skip
_POD_CODE = {
    "凌晨": "dawn", "黎明": "daybreak", "拂晓": "daybreak", "后半夜": "night", "前半夜": "night",
    "清晨": "morning", "早晨": "morning", "早上": "morning", "早间": "morning",
    "早": "morning", "晨": "morning", "上午": "forenoon", "中午": "noon", "午间": "noon",
    "下午": "afternoon", "午后": "early_afternoon", "傍晚": "dusk", "晚上": "evening",
    "晚间": "evening",
    "晚": "evening", "夜里": "night", "夜间": "night", "半夜": "night", "深夜": "night",
    "夜": "night", "白天": "daytime", "今晚": "evening", "今早": "morning", "今晨": "morning",
    "今夜": "night", "明早": "morning", "明晚": "evening", "明晨": "morning", "昨晚": "evening",
    "昨夜": "night", "当晚": "evening", "次日早": "morning", "前晚": "evening",
}  # fmt: skip
#: Part-of-day windows as (start hour, end hour); an end past 24 runs into the next day.
POD_WINDOWS: dict[str, tuple[int, int]] = {
    "dawn": (0, 6), "daybreak": (4, 7), "morning": (8, 12), "forenoon": (8, 12),
    "noon": (12, 14), "afternoon": (12, 18), "early_afternoon": (13, 15), "dusk": (17, 19),
    "evening": (18, 22),
    "night": (22, 30),
    "daytime": (8, 18),
}  # fmt: skip

_MIN = r"(?:\d{1,2}|零?[一二三四五六七八九十]{1,3})"
_CLOCK_COLON = re.compile(
    r"(\d{1,2})[ \t]*:[ \t]*(\d{2})(?::(\d{2}))?(?:[ \t]*([aApP])\.?[mM]\.?)?(?:[ \t]*(?:时|点))?"
)
_CLOCK_CN = re.compile(
    rf"({_N2})[ \t]*(?:点钟|点|时)(?![间候期段])"
    rf"(?:(半|[一1]刻钟?|[三3]刻|整|({_MIN})(?:分钟?)?(?:({_MIN})秒)?))?"
    r"(?:钟|多钟?)?"
)
_BAD_CLOCK = re.compile(r"(?:2[5-9]|[3-9]\d):[0-5]\d(?![\d:])")  # 35:37 reads as no clock
_CLOCK_PAIR = re.compile(
    r"([一二三四五六七八九十]|十一)([二三四五六七八九]|十|十一|十二)(?:点钟?|时)"
)
_DAY_LIST = re.compile(rf"(?:[ \t]*[，,、和及][ \t]*{_N2}[ \t]*[号日](?!{_ROOM_AFTER}))+")
_CLOCK_BARE = re.compile(rf"({_N2})(?=[ \t]*(?:到|至|~|-|～|—)[ \t]*{_N2}[ \t]*(?:点|时|:))")
_NOT_CLOCK_BEFORE = set("早晚快慢多少好大小有高低长短远近差重轻")
_NOT_CLOCK_AFTER = re.compile(r"(?:儿|建议|意见|要求|内容|说明|看法|想法|原因|理由|问题|体会)")

_DUR_UNIT = r"(小时|个小时|钟头|个钟头|分钟|分|秒钟|秒|天|日|个星期|星期|周|个礼拜|礼拜|个月|年)"
_DURATION = re.compile(
    rf"(?:({_N2}|\d+\.\d+)[ \t]*(?:个)?(半)?[ \t]*{_DUR_UNIT}(半)?钟?|"
    rf"(半)(?:个)?{_DUR_UNIT}|(一刻钟))"
    r"(?:[ \t]*(?:又|零)?[ \t]*"
    rf"({_N2})[ \t]*(?:个)?(小时|钟头|分钟|分|秒))?"
)
_OFFSET_AFTER = re.compile(r"[ \t]*(?:以后|之后|过后|后)")
_OFFSET_BEFORE = re.compile(r"[ \t]*(?:以前|之前|前)")
_OFFSET_WITHIN = re.compile(r"[ \t]*(?:以内|之内|内)")

_EVERY = re.compile(
    r"每(?:个)?(?:(工作日)|(天|日|晚|早)|(周末)|"
    rf"(?:周|星期|礼拜)(?:的)?(工作日|{_WD}(?:[ \t、,，和及与]*(?:周|星期)?{_WD})*)?|"
    rf"(月)(?:({_N2})[ \t]*[号日])?|(年)(?:({_N2})月)?|"
    rf"隔(\d+|{_CNN})[ \t]*(?:个)?(天|周|星期|小时|分钟|秒)|"
    r"(半)(?:个)?(小时|钟头|年))"
)

_TRIGGER = re.compile(
    r"[0-9零〇○一二两三四五六七八九十今明后昨前大上下本这每周星礼早晚中凌傍午半从自次翌当同去第"
    r"清白深夜黎晨月于在之未接还过最近现马立此全拂睡]"
)
_WEEKDAY_NUM = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# --------------------------------------------------------------------------- pieces


@dataclass
class _Day:
    """Hold a resolved date part: first day, grain and how it was stated."""

    day: date
    grain: str = "day"  # "day" | "week" | "month" | "year"
    end: date | None = None  # exclusive end for week/month/year grains
    explicit: bool = True  # False when rolled forward from an underspecified form
    pod: str | None = None  # a part of day carried by words like 今晚
    ambiguous: bool = False
    day_only: bool = False  # "十二日" alone: takes year and month from a range's start
    weekday: int | None = None  # a weekday said beside the date (0 = Monday), to cross-check
    last: date | None = None  # the reading already past when this one was rolled forward
    no_such: bool = False  # 2月30日, 13月5日, 2026-02-30: written as a date, on no calendar

    @property
    def end_or_day(self) -> date:
        """Return the exclusive end of the days this part covers."""
        return self.end if self.end is not None else self.day + timedelta(days=1)


@dataclass
class _Clock:
    """Hold a clock reading before the part of day is applied."""

    hour: int
    minute: int = 0
    second: int = 0
    explicit24: bool = False
    grain: str = "hour"
    ampm: str | None = None
    bare: bool = False  # a number with no 点/时 that only counts as the start of a range
    or_next: bool = False  # 七八点: seven or eight o'clock, the two hours from seven
    colon: bool = False  # written 5:00, the 24-hour clock's notation
    no_such: bool = False  # 25点, 3点75分: written as a clock time, on no clock


@dataclass
class _End:
    """Hold one end of a range: its date, part of day and clock, any of them missing."""

    begin: int
    stop: int
    day: _Day | None = None
    pod: str | None = None
    clock: _Clock | None = None


def _add_months(d: date, n: int) -> date:
    """Return the first of the month n months after d's month."""
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def _safe_date(y: int, m: int, d: int) -> date | None:
    """Return the date or None when it does not exist."""
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _nearer_next(last: date | None, nxt: date, today: date) -> date | None:
    """Return last, or None when the coming reading is at most half as far as the gone one.

    In November 1月19号 is the coming January (73 days on, against 293 days back); in June
    四月十三 could be this April or next, and the suites read it both ways, so it stays asked.
    """
    if last is not None and 2 * (nxt - today).days <= (today - last).days:
        return None
    return last


def _monday(d: date) -> date:
    """Return the Monday of d's week."""
    return d - timedelta(days=d.weekday())


def _week_shift(word: str | None) -> int:
    """Return the week offset a modifier like 下下 or 上 means."""
    if not word:
        return 0
    if word.startswith("上上"):
        return -2
    if word.startswith("下下"):
        return 2
    if word.startswith("上"):
        return -1
    if word.startswith("下"):
        return 1
    return 0


class _Parser:
    """Parse one text against one reference time."""

    def __init__(self, text: str, now: datetime, prefer_future: bool, booking: bool) -> None:
        self.text = text
        self.now = now
        self.today = now.date()
        self.future = prefer_future
        self.booking = booking
        self.ambiguous_date = False

    # ---------------------------------------------------------------- date part

    def day_at(self, p: int) -> tuple[int, _Day] | None:
        """Match a date part at p."""
        t, today = self.text, self.today
        m = _ISO.match(t, p)
        if m:
            d = _safe_date(int(m[1]), int(m[3]), int(m[4]))
            return m.end(), _Day(d) if d else _Day(today, no_such=True)
        m = _YMD_SP.match(t, p) or _YMD8.match(t, p)
        if m:
            d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
            return (m.end(), _Day(d)) if d else None
        m = _DMY.match(t, p)
        if m:
            a, b, y = int(m[1]), int(m[3]), _year(m[4], self.now)
            if len(m[1]) == 2 and len(m[4]) <= 2:
                # 27-7-3, 12-11-10: no part is marked as the year (a year is never written with
                # one digit), so the Chinese order applies: year, month, day
                ymd = _safe_date(_year(m[1], self.now), b, int(m[4]))
                if ymd:
                    return m.end(), _Day(ymd)
            if len(m[4]) == 1 or len(m[4]) == 3:
                return m.end(), _Day(today, ambiguous=True)
            if a == b:
                d = _safe_date(y, a, a)
            elif a > 12 and b <= 12:
                d = _safe_date(y, b, a)
            elif b > 12 and a <= 12:
                d = _safe_date(y, a, b)
            else:
                # 1/2/2020, 3-7-2017: with the year written last, the order is day-month-year
                # wherever that order is used (both suites read it so). Reading takes it; a
                # booking asks, since a wrong guess would book the wrong day.
                d = _safe_date(y, b, a) if a <= 31 else None
                if d and self.booking:
                    return m.end(), _Day(d, ambiguous=True)
            return (m.end(), _Day(d)) if d else None
        m = _REL_DAY_POD.match(t, p)
        if m:
            w = m[1]
            shift = {"今": 0, "当": 0, "明": 1, "次": 1, "昨": -1, "前": -2}[w[0]]
            return m.end(), _Day(today + timedelta(days=shift), pod=_POD_CODE[w])
        m = _REL_DAY.match(t, p)
        if m:
            shift = {
                "大大后天": 4, "大后天": 3, "后天": 2, "明天": 1, "明日": 1, "次日": 1,
                "翌日": 1, "第二天": 1, "大前天": -3, "前天": -2, "昨天": -1, "昨日": -1,
            }.get(m[1], 0)  # fmt: skip
            return m.end(), _Day(today + timedelta(days=shift))
        m = _WEEKDAY.match(t, p)
        if m:
            shift = _week_shift(m[1])
            mon = _monday(today) + timedelta(weeks=shift)
            if m[2] == "末":
                sat = mon + timedelta(days=5)
                if m[1] is None and self.future and sat + timedelta(days=2) <= today:
                    sat += timedelta(weeks=1)
                return m.end(), _Day(sat, grain="week", end=sat + timedelta(days=2))
            wd = _WEEKDAY_NUM.get(m[2], None)
            wd = int(m[2]) - 1 if wd is None else wd
            d = mon + timedelta(days=wd)
            explicit = m[1] is not None
            if not explicit and self.future and d < today:
                d += timedelta(weeks=1)
            return m.end(), _Day(d, explicit=explicit)
        m = _HALF_WEEK.match(t, p)
        if m:
            mon = _monday(today)
            if m[1] == "上":
                return m.end(), _Day(mon, grain="day", end=mon + timedelta(days=3))
            return m.end(), _Day(mon + timedelta(days=3), grain="day", end=mon + timedelta(7))
        m = _WEEK.match(t, p)
        if m:
            q = m.end()
            if t[q : q + 1] in tuple("零〇○八九089") and t[q + 1 : q + 2] not in ("点", "时", ":"):
                return q + 1, _Day(today, no_such=True)  # 下周八: no such weekday
            mon = _monday(today) + timedelta(weeks=_week_shift(m[1]))
            return m.end(), _Day(mon, grain="week", end=mon + timedelta(weeks=1))
        m = _REL_MONTH.match(t, p)
        if m:
            w = m[1]
            shift = (
                -1
                if w.startswith("上")
                else 2
                if w.startswith("下下")
                else (1 if w.startswith("下") else 0)
            )
            first = _add_months(today, shift)
            end = m.end()
            n = _NTH_WEEK.match(t, end)
            if m[2] is None and n:
                return self._nth_week(first, _num(n[1]), n.end())
            if m[2] is None:
                me = _MONTH_TAIL.match(t, end)
                if me:
                    return me.end(), _month_part(first, me)
                return end, _Day(first, grain="month", end=_add_months(first, 1))
            d = _safe_date(first.year, first.month, _num(m[2]))
            return (end, _Day(d)) if d else None
        m = _MONTH_END.match(t, p)
        if m:
            return m.end(), _month_part(today.replace(day=1), _MONTH_TAIL.match(t, p + 1))
        m = _NTH_DAY.match(t, p)
        if m:
            if m[1]:
                return m.end(), _Day(date(_year(m[1], self.now), 1, 1) + timedelta(_num(m[2]) - 1))
            return m.end(), _Day(today + timedelta(days=_num(m[2]) - 1))
        year: int | None = None
        q = p
        m = _REL_YEAR.match(t, p)
        if m:
            year = today.year + {"今": 0, "明": 1, "去": -1, "前": -2, "后": 2}[m[1][0]]
            q = m.end()
            rm = _REL_MONTH.match(t, q)
            if rm and rm[1] in ("本月", "这个月", "这月", "当月") and rm[2]:
                d = _safe_date(year, today.month, _num(rm[2]))
                return (rm.end(), _Day(d)) if d else None
            if not _CN_DATE.match(t, q):
                n = _NTH_WEEK.match(t, q)
                if n:
                    return self._nth_week(date(year, 1, 1), _num(n[1]), n.end())
                return None
        m = _CN_DATE.match(t, q)
        if m and (m[1] is None or year is None):
            if m[1] is not None:
                year = _year(m[1], self.now)
            month = _num(m[2])
            if not 1 <= month <= 12:
                # 13月5日 is written as a date but is none: say so rather than read 5日 alone
                return (m.end(), _Day(today, no_such=True)) if m[3] and m[4] else None
            if m[3] is None or (m[4] is None and _re_room(t, m.end())):
                end = m.end() if m[3] is None else m.start(3)
                y = year if year is not None else today.year
                first = date(y, month, 1)
                form = self._in_month(first, m, end)
                if year is None and self.future and form and form[1].end_or_day <= today:
                    # 3月第三周 said in June: last March's or next March's? Ask.
                    nxt = self._in_month(date(y + 1, month, 1), m, end)
                    if nxt:
                        nxt[1].last = _nearer_next(form[1].day, nxt[1].day, today)
                    return nxt
                return form
            day = _num(m[3])
            if year is not None:
                d = _safe_date(year, month, day)
                return m.end(), _Day(d) if d else _Day(today, no_such=True)
            return self._roll_month_day(month, day, m.end(), written=m[4] is not None)
        m = _YEAR_ONLY.match(t, p)
        if m and not _CN_DATE.match(t, m.end()):
            y = _year(m[1], self.now)
            n = _NTH_WEEK.match(t, m.end())
            if n:
                return self._nth_week(date(y, 1, 1), _num(n[1]), n.end())
            if 1000 <= y <= 2999 or len(m[1]) == 2:
                return m.end(), _Day(date(y, 1, 1), grain="year", end=date(y + 1, 1, 1))
            return None
        m = _MD_SLASH.match(t, p) or _MD_DASH.match(t, p)
        if m:
            return self._roll_month_day(int(m[1]), int(m[2]), m.end(), written=int(m[2]) <= 31)
        m = _DAY_ONLY.match(t, p)
        if m:
            day = _num(m[1])
            if not 1 <= day <= 31:
                return None
            first = today.replace(day=1)
            last: date | None = None
            for k in range(0, 13):
                mo = _add_months(first, k)
                d = _safe_date(mo.year, mo.month, day)
                if d and (d >= today or not self.future):
                    # a booking cannot mean the day gone this month: the next month's it is
                    last = None if self.booking else _nearer_next(last, d, today)
                    return m.end(), _Day(d, explicit=False, day_only=True, last=last)
                if d and not self.future:
                    break
                last = last or d
            return None
        return None

    def _in_month(self, first: date, m: re.Match[str], end: int) -> tuple[int, _Day] | None:
        """Resolve X月 alone or followed by 第N周, 第N个周二, 初/底, 前N天 in one month."""
        t = self.text
        n = _NTH_WEEK.match(t, end)
        if n:
            return self._nth_week(first, _num(n[1]), n.end())
        n = _NTH_WEEKDAY.match(t, end)
        if n:
            return self._nth_weekday(first, _num(n[1]), n[2], n.end())
        me = _MONTH_TAIL.match(t, m.end(2)) or _MONTH_TAIL.match(t, end)
        if me:
            return me.end(), _month_part(first, me)
        return end, _Day(first, grain="month", end=_add_months(first, 1))

    def _roll_month_day(
        self, month: int, day: int, end: int, written: bool = True
    ) -> tuple[int, _Day] | None:
        """Resolve a month and day without a year; a day gone this year is last_or_next.

        A day no month has (2月30日, 11月31号, 4/31) is ``no_such`` when the form is plainly a
        date (``written``: 日/号 or a slash), else no date at all.
        """
        if not (1 <= month <= 12 and 1 <= day <= 31):
            if written and 1 <= month <= 12 and day <= 99:
                return end, _Day(self.today, no_such=True)
            return None
        if _safe_date(2028, month, day) is None:  # a leap year holds every month-day there is
            return (end, _Day(self.today, no_such=True)) if written else None
        y = self.today.year
        last: date | None = None
        for k in range(0, 9):
            d = _safe_date(y + k, month, day)
            if d is None:
                continue
            if d >= self.today or not self.future:
                return end, _Day(d, explicit=False, last=_nearer_next(last, d, self.today))
            last = d
        return None

    def _nth_week(self, first: date, n: int, end: int) -> tuple[int, _Day] | None:
        """Return the n-th Monday-started week of the month or year beginning at first."""
        mon = first + timedelta(days=(7 - first.weekday()) % 7)
        start = mon + timedelta(weeks=n - 1)
        return end, _Day(start, grain="week", end=start + timedelta(weeks=1))

    def _nth_weekday(self, first: date, n: int, wd: str, end: int) -> tuple[int, _Day] | None:
        """Return the n-th given weekday of the month beginning at first."""
        target = _WEEKDAY_NUM.get(wd, None)
        target = int(wd) - 1 if target is None else target
        d = first + timedelta(days=(target - first.weekday()) % 7) + timedelta(weeks=n - 1)
        return end, _Day(d)

    # ---------------------------------------------------------------- clock part

    def clock_at(self, p: int, bare_ok: bool = False) -> tuple[int, _Clock] | None:
        """Match a clock reading at p."""
        t = self.text
        m = _CLOCK_COLON.match(t, p)
        if m:
            h, mi = int(m[1]), int(m[2])
            if h > 24 or mi > 59:
                return None
            c = _Clock(h, mi, int(m[3] or 0), grain="minute", colon=True)
            c.explicit24 = (len(m[1]) == 2 and m[1][0] == "0") or h >= 13 or h == 0
            if m[4]:
                c.ampm = m[4].lower()
            return m.end(), c
        m = _CLOCK_PAIR.match(t, p)
        if m and _num(m[2]) == _num(m[1]) + 1:
            h = _num(m[1])
            return m.end(), _Clock(h, explicit24=h >= 13, or_next=True)
        m = _CLOCK_CN.match(t, p)
        if m:
            if m[1] in ("一", "两") and p > 0 and t[p - 1] in _NOT_CLOCK_BEFORE:
                return None
            h = _num(m[1])
            listed = p > 0 and t[p - 1] == "第"
            if listed or (m[2] is None and _NOT_CLOCK_AFTER.match(t, m.end())):
                return None  # 第3点, 三点意见: points of a list, not the time
            if h > 24:
                return m.end(), _Clock(0, no_such=True)
            c = _Clock(h)
            c.explicit24 = h >= 13 or h == 0
            tail = m[2]
            if tail == "半":
                c.minute, c.grain = 30, "minute"
            elif tail and "刻" in tail:
                c.minute, c.grain = (45 if tail[0] in "三3" else 15), "minute"
            elif m[3]:
                c.minute, c.grain = _num(m[3]), "minute"
                if m[4]:
                    c.second = _num(m[4])
            if c.minute > 59:
                return m.end(), _Clock(0, no_such=True)
            return m.end(), c
        if bare_ok:
            m = _CLOCK_BARE.match(t, p)
            if m:
                h = _num(m[1])
                if h <= 24:
                    return m.end(), _Clock(h, explicit24=h >= 13 or h == 0, bare=True)
        return None

    # ---------------------------------------------------------------- endpoint

    def end_at(self, p: int, first: bool) -> _End | None:
        """Match a date, part of day and clock at p, any of them optional."""
        t = self.text
        q = p
        e = _End(begin=p, stop=p)
        hit = self.day_at(q)
        if hit:
            q, e.day = hit
            e.pod = e.day.pod
            wd = _AFTER_WEEKDAY.match(t, q)
            if wd and e.day.grain == "day" and e.day.end is None:
                q = wd.end()
                e.day.weekday = _WEEKDAY_NUM[t[q - 1]]
            whole = _WHOLE_DAY.match(t, q)
            if whole and e.day.grain == "day":
                q = whole.end()
            q = _skip_re(_SP, t, q)
            if t.startswith("的", q):
                q += 1
            elif t.startswith(("-", "T"), q) and self.clock_at(q + 1):
                q += 1
        m = _POD_CONTEXT.match(t, q)
        ctx = m is not None and (e.day is not None or self.clock_at(m.end(), bare_ok=True))
        if m and ctx:
            e.pod = _POD_CONTEXT_CODE[m[1]]  # 明天晚饭后 alone: the evening
            q = m.end()
        m = None if ctx else _POD.match(t, q)
        if m:
            word = m[1]
            after = q + len(word)
            single = len(word) == 1
            c_hit = self.clock_at(_skip_re(_SP, t, after), bare_ok=True)
            if not single or e.day is not None or c_hit:
                e.pod = _POD_CODE[word]
                q = after
        q2 = _skip_re(_SP, t, q)
        c_hit = self.clock_at(q2, bare_ok=True)
        if c_hit and (e.day is not None or e.pod is not None or q2 == p or not first):
            q, e.clock = c_hit
        if e.day is None and e.pod is None and e.clock is None:
            return None
        e.stop = q
        return e

    # ---------------------------------------------------------------- whole expression

    def parse(self) -> _Hit | None:
        """Find and resolve the first time expression in the text."""
        t = self.text
        pos = 0
        while True:
            m = _TRIGGER.search(t, pos)
            if not m:
                return None
            p = m.start()
            hit = self.expr_at(p)
            if hit is not None:
                return hit
            pos = p + 1

    def expr_at(self, p: int) -> _Hit | None:
        """Resolve an expression beginning at p."""
        t = self.text
        if p > 0 and t[p - 1].isdigit() and t[p].isdigit():
            return None
        m = _EVERY.match(t, p)
        if m:
            return self.recurrence(p, m)
        m = _NOW.match(t, p)
        if m:
            if m[1] == "全天":
                s = datetime.combine(self.today, time(0), self.now.tzinfo)
                return _Hit(p, m.end(), s, s + timedelta(days=1), "day")
            c = _CONNECT.match(t, m.end())
            upto = self.end_at(c.end(), first=False) if c else None
            if upto is not None:
                try:
                    res = self._start(upto, upto.day.day if upto.day else self.today, self.now)
                except _Ask:
                    return None
                end = res[0] if upto.clock is not None else res[2]
                return _Hit(p, upto.stop, self.now, end, "minute")
            return _Hit(p, m.end(), self.now, None, "minute")
        m = _VAGUE.match(t, p) or _BAD_CLOCK.match(t, p)
        if m:
            return _Hit(p, m.end(), question=Q_VAGUE_TIME, params={"text": m[0]})
        m = _LAST_HOUR.match(t, p)
        if m:
            return _Hit(p, m.end(), self.now - timedelta(hours=1), self.now, "minute")
        for rx, sign in ((_WINDOW_AHEAD, 1), (_WINDOW_BACK, -1)):
            w = rx.match(t, p)
            dw = _DURATION.match(t, w.end()) if w else None
            if (
                dw
                and not _OFFSET_AFTER.match(t, dw.end())
                and not _OFFSET_BEFORE.match(t, dw.end())
            ):
                ahead_days = sign > 0 and dw[3] in ("天", "日")
                if w is not None and (w[0].strip() == "前" or ahead_days):
                    # 未来两天: from now (JioNLP) or tomorrow and the day after (Recognizers)?
                    # 前两天: a couple of days ago, the two days before, the first two days?
                    text = t[p : dw.end()]
                    return _Hit(p, dw.end(), question=Q_VAGUE_TIME, params={"text": text})
                secs = _duration_seconds(dw)[0]
                other = self.now + timedelta(seconds=sign * secs)
                lo, hi = (self.now, other) if sign > 0 else (other, self.now)
                stop = _skip_re(_WINDOW_TAIL, t, dw.end())
                return _Hit(p, stop, lo, hi, "minute", timedelta(seconds=secs))
        d = _DURATION.match(t, p)
        since = _SINCE.match(t, d.end()) if d else None
        if d and since:
            # 一天半以来: the window from that long ago until now
            span = timedelta(seconds=_duration_seconds(d)[0])
            return _Hit(p, since.end(), self.now - span, self.now, "minute", span)
        if d:
            secs, unit = _duration_seconds(d)
            bare_day = (
                d[3] in ("日", "年")
                and not _OFFSET_AFTER.match(t, d.end())
                and not (_OFFSET_BEFORE.match(t, d.end()) or _OFFSET_WITHIN.match(t, d.end()))
            )
            if not bare_day:
                for rx, sign in ((_OFFSET_AFTER, 1), (_OFFSET_BEFORE, -1)):
                    o = rx.match(t, d.end())
                    if o:
                        return self.offset(p, o.end(), secs * sign, unit)
                o = _OFFSET_WITHIN.match(t, d.end())
                if o:
                    return _Hit(
                        p,
                        o.end(),
                        self.now,
                        self.now + timedelta(seconds=secs),
                        "minute",
                        timedelta(seconds=secs),
                    )
                if not _CLOCK_CN.match(t, p) or "时" not in d[0]:
                    return _Hit(p, d.end(), None, None, None, timedelta(seconds=secs))
        q = p
        fm = _FROM.match(t, p)
        if fm:
            q = fm.end()
        a = self.end_at(q, first=True)
        if a is None:
            return None
        ft = _FROM_THEN.match(t, a.stop)
        ev = _EVERY.match(t, ft.end()) if ft and a.day is not None and a.clock is None else None
        if ev and a.day is not None:
            return self.recurrence(p, ev, not_before=a.day.day)
        if fm and fm[0] in "在于" and a.day is None and a.clock is None:
            return None
        b: _End | None = None
        c = _CONNECT.match(t, a.stop)
        if c and (a.day is not None or a.clock is not None or a.pod is not None):
            b = self.end_at(c.end(), first=False)
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
            nxt = _Clock(a.clock.hour + 2, explicit24=a.clock.explicit24)
            b, approx = _End(a.stop, a.stop, None, a.pod, nxt), True
        if b is None and a.day is not None and a.clock is None and a.pod is None:
            b = self._day_list(a)
        stop = b.stop if b else a.stop
        if b is None and a.clock is None and a.day is None and a.pod is None:
            return None
        if b is None and a.clock is not None and a.clock.bare:
            return None
        bw = _BETWEEN.match(t, stop)
        if bw:
            stop = bw.end()
        deadline = False
        dl = _DEADLINE.match(t, stop)
        if dl and b is None:
            deadline = True
            stop = dl.end()
        tr = _TRAIL.match(t, stop)
        if tr:
            stop = tr.end()
        if t.startswith("的", stop):
            stop += 1  # 明天上午10点的会 -> the rest reads 会
        hit = self.resolve(p, stop, a, b, deadline)
        if approx and hit.question is None and a.pod is not None:
            hit.part = a.pod
        return hit

    def _day_list(self, a: _End) -> _End | None:
        """Read 9月10号，11号，12号 as the days from the first to the last when they follow on."""
        assert a.day is not None
        m = _DAY_LIST.match(self.text, a.stop)
        if not m or a.day.grain != "day" or a.day.end is not None:
            return None
        days = [_num(x) for x in re.findall(_N2, m[0])]
        first = a.day.day
        if days != list(range(first.day + 1, first.day + 1 + len(days))):
            return None
        last = first + timedelta(days=len(days))
        if last.month != first.month:
            return None
        return _End(a.stop, m.end(), _Day(last))

    # ---------------------------------------------------------------- resolution

    def resolve(self, p: int, stop: int, a: _End, b: _End | None, deadline: bool) -> _Hit:
        """Turn the matched pieces into datetimes, or a question."""
        hit = _Hit(p, stop)
        if any(
            e is not None
            and (
                (e.day is not None and e.day.no_such)
                or (e.clock is not None and e.clock.no_such)
            )
            for e in (a, b)
        ):
            hit.question = Q_NO_SUCH_DATE
            hit.params = {"text": self.text[p:stop].strip()}
            return hit
        a_amb = a.day is not None and a.day.ambiguous
        if a_amb or (b is not None and b.day is not None and b.day.ambiguous):
            hit.question = Q_AMBIGUOUS_DATE
            hit.params = {"text": self.text[p:stop].strip()}
            return hit
        for e in (a, b):
            if e is not None and e.day is not None and e.day.weekday is not None:
                # reading (allow_past): the date identifies the day, a weekday beside it is a check
                if e.day.weekday != e.day.day.weekday() and self.booking:
                    hit.question = Q_WEEKDAY_MISMATCH
                    hit.params = {
                        "date": e.day.day.isoformat(),
                        "weekday": e.day.weekday + 1,
                        "actual_weekday": e.day.day.weekday() + 1,
                    }
                    return hit
        if a.day is not None and a.day.last is not None:
            hit.question = Q_LAST_OR_NEXT
            hit.params = {"last": a.day.last.isoformat(), "next": a.day.day.isoformat()}
            return hit
        try:
            return self._resolve_times(hit, a, b, deadline)
        except _Ask as ask:
            hit.question, hit.params = ask.code, ask.params
            return hit

    def _resolve_times(self, hit: _Hit, a: _End, b: _End | None, deadline: bool) -> _Hit:
        """Fill the hit's times from the two ends; raise _Ask when a reading is unsure."""
        if a.day is None and b is not None and b.day is not None and b.clock is not None:
            if not b.day.day_only:
                a.day = _Day(self.today)  # 2:00-明天4:00: the start is today's, not rolled on
        try:
            start, sgrain, end = self._start(a, a.day.day if a.day else self.today)
        except _Ask:
            # 3点到晚上8点: the end's half of day decides the start's
            if not self._start_from_end(a, b) and not self._read_colon_as_24h(a):
                raise
            start, sgrain, end = self._start(a, a.day.day if a.day else self.today)
        grain = sgrain
        if b is not None:
            bday = b.day
            if bday is not None and bday.day_only and a.day is not None:
                d = _safe_date(a.day.day.year, a.day.day.month, bday.day.day)
                if d is not None and d < a.day.day:
                    d = _add_months(a.day.day, 1).replace(day=bday.day.day)
                if d is not None:
                    bday = _Day(d)
            if bday is None:
                b.day = _Day(start.date())
            else:
                b.day = bday
            bstart, bgrain, bend = self._start(b, b.day.day, after=start if b.clock else None)
            if b.clock is None and a.clock is None:
                end = bend if bend is not None else bstart
            elif b.clock is None:
                end = bend
            else:
                end = bstart
                if end <= start and bday is None:
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
            hit.start, hit.end = self.now, unit_end
        if a.clock is None and a.pod is not None and (b is None or b.clock is None):
            if not deadline:
                hit.part = a.pod  # 下午, 夜间至次日上午: parts of day, no clock time
        return hit

    def _read_colon_as_24h(self, a: _End) -> bool:
        """Read a 5:00 with no half of day as the 24-hour clock it is written in, when reading.

        A booking asks instead (a meeting at 05:00 is far less likely than a slip of notation).
        Tell whether the start could be fixed so.
        """
        c = a.clock
        if self.booking or c is None or not c.colon or a.pod is not None or c.ampm is not None:
            return False
        c.explicit24 = True
        return True

    def _start_from_end(self, a: _End, b: _End | None) -> bool:
        """Fix a bare 1-6 o'clock start by a range end of known half on the same day.

        The start takes the latest reading before the end (3点到晚上8点 is 15:00-20:00;
        3点到上午11点 03:00-11:00). Tell whether it could.
        """
        if b is None or a.clock is None or b.clock is None or b.day is not None:
            return False
        if b.pod is None and not b.clock.explicit24 and b.clock.ampm is None:
            return False  # 3点到8点: 8点 is morning by convention only, not by the words
        day = a.day.day if a.day else self.today
        try:
            bstart = self._start(_End(b.begin, b.stop, _Day(day), b.pod, b.clock), day)[0]
        except _Ask:
            return False  # 5:00到6:00: neither end knows its half
        c = a.clock
        for h in (c.hour + 12, c.hour):
            at = datetime.combine(day, time(h, c.minute, c.second), self.now.tzinfo)
            if at < bstart:
                c.hour, c.explicit24 = h, True
                return True
        return False

    def _start(
        self, e: _End, day: date, after: datetime | None = None
    ) -> tuple[datetime, str, datetime | None]:
        """Return the start, grain and exclusive end of one range end, or raise _Ask."""
        tz = self.now.tzinfo
        if e.clock is None:
            if e.pod is not None:
                lo, hi = POD_WINDOWS[e.pod]
                s = datetime.combine(day, time(lo), tz)
                return s, "hour", s + timedelta(hours=hi - lo)
            assert e.day is not None
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
                h = _apply_pod(h, e.pod)
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
                raise _Ask(Q_AM_OR_PM, {
                    "hour": h, "minute": c.minute,
                    "am": dt_am.isoformat(),
                    "pm": (dt_am + timedelta(hours=12)).isoformat(),
                })  # fmt: skip
        s = datetime.combine(day, time(0), tz) + timedelta(
            hours=h, minutes=c.minute, seconds=c.second
        )
        if e.day is None and after is None and self.future and s < self.now:
            s += timedelta(days=1)
        return s, c.grain, None

    def recurrence(self, p: int, m: re.Match[str], not_before: date | None = None) -> _Hit:
        """Resolve 每… into an RRULE with its first occurrence (not before a given day)."""
        t = self.text
        hit = _Hit(p, m.end())
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
            rule = "FREQ=MONTHLY" + (f";BYMONTHDAY={_num(m[6])}" if m[6] else "")
        elif m[7]:
            rule = "FREQ=YEARLY" + (f";BYMONTH={_num(m[8])}" if m[8] else "")
        elif m[9]:
            n, unit = _num(m[9]), m[10]
            freq = {"天": "DAILY", "周": "WEEKLY", "星期": "WEEKLY", "小时": "HOURLY",
                    "分钟": "MINUTELY", "秒": "SECONDLY"}[unit]  # fmt: skip
            rule = f"FREQ={freq};INTERVAL={n}"
        elif m[11]:
            rule = {"年": "FREQ=MONTHLY;INTERVAL=6"}.get(m[12], "FREQ=MINUTELY;INTERVAL=30")
        else:
            wds = re.findall(_WD, m[4] or "")
            days = sorted({_WEEKDAY_NUM.get(w, int(w) - 1 if w.isdigit() else 0) for w in wds})
            rule = "FREQ=WEEKLY" + (";BYDAY=" + ",".join(_BYDAY[d] for d in days) if days else "")
        hit.recurrence = rule
        q = _skip_re(_SP, t, m.end())
        if t.startswith("的", q):
            q += 1
        pod: str | None = {"晚": "evening", "早": "morning"}.get(m[2] or "")
        pm = _POD.match(t, q)
        if pm and len(pm[1]) > 1:
            pod = _POD_CODE[pm[1]]
            q = pm.end()
        clock: _Clock | None = None
        c_hit = self.clock_at(_skip_re(_SP, t, q))
        end_clock: _Clock | None = None
        if c_hit:
            q, clock = c_hit
            cm = _CONNECT.match(t, q)
            if cm:
                e_hit = self.clock_at(cm.end())
                if e_hit:
                    q, end_clock = e_hit
        hit.stop = q if (clock or pod) else hit.stop
        monthday = _num(m[6]) if m[5] and m[6] else None
        month = _num(m[8]) if m[7] and m[8] else None

        def fits(d: date) -> bool:
            """Tell whether the rule has an occurrence on day d."""
            if days and d.weekday() not in days:
                return False
            if monthday is not None and d.day != monthday:
                return False
            return month is None or (d.month == month and d.day == 1)

        base = max(self.today, not_before or self.today)
        first = next((base + timedelta(k) for k in range(800) if fits(base + timedelta(k))), base)
        e = _End(p, q, _Day(first), pod, clock)
        try:
            start, grain, end = self._start(e, first)
        except _Ask as ask:
            hit.question, hit.params = ask.code, ask.params
            return hit
        if clock is not None and start < self.now:
            # the first slot today has gone: take the next day the rule allows
            nxt = next(
                (first + timedelta(k) for k in range(1, 800) if fits(first + timedelta(k))),
                first + timedelta(1),
            )
            start = datetime.combine(nxt, start.timetz())
        if end_clock is not None:
            e = _End(p, q, _Day(start.date()), pod, end_clock)
            end = self._start(e, start.date(), after=start)[0]
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

    def _roll_day_of_month(self, day: int) -> date | None:
        """Return the next date with this day of the month."""
        first = self.today.replace(day=1)
        for k in range(0, 13):
            month = _add_months(first, k)
            d = _safe_date(month.year, month.month, day)
            if d and d >= self.today:
                return d
        return None

    def offset(self, p: int, stop: int, secs: float, unit: str) -> _Hit:
        """Resolve 两小时后 / 三天前 style offsets from now."""
        at = self.now + timedelta(seconds=secs)
        tz = self.now.tzinfo
        if unit == "week":
            s = datetime.combine(_monday(at.date()), time(0), tz)
            return _Hit(p, stop, s, s + timedelta(weeks=1), "week")
        if unit == "month":
            first = at.date().replace(day=1)
            s = datetime.combine(first, time(0), tz)
            return _Hit(p, stop, s, datetime.combine(_add_months(first, 1), time(0), tz), "month")
        if unit == "year":
            at = self.now.replace(year=self.now.year + round(secs / 31536000))
        if unit in ("day", "year"):
            s = datetime.combine(at.date(), time(0), tz)
            return _Hit(p, stop, s, s + timedelta(days=1), "day")
        return _Hit(p, stop, at, None, "minute")


class _Ask(Exception):
    """Carry a question out of resolution."""

    def __init__(self, code: str, params: dict[str, Any]) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class _Hit:
    """Collect the result of one matched expression."""

    begin: int
    stop: int
    start: datetime | None = None
    end: datetime | None = None
    grain: str | None = None
    duration: timedelta | None = None
    recurrence: str | None = None
    workdays_only: bool = False
    deadline: bool = False
    question: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    part: str | None = None  # a part of day with no clock time: start/end are its window


def _skip_re(rx: re.Pattern[str], t: str, p: int) -> int:
    """Return where an optional pattern matched at p ends (p when it does not match)."""
    m = rx.match(t, p)
    return m.end() if m else p


def _month_part(first: date, m: re.Match[str] | None) -> _Day:
    """Return the days 月初 (1st-5th), 月底 (25th-last) or 前/最后N天 cover in a month."""
    nxt = _add_months(first, 1)
    if m is None or m[1] in ("底", "末"):
        return _Day(first.replace(day=25), grain="day", end=nxt)
    if m[1] == "初":
        return _Day(first, grain="day", end=first.replace(day=6))
    n = min(_num(m[3]), 28)
    if m[2] == "最后":
        return _Day(nxt - timedelta(days=n), grain="day", end=nxt)
    return _Day(first, grain="day", end=first + timedelta(days=n))


def _re_room(t: str, p: int) -> bool:
    """Tell whether a room word follows p."""
    return re.match(_ROOM_AFTER, t[p:]) is not None


def _apply_pod(h: int, pod: str) -> int:
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


_UNIT_SECS = {
    "小时": 3600, "个小时": 3600, "钟头": 3600, "个钟头": 3600, "分钟": 60, "分": 60,
    "秒钟": 1, "秒": 1, "天": 86400, "日": 86400, "个星期": 604800, "星期": 604800,
    "周": 604800, "个礼拜": 604800, "礼拜": 604800, "个月": 2592000, "年": 31536000,
}  # fmt: skip
_UNIT_GRAIN = {86400: "day", 604800: "week", 2592000: "month", 31536000: "year"}


def _duration_seconds(m: re.Match[str]) -> tuple[float, str]:
    """Return the seconds a duration match means and its coarsest unit's grain."""
    if m[7]:
        secs: float = 900
        unit = 60
    elif m[5]:
        unit = _UNIT_SECS[m[6]]
        secs = unit / 2
    else:
        unit = _UNIT_SECS[m[3]]
        n = float(m[1]) if "." in m[1] else float(_num(m[1]))
        if m[2] or m[4]:
            n += 0.5
        secs = n * unit
    if m[8]:
        secs += _num(m[8]) * _UNIT_SECS[m[9]]
    return secs, _UNIT_GRAIN.get(unit, "minute")


# --------------------------------------------------------------------------- public API


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
    norm = text.translate(_FULLWIDTH)
    parser = _Parser(norm, local_now, prefer_future, booking=not allow_past)
    try:
        hit = parser.parse()
    except (OverflowError, ValueError):  # 9999年12月31日 and the day after it: off the calendar
        return TimeParse(status="ask", question=Q_OUT_OF_RANGE, rest=_tidy(text),
                         question_params={"first": FIRST_YEAR, "last": LAST_YEAR})
    if hit is None:
        return TimeParse(status="none", rest=_tidy(text))
    if any(moment is not None and not FIRST_YEAR <= moment.year <= LAST_YEAR
           for moment in (hit.start, hit.end)):
        return TimeParse(status="ask", question=Q_OUT_OF_RANGE, rest=_tidy(text),
                         question_params={"first": FIRST_YEAR, "last": LAST_YEAR})
    rest_text = text[: hit.begin] + " " + text[hit.stop :]
    duration = hit.duration
    start, end = hit.start, hit.end
    if duration is None or start is None:
        # a length said elsewhere in the sentence: 九点半开一小时会
        tail = norm[hit.stop :]
        for dm in _DURATION.finditer(tail):
            if _OFFSET_AFTER.match(tail, dm.end()) or _OFFSET_BEFORE.match(tail, dm.end()):
                continue
            secs, _ = _duration_seconds(dm)
            if hit.recurrence is None and start is None and hit.duration is not None:
                break
            duration = timedelta(seconds=secs)
            a, b = hit.stop + dm.start(), hit.stop + dm.end()
            rest_text = text[: hit.begin] + " " + text[hit.stop : a] + text[b:]
            if start is not None and hit.grain in ("minute", "hour") and not hit.deadline:
                if hit.question is None and (end is None or hit.recurrence is not None):
                    end = start + duration
            break
    question, params = hit.question, hit.params
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
    if question in (
        Q_NO_SUCH_DATE,
        Q_AM_OR_PM,
        Q_AMBIGUOUS_DATE,
        Q_WEEKDAY_MISMATCH,
        Q_LAST_OR_NEXT,
        Q_VAGUE_TIME,
    ):
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


_PUNCT_EDGE = " \t\r\n，,。.;；、:："


def _tidy(s: str) -> str:
    """Collapse whitespace and strip stray punctuation at the ends."""
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r" ?([，,。；;、]) ?", r"\1", s)
    s = re.sub(r"([，,；;、])[，,；;、]+", r"\1", s)
    return s.strip(_PUNCT_EDGE)


def _jsonable(r: TimeParse) -> dict[str, Any]:
    """Return the JSON-line shape of a parse."""
    return {
        "status": r.status,
        "start": r.start.isoformat() if r.start else None,
        "end": r.end.isoformat() if r.end else None,
        "grain": r.grain,
        "duration": r.duration.total_seconds() if r.duration is not None else None,
        "recurrence": r.recurrence,
        "workdays_only": r.workdays_only,
        "deadline": r.deadline,
        "question": r.question,
        "question_params": dict(r.question_params),
        "rest": r.rest,
        "part": r.part,
    }


def main_parse_time(stdin: TextIO, stdout: TextIO, tz: str = "Asia/Shanghai") -> int:
    """Read JSON lines of texts, write one JSON line of parse results per input line."""
    zone = ZoneInfo(tz)
    for line in stdin:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            raw = obj.get("now")
            if raw is None:
                now = datetime.now(zone)
            else:
                now = datetime.fromisoformat(str(raw))
                if now.tzinfo is None:
                    now = now.replace(tzinfo=zone)
            need_start = bool(obj.get("need_start", False))
            out: dict[str, Any] = _jsonable(
                parse_time(obj["text"], now, tz=tz, need_start=need_start)
            )
        except Exception as exc:  # one bad line must not stop the stream
            out = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
