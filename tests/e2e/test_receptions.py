"""Official receptions end to end: plan, rule checks, approval, reminder, completion, exports."""

from __future__ import annotations

import io
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from models.approvals import ApprovalAssignee
from models.core import BoundChat, ChatPurpose, Role, Staff
from models.receptions import Reception, ReceptionMeal, ReceptionStatus
from models.rooms import Booking, BookingStatus, Room
from scheduler import runner
from services import approvals
from services.clock import FixedClock
from tests.e2e.conftest import Env

OFFICE, LEADER, STAFF, OTHER = 1003, 1002, 1004, 1006
GROUP = -2001


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    """The office clerk, a second clerk, a leader, a staff member, the office group, a room."""
    # Replies in private chats are paced at 1/s by the sandbox; the dialog is about content.
    await env.client.reset_limits(private_rate=50, private_capacity=50)
    await env.person(OFFICE, "张秘书", Role.OFFICE, "党政办")
    await env.person(OTHER, "赵干事", Role.OFFICE, "党政办")
    await env.person(LEADER, "李主任", Role.LEADER, "园区领导")
    await env.person(STAFF, "刘工", Role.STAFF, "规划建设局")
    await env.group(GROUP, "党政办工作群", [OFFICE, LEADER, STAFF])
    await BoundChat.create(chat_id=GROUP, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    await Room.create(name="第一会议室", capacity=30, feed_token=secrets.token_hex(8))
    return env


async def answer(env: Env, text: str, expect: str, user: int = OFFICE) -> dict[str, Any]:
    """Send an answer and return the bot's reply, which must contain `expect`."""
    reply = await env.say(user, text)
    assert expect in reply["text"], reply["text"]
    return reply


async def plan_until_meals(env: Env) -> dict[str, Any]:
    """Answer every question up to the meals (a valid reception of 8 guests on 12-03)."""
    await answer(env, "/reception", "接待时间")
    await answer(env, "12月3日上午9点到11点半", "来访单位")
    await answer(env, "市发展和改革委员会", "公函文号")
    await answer(env, "市发改函〔2026〕31号", "来宾人数")
    await answer(env, "8", "带队领导")
    await answer(env, "王强 副局长", "来宾名单")
    names = "\n".join(f"来宾{i} 科员" for i in range(1, 8))
    await answer(env, f"王强 副局长\n{names}", "接待事由")
    leader_q = await answer(env, "调研园区循环经济产业发展", "主陪领导")
    await env.press(OFFICE, leader_q, button="李主任")
    await env.client.wait_for_bot_message(OFFICE, after=leader_q["message_id"],
                                          contains="陪同人员")
    await answer(env, "张秘书、刘工", "参观线路")
    room_q = await answer(env, "09:30 园区展厅\n10:30 污水处理中心", "会议室")
    await env.press(OFFICE, room_q, button="第一会议室")
    return await env.client.wait_for_bot_message(OFFICE, after=room_q["message_id"],
                                                 contains="工作餐")


async def decide(env: Env, reception: Reception, outcome: str = "approve") -> None:
    """Decide every step as its first open approver would (the office, then the leader)."""
    for _ in range(5):
        await env.delivered()  # the approvers hold their cards before anyone decides
        card = await ApprovalAssignee.filter(
            step__request_id=reception.approval_request_id, verdict=None
        ).order_by("id").first()
        if card is None:
            return
        approver = await Staff.get(id=card.approver_id)  # type: ignore[attr-defined]
        if outcome == "reject":
            await approvals.reject(card.id, approver, "人数与公函不符")
            return
        await approvals.approve(card.id, approver)


async def test_plan_checks_approval_reminder_completion_and_exports(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    meals_q = await plan_until_meals(env)
    booking = await Booking.get(title__contains="市发展和改革委员会")
    assert booking.status == BookingStatus.CONFIRMED
    # Diners beyond the accompanying staff and host are refused; the earlier answers stay.
    refused = await answer(env, "1 8 4 200", "陪餐4人超过了陪同人员（含主陪领导）3人")
    assert "工作餐" in refused["text"]
    await answer(env, "1 8 3 200", "住宿安排")
    summary = await answer(env, "无", "公务接待计划")
    assert "用餐标准超标：每人最高150元，计划200元，超出50元" in summary["text"]
    reception = await Reception.get(unit="市发展和改革委员会")
    assert (reception.guest_count, len(reception.guests), reception.room_name) == (
        8, 8, "第一会议室")
    # Submitting with a failed check says which rule and by how much; nothing is submitted.
    await env.press(OFFICE, summary, button="提交审批")
    refusal = await env.client.wait_for_bot_message(OFFICE, after=summary["message_id"],
                                                    contains="未通过规则检查")
    assert "超出50元" in refusal["text"]
    assert (await Reception.get(id=reception.id)).status == ReceptionStatus.DRAFT
    # Fix the meal standard through 修改 and submit.
    await env.press(OFFICE, summary, button="修改")
    await env.press(OFFICE, summary, button="工作餐")
    edited_q = await env.client.wait_for_bot_message(OFFICE, after=refusal["message_id"],
                                                     contains="次数 来宾人数")
    assert edited_q
    card = await answer(env, "1 8 3 120", "规则检查全部通过")
    await env.press(OFFICE, card, button="提交审批")
    await env.client.wait_for_bot_message(OFFICE, after=card["message_id"], contains="已提交审批")
    reception = await Reception.get(id=reception.id)
    assert reception.status == ReceptionStatus.SUBMITTED and reception.approval_request_id
    # A second press of the same button does nothing but say why.
    again = await env.press(OFFICE, card, data=f"rcp:submit:{reception.id}")
    assert "不能修改" in (again["answer"] or "")

    await decide(env, reception)
    await env.delivered()
    told = await env.client.wait_for_bot_message(LEADER, contains="已批准")
    assert "市发展和改革委员会" in told["text"] and "12-03 09:00-11:30" in told["text"]
    await env.client.wait_for_bot_message(GROUP, contains="已批准")
    assert (await Reception.get(id=reception.id)).status == ReceptionStatus.APPROVED

    # The day before, the leader, the planner and the office group are reminded (once).
    fixed_clock.set(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    await runner.tick(env.runtime.settings, fixed_clock.now())
    fixed_clock.advance(timedelta(minutes=30))
    await runner.tick(env.runtime.settings, fixed_clock.now())
    await env.delivered()
    reminder = await env.client.wait_for_bot_message(LEADER, contains="明天有公务接待")
    assert "第一会议室" in reminder["text"]
    await env.client.wait_for_bot_message(GROUP, contains="明天有公务接待")
    assert len([m for m in await env.bot_messages(LEADER) if "明天" in (m["text"] or "")]) == 1

    # Completing before the event is refused; after it, the record closes with the differences.
    shown = await answer(env, f"/reception {reception.id}", "已批准")
    early = await env.press(OFFICE, shown, button="登记实际情况")
    assert "还没有开始" in (early["answer"] or "")
    fixed_clock.set(datetime(2026, 12, 3, 4, 0, tzinfo=UTC))
    await env.press(OFFICE, shown, button="登记实际情况")
    await env.client.wait_for_bot_message(OFFICE, after=shown["message_id"], contains="实到")
    bad = await answer(env, "实到 7\n用餐 很多", "第2行")
    assert (await Reception.get(id=reception.id)).status == ReceptionStatus.APPROVED
    assert bad
    closed = await answer(env, "实到 7\n用餐 1次 来宾7人 陪餐3人\n餐费 1000\n住宿费 640",
                          "已登记实际情况并关闭")
    assert "来宾人数：计划8，实际7" in closed["text"]
    assert "餐费（元）：计划1320.00，实际1000.00" in closed["text"]
    assert "2026年累计1次" in closed["text"]
    done = await Reception.get(id=reception.id)
    assert done.status == ReceptionStatus.COMPLETED and done.cost_total == Decimal("1640")
    assert await ReceptionMeal.filter(reception_id=done.id).count() == 1

    # The month's list: opened with openpyxl, columns in the regulation's order, totals.
    listing = await answer(env, "/receptions 2026年12月", "市发展和改革委员会")
    await env.press(OFFICE, listing, button="导出本月清单")
    sent = await env.client.wait_for_bot_message(OFFICE, after=listing["message_id"],
                                                 contains="公务接待清单")
    book = load_workbook(io.BytesIO(await env.client.file_bytes(sent["document"]["file_id"])))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "2026年12月公务接待清单"
    assert rows[1][:11] == ("序号", "来访单位", "来宾姓名及职务", "接待活动", "时间", "地点",
                            "用餐次数", "用餐人数（来宾+陪餐）", "费用（元）", "陪同人员",
                            "公函文号")
    assert rows[2][1] == "市发展和改革委员会" and "王强 副局长" in rows[2][2]
    assert "10:30 污水处理中心" in rows[2][3] and rows[2][4] == "2026-12-03 09:00-11:30"
    assert rows[2][5].startswith("第一会议室") and rows[2][9] == "张秘书、刘工"
    assert rows[2][10] == "市发改函〔2026〕31号"
    assert rows[-1][0] == "合计" and rows[-1][6:9] == (1, 10, 1640)
    # The approval form of the reception.
    await env.press(OFFICE, closed, button="审批单")
    form_msg = await env.client.wait_for_bot_message(OFFICE, after=closed["message_id"],
                                                     contains="审批单 #")
    form = load_workbook(io.BytesIO(await env.client.file_bytes(
        form_msg["document"]["file_id"]))).active
    values = {r[0]: r[1] for r in form.iter_rows(min_row=2, values_only=True)}
    assert values["来访单位"] == "市发展和改革委员会" and values["主陪领导"] == "李主任"
    assert values["用餐标准（元/人）"] == 120 and values["预计餐费（元）"] == 1320
