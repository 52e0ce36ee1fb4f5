"""Behaviour of the Chinese date/time parser used by room bookings."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.texts.timeparse import EN, ZH, render_question
from services.timeparse import TimeParse, main_parse_time, parse_time

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SH)  # a Thursday


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """Return a Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def p(text: str, **kw: object) -> TimeParse:
    """Parse text against the fixed Thursday morning."""
    return parse_time(text, NOW, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- relative days and weekdays


@pytest.mark.parametrize(
    ("text", "day"),
    [("今天", 26), ("明天", 27), ("后天", 28), ("大后天", 29)],
)
def test_relative_days_resolve_to_whole_days(text: str, day: int) -> None:
    r = p(text)
    assert (r.status, r.start, r.end, r.grain) == ("ok", at(day), at(day + 1), "day")


def test_yesterday_is_understood_but_asked_back_for_a_booking() -> None:
    r = p("昨天")
    assert r.status == "ask" and r.question == "past_date"
    assert r.start == at(25)
    assert p("昨天", allow_past=True).status == "ok"


@pytest.mark.parametrize("text", ["周三", "星期三", "礼拜三"])
def test_plain_weekday_already_past_this_week_means_next_one(text: str) -> None:
    assert p(text).start == at(2, month=12)


def test_plain_weekday_still_ahead_this_week_means_this_one() -> None:
    assert p("周五").start == at(27)
    assert p("周四").start == at(26)


def test_next_week_wednesday_is_wednesday_of_next_week() -> None:
    assert p("下周三").start == at(2, month=12)
    assert p("下周一").start == at(30)


@pytest.mark.parametrize("text", ["本周五", "这周五"])
def test_this_week_friday_is_tomorrow_on_a_thursday(text: str) -> None:
    assert p(text).start == at(27)


def test_week_after_next_monday() -> None:
    assert p("下下周一").start == at(7, month=12)


def test_next_week_alone_is_a_week_interval() -> None:
    r = p("下周")
    assert (r.start, r.end, r.grain) == (at(30), at(7, month=12), "week")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text", ["12月3日", "12月3号", "12/3", "2026-12-03", "2026年12月3日", "十二月三日"]
)
def test_calendar_dates_in_every_spelling(text: str) -> None:
    r = p(text)
    assert (r.status, r.start, r.grain) == ("ok", at(3, month=12), "day")


def test_day_number_alone_later_this_month_stays_in_this_month() -> None:
    assert p("28号").start == at(28)


def test_day_number_alone_already_past_rolls_to_next_month() -> None:
    assert p("3号").start == at(3, month=12)


def test_month_day_passed_recently_asks_last_or_next_year() -> None:
    for kw in ({}, {"allow_past": True}):
        r = p("9月5日", **kw)
        assert (r.status, r.question, r.start) == ("ask", "last_or_next", None)
        assert r.question_params == {"last": "2026-09-05", "next": "2027-09-05"}


@pytest.mark.parametrize(
    ("text", "start"),
    [("1月19号", at(19, month=1, year=2027)), ("3月5日", at(5, month=3, year=2027)),
     ("一月二十三下午3点", at(23, 15, month=1, year=2027))],
)  # fmt: skip
def test_month_day_much_nearer_next_year_is_next_year_without_asking(
    text: str, start: datetime
) -> None:
    # said in late November: the coming one is at most half as far as the one gone
    for kw in ({}, {"allow_past": True}):
        r = p(text, **kw)
        assert (r.status, r.start) == ("ok", start), (text, kw)


def test_month_day_about_as_far_either_way_still_asks() -> None:
    # 5月30日 said on 26 November: 180 days back, 185 days on
    assert p("5月30日", allow_past=True).question == "last_or_next"


def test_month_day_with_a_year_or_still_ahead_is_not_asked() -> None:
    assert p("2027年3月5日").start == at(5, month=3, year=2027)
    assert p("12月5日下午3点").start == at(5, 15, month=12)


def test_past_week_or_part_of_a_month_without_year_asks_last_or_next() -> None:
    for text in ("9月第三周", "10月前4天", "十月第一周"):
        assert p(text, allow_past=True).question == "last_or_next", text


def test_week_of_a_month_long_gone_this_year_is_next_years() -> None:
    r = p("3月第三周", allow_past=True)
    assert (r.status, r.start, r.grain) == ("ok", at(15, month=3, year=2027), "week")


def test_day_number_just_passed_asks_when_reading_but_rolls_when_booking() -> None:
    r = p("20号上午9点", allow_past=True)
    assert (r.question, r.question_params) == (
        "last_or_next",
        {"last": "2026-11-20", "next": "2026-12-20"},
    )
    assert p("20号上午9点").start == at(20, 9, month=12)


def test_day_number_nearer_next_month_is_next_month_when_reading() -> None:
    assert p("3号上午9点", allow_past=True).start == at(3, 9, month=12)


@pytest.mark.parametrize("text", ["3号会议室", "3号楼", "5号厅", "在2号会议室开会", "8个人"])
def test_room_names_and_head_counts_are_not_times(text: str) -> None:
    r = p(text)
    assert r.status == "none" and r.rest == text


def test_explicit_past_date_is_asked_back() -> None:
    r = p("2026年11月20日下午3点")
    assert (r.status, r.question) == ("ask", "past_date")
    assert r.question_params["start"] == at(20, 15).isoformat()


def test_earlier_today_with_an_explicit_day_is_past() -> None:
    assert p("今天上午9点").question == "past_date"


# ---------------------------------------------------------------- clock times


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("下午3点", 15, 0),
        ("下午三点半", 15, 30),
        ("明天九点一刻", 9, 15),
        ("明天九点三刻", 9, 45),
        ("十点零五分", 10, 5),
        ("14:30", 14, 30),
        ("14点30", 14, 30),
        ("下午两点", 14, 0),
        ("十二点", 12, 0),
        ("晚上8点", 20, 0),
        ("中午12点半", 12, 30),
        ("傍晚六点", 18, 0),
        ("早上七点半", 7, 30),
    ],
)
def test_clock_times_with_chinese_numerals_and_parts_of_day(
    text: str, hour: int, minute: int
) -> None:
    r = p(text)
    assert r.status == "ok"
    assert r.start is not None and (r.start.hour, r.start.minute) == (hour, minute)


def test_bare_three_oclock_asks_am_or_pm() -> None:
    r = p("三点")
    assert (r.status, r.question, r.start) == ("ask", "am_or_pm", None)
    assert r.question_params["hour"] == 3
    assert r.question_params["pm"] == at(26, 15).isoformat()


@pytest.mark.parametrize("text", ["两点", "1点", "六点半", "5:30"])
def test_bare_one_to_six_oclock_asks_am_or_pm(text: str) -> None:
    assert p(text).question == "am_or_pm"


def test_bare_seven_to_eleven_is_morning_office_hours() -> None:
    r = p("明天9点")
    assert (r.status, r.start) == ("ok", at(27, 9))


def test_bare_clock_time_already_gone_today_means_tomorrow() -> None:
    assert p("9点").start == at(27, 9)
    assert p("11点").start == at(26, 11)


def test_afternoon_three_is_clear() -> None:
    assert p("下午3点").start == at(26, 15)


def test_dawn_hour_is_taken_literally() -> None:
    assert p("明天凌晨2点").start == at(27, 2)


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("明天下午3点到5点", (27, 15, 0), (27, 17, 0)),
        ("明天下午3点至5点", (27, 15, 0), (27, 17, 0)),
        ("14:00-15:30", (26, 14, 0), (26, 15, 30)),
        ("下午3点到晚上8点", (26, 15, 0), (26, 20, 0)),
        ("明天9点半~11点", (27, 9, 30), (27, 11, 0)),
        ("明天上午10点到2点", (27, 10, 0), (27, 14, 0)),
    ],
)
def test_clock_ranges(text: str, start: tuple[int, int, int], end: tuple[int, int, int]) -> None:
    r = p(text)
    assert r.status == "ok"
    assert (r.start, r.end) == (at(*start), at(*end))
    assert r.start is not None and r.end is not None
    assert r.duration == r.end - r.start


def test_range_of_bare_small_hours_asks_am_or_pm() -> None:
    assert p("3点到5点").question == "am_or_pm"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("3点到晚上8点", (26, 15, 0), (26, 20, 0)),
        ("明天两点到下午四点", (27, 14, 0), (27, 16, 0)),
        ("3点-17:00", (26, 15, 0), (26, 17, 0)),
        ("明天3点到上午11点", (27, 3, 0), (27, 11, 0)),
    ],
)
def test_range_end_with_a_stated_half_of_day_fixes_a_bare_start(
    text: str, start: tuple[int, int, int], end: tuple[int, int, int]
) -> None:
    r = p(text, need_start=True)
    assert (r.status, r.start, r.end) == ("ok", at(*start), at(*end))


@pytest.mark.parametrize("text", ["3点到8点", "5:00到6:00", "两点到四点", "2点-明天4点"])
def test_range_end_whose_half_is_only_a_convention_or_another_day_still_asks(text: str) -> None:
    assert p(text, need_start=True).question == "am_or_pm"


@pytest.mark.parametrize(
    ("text", "hour"),
    [("明天午饭后两点", 14), ("明天晚饭后7点", 19), ("明天下班前4点", 16), ("明天下班后6点", 18),
     ("明天早饭后8点", 8), ("明天午饭前11点", 11)],
)  # fmt: skip
def test_meal_and_work_words_before_a_clock_time_fix_its_half(text: str, hour: int) -> None:
    r = p(text, need_start=True)
    assert (r.status, r.start, r.rest) == ("ok", at(27, hour), "")


def test_meal_word_after_a_day_with_no_clock_is_a_part_of_day_to_ask_about() -> None:
    r = p("明天晚饭后", need_start=True)
    assert (r.question, r.part, r.rest) == ("need_clock_time", "evening", "")
    assert p("晚饭后").status == "none"


def test_range_of_days_includes_the_last_day() -> None:
    r = p("12月3日到5日")
    assert (r.start, r.end) == (at(3, month=12), at(6, month=12))


def test_range_across_midnight_ends_next_day() -> None:
    r = p("明天晚上10点到凌晨1点")
    assert (r.start, r.end) == (at(27, 22), at(28, 1))


# ---------------------------------------------------------------- durations and offsets


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("一个半小时", 90),
        ("两个小时", 120),
        ("半小时", 30),
        ("45分钟", 45),
        ("1.5小时", 90),
        ("一个小时", 60),
        ("一刻钟", 15),
    ],
)
def test_bare_lengths_are_durations(text: str, minutes: int) -> None:
    r = p(text)
    assert (r.status, r.start, r.duration) == ("ok", None, timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("text", "start"),
    [("两小时后", at(26, 12)), ("半小时后", at(26, 10, 30)), ("10分钟以后", at(26, 10, 10))],
)
def test_offsets_from_now(text: str, start: datetime) -> None:
    r = p(text)
    assert (r.status, r.start, r.grain) == ("ok", start, "minute")


def test_days_offset_gives_that_whole_day() -> None:
    r = p("三天后")
    assert (r.start, r.end, r.grain) == (at(29), at(30), "day")


def test_length_said_after_the_time_sets_the_end() -> None:
    r = p("后天上午九点半开一小时会，要投影，8个人")
    assert (r.status, r.start, r.end) == ("ok", at(28, 9, 30), at(28, 10, 30))
    assert r.duration == timedelta(hours=1)
    assert r.rest == "开会，要投影，8个人"


# ---------------------------------------------------------------- recurrences and deadlines


def test_every_monday_morning_is_a_weekly_rule_starting_next_monday() -> None:
    r = p("每周一上午10点")
    assert (r.status, r.recurrence, r.start) == ("ok", "FREQ=WEEKLY;BYDAY=MO", at(30, 10))


def test_every_day_nine_starts_tomorrow_when_today_has_gone() -> None:
    r = p("每天9点")
    assert (r.recurrence, r.start) == ("FREQ=DAILY", at(27, 9))


def test_every_workday_flags_the_official_calendar() -> None:
    r = p("每个工作日 9:00")
    assert r.recurrence == "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
    assert r.workdays_only is True
    assert r.start == at(27, 9)


def test_every_tuesday_and_thursday() -> None:
    r = p("每周二四下午2点")
    assert (r.recurrence, r.start) == ("FREQ=WEEKLY;BYDAY=TU,TH", at(26, 14))


def test_monthly_rule_whose_slot_today_has_gone_starts_next_month() -> None:
    r = p("每月26号上午9点")
    assert (r.recurrence, r.start) == ("FREQ=MONTHLY;BYMONTHDAY=26", at(26, 9, month=12))


def test_recurrence_from_a_later_day_starts_that_day() -> None:
    r = p("下周一起每天9点")
    assert (r.recurrence, r.start) == ("FREQ=DAILY", at(30, 9))


def test_recurrence_with_a_clock_range_gives_the_first_occurrence_end() -> None:
    r = p("每周三下午3点到5点")
    assert (r.start, r.end, r.duration) == (
        at(2, 15, month=12),
        at(2, 17, month=12),
        timedelta(hours=2),
    )


def test_deadline_already_gone_never_ends_before_it_starts() -> None:
    r = p("上周一前")
    assert r.deadline and r.start == r.end and r.question == "past_date"


def test_before_friday_is_a_deadline_through_friday() -> None:
    r = p("周五前")
    assert (r.status, r.deadline, r.start, r.end) == ("ok", True, NOW, at(28))


def test_before_month_end_is_a_deadline_through_the_last_day() -> None:
    r = p("月底前")
    assert (r.deadline, r.end) == (True, at(1, month=12))


def test_before_a_date_is_a_deadline_through_that_date() -> None:
    r = p("12月10日之前")
    assert (r.deadline, r.end) == (True, at(11, month=12))


# ---------------------------------------------------------------- asking back and rest text


def test_part_of_day_without_clock_is_its_window_when_no_start_is_needed() -> None:
    r = p("明天下午")
    assert (r.status, r.question, r.part) == ("ok", None, "afternoon")
    assert (r.start, r.end, r.grain) == (at(27, 12), at(27, 18), "hour")


def test_part_of_day_without_clock_asks_for_a_time_when_booking() -> None:
    r = p("明天下午", need_start=True)
    assert (r.status, r.question) == ("ask", "need_clock_time")
    assert r.question_params == {"part": "afternoon", "date": "2026-11-27"}
    assert (r.start, r.end, r.grain, r.part) == (at(27, 12), at(27, 18), "hour", "afternoon")


def test_past_part_of_day_asks_past_date_before_the_clock_time() -> None:
    r = p("昨晚", need_start=True)
    assert (r.status, r.question) == ("ask", "past_date")


def test_part_of_day_with_a_clock_time_is_never_a_window() -> None:
    r = p("明天下午3点", need_start=True)
    assert (r.status, r.part, r.start) == ("ok", None, at(27, 15))


def test_rest_keeps_room_and_title() -> None:
    r = p("明天下午3点到5点 3号会议室 项目评审")
    assert (r.start, r.end) == (at(27, 15), at(27, 17))
    assert r.rest == "3号会议室 项目评审"
    assert r.span == (0, 9)


def test_text_without_time_is_none() -> None:
    r = p("帮我订个会议室")
    assert (r.status, r.start, r.span, r.rest) == ("none", None, None, "帮我订个会议室")


def test_a_bit_later_is_not_one_oclock() -> None:
    assert p("晚一点再说").status == "none"


def test_every_question_code_has_both_sentences() -> None:
    import services.timeparse as tp

    codes = {v for k, v in vars(tp).items() if k.startswith("Q_")}
    assert len(codes) == 11
    assert {k.rsplit(".", 1)[1] for k in ZH} == codes == {k.rsplit(".", 1)[1] for k in EN}
    r = p("三点")
    assert "下午" in render_question(r.question or "", r.question_params)
    assert "afternoon" in render_question(r.question or "", r.question_params, lang="en")
    text = render_question("need_clock_time", {"part": "afternoon", "date": "2026-11-27"})
    assert "下午" in text and "2026-11-27" in text


def test_date_with_a_weekday_that_does_not_match_asks_when_booking() -> None:
    r = p("12月3日周五下午3点")
    assert (r.status, r.question, r.start) == ("ask", "weekday_mismatch", None)
    assert r.question_params == {"date": "2026-12-03", "weekday": 5, "actual_weekday": 4}
    assert p("12月3日周四下午3点").start == at(3, 15, month=12)


def test_trailing_de_goes_with_the_time_so_rest_reads_well() -> None:
    assert p("帮我订明天上午10点的3号会议室").rest == "帮我订 3号会议室"


def test_ambiguous_numeric_date_asks() -> None:
    r = p("1/2/2027")
    assert (r.status, r.question) == ("ask", "ambiguous_date")


def test_date_with_a_mismatching_weekday_reads_as_the_date_when_not_booking() -> None:
    r = p("12月3日周五下午3点", allow_past=True)
    assert (r.status, r.start) == ("ok", at(3, 15, month=12))


@pytest.mark.parametrize(
    ("text", "year"), [("3-7-2017", 2017), ("3-7-27", 2027), ("3-7-07", 2007), ("1/2/2020", 2020)]
)
def test_numeric_date_with_the_year_last_reads_day_month_year_but_a_booking_asks(
    text: str, year: int
) -> None:
    day, month = (int(x) for x in text.replace("/", "-").split("-")[:2])
    assert p(text, allow_past=True).start == at(day, month=month, year=year)
    assert p(text).question == "ambiguous_date"


def test_colon_time_without_a_half_reads_as_the_24_hour_clock_but_a_booking_asks() -> None:
    r = p("5:00到6:00", allow_past=True)
    assert (r.status, r.start.hour, r.end.hour) == ("ok", 5, 6)
    assert p("5:00到6:00").question == "am_or_pm"
    assert p("明天下午5:00", allow_past=True).start.hour == 17  # the half of day still counts
    # the start takes the day of an end that names one, instead of rolling to tomorrow
    r = p("2:00-明天4:00", allow_past=True)
    assert (r.start.date(), r.end.date()) == (NOW.date(), NOW.date() + timedelta(days=1))


def test_a_length_followed_by_since_is_the_window_until_now() -> None:
    r = p("一天半以来", allow_past=True)
    assert (r.start, r.end) == (NOW - timedelta(hours=36), NOW)


def test_numeric_date_of_two_digit_parts_led_by_two_digits_is_year_month_day() -> None:
    # no part is marked as the year (and none is written with one digit): the Chinese order
    assert p("27-7-3").start == at(3, month=7, year=2027)
    assert p("12-11-10", allow_past=True).start == at(10, month=11, year=2012)


def test_numeric_date_that_is_no_year_month_day_falls_back_to_day_month_year() -> None:
    assert p("05/05/89", allow_past=True).start == at(5, month=5, year=1989)


def test_two_digit_year_is_the_nearest_such_year() -> None:
    assert p("27年3月5日").start == at(5, month=3, year=2027)
    assert p("九零年9月十号", allow_past=True).start == at(10, month=9, year=1990)


# ---------------------------------------------------------------- command loop


def test_command_writes_one_json_line_per_input_and_survives_bad_lines() -> None:
    lines = [
        json.dumps({"text": "明天下午3点到5点 3号会议室", "now": "2026-11-26T10:00:00+08:00"}),
        "not json",
        json.dumps({"text": "三点", "now": "2026-11-26T10:00:00"}),
        json.dumps({"text": "一个半小时"}),
        json.dumps({"text": "明天下午", "now": "2026-11-26T10:00:00", "need_start": True}),
        json.dumps({"text": "明天下午", "now": "2026-11-26T10:00:00"}),
    ]
    out = io.StringIO()
    assert main_parse_time(io.StringIO("\n".join(lines) + "\n"), out) == 0
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == 6
    assert rows[0]["start"] == "2026-11-27T15:00:00+08:00"
    assert rows[0]["end"] == "2026-11-27T17:00:00+08:00"
    assert rows[0]["duration"] == 7200 and rows[0]["rest"] == "3号会议室"
    assert rows[1]["status"] == "error" and rows[1]["error"]
    assert rows[2]["question"] == "am_or_pm"
    assert rows[3]["duration"] == 5400
    assert rows[4]["question"] == "need_clock_time"
    assert (rows[5]["status"], rows[5]["part"]) == ("ok", "afternoon")


# ---------------------------------------------------------------- properties

_ALPHABET = st.sampled_from(
    list("0123456789一二三四五六七八九十两半点时分号日月年周星期天每到至前后")
    + list("上下午晚早明今-:~ 会议室个人楼")
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), st.text(_ALPHABET, max_size=20)))
def test_never_raises_and_start_never_after_end(text: str) -> None:
    r = parse_time(text, NOW)
    assert r.status in ("ok", "ask", "none")
    if r.start is not None and r.end is not None:
        assert r.start <= r.end
    if r.span is not None:
        assert 0 <= r.span[0] <= r.span[1] <= len(text)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=7, max_value=23), st.sampled_from([0, 15, 30, 45]))
def test_written_clock_times_round_trip(hour: int, minute: int) -> None:
    r = parse_time(f"明天{hour}:{minute:02d}", NOW)
    assert r.start == at(27, hour, minute)


def test_prefer_future_off_reads_the_current_week_and_month() -> None:
    assert p("周三", prefer_future=False, allow_past=True).start == at(25)
    assert p("3号", prefer_future=False, allow_past=True).start == at(3)
    assert p("9点", prefer_future=False, allow_past=True).start == at(26, 9)


def test_now_in_another_zone_is_read_in_the_office_zone() -> None:
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    r = parse_time("明天下午3点", utc_now)
    assert r.start == at(27, 15) and r.start.tzinfo == SH


def test_fullwidth_digits_and_colon_are_understood() -> None:
    r = p("明天１４：３０")
    assert r.start == at(27, 14, 30) and r.span == (0, 7)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_time("明天", datetime(2026, 11, 26, 10, 0))


# ---------------------------------------------------------------- parts of day as answers


def test_evening_window_is_office_evening_six_to_ten() -> None:
    r = p("明天晚上")
    assert (r.start, r.end, r.part) == (at(27, 18), at(27, 22), "evening")


def test_daybreak_is_four_to_seven_not_the_small_hours() -> None:
    r = p("后天黎明")
    assert (r.start, r.end, r.part) == (at(28, 4), at(28, 7), "daybreak")
    assert p("后天黎明5点").start == at(28, 5)


def test_range_of_parts_of_day_spans_both_windows() -> None:
    r = p("夜间至次日上午")
    assert (r.status, r.start, r.end, r.part) == ("ok", at(26, 22), at(27, 12), "night")
    assert p("夜间至次日上午", need_start=True).question == "need_clock_time"


@pytest.mark.parametrize(
    "text", ["最近", "近期开个会", "前两天", "前两个钟头", "前两分钟", "35:37", "未来两天"]
)
def test_vague_or_impossible_times_are_asked_back(text: str) -> None:
    r = p(text, allow_past=True)
    assert (r.status, r.question, r.start) == ("ask", "vague_time", None)
    assert r.question_params["text"] in text


def test_recent_windows_with_a_length_stay_windows() -> None:
    r = p("最近10分钟", allow_past=True)
    assert (r.status, r.start, r.end) == ("ok", NOW - timedelta(minutes=10), NOW)
    assert p("最近的会议室").status == "none"
    assert p("这个月前两天").start == at(1)


def test_next_two_hours_is_a_window_from_now() -> None:
    r = p("未来两小时")
    assert (r.status, r.start, r.end) == ("ok", NOW, NOW + timedelta(hours=2))


def test_seven_or_eight_oclock_spans_both_hours_and_is_asked_when_booking() -> None:
    r = p("明天下午七八点")
    assert (r.status, r.start, r.end) == ("ok", at(27, 19), at(27, 21))
    assert p("明天下午七八点", need_start=True).question == "need_clock_time"


def test_list_of_following_days_is_the_days_from_first_to_last() -> None:
    r = p("12月10号，11号，12号")
    assert (r.start, r.end) == (at(10, month=12), at(13, month=12))


def test_list_of_days_with_a_gap_asks_rather_than_answer_the_first() -> None:
    r = p("12月10号，15号")
    assert (r.status, r.question, r.start) == ("ask", "unclear_part", None)
    assert r.question_params["text"] == "15号"


def test_after_noon_is_early_afternoon() -> None:
    r = p("明天午后")
    assert (r.start, r.end, r.part) == (at(27, 13), at(27, 15), "early_afternoon")
    assert p("明天午后2点").start == at(27, 14)


@pytest.mark.parametrize(
    "text",
    [
        "2月30日", "11月31号下午3点", "13月5日", "2026-02-30", "4/31", "明天25点", "明天3点75分",
        "下周八下午3点",
    ],
)
def test_a_date_or_hour_on_no_calendar_is_asked_back_not_reread(text: str) -> None:
    # 11月31号 used to become 12月31日 and 2月30日 this month's 30th: a confident wrong answer
    for kw in ({}, {"allow_past": True}):
        r = p(text, **kw)
        assert (r.status, r.question, r.start) == ("ask", "no_such_date", None)
        assert r.question_params["text"] in text


@pytest.mark.parametrize("text", ["第3点要求", "第25点", "25点意见"])
def test_numbered_points_are_not_clock_times(text: str) -> None:
    assert p(text, allow_past=True).status == "none"
