"""/annual, /weekly, /monthly and /jobs end to end: figures equal the records, files opened."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook

import scheduler.runner
from models.approvals import ApprovalAssignee
from models.core import Role, Staff
from models.opinion import DailyReport, SourceKind, TermKind
from models.receptions import Reception, ReceptionMeal, ReceptionStatus
from models.rooms import Booking, BookingStatus
from services import approvals
from services.clock import FixedClock
from services.opinion import handling, pipeline, terms
from services.opinion.pipeline import Candidate
from services.reports import SECTIONS, Section
from services.rooms import catalog
from tests.e2e.conftest import Env

SH = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def year_flow() -> Iterator[None]:
    approvals.register_flow("t.year", [{"steps": [{"approvers": {"role": "office"}}]}])
    yield
    approvals.unregister_flow("t.year")


async def _people(env: Env) -> dict[str, Staff]:
    return {
        "li": await env.person(1002, "李主任", Role.LEADER, "园区领导"),
        "zhang": await env.person(1003, "张秘书", Role.OFFICE, "党政办"),
        "liu": await env.person(1004, "刘工", Role.STAFF, "规划建设局"),
    }  # type: ignore[dict-item]


async def _meeting(room_id: int, who: Staff, start: datetime,
                   status: BookingStatus = BookingStatus.CONFIRMED) -> None:
    await Booking.create(room_id=room_id, organiser=who, title="会议", start_at=start,
                         end_at=start + timedelta(hours=1), status=status)


async def scripted_year(env: Env, people: dict[str, Staff], clock: FixedClock) -> None:
    """2025 as the records hold it (past dates: written as the features would have left them)."""
    # The opinion feature re-edits its alert card with identical text (its bug, reported).
    room, _ = await catalog.save_room(None, "一号会议室", {"capacity": 20})
    for start in (at(2025, 1, 6, 9), at(2025, 1, 20, 9), at(2025, 3, 3, 14),
                  at(2025, 7, 1, 10), at(2025, 12, 30, 15)):
        await _meeting(room.id, people["liu"], start)
    await _meeting(room.id, people["liu"], at(2025, 5, 5, 9), BookingStatus.CANCELLED)
    await _meeting(room.id, people["liu"], at(2026, 1, 5, 9))  # next year: not counted
    now = clock.now()
    for guests, cost, month in ((8, "1200.50", 4), (5, "800", 9)):
        reception = await Reception.create(
            created_by=people["zhang"], status=ReceptionStatus.COMPLETED,
            start=at(2025, month, 10, 9), end=at(2025, month, 10, 17), unit="来访单位",
            guest_count=guests, actual_guests=guests, actual_meals=1,
            completed_at=at(2025, month, 10, 18), cost_total=Decimal(cost),
            meal_standard=Decimal(0), created_at=now, updated_at=now)
        await ReceptionMeal.create(reception=reception, held_at=at(2025, month, 10, 12),
                                   guest_diners=guests, staff_diners=2, cost=Decimal(300))
    await ReceptionMeal.create(reception=reception, held_at=at(2025, 9, 11, 12),
                               guest_diners=5, staff_diners=2, cost=Decimal(300))
    await Reception.create(created_by=people["zhang"], status=ReceptionStatus.CANCELLED,
                           start=at(2025, 6, 1, 9), end=at(2025, 6, 1, 12), unit="取消的",
                           meal_standard=Decimal(0), created_at=now, updated_at=now)
    # Opinion: three items watched in 2025, one negative story, handled with a note.
    await terms.add_terms(None, TermKind.NAME, ["绿谷园区"])
    [bad] = await pipeline.ingest(
        [Candidate("绿谷园区企业超标排放被罚款", "", "https://x.org/1", source_name="网站")],
        via=SourceKind.API, now=at(2025, 8, 1, 10))
    for n, when in ((2, at(2025, 8, 2, 10)), (3, at(2025, 10, 9, 10))):
        await pipeline.ingest([Candidate(f"绿谷园区举行第{n}次应急演练", "", f"https://x.org/{n}",
                                         source_name="网站")], via=SourceKind.API, now=when)
    assert bad.case_id is not None
    clock.set(at(2025, 8, 1, 11))
    await handling.assign(people["li"], bad.case_id, people["liu"].id)
    await handling.request_note(people["liu"], bad.case_id, 1004)
    await handling.take_note(people["liu"], 1004, "已责令企业整改")
    for day, zero in ((date(2025, 2, 3), True), (date(2025, 2, 4), True),
                      (date(2025, 8, 1), False), (date(2025, 8, 4), True)):
        await DailyReport.create(day=day, zero=zero, created_at=at(2025, 8, 4, 17))
    # Approvals: three requested, two approved, one rejected.
    for n in range(3):
        clock.set(at(2025, 11, 3 + n, 10))
        request = await approvals.submit("t.year", n + 1, people["liu"], title=f"申请{n}",
                                         details=[])
        card = await ApprovalAssignee.get(step__request_id=request.id)
        if n < 2:
            await approvals.approve(card.id, people["zhang"])
        else:
            await approvals.reject(card.id, people["zhang"], "不符合规定")
    clock.set(at(2026, 11, 26, 10))


SENTENCE = (
    "2025年，党政办全年统筹安排会议5场，"
    "办理上级来文0件、园区发文0件，办结公文和督办事项0件，其中按时办结0件、超期办结0件，"
    "督办事项销号0件，完成重要接待2批次，接待来宾13人次，安排公务接待用餐3次，"
    "接待费用2000.50元，办理物品领用0次，发放物品0种次、出库物品价值0元，完成采购0项，物品入库金额0元，"
    "监测网络舆情3条，其中负面1条，均已妥善处置，零报告3天，"
    "办理审批事项3件，其中同意2件、驳回1件。"
)


async def test_annual_figures_equal_the_records_with_docx_and_xlsx(
    env: Env, fixed_clock: FixedClock
) -> None:
    people = await _people(env)
    await scripted_year(env, people, fixed_clock)
    started = await env.say(1003, "/annual 2025年")
    assert "正在统计2025年" in started["text"]
    docx_msg = await env.client.wait_for_bot_message(1003, after=started["message_id"],
                                                     contains="Word", timeout=30)
    xlsx_msg = await env.client.wait_for_bot_message(1003, after=docx_msg["message_id"],
                                                     contains="Excel", timeout=30)
    progress = await env.message(1003, started["message_id"])
    assert progress["edited"] and "已生成" in progress["text"]
    assert SENTENCE in progress["text"]

    docx = Document(io.BytesIO(await env.client.file_bytes(docx_msg["document"]["file_id"])))
    paragraphs = [p.text for p in docx.paragraphs]
    assert paragraphs[0] == "2025年党政办工作数字" and SENTENCE in paragraphs
    table = {row.cells[0].text: row.cells[1].text for row in docx.tables[0].rows}
    assert table["安排会议"] == "5" and table["公务接待用餐"] == "3"
    assert table["监测网络舆情"] == "3" and table["零报告"] == "3" and table["审批驳回"] == "1"

    book = load_workbook(io.BytesIO(await env.client.file_bytes(
        xlsx_msg["document"]["file_id"])))
    months = list(book["分月统计"].iter_rows(values_only=True))
    assert months[0][0] == "2025年党政办工作数字"
    assert months[1][0] == "期间：2025-01-01 至 2025-12-31"
    header = months[2]
    meetings = [row[header.index("安排会议（场）")] for row in months[3:]]
    assert [row[0] for row in months[3:]][:3] == [datetime(2025, m, 1) for m in (1, 2, 3)]
    assert book["分月统计"].cell(row=4, column=1).number_format == "yyyy-mm"
    assert meetings == [2, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    totals = {row[0]: row[1] for row in book["全年数字"].iter_rows(values_only=True)}
    assert totals["接待费用"] == 2000.5 and totals["完成重要接待"] == 2


async def test_annual_refuses_bad_years_and_staff_politely(env: Env,
                                                          fixed_clock: FixedClock) -> None:
    await _people(env)
    assert "四位数字" in (await env.say(1003, "/annual 二五"))["text"]
    assert "还没有到" in (await env.say(1003, "/annual 2030"))["text"]
    assert "不能使用" in (await env.say(1004, "/annual"))["text"]


async def test_long_annual_export_shows_progress_and_never_blocks_another_user(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _people(env)
    release, calls = asyncio.Event(), []

    async def slow(start: datetime, end: datetime) -> dict[str, float]:
        calls.append(start)
        if len(calls) == 2:  # hold the export inside February
            await release.wait()
        return {"n": 1}

    SECTIONS["slow"] = Section("slow", slow, ("n",), order=99)
    try:
        started = await env.say(1003, "/annual")
        for _ in range(100):
            if "1/13" in (await env.message(1003, started["message_id"]))["text"]:
                break
            await asyncio.sleep(0.05)
        assert "1/13" in (await env.message(1003, started["message_id"]))["text"]
        # Another user is answered while the export waits.
        other = await env.say(1004, "/daily", contains="日报")
        assert "刘工的日报" in other["text"]
        again = await env.say(1003, "/annual")
        assert "正在生成中" in again["text"]
        for _ in range(200):  # the export reaches February and waits there
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.05)
        assert len(calls) == 2
        release.set()
        await env.client.wait_for_bot_message(1003, contains="Excel", timeout=30)
        assert len(calls) == 13
    finally:
        del SECTIONS["slow"]
        release.set()


async def test_weekly_and_monthly_compare_with_the_previous_period_and_send_a_chart(
    env: Env, fixed_clock: FixedClock
) -> None:
    people = await _people(env)
    room, _ = await catalog.save_room(None, "一号会议室", {"capacity": 20})
    for start in (at(2026, 11, 24, 9), at(2026, 11, 25, 9), at(2026, 11, 18, 9),
                  at(2026, 10, 12, 9)):
        await _meeting(room.id, people["liu"], start)
    weekly = await env.say(1002, "/weekly")
    assert "周报" in weekly["text"] and "2026-11-23至2026-11-29" in weekly["text"]
    assert "安排会议：2场（比上周增加1，+100%）" in weekly["text"]
    chart = await env.client.wait_for_bot_message(1002, after=weekly["message_id"])
    assert chart["photo"] and "图表" in chart["caption"]
    png = await env.client.file_bytes(chart["photo"][-1]["file_id"])
    assert png.startswith(b"\x89PNG")
    monthly = await env.say(1002, "/monthly", contains="月报")
    assert "安排会议：3场（比上月增加2，+200%）" in monthly["text"]
    last_month = await env.say(1002, "/monthly 上", contains="2026-10-01")
    assert "2026-10-01至2026-10-31" in last_month["text"]
    assert "安排会议：1场（比上月增加1）" in last_month["text"]
    assert "用法" in (await env.say(1002, "/weekly 明年", contains="用法"))["text"]
    assert "不能使用" in (await env.say(1004, "/weekly", contains="不能使用"))["text"]


async def test_weekly_is_pushed_on_the_first_workday_with_its_chart(
    env: Env, fixed_clock: FixedClock
) -> None:
    people = await _people(env)
    room, _ = await catalog.save_room(None, "一号会议室", {"capacity": 20})
    await _meeting(room.id, people["liu"], at(2026, 11, 24, 9))
    monday = at(2026, 11, 30, 8, 45)
    fixed_clock.set(monday)
    assert "reports.weekly" in await scheduler.runner.tick(env.runtime.settings, monday)
    await env.delivered()
    pushed = await env.client.wait_for_bot_message(1002, contains="周报")
    assert pushed["photo"] and "2026-11-23至2026-11-29" in pushed["caption"]
    assert "安排会议：1场" in pushed["caption"]


async def test_jobs_lists_next_and_last_runs_for_admins_only(
    env: Env, fixed_clock: FixedClock
) -> None:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await _people(env)
    late = at(2026, 11, 26, 12, 0)  # the 08:30 daily was missed beyond its 3-hour window
    await scheduler.runner.tick(env.runtime.settings, late)
    jobs = (await env.say(1001, "/jobs"))["text"]
    assert "reports.daily · 工作日 08:30" in jobs
    assert "下次：2026-11-27 08:30" in jobs and "错过" in jobs
    assert "reports.weekly · 每周一 08:30" in jobs and "下次：2026-11-30 08:30" in jobs
    assert "calendar.check" in jobs and "✅成功" in jobs
    assert "不能使用" in (await env.say(1003, "/jobs"))["text"]
