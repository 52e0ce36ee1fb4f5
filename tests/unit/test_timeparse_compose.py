"""Anchor + offset + position + clock, composed: each kind issue 19 lists is one rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.timeparse import TimeParse, parse_time

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SH)  # a Thursday


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """Return a Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def read(text: str, now: datetime = NOW) -> TimeParse:
    """Parse as a reader (past dates and parts of day are answers)."""
    return parse_time(text, now, allow_past=True)


def whole_day(r: TimeParse) -> tuple[datetime | None, datetime | None]:
    """Return start and end, checking the answer is ok."""
    assert r.status == "ok", (r.question, r.question_params)
    return r.start, r.end


# ---------------------------------------------------------------- 1. nothing dropped


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("去年的今天", at(26, year=2025)),
        ("明年的今天", at(26, year=2027)),
        ("明天的后天", at(29)),
        ("昨天的前天", at(23)),
        ("下个月的今天", at(26, month=12)),
        ("两年后的今天", at(26, year=2028)),
    ],
)
def test_a_relative_day_after_an_anchor_is_taken_from_that_anchor(
    text: str, start: datetime
) -> None:
    assert whole_day(read(text)) == (start, start + timedelta(days=1))


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2.15早上", at(15, 8, month=2, year=2027)),
        ("12.10 下午3点", at(10, 15, month=12)),
        ("11.20 20点", at(20, 20, month=11, year=2027)),  # read on 2027-01-05: the coming one
        ("一个月后下午19点", at(26, 19, month=12)),
        ("五年后3月三十号10点十分", at(30, 10, 10, month=3, year=2031)),
        ("下午的三点一刻", at(26, 15, 15)),
        ("后天晚上的八点半", at(28, 20, 30)),
        ("三天后下午4点", at(29, 16)),
        ("两个月后的5号", at(5, month=1, year=2027)),
    ],
)
def test_every_piece_of_a_composed_expression_is_read(text: str, start: datetime) -> None:
    now = datetime(2027, 1, 5, 10, 0, tzinfo=SH) if text.startswith("11.20") else NOW
    r = read(text, now)
    assert (r.status, r.start) == ("ok", start), (text, r.question, r.question_params)


def test_a_dotted_number_is_a_date_only_when_a_time_follows() -> None:
    r = read("12.10")  # a date or a number? not answered either way
    assert (r.status, r.question) == ("ask", "unclear_part")
    assert read("1.5小时").duration == timedelta(hours=1.5)
    assert read("下午2.30").start == at(26, 14, 30)


# ---------------------------------------------------------------- 2. offsets from a stated day


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("12月1日的3天后", at(4, month=12)),
        ("12月1日3天前", at(28)),
        ("12月10日后的第2天", at(12, month=12)),
        ("明天的一个月以前", at(27, month=10)),
        ("下周五的前一天下午3点", at(3, 15, month=12)),
        ("12月1号的两个星期11小时之后", at(15, 11, month=12)),
        ("1月31日的一个月后", at(28, month=2, year=2027)),  # clipped to the month's end
    ],
)
def test_an_offset_moves_the_day_it_follows(text: str, start: datetime) -> None:
    r = read(text)
    assert (r.status, r.start) == ("ok", start), (r.question, r.question_params)


def test_an_offset_after_a_clock_time_moves_that_time() -> None:
    assert read("明天晚上8点的两小时后").start == at(27, 22)
    assert read("下周一早上8点的半小时前").start == at(30, 7, 30)
    # 3:30 then 小时后, or 3:00 then 半小时后? asked
    assert read("下午3点半小时后").question == "unclear_part"


# ---------------------------------------------------------------- 3. day spans


@pytest.mark.parametrize(
    ("text", "first", "days"),
    [
        ("明后天", 27, 2), ("今明两天", 26, 2), ("明后两天", 27, 2), ("今明后三天", 26, 3),
        ("今天明天后天三天", 26, 3), ("周四周五两天", 26, 2), ("下周一二两天", 30, 2),
        ("周末两天", 28, 2),
    ],
)  # fmt: skip
def test_runs_of_days_are_one_span(text: str, first: int, days: int) -> None:
    start = at(first)
    assert whole_day(read(text)) == (start, start + timedelta(days=days))


@pytest.mark.parametrize("text", ["今明三天", "周三周五", "周四周五三天"])
def test_a_run_that_does_not_add_up_asks(text: str) -> None:
    assert read(text).status == "ask"


def test_a_range_of_weekdays_stays_in_the_first_ones_week() -> None:
    assert whole_day(read("下周一到周五")) == (at(30), at(5, month=12))


# ---------------------------------------------------------------- 4. spans next to now


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("后三天", at(27), at(30)),
        ("下三小时", NOW, at(26, 13)),
        ("上两分钟", at(26, 9, 58), NOW),
        ("往后一刻钟", NOW, at(26, 10, 15)),
        ("下两周", at(30), at(14, month=12)),
        ("上两个月", at(1, month=9), at(1)),
    ],
)
def test_units_right_after_or_before_now(text: str, start: datetime, end: datetime) -> None:
    assert whole_day(read(text)) == (start, end)


def test_passing_a_length_is_an_instant() -> None:
    r = read("过三分钟")
    assert (r.status, r.start, r.end) == ("ok", at(26, 10, 3), None)


# ---------------------------------------------------------------- 5. ordinal days


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("本月第二天", at(2)),
        ("今年的第二天", at(2, month=1)),
        ("2013年2月第二天", at(2, month=2, year=2013)),
        ("下个月第一天", at(1, month=12)),
        ("下周第一天", at(30)),
        ("今年第100天", at(10, month=4)),
        ("下个月最后一天", at(31, month=12)),
    ],
)
def test_the_nth_day_of_any_period(text: str, start: datetime) -> None:
    assert whole_day(read(text)) == (start, start + timedelta(days=1))


def test_may_the_31st_day_is_may_31_and_there_is_no_32nd() -> None:
    spring = datetime(2026, 2, 26, 10, 0, tzinfo=SH)
    assert read("5月第31天", spring).start == at(31, month=5)
    assert read("5月第32天", spring).question == "no_such_date"


# ---------------------------------------------------------------- 6. month end, weekends


@pytest.mark.parametrize(
    ("text", "day", "month"),
    [("月底", 30, 11), ("这个月月底", 30, 11), ("本月底", 30, 11), ("下个月月底", 31, 12),
     ("12月底", 31, 12), ("年底", 31, 12)],
)  # fmt: skip
def test_month_end_is_the_last_day(text: str, day: int, month: int) -> None:
    start = at(day, month=month)
    assert whole_day(read(text)) == (start, start + timedelta(days=1))


def test_this_weekend_is_saturday_and_sunday() -> None:
    assert whole_day(read("这周末")) == (at(28), at(30))
    assert whole_day(read("下周末")) == (at(5, month=12), at(7, month=12))


def test_last_workday_of_the_month_follows_the_official_calendar() -> None:
    # 2026-10-01..07 is the National Day holiday; 10-10 (a Saturday) is an adjusted workday
    october = datetime(2026, 9, 20, 10, 0, tzinfo=SH)
    assert read("下个月第一个工作日", october).start == at(8, month=10)
    assert read("下个月最后一个工作日", october).start == at(30, month=10)
    assert read("月底最后一个工作日下午两点到四点").start == at(30, 14)


@pytest.mark.parametrize("text", ["周末上午10点", "下个月下午3点", "下周9点", "月初上午"])
def test_a_time_of_day_on_several_days_asks_which_day(text: str) -> None:
    r = read(text)
    assert (r.status, r.start) == ("ask", None)
    assert r.question in ("vague_time", "unclear_part")


# ---------------------------------------------------------------- 7. recurrences


@pytest.mark.parametrize(
    ("text", "rule", "start"),
    [
        ("每个上午八点", "FREQ=DAILY", at(27, 8)),
        ("每个晚上八点", "FREQ=DAILY", at(26, 20)),
        ("每个月的五号", "FREQ=MONTHLY;BYMONTHDAY=5", at(5, month=12)),
        ("每月的最后一天", "FREQ=MONTHLY;BYMONTHDAY=-1", at(30)),
        ("每年的3月5号", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5", at(5, month=3, year=2027)),
        ("每两周周一上午9点", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", at(30, 9)),
        ("下周一到周五每天上午9点", "FREQ=DAILY;COUNT=5", at(30, 9)),
    ],
)
def test_recurrences_with_a_part_of_day_or_a_day_of_the_month(
    text: str, rule: str, start: datetime
) -> None:
    r = read(text)
    assert (r.status, r.recurrence, r.start) == ("ok", rule, start)


# ---------------------------------------------------------------- 8. a weekday that agrees


@pytest.mark.parametrize("text", ["周日, 11月22号", "11月22日周日", "周日，11月22日"])
def test_a_weekday_picks_the_year_of_a_passed_date_it_agrees_with(text: str) -> None:
    # 2026-11-22 was a Sunday (four days ago); 2027-11-22 is a Monday
    assert whole_day(read(text)) == (at(22), at(23))


def test_a_date_in_brackets_with_its_weekday_is_that_date() -> None:
    r = parse_time("12月2日（周三）下午3点", NOW, need_start=True)
    assert (r.status, r.start) == ("ok", at(2, 15, month=12))


# ---------------------------------------------------------------- 9. minute of the hour


@pytest.mark.parametrize(("text", "minute"), [("50分", 50), ("五十分", 50), ("15分", 15)])
def test_a_minute_alone_is_that_minute_of_the_hour(text: str, minute: int) -> None:
    r = read(text)
    expected = at(26, 10, minute)
    assert (r.status, r.start, r.end) == ("ok", expected, None)


def test_a_minute_already_gone_this_hour_is_next_hours() -> None:
    later = datetime(2026, 11, 26, 10, 40, tzinfo=SH)
    assert read("30分", later).start == at(26, 11, 30)
    assert read("50分钟").duration == timedelta(minutes=50)  # with 钟 it is a length
    assert read("1小时50分").duration == timedelta(minutes=110)


# ---------------------------------------------------------------- 10. relative weeks


@pytest.mark.parametrize(
    ("text", "start"),
    [("三星期后", at(17, month=12)), ("两周后", at(10, month=12)), ("3周前", at(5)),
     ("一个月后", at(26, month=12)), ("三个月后", at(26, month=2, year=2027))],
)  # fmt: skip
def test_an_offset_in_weeks_or_months_is_the_day_it_lands_on(text: str, start: datetime) -> None:
    assert whole_day(read(text)) == (start, start + timedelta(days=1))


# ---------------------------------------------------------------- ends before starts


@pytest.mark.parametrize("text", ["明天下午3点到2点", "明天晚上8点到6点", "14:00-13:00"])
def test_an_end_before_the_start_is_asked_back_not_rolled_past_midnight(text: str) -> None:
    for kw in ({}, {"allow_past": True}, {"need_start": True}):
        r = parse_time(text, NOW, **kw)  # type: ignore[arg-type]
        assert (r.status, r.question, r.start) == ("ask", "end_before_start", None)


@pytest.mark.parametrize(
    ("text", "end"),
    [("明天晚上11点到1点", at(28, 1)), ("明天晚上10点到凌晨2点", at(28, 2)),
     ("明天23:00-01:00", at(28, 1))],
)  # fmt: skip
def test_an_evening_range_may_run_into_the_night(text: str, end: datetime) -> None:
    r = read(text)
    assert (r.status, r.end) == ("ok", end)
