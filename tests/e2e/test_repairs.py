"""Repairs end to end: a report from a photo to the rating, chasing driven by the fixed clock,
costs approved above the threshold, outside companies, the ledger as XLSX, careless users."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from models.approvals import ApprovalRequest, RequestStatus
from models.core import BoundChat, ChatPurpose, Role
from models.repairs import Repair, RepairEvent, RepairStatus, Urgency
from scheduler import runner
from services.clock import FixedClock
from services.repairs.demo import seed_demo
from tests.e2e.conftest import Env

ADMIN, CLERK, CLERK2, STAFF, FIXER, LEADER = 1001, 1003, 1006, 1004, 1007, 1002
GROUP = -2001
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"\x00\x00\x01\x00\x00\x00\x00\xc8" + b"img"


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    """The roster, the office group, the demo places and companies."""
    await env.client.reset_limits(private_rate=50, private_capacity=50, group_rate=50,
                                  group_capacity=50)
    # The dialog is about content, not Telegram's pacing: deliver without the real gaps.
    assert env.runtime.notifier is not None
    env.runtime.notifier.pacer.group_gap = env.runtime.notifier.pacer.private_gap = 0.02
    await env.person(ADMIN, "王管理", Role.ADMIN, "党政办")
    await env.person(LEADER, "李主任", Role.LEADER, "园区领导")
    await env.person(CLERK, "张秘书", Role.OFFICE, "党政办")
    await env.person(CLERK2, "赵干事", Role.OFFICE, "党政办")
    await env.person(STAFF, "刘工", Role.STAFF, "规划建设局")
    await env.person(FIXER, "孙师傅", Role.STAFF, "后勤服务中心")
    await env.group(GROUP, "党政办工作群", [ADMIN, CLERK, CLERK2, STAFF, FIXER])
    await BoundChat.create(chat_id=GROUP, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    await seed_demo()
    return env


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai time in the fixed clock's week (26 November 2026 is a Thursday)."""
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC) if hour >= 8 else \
        datetime(2026, 11, day - 1, hour + 16, minute, tzinfo=UTC)


async def tick(env: Env, clock: FixedClock, when: datetime) -> None:
    clock.set(when)
    await runner.tick(env.runtime.settings)
    await env.delivered()


async def chases(env: Env, chat_id: int) -> list[str]:
    return [m["text"] for m in await env.bot_messages(chat_id)
            if "超时催办" in (m.get("text") or "")]


async def test_a_photo_becomes_a_repair_that_is_chased_assigned_approved_and_rated(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    sent = await env.client.send_photo(
        STAFF, STAFF, PHOTO, caption="3号楼 2楼会议室 投影仪不亮",
        forward_origin={"type": "hidden_user", "sender_user_name": "会议室管理员"})
    card = await env.client.wait_for_bot_message(STAFF, after=sent["message_id"])
    assert "地点：3号楼 2楼会议室" in card["text"] and "故障：投影仪不亮" in card["text"]
    assert "照片：1张" in card["text"]
    more = await env.client.send_photo(STAFF, STAFF, PHOTO)
    card = await env.client.wait_for_bot_message(STAFF, after=more["message_id"])
    assert "照片：2张" in card["text"]
    await env.press(STAFF, card, button="🔴 紧急（2小时内）")
    repair = await Repair.get(reporter__tg_user_id=STAFF)
    assert repair.status == RepairStatus.REPORTED and repair.urgency == Urgency.URGENT
    assert repair.due_at == at(26, 12) and len(repair.photos) == 2
    await env.delivered()
    new = await env.client.wait_for_bot_message(GROUP, contains="新报修 #")
    assert buttons(new) == ["派单", "取消报修"]
    assert len([m for m in await env.bot_messages(GROUP) if m.get("photo")]) == 2

    # Nobody assigned it: at 12:05 the office is chased, and not again until two hours later.
    await tick(env, fixed_clock, at(26, 11))
    assert await chases(env, GROUP) == []
    await tick(env, fixed_clock, at(26, 12, 5))
    assert len(await chases(env, GROUP)) == 1
    await tick(env, fixed_clock, at(26, 12, 30))
    assert len(await chases(env, GROUP)) == 1

    # The clerk assigns it from the group card by typing a name in private.
    await env.press(CLERK, new, button="派单")
    menu = await env.message(GROUP, new["message_id"])
    assert "派给谁" in menu["text"] and "🏢 园区物业服务公司" in buttons(menu)
    await env.press(CLERK, menu, button="输入姓名/单位")
    asked = await env.client.wait_for_bot_message(CLERK, contains="维修人员姓名")
    reply = await env.say(CLERK, "孙师傅", contains="已派单")
    assert "已派单" in reply["text"] and asked
    job = await env.client.wait_for_bot_message(FIXER, contains="维修任务 #")
    assert buttons(job) == ["✅ 接单", "退回"]
    await env.delivered()
    assert len([m for m in await env.bot_messages(FIXER) if m.get("photo")]) == 2
    await env.press(FIXER, job, button="✅ 接单")
    assert (await Repair.get(id=repair.id)).status == RepairStatus.IN_PROGRESS
    await env.client.wait_for_bot_message(STAFF, contains="孙师傅 接单")

    # Still not fixed two hours after the first chase: the handler and the office hear again.
    await tick(env, fixed_clock, at(26, 14, 10))
    assert len(await chases(env, GROUP)) == 2
    assert len(await chases(env, FIXER)) == 1
    assert (await Repair.get(id=repair.id)).chase_count == 2

    # Done for 3500 yuan: above the 2000 threshold it is approved before it is closed.
    job = await env.message(FIXER, job["message_id"])
    await env.press(FIXER, job, button="✅ 完工")
    await env.client.wait_for_bot_message(FIXER, contains="维修内容和费用")
    answered = await env.say(FIXER, "更换投影仪灯泡和电源板 费用3500元", contains="审批")
    assert "已提交审批" in answered["text"]
    repair = await Repair.get(id=repair.id)
    assert repair.status == RepairStatus.APPROVAL and repair.cost == Decimal("3500.00")
    approval = await ApprovalRequest.get(id=repair.approval_request_id)
    assert approval.kind == "repair_cost" and approval.amount == Decimal("3500.00")
    await env.delivered()
    card = await env.client.wait_for_bot_message(CLERK2, contains=f"📝 维修单 #{repair.id}\n")
    await env.press(CLERK2, card, button="同意")
    await env.delivered()
    repair = await Repair.get(id=repair.id)
    assert repair.status == RepairStatus.DONE and repair.approved_amount == Decimal("3500.00")
    assert (await ApprovalRequest.get(id=approval.id)).status == RequestStatus.APPROVED

    confirm = await env.client.wait_for_bot_message(STAFF, contains="修好了吗")
    assert "费用：3,500元" in confirm["text"]
    answer = await env.press(STAFF, confirm, button="★★★★")
    assert "评分4星" in (answer["answer"] or "")
    repair = await Repair.get(id=repair.id)
    assert repair.status == RepairStatus.CONFIRMED and repair.rating == 4
    told = await env.client.wait_for_bot_message(FIXER, contains="确认修好")
    assert "4星" in told["text"]
    actions = [e.action for e in await RepairEvent.filter(repair_id=repair.id).order_by("id")]
    assert actions == ["report", "chase", "assign", "accept", "chase", "finish", "approved",
                       "done", "confirm"]

    # The ledger has it, late and rated, with its cost.
    reply = await env.say(CLERK, "/baoxiu 台账 本月")
    book = load_workbook(io.BytesIO(await env.client.file_bytes(reply["document"]["file_id"])))
    sheet = book.active
    assert sheet is not None
    row = [c.value for c in sheet[4]]
    assert row[0] == repair.id and row[2] == "3号楼 2楼会议室" and row[6] == "孙师傅"
    assert (row[10], row[12], row[13]) == ("是", 3500, 4)
    assert "合计 1 件" in str(sheet.cell(row=5, column=1).value)
    # The week's report counts it and its cost.
    weekly = await env.say(CLERK, "/weekly", contains="周报")
    assert "报修：1件" in weekly["text"] and "维修费用：3500元" in weekly["text"]
    assert "平均评分：4星" in weekly["text"]


async def test_a_normal_repair_is_chased_each_workday_and_a_company_can_do_it(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    card = await env.say(STAFF, "/baoxiu 1号楼 3楼第一会议室 空调不制冷，有异响")
    assert "故障：空调不制冷，有异响" in card["text"]
    await env.press(STAFF, card, button="🟡 一般（1个工作日内）")
    repair = await Repair.get(reporter__tg_user_id=STAFF)
    assert repair.due_at == at(27, 10)  # Thursday 10:00 + one workday = Friday 10:00
    new = await env.client.wait_for_bot_message(GROUP, contains="新报修 #")
    await env.press(CLERK, new, button="派单")
    await env.press(CLERK, new, button="🏢 园区物业服务公司")
    repair = await Repair.get(id=repair.id)
    assert repair.company_id is not None and repair.status == RepairStatus.ASSIGNED  # type: ignore[attr-defined]
    # The clerk who assigned a company job follows it: the job card is theirs.
    job = await env.client.wait_for_bot_message(CLERK, contains="维修任务 #")
    assert "联系人：周经理 0571-88880001" in job["text"]
    await env.press(CLERK, job, button="✅ 接单")

    await tick(env, fixed_clock, at(27, 10, 5))
    assert len(await chases(env, CLERK)) == 1
    # Saturday and Sunday are no workdays: the next chase is Monday 10:05.
    await tick(env, fixed_clock, at(28, 16))
    await tick(env, fixed_clock, at(30, 10))
    assert len(await chases(env, CLERK)) == 1
    await tick(env, fixed_clock, at(30, 10, 10))
    assert len(await chases(env, CLERK)) == 2

    job = await env.message(CLERK, job["message_id"])
    await env.press(CLERK, job, button="✅ 完工")
    await env.say(CLERK, "清洗滤网、补充冷媒 费用480元")
    repair = await Repair.get(id=repair.id)
    assert repair.status == RepairStatus.DONE and repair.approval_request_id is None
    # The reporter says it is not fixed, then rates it once it is, by command.
    confirm = await env.client.wait_for_bot_message(STAFF, contains="修好了吗")
    await env.press(STAFF, confirm, button="没修好")
    await env.say(STAFF, "还是有异响")
    repair = await Repair.get(id=repair.id)
    assert repair.status == RepairStatus.IN_PROGRESS
    await env.client.wait_for_bot_message(CLERK, contains="还是有异响")
    await env.delivered()
    job = await env.message(CLERK, job["message_id"])
    await env.press(CLERK, job, button="✅ 完工")
    await env.say(CLERK, "更换风机轴承 费用0元")
    await env.delivered()
    reply = await env.say(STAFF, f"/baoxiu {repair.id} 评分 5 很及时", contains="评分5星")
    assert "评分5星" in reply["text"]
    repair = await Repair.get(id=repair.id)
    assert (repair.status, repair.rating, repair.rating_note) == (
        RepairStatus.CONFIRMED, 5, "很及时")
    assert repair.cost == Decimal("0.00")


async def test_baoxiu_lists_open_repairs_for_the_office_and_the_reporter(office: Env) -> None:
    env = office
    for text in ("1号楼 1楼大厅 自动门卡住", "园区 停车场 道闸不抬杆"):
        card = await env.say(STAFF, f"/baoxiu {text}")
        await env.press(STAFF, card, button="🟢 不急（3个工作日内）")
    # Wait for the listing itself: a notice of the new repairs may arrive first.
    listing = await env.say(CLERK, "/baoxiu", contains="未办结的维修")
    assert "未办结的维修（2件）" in listing["text"] and "道闸不抬杆" in listing["text"]
    mine = await env.say(STAFF, "/baoxiu", contains="维修")
    assert "自动门卡住" in mine["text"]
    nobody = await env.say(FIXER, "/baoxiu", contains="维修")
    assert "没有未办结的维修" in nobody["text"]
    in_group = await env.say(CLERK, "/baoxiu", chat_id=GROUP, contains="未办结的维修")
    assert "（2件）" in in_group["text"]


async def test_careless_repair_reports_get_clear_answers(office: Env) -> None:
    env = office
    unknown = await env.say(STAFF, "/baoxiu 5号楼 厕所漏水")
    assert "没有找到地点“5号楼”" in unknown["text"]
    assert buttons(unknown)[:3] == ["1号楼", "2号楼", "3号楼"]
    await env.press(STAFF, unknown, button="2号楼")
    spots = await env.message(STAFF, unknown["message_id"])
    assert "2号楼的哪个位置" in spots["text"]
    await env.press(STAFF, spots, button="1楼展厅")
    card = await env.message(STAFF, unknown["message_id"])
    assert "故障：厕所漏水" in card["text"] and "紧急程度" in card["text"]
    await env.press(STAFF, card, button="🟡 一般（1个工作日内）")
    repair = await Repair.get(reporter__tg_user_id=STAFF)

    # A pressed-again urgency, a rating before it is done, a rating of 9, someone else's button.
    answer = await env.press(STAFF, card, data=f"rp:urg:{repair.id}:urgent")
    assert "已经提交了" in (answer["answer"] or "")
    early = await env.say(STAFF, f"/baoxiu {repair.id} 评分 5")
    assert "目前待派单" in early["text"]
    nine = await env.say(STAFF, f"/baoxiu {repair.id} 评分 9")
    assert "评分“9”不对：请打1到5星" in nine["text"]
    new = await env.client.wait_for_bot_message(GROUP, contains="新报修 #")
    answer = await env.press(FIXER, new, button="派单")
    assert "只有党政办可以派单" in (answer["answer"] or "")

    await env.say(CLERK, f"/baoxiu {repair.id} 派给 孙师傅")
    old_job = await env.client.wait_for_bot_message(FIXER, contains="维修任务 #")
    await env.say(CLERK, f"/baoxiu {repair.id} 派给 恒达电梯")
    await env.delivered()
    # The first handler's card now says it moved; its old button says it is not theirs.
    moved = await env.message(FIXER, old_job["message_id"])
    assert "已改派给恒达电梯维保公司" in moved["text"] and not buttons(moved)
    answer = await env.press(FIXER, old_job, data=f"rp:ac:{repair.id}")
    assert "不是派给您的" in (answer["answer"] or "")

    job = await env.client.wait_for_bot_message(CLERK, contains="维修任务 #")
    await env.press(CLERK, job, button="✅ 接单")
    await env.delivered()
    await env.press(CLERK, await env.message(CLERK, job["message_id"]), button="✅ 完工")
    nocost = await env.say(CLERK, "修好了", contains="费用")
    assert "没有读到费用" in nocost["text"]
    assert (await Repair.get(id=repair.id)).status == RepairStatus.IN_PROGRESS
    await env.say(CLERK, "更换密封圈 费用60元")
    confirm = await env.client.wait_for_bot_message(STAFF, contains="修好了吗")
    forged = await env.press(STAFF, confirm, data=f"rp:rt:{repair.id}:9")
    assert "请打1到5星" in (forged["answer"] or "")
    await env.press(STAFF, confirm, button="★★★")
    again = await env.press(STAFF, confirm, data=f"rp:rt:{repair.id}:5")
    assert "已经确认过了（3星）" in (again["answer"] or "")
    assert (await Repair.get(id=repair.id)).rating == 3
