"""Publicity's smaller rules: quarters and lengths as typed, the annual wording of the figures,
the quarter-end push (and its catch-up), correcting an outlet's level, scoring rules as data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from handlers.views.publicity import annual_words
from models.core import BoundChat, ChatPurpose, OutboxMessage, Role, Staff
from models.publicity import InfoLevel, MediaReport, MediaStory, OutletLevel
from services.clock import FixedClock
from services.errors import InvalidInput, NotAllowed
from services.publicity import info, media, outlets, parse, scoring


def test_quarters_are_read_as_people_type_them() -> None:
    today = date(2026, 11, 26)
    assert parse.quarter_of_text("", today) == (2026, 4)
    assert parse.quarter_of_text("上季度", today) == (2026, 3)
    assert parse.quarter_of_text("2026Q3", today) == (2026, 3)
    assert parse.quarter_of_text("2025年第四季度", today) == (2025, 4)
    assert parse.quarter_of_text("第一季度", today) == (2026, 1)
    assert parse.quarter_of_text("上", date(2026, 2, 1)) == (2025, 4)
    for wrong in ("2026Q5", "明年", "1999Q1"):
        with pytest.raises(InvalidInput):
            parse.quarter_of_text(wrong, today)
    with pytest.raises(InvalidInput) as future:
        parse.quarter_of_text("2027Q1", today)
    assert future.value.code == "publicity.error.future_quarter"


def test_lengths_are_read_and_nonsense_refused() -> None:
    assert parse.length_of("3000字") == 3000
    assert parse.length_of("3千字") == 3000
    assert parse.length_of("5k") == 5000
    assert parse.length_of_or_none("题目") is None
    for wrong in ("0字", "9999999字", "很长"):
        with pytest.raises(InvalidInput):
            parse.length_of(wrong)


def test_the_annual_wording_says_only_what_was_recorded() -> None:
    full = {"reports": 350, "front_pages": 8, "info_used": 55, "info_submitted": 80,
            "info_instructed": 0, "drafts_done": 212, "drafts_speech": 60, "drafts_report": 50,
            "drafts_request": 40, "drafts_minutes": 45, "drafts_research": 0, "drafts_plan": 17,
            "bulletins": 11}
    assert annual_words({k: float(v) for k, v in full.items()}, "zh_CN") == (
        "在各级媒体发布报道350篇，其中头版8篇；编报党政信息55篇；"
        "起草讲话、报告、纪要、请示等各类文稿212篇；编发《参阅》11期")
    assert annual_words({"reports": 3.0, "front_pages": 0.0}, "zh_CN") == "在各级媒体发布报道3篇"
    assert annual_words({"info_submitted": 4.0}, "zh_CN") == "收到各部门报送党政信息4篇"
    assert annual_words({"drafts_done": 2.0, "drafts_other": 2.0}, "zh_CN") == "起草各类文稿2篇"
    assert annual_words({k: 0.0 for k in full}, "zh_CN") is None


async def _people() -> tuple[Staff, Staff]:
    office = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE,
                                department="党政办")
    liu = await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF,
                             department="规划建设局")
    return office, liu


async def test_the_ranking_is_pushed_on_the_quarters_last_workday_or_caught_up_later(
        db: str, fixed_clock: FixedClock) -> None:
    office, liu = await _people()
    await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    piece = await info.start(liu, 1004, "标题\n正文")
    await info.submit(liu, piece.id)
    await info.use(office, piece.id, InfoLevel.CITY)
    assert info.last_workday(2026, 4) == date(2026, 12, 31)
    assert await info.push_ranking(date(2026, 12, 30)) == "nothing due"
    assert await info.push_ranking(date(2026, 12, 31)) == "queued 2026Q4"
    assert await info.push_ranking(date(2026, 12, 31)) == "nothing due"  # once
    assert await OutboxMessage.filter(kind="publicity.ranking_chart").count() == 1
    # A quarter whose last workday passed with the bot down goes out on a later day.
    await OutboxMessage.all().delete()
    assert await info.push_ranking(date(2027, 1, 5)) == "queued 2026Q4"


async def test_correcting_an_outlets_level_recounts_its_stories(
        db: str, fixed_clock: FixedClock) -> None:
    office, liu = await _people()
    await media.record_line(office, "宜兴日报 2026-11-20 绿谷园区举行植树活动", 1003)
    with pytest.raises(NotAllowed):
        await outlets.set_level(liu, "宜兴日报", OutletLevel.PROVINCE)
    outlet, changed = await outlets.set_level(office, "宜兴日报", OutletLevel.PROVINCE)
    assert changed == 1 and outlet.level == OutletLevel.PROVINCE
    assert (await MediaReport.get(id=1)).level == OutletLevel.PROVINCE
    assert (await MediaStory.get(id=1)).level == OutletLevel.PROVINCE
    with pytest.raises(InvalidInput):
        outlets.level_of("县级")


async def test_scoring_rules_are_data_with_defaults(db: str, fixed_clock: FixedClock) -> None:
    office, liu = await _people()
    rules = await scoring.current()
    assert rules.points[InfoLevel.PROVINCE] == 5 and rules.cap == 30
    await scoring.change(office, "省", "6.5")
    await scoring.change(office, "上限", "0")
    rules = await scoring.current()
    assert rules.piece(InfoLevel.PROVINCE, True) == Decimal("11.5")
    assert rules.capped(Decimal(500)) == 500  # 0 = no cap
    for word, value in (("县", "3"), ("市", "-1"), ("市", "abc"), ("市", "5000")):
        with pytest.raises(InvalidInput):
            await scoring.change(office, word, value)
    with pytest.raises(NotAllowed):
        await scoring.change(liu, "市", "4")


def test_a_deadline_is_the_end_of_the_working_day_it_names() -> None:
    from services.publicity import drafting

    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    when, rest = drafting.deadline_of("12月3日 在大会上的讲话", now)
    assert when == datetime(2026, 12, 3, 9, 30, tzinfo=UTC) and rest == "在大会上的讲话"
    when, _ = drafting.deadline_of("周五前", now)
    assert when == datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    when, _ = drafting.deadline_of("12月10日下午3点", now)
    assert when == datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    for wrong in ("11月20日", "2026-11-01", "随便", "2028-01-01"):
        with pytest.raises(InvalidInput):
            drafting.deadline_of(wrong, now)
