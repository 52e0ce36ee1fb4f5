"""Chasing deadlines driven by the fixed clock across Mid-autumn, a weekend and National Day.

2026-09-25 (Fri) is Mid-autumn, 09-26/27 the weekend, 10-01..07 National Day, and Saturday
10-10 an adjusted workday (调休): chases go out in office hours on workdays only, each level
once a day; yellow to the person, red to the person and the head, then the office too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from models.documents import Assignment, Chase, DocumentChase, IncomingDocument
from scheduler import runner
from services.clock import FixedClock
from tests.e2e.conftest import Env
from tests.e2e.test_documents import GROUP, HEAD, OFFICE, STAFF, roster


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    return await roster(env)



def at(day: str, hh: int, mm: int = 0) -> datetime:
    """A Shanghai wall-clock time, as UTC."""
    local = datetime.combine(date.fromisoformat(day), time(hh, mm), ZoneInfo("Asia/Shanghai"))
    return local.astimezone(UTC)


async def tick(env: Env, clock: FixedClock, moment: datetime) -> None:
    clock.set(moment)
    await runner.tick(env.runtime.settings, moment)
    await env.delivered()


async def texts(env: Env, chat: int, contains: str) -> list[str]:
    return [m.get("text") or "" for m in await env.bot_messages(chat)
            if contains in (m.get("text") or "")]


async def test_yellow_and_red_chasing_skips_holidays_and_weekends(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    fixed_clock.set(at("2026-09-24", 9, 40))
    card = await env.say(OFFICE, "/shouwen 市应急管理局 宜应急发〔2026〕12号 "
                                 "关于开展节前安全生产检查的通知 3个工作日内报送",
                         contains="请核对")
    assert "2026-09-30前报送" in card["text"] and "3个工作日" in card["text"]
    await env.press(OFFICE, card, button="✅ 确认登记")
    document = await IncomingDocument.get(ref_no="宜应急发〔2026〕12号")
    assert document.due_on == date(2026, 9, 30) and document.due_workdays
    card = await env.message(OFFICE, card["message_id"])
    await env.press(OFFICE, card, button="分办")
    preview = await env.say(OFFICE, "规划建设局 刘工", contains="请确认分办")
    assert "责任人：刘工" in preview["text"] and "2026-09-30" in preview["text"]
    await env.press(OFFICE, preview, button="✅ 确认分办")
    await env.delivered()
    task = await Assignment.get(document_id=document.id)
    assert (task.staff_id, task.due_on, task.due_workdays) == (  # type: ignore[attr-defined]
        env.users[STAFF].id, date(2026, 9, 30), True)
    # A second document the office still holds, due (in days) on Tuesday 09-29.
    held = await env.say(OFFICE, "/shouwen 市发改委 宜发改函〔2026〕7号 关于报送项目清单的函 "
                                 "9月29日前报送", contains="请核对")
    await env.press(OFFICE, held, button="✅ 确认登记")

    # Thursday 09-24 10:00: three workdays left (the 25th is a holiday): yellow, once a day.
    await tick(env, fixed_clock, at("2026-09-24", 10, 0))
    await tick(env, fixed_clock, at("2026-09-24", 10, 15))
    assert len(await texts(env, STAFF, "还有3个工作日到期")) == 1
    # Mid-autumn, the weekend, and Monday before office hours: nothing.
    for moment in (at("2026-09-25", 10), at("2026-09-26", 10), at("2026-09-27", 15),
                   at("2026-09-28", 8, 0)):
        await tick(env, fixed_clock, moment)
    assert await Chase.all().count() == 1
    # Monday 09-28: two workdays left, chased once more; the held document is yellow too.
    await tick(env, fixed_clock, at("2026-09-28", 9, 30))
    await tick(env, fixed_clock, at("2026-09-28", 14, 0))
    assert len(await texts(env, STAFF, "还有2个工作日到期")) == 1
    assert len(await texts(env, OFFICE, "即将到期")) == 1
    assert await DocumentChase.all().count() == 1
    # National Day: overdue, but nobody is chased on a holiday.
    await tick(env, fixed_clock, at("2026-10-01", 10))
    await tick(env, fixed_clock, at("2026-10-07", 16))
    assert await Chase.filter(colour="red").count() == 0
    # Thursday 10-08, first workday after: one workday late: the person and the head.
    await tick(env, fixed_clock, at("2026-10-08", 9, 15))
    assert len(await texts(env, STAFF, "已逾期1个工作日")) == 1
    assert len(await texts(env, HEAD, "刘工承办的事项已逾期1个工作日")) == 1
    assert not await texts(env, GROUP, "逾期通报")
    # Friday 10-09: two workdays late: the office too; and Saturday 10-10 is a workday (调休).
    await tick(env, fixed_clock, at("2026-10-09", 11))
    await tick(env, fixed_clock, at("2026-10-09", 16))
    await tick(env, fixed_clock, at("2026-10-10", 10))
    await tick(env, fixed_clock, at("2026-10-11", 10))  # Sunday: nothing
    office_chases = await texts(env, GROUP, "逾期通报")
    assert len(office_chases) == 2 and "规划建设局（刘工）" in office_chases[0]
    levels = [(c.level, c.day.isoformat()) for c in await Chase.all().order_by("day", "id")]
    assert levels == [
        ("person", "2026-09-24"), ("person", "2026-09-28"),
        ("person", "2026-10-08"), ("head", "2026-10-08"),
        ("person", "2026-10-09"), ("head", "2026-10-09"), ("office", "2026-10-09"),
        ("person", "2026-10-10"), ("head", "2026-10-10"), ("office", "2026-10-10"),
    ]
    # The chase card lets the person act at once.
    last = (await env.bot_messages(STAFF))[-1]
    assert "汇报进展" in str(last["reply_markup"])
