"""Properties of the time parser over many expressions: filler words change nothing, an unknown
time word glued on turns an answer into a question, answers are always well formed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.timeparse import TimeParse, parse_time

SH = ZoneInfo("Asia/Shanghai")
NOWS = [
    datetime(2026, 11, 26, 10, 0, tzinfo=SH),  # a Thursday morning
    datetime(2025, 3, 14, 16, 20, tzinfo=SH),  # a Friday afternoon
    datetime(2027, 12, 31, 23, 40, tzinfo=SH),  # the CI clock: a year's last minutes
]

_TUNE = Path(__file__).resolve().parents[1] / "data" / "timeparse_cases_tune.jsonl"
#: Expressions of the tuning cases (never the held-out ones), as seeds of the properties.
CASE_TEXTS = sorted(
    {json.loads(line)["text"] for line in _TUNE.read_text(encoding="utf-8").splitlines()}
)
DAYS = ["", "明天", "后天", "下周三", "12月3日", "本月最后一天", "三天后", "去年的今天",
        "下个月的5号", "周五", "月底", "2027年1月5日", "明天的后天", "两周后",
        "12.10 "]  # fmt: skip
PARTS = ["", "上午", "下午", "晚上", "中午"]
CLOCKS = ["", "9点", "3点", "十点半", "9:30", "两点一刻", "8点到10点"]

composed = st.builds(
    lambda d, p, c: f"{d}{p}{c}",
    st.sampled_from(DAYS),
    st.sampled_from(PARTS),
    st.sampled_from(CLOCKS),
)
expressions = st.one_of(composed, st.sampled_from(CASE_TEXTS))
FILLERS_BEFORE = ["请", "大概", "请在", "，", "一下，"]
FILLERS_AFTER = ["左右", "一下", "，", "。", "左右吧"]
#: Words about time the grammar does not read; glued to an answer, they must make it a question.
UNKNOWN_TIME_WORDS = ["前夕", "开春", "节后", "黄昏", "黄金周", "年中", "年初", "月中", "周初",
                      "季末", "假期", "刚才", "节前"]  # fmt: skip


def answer(r: TimeParse) -> tuple[object, ...]:
    """Return what an answer says, to compare two parses."""
    return (r.start, r.end, r.grain, r.recurrence, r.duration, r.deadline, r.part)


def answered(text: str, now: datetime) -> TimeParse:
    """Parse as a reader and keep only texts the parser answers."""
    r = parse_time(text, now, allow_past=True)
    assume(r.status == "ok")
    return r


@settings(max_examples=400, deadline=None)
@given(
    expressions,
    st.sampled_from(NOWS),
    st.sampled_from(["", *FILLERS_BEFORE]),
    st.sampled_from(["", *FILLERS_AFTER]),
)
def test_filler_words_around_an_answer_give_the_same_answer_or_a_question(
    text: str, now: datetime, before: str, after: str
) -> None:
    r = answered(text, now)
    padded = parse_time(f"{before}{text}{after}", now, allow_past=True)
    assert padded.status == "ask" or (padded.status, answer(padded)) == ("ok", answer(r)), (
        f"{before}{text}{after}",
        padded.question,
    )


@settings(max_examples=400, deadline=None)
@given(
    expressions,
    st.sampled_from(NOWS),
    st.sampled_from(UNKNOWN_TIME_WORDS),
    st.booleans(),
)
def test_an_answer_glued_to_an_unknown_time_word_asks(
    text: str, now: datetime, word: str, in_front: bool
) -> None:
    r = answered(text, now)
    assume(r.rest == "")  # the whole text is the expression: the word is glued to it
    glued = f"{word}{text}" if in_front else f"{text}{word}"
    for kw in ({"allow_past": True}, {"need_start": True}):
        r = parse_time(glued, now, **kw)  # type: ignore[arg-type]
        assert (r.status, r.start, r.end) == ("ask", None, None), (glued, kw, r.question)


@settings(max_examples=300, deadline=None)
@given(expressions, st.sampled_from(NOWS), st.booleans())
def test_every_answer_is_well_formed(text: str, now: datetime, booking: bool) -> None:
    kw = {"need_start": True} if booking else {"allow_past": True}
    r = parse_time(text, now, **kw)  # type: ignore[arg-type]
    assert r.status in ("ok", "ask", "none")
    if r.status == "ok":
        assert r.start is not None or r.duration is not None
        assert r.question is None
    if r.status == "ask":
        assert r.question is not None
    if r.start is not None and r.end is not None:
        assert r.start <= r.end
        assert r.start.utcoffset() == r.end.utcoffset() == now.astimezone(SH).utcoffset()
