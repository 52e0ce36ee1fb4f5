"""The everything-consumed stage: a word about time left unread turns an answer into a question."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.texts.timeparse import render_question
from services.timeparse import parse_time
from services.timeparse.consumed import time_words, unread

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Thursday


def words(text: str) -> list[str]:
    """Return the words about time the stage sees in text."""
    return [text[b:e] for b, e in time_words(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("去年的今天", ["去年", "今天"]),
        ("2.15早上", ["2.15", "早上"]),
        ("11.20 20点", ["11.20", "20点"]),
        ("明天或者后天", ["明天", "后天"]),
        ("明天下午3点上旬", ["明天", "下午", "3点", "上旬"]),
        ("上旬", ["上旬"]),
        ("下周一到周五每天上午9点", ["下周一", "周五", "每天", "上午", "9点"]),
        ("明后天", ["明后天"]),
        ("今明两天", ["今明两天"]),
        ("14:30到15:00", ["14:30", "15:00"]),
        ("周末前后", ["周末"]),
    ],
)
def test_words_about_time_are_found_wherever_they_are(text: str, found: list[str]) -> None:
    assert words(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "3号会议室", "5号楼", "8个人", "第3点意见", "三点要求", "晚一点再说", "快一点", "十分感谢",
        "百分之五十", "2026年度总结会", "建园十周年座谈会", "最近的会议室", "然后天气转凉",
        "投影仪", "好的",
    ],
)  # fmt: skip
def test_rooms_head_counts_list_points_and_common_words_are_not_about_time(text: str) -> None:
    assert words(text) == []


def test_a_word_is_read_only_when_wholly_inside_what_was_read() -> None:
    text = "明天下午3点前夕"
    # 前 was read as a deadline, 夕 was not: 前夕 straddles the edge, so it is unread
    assert [text[b:e] for b, e in unread(text, [(0, 7)])] == ["前夕"]
    assert unread(text, [(0, 8)]) == []


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("明天或者后天", "后天"),
        ("明天下午3点上旬", "上旬"),
        ("明天下午3点开会，后天也行", "后天"),
        ("12月10号，15号", "15号"),
        ("上午10点下午3点", "下午"),
    ],
)
def test_an_answer_read_from_part_of_the_words_becomes_a_question(text: str, left: str) -> None:
    for kw in ({}, {"allow_past": True}, {"need_start": True}):
        r = parse_time(text, NOW, **kw)  # type: ignore[arg-type]
        assert (r.status, r.question, r.start, r.end) == ("ask", "unclear_part", None, None)
        assert left in r.question_params["text"], (text, kw)


def test_words_about_time_with_none_read_ask_instead_of_finding_nothing() -> None:
    r = parse_time("上旬", NOW)
    assert (r.status, r.question, r.question_params) == (
        "ask",
        "unclear_part",
        {"text": "上旬", "read": ""},
    )


@pytest.mark.parametrize(
    ("text", "left"),
    [("第三季度末下午3点", "三季度"), ("国庆节后第一天", "国庆节后"), ("春节前下午3点", "春节")],
)
def test_a_subject_word_about_time_beside_the_expression_asks(text: str, left: str) -> None:
    r = parse_time(text, NOW, allow_past=True)
    assert (r.question, r.question_params["text"]) == ("unclear_part", left)


@pytest.mark.parametrize(
    "text",
    [
        "明天下午3点 三季度经济运行分析会",
        "明天下午3点 国庆安保部署会",
        "明天下午3点，近期重点工作",
    ],
)
def test_a_subject_word_about_time_set_apart_from_the_expression_is_the_subject(
    text: str,
) -> None:
    r = parse_time(text, NOW, need_start=True)
    assert (r.status, r.start) == ("ok", datetime(2026, 11, 27, 15, 0, tzinfo=NOW.tzinfo))


def test_a_booking_line_whose_other_words_are_not_about_time_is_answered() -> None:
    r = parse_time("明天下午3点到5点 3号会议室 8个人 项目评审", NOW, need_start=True)
    assert (r.status, r.question) == ("ok", None)
    assert r.rest == "3号会议室 8个人 项目评审"


def test_a_length_said_after_the_time_counts_as_read() -> None:
    r = parse_time("后天上午九点半开一小时会，要投影，8个人", NOW, need_start=True)
    assert (r.status, r.question) == ("ok", None)


def test_the_question_quotes_the_unread_words_in_both_languages() -> None:
    r = parse_time("明天或者后天", NOW)
    assert "后天" in render_question(r.question or "", r.question_params)
    assert "后天" in render_question(r.question or "", r.question_params, lang="en")
