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
    await plan_until_meals(env)
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

    await env.delivered()
    approver_card = await env.client.wait_for_bot_message(OTHER, contains="市发展和改革委员会")
    assert "2026-12-03 09:00-11:30" in approver_card["text"]
    assert "李主任" in approver_card["text"] and "第一会议室" in approver_card["text"]
    # its own number with its kind, not the approval's (point 8)
    assert approver_card["text"].startswith(f"📝 公务接待计划 #{reception.id}\n")
    # the meals as a sentence, not 1 × (8+3) × 120.00
    assert "工作餐：1次，来宾8人＋陪餐3人，标准120元/人（预计1320元）" in approver_card["text"]
    assert "×" not in approver_card["text"]
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
    reminders = [m for m in await env.bot_messages(LEADER)
                 if "明天有公务接待" in (m["text"] or "")]
    assert len(reminders) == 1

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
    assert rows[1][0] == "期间：2026-12-01 至 2026-12-31"
    assert rows[2][:12] == ("序号", "来访单位", "来宾姓名及职务", "接待活动", "开始时间",
                            "结束时间", "地点", "用餐次数", "用餐人数（来宾+陪餐）", "费用（元）",
                            "陪同人员", "公函文号")
    assert rows[3][1] == "市发展和改革委员会" and "王强 副局长" in rows[3][2]
    assert "10:30 污水处理中心" in rows[3][3]
    assert rows[3][4:6] == (datetime(2026, 12, 3, 9, 0), datetime(2026, 12, 3, 11, 30))
    assert rows[3][6].startswith("第一会议室") and rows[3][10] == "张秘书、刘工"
    assert rows[3][11] == "市发改函〔2026〕31号"
    assert rows[-1][0] == "合计（1批次）" and rows[-1][7:10] == (1, 10, 1640)
    assert book.active.page_setup.orientation == "landscape"
    # The approval form of the reception.
    await env.press(OFFICE, closed, button="审批单")
    form_msg = await env.client.wait_for_bot_message(OFFICE, after=closed["message_id"],
                                                     contains="审批单 #")
    form = load_workbook(io.BytesIO(await env.client.file_bytes(
        form_msg["document"]["file_id"]))).active
    values = {r[0]: r[1] for r in form.iter_rows(min_row=4, values_only=True)}
    assert values["来访单位"] == "市发展和改革委员会" and values["主陪领导"] == "李主任"
    assert values["用餐标准（元/人）"] == 120 and values["预计餐费（元）"] == 1320


async def draft(**fields: Any) -> Reception:
    """A complete draft plan of the office clerk (12-03 09:00-11:30, 8 guests, one meal)."""
    planner = await Staff.get(tg_user_id=fields.pop("planner", OFFICE))
    leader = await Staff.get(tg_user_id=LEADER)
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    start = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    guests = fields.pop("guests", 8)
    values: dict[str, Any] = {
        "created_by": planner, "host_leader": leader, "start": start,
        "end": start + timedelta(hours=2, minutes=30), "unit": "市发展和改革委员会",
        "letter_no": "市发改函〔2026〕31号", "guest_count": guests, "head_name": "王强",
        "head_title": "副局长", "guests": [[f"来宾{i}", "科员"] for i in range(guests)],
        "purpose": "调研", "accompany": ["张秘书", "刘工"], "itinerary": [], "room_decided": True,
        "meals": 1, "guest_diners": guests, "staff_diners": 3, "meal_standard": Decimal(120),
        "accommodation": "", "created_at": now, "updated_at": now,
    }
    values.update(fields)
    return await Reception.create(**values)


async def edit_field(env: Env, card: dict[str, Any], field: str, text: str,
                     user: int = OFFICE) -> dict[str, Any]:
    """Press 修改, pick the field, type the new answer; return the new card."""
    await env.press(user, card, button="修改")
    await env.press(user, card, button=field)
    new = await answer(env, text, "公务接待计划", user)
    # one live card: the one pressed says it is being changed and lost its buttons
    old = await env.message(user, card["message_id"])
    assert not (old.get("reply_markup") or {}).get("inline_keyboard"), old
    assert f"正在修改“{field}”" in old["text"] or f"Changing “{field}”" in old["text"]
    return new


async def test_every_rule_check_fails_with_its_rule_and_amount_and_passes_when_met(
        office: Env) -> None:
    env = office
    await draft(letter_no="", accompany=["张秘书", "刘工", "王五", "赵六"])
    card = await answer(env, "/reception", "公务接待计划")
    assert "无公函不接待" in card["text"] and "提交" in card["text"]
    # The letter as a scanned document satisfies the rule.
    await env.press(OFFICE, card, button="修改")
    await env.press(OFFICE, card, button="公函")
    sent = await env.client.send_document(OFFICE, OFFICE, "公函.pdf", b"%PDF-1.4 letter")
    card = await env.client.wait_for_bot_message(OFFICE, after=sent["message_id"],
                                                 contains="公务接待计划")
    assert "无公函不接待" not in card["text"] and "已上传扫描件" in card["text"]
    assert "规则检查全部通过" in card["text"]
    assert (await Reception.get(unit="市发展和改革委员会")).letter_file_id
    cases = [
        ("2 8 3 120", "工作餐最多1次，计划2次，超出1次"),
        ("1 8 4 120", "来宾8人时最多陪餐3人，计划4人，超出1人"),
        ("1 8 3 180", "每人最高150元，计划180元，超出30元"),
    ]
    for text, breach in cases:
        card = await edit_field(env, card, "工作餐", text)
        assert breach in card["text"], card["text"]
        assert "规则检查全部通过" not in card["text"]
        card = await edit_field(env, card, "工作餐", "1 8 3 150")
        assert "规则检查全部通过" in card["text"] and breach not in card["text"]
    # A delegation over 10 may bring a third of its number: 12 guests allow 4, not 5.
    big = "\n".join(f"客人{i} 科员" for i in range(12))
    card = await edit_field(env, card, "来宾人数", "12")
    assert "来宾名单8人与来宾人数12人不一致（相差4人）" in card["text"]
    card = await edit_field(env, card, "来宾名单", big)
    card = await edit_field(env, card, "工作餐", "1 12 5 100")
    assert "来宾12人时最多陪餐4人，计划5人，超出1人" in card["text"]
    card = await edit_field(env, card, "工作餐", "1 12 4 100")
    assert "规则检查全部通过" in card["text"]
    # A second working meal passes once the unit allows two.
    env.runtime.settings.reception_max_meals = 2
    card = await edit_field(env, card, "工作餐", "2 12 4 100")
    assert "规则检查全部通过" in card["text"]
    await env.press(OFFICE, card, button="提交审批")
    await env.client.wait_for_bot_message(OFFICE, after=card["message_id"], contains="已提交审批")
    assert (await Reception.get(unit="市发展和改革委员会")).status == ReceptionStatus.SUBMITTED


async def test_a_taken_room_is_refused_and_a_cancelled_reception_releases_its_room(
        office: Env) -> None:
    env = office
    await Room.create(name="第二会议室", capacity=30, feed_token=secrets.token_hex(8))
    asked_at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    first = await draft(step="room", editing=True, room_decided=False, step_at=asked_at)
    room_q = await answer(env, "/reception", "以下会议室在")
    await env.press(OFFICE, room_q, button="第一会议室")
    await env.client.wait_for_bot_message(OFFICE, after=room_q["message_id"],
                                          contains="公务接待计划")
    first = await Reception.get(id=first.id)
    held = await Booking.get(id=first.room_booking_id)
    assert (held.status, first.room_name) == (BookingStatus.CONFIRMED, "第一会议室")

    # Another clerk plans a reception at the same time: the taken room is not offered,
    # and an old or forged button for it is refused by the rooms' guard.
    second = await draft(planner=OTHER, unit="省商务厅", step="room", editing=True,
                         room_decided=False,
                         step_at=datetime(2026, 11, 26, 2, 0, tzinfo=UTC))
    other_q = await answer(env, "/reception", "以下会议室在", user=OTHER)
    labels = [b["text"] for row in other_q["reply_markup"]["inline_keyboard"] for b in row]
    assert "第一会议室" not in labels and "第二会议室" in labels
    refused = await env.press(OTHER, other_q, data=f"rcp:room:{second.id}:{held.room_id}")  # type: ignore[attr-defined]
    assert "已被预订" in (refused["answer"] or "")
    assert (await Reception.get(id=second.id)).room_booking_id is None

    # Cancelling the first reception (after confirming) releases its room.
    card = await answer(env, f"/reception {first.id}", "公务接待计划")
    await env.press(OFFICE, card, button="取消接待")
    await env.press(OFFICE, card, button="确认取消接待")
    gone = await env.message(OFFICE, card["message_id"])
    assert "已取消" in gone["text"] and "第一会议室已释放" in gone["text"]
    assert (await Booking.get(id=held.id)).status == BookingStatus.CANCELLED
    assert (await Reception.get(id=first.id)).status == ReceptionStatus.CANCELLED
    again = await env.press(OFFICE, card, data=f"rcp:cancelok:{first.id}")
    assert "不能修改" in (again["answer"] or "")
    await env.press(OTHER, other_q, data=f"rcp:room:{second.id}:{held.room_id}")  # type: ignore[attr-defined]
    await env.client.wait_for_bot_message(OTHER, after=other_q["message_id"],
                                          contains="公务接待计划")
    assert (await Reception.get(id=second.id)).room_name == "第一会议室"

    # Moving a reception lets go of its room and asks for one again.
    card = await answer(env, f"/reception {second.id}", "第一会议室", user=OTHER)
    await env.press(OTHER, card, button="修改")
    await env.press(OTHER, card, button="时间")
    asked = await answer(env, "12月4日下午2点到4点", "会议室", user=OTHER)
    assert "12-04 14:00" in asked["text"]
    moved = await Reception.get(id=second.id)
    assert moved.room_booking_id is None and not moved.room_decided
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 0


def xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_careless_answers_get_clear_words_and_lose_nothing(office: Env) -> None:
    env = office
    await answer(env, "/reception", "接待时间")
    await answer(env, "2026年11月20日上午9点", "过去")
    await answer(env, "明天", "几点")
    await answer(env, "随便什么时候", "没有看懂")
    await answer(env, "12月3日上午9点到11点", "来访单位")
    await answer(env, "省生态环境厅", "公函文号")
    await answer(env, "无", "来宾人数")
    await answer(env, "0", "至少为1人")
    await answer(env, "5000", "5000人超过上限200人")
    await answer(env, "很多人", "没有看懂")
    await answer(env, "八", "带队领导")
    await answer(env, "王强", "姓名 职务")
    await answer(env, "王强 处长", "来宾名单")
    bad_file = await env.client.send_document(OFFICE, OFFICE, "名单.txt", "王强 处长".encode())
    reply = await env.client.wait_for_bot_message(OFFICE, after=bad_file["message_id"])
    assert "不是 XLSX 或 CSV" in reply["text"] and "来宾名单" in reply["text"]
    broken = await env.client.send_document(OFFICE, OFFICE, "名单.xlsx", b"not a workbook")
    reply = await env.client.wait_for_bot_message(OFFICE, after=broken["message_id"])
    assert "无法读取" in reply["text"]
    rows = [["姓名", "职务"]] + [[f"客人{i}", "主任科员"] for i in range(8)]
    good = await env.client.send_document(OFFICE, OFFICE, "名单.xlsx", xlsx(rows))
    reply = await env.client.wait_for_bot_message(OFFICE, after=good["message_id"])
    assert "接待事由" in reply["text"]
    leader_q = await answer(env, "考察", "主陪领导")
    # Someone who is not the planner (a leader) cannot act on the plan with a forged button.
    plan = await Reception.get(unit="省生态环境厅")
    own = await answer(env, "/receptions", "近期公务接待", user=LEADER)
    leader_id = (await Staff.get(tg_user_id=LEADER)).id
    for forged in (f"rcp:leader:{plan.id}:{leader_id}", f"rcp:cancelok:{plan.id}"):
        refused = await env.press(LEADER, own, data=forged)
        assert "其他人的接待计划" in (refused["answer"] or "")
    assert (await Reception.get(id=plan.id)).host_leader_id is None  # type: ignore[attr-defined]
    assert leader_q
    await answer(env, "王主任", "没有找到领导“王主任”。可选：李主任")
    await answer(env, "李主任", "陪同人员")
    late = await env.press(OFFICE, leader_q, button="李主任")  # a late double click
    assert "已过期" in (late["answer"] or "")
    await answer(env, "张秘书", "参观线路")
    await answer(env, "九点 展厅", "第1行")
    room_q = await answer(env, "9:30 展厅\n10点半 车间", "会议室")
    await answer(env, "第一会议室", "请点选")
    await env.press(OFFICE, room_q, button="不需要会议室")
    await env.client.wait_for_bot_message(OFFICE, after=room_q["message_id"], contains="工作餐")
    await answer(env, "一顿饭", "四个数字")
    await answer(env, "1 9 1 100", "来宾用餐9人超过了来宾人数8人")
    await answer(env, "1 8 1 0", "大于0")
    await answer(env, "1 8 2 100", "住宿安排")
    card = await answer(env, "无", "公务接待计划")
    saved = await Reception.get(unit="省生态环境厅")
    assert (saved.guest_count, len(saved.guests), saved.itinerary) == (
        8, 8, [["09:30", "展厅"], ["10:30", "车间"]])
    assert (saved.meals, saved.guest_diners, saved.staff_diners) == (1, 8, 2)
    assert "无公函不接待" in card["text"]
    # The missing letter blocks submission; the draft is kept as it was.
    await env.press(OFFICE, card, button="提交审批")
    await env.client.wait_for_bot_message(OFFICE, after=card["message_id"], contains="无公函")
    assert (await Reception.get(id=saved.id)).status == ReceptionStatus.DRAFT
    # /reception later resumes the same plan instead of starting another.
    await answer(env, "/reception", f"#{saved.id}")
    assert await Reception.all().count() == 1


async def test_staff_and_strangers_cannot_plan_receptions(office: Env) -> None:
    env = office
    await env.person(1009, "陌生人", role=None)
    assert "不能使用" in (await env.say(STAFF, "/reception"))["text"]
    assert "不能使用" in (await env.say(STAFF, "/receptions"))["text"]
    assert "还没有登记" in (await env.say(1009, "/reception"))["text"]
    assert await Reception.all().count() == 0
    help_text = (await env.say(LEADER, "/help"))["text"]
    assert "/reception" in help_text and "/receptions" in help_text


async def test_a_rejected_plan_is_told_with_its_reason_and_can_be_fixed_and_resubmitted(
        office: Env) -> None:
    env = office
    plan = await draft()
    card = await answer(env, "/reception", "规则检查全部通过")
    await env.press(OFFICE, card, button="提交审批")
    await env.client.wait_for_bot_message(OFFICE, after=card["message_id"], contains="已提交审批")
    await decide(env, await Reception.get(id=plan.id), "reject")
    await env.delivered()
    told = await env.client.wait_for_bot_message(OFFICE, contains="被驳回")
    assert "人数与公函不符" in told["text"]
    await env.client.wait_for_bot_message(GROUP, contains="被驳回")
    assert (await Reception.get(id=plan.id)).status == ReceptionStatus.REJECTED
    card = await answer(env, f"/reception {plan.id}", "已驳回")
    card = await edit_field(env, card, "来宾人数", "8")
    await env.press(OFFICE, card, button="提交审批")
    await env.client.wait_for_bot_message(OFFICE, after=card["message_id"], contains="已提交审批")
    resubmitted = await Reception.get(id=plan.id)
    assert resubmitted.status == ReceptionStatus.SUBMITTED
    # Cancelling a plan under approval (its cards delivered) withdraws the request.
    await env.delivered()
    card = await answer(env, f"/reception {plan.id}", "审批中")
    await env.press(OFFICE, card, button="取消接待")
    await env.press(OFFICE, card, button="确认取消接待")
    request = await approvals.find("reception", plan.id)
    assert request is not None and request.status.value == "withdrawn"
    await env.delivered()
    notice = await env.client.wait_for_bot_message(LEADER, contains="已取消")
    assert "由张秘书取消" in notice["text"]
    await env.client.wait_for_bot_message(GROUP, contains="已取消")
    assert (await Reception.get(id=plan.id)).status == ReceptionStatus.CANCELLED


async def test_lists_find_by_unit_and_date_and_export_the_year_ledger(office: Env) -> None:
    env = office
    await draft(unit="市发展和改革委员会", status=ReceptionStatus.APPROVED)
    await draft(unit="省商务厅", status=ReceptionStatus.SUBMITTED,
                start=datetime(2026, 12, 10, 6, 0, tzinfo=UTC),
                end=datetime(2026, 12, 10, 8, 0, tzinfo=UTC))
    await draft(unit="草稿单位")
    upcoming = await answer(env, "/receptions", "近期公务接待")
    assert "市发展和改革委员会" in upcoming["text"] and "省商务厅" in upcoming["text"]
    assert "草稿单位" not in upcoming["text"]
    by_unit = await answer(env, "/receptions 商务", "省商务厅")
    assert "市发展和改革委员会" not in by_unit["text"]
    by_day = await answer(env, "/receptions 12月3日", "市发展和改革委员会")
    assert "省商务厅" not in by_day["text"]
    nothing = await answer(env, "/receptions 不存在的单位", "没有找到")
    await env.press(OFFICE, upcoming, button="本月")
    november = await env.client.wait_for_bot_message(OFFICE, after=nothing["message_id"],
                                                     contains="2026年11月公务接待")
    assert "（0批）" in november["text"] and "没有找到接待记录" in november["text"]
    await env.press(OFFICE, upcoming, button="导出本年台账")
    sent = await env.client.wait_for_bot_message(OFFICE, after=november["message_id"],
                                                 contains="公务接待台账")
    rows = list(load_workbook(io.BytesIO(await env.client.file_bytes(
        sent["document"]["file_id"]))).active.iter_rows(values_only=True))
    assert rows[0][0] == "2026年公务接待台账"
    assert [r[1] for r in rows[3:-1]] == ["市发展和改革委员会", "省商务厅"]
    # Planned figures until completed: 1 meal × 11 diners × 120 yuan each.
    assert rows[-1][7:10] == (2, 22, 2640)


async def test_a_stale_question_lets_other_text_pass_and_reception_resumes_it(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    await answer(env, "/reception", "接待时间")
    await answer(env, "12月3日上午9点到11点", "来访单位")
    fixed_clock.advance(timedelta(minutes=31))
    sent = await env.send(OFFICE, "市发展和改革委员会")
    await env.send(OFFICE, "/help")
    helped = await env.client.wait_for_bot_message(OFFICE, after=sent, contains="/reception")
    between = [m for m in await env.bot_messages(OFFICE, after=sent)
               if m["message_id"] < helped["message_id"]]
    assert not any("公函" in (m["text"] or "") for m in between)
    assert (await Reception.get(created_by__tg_user_id=OFFICE)).unit == ""
    await answer(env, "/reception", "继续填写")
    await answer(env, "市发展和改革委员会", "公函文号")
    plan = await Reception.get(created_by__tg_user_id=OFFICE)
    assert plan.unit == "市发展和改革委员会" and plan.start is not None


async def test_the_questions_and_card_speak_english_to_english_users(office: Env) -> None:
    env = office
    await env.person(1010, "Anna", Role.OFFICE, "党政办", lang="en")
    await draft(planner=1010, letter_no="")
    card = await answer(env, "/reception", "Reception plan", user=1010)
    assert "No official letter, no reception" in card["text"]
    await env.press(1010, card, button="Submit for approval")
    refusal = await env.client.wait_for_bot_message(1010, after=card["message_id"],
                                                    contains="failed the rule checks")
    assert "公函" not in refusal["text"].split("\n")[0]
