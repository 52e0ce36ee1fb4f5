"""Careless users on rooms and approvals: every slip gets a clear answer, nothing breaks."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.approvals import ApprovalRequest, RequestStatus
from models.core import OutboxMessage, Role, Staff
from models.rooms import Booking, Room
from services import approvals
from services.clock import FixedClock
from services.rooms import RULES
from services.rooms.demo import seed_demo
from tests.e2e.conftest import Env

OOPS = "出了点问题"


async def test_delegate_and_audit_to_an_impossible_name_or_id_say_nobody_is_called_so(
    env: Env,
) -> None:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    for text in ("/delegate 99999999999999999999999 12-01 12-05",
                 "/delegate " + "名" * 300 + " 12-01 12-05"):
        reply = await env.say(1003, text)
        assert OOPS not in reply["text"] and "没有找到" in reply["text"]
        assert "全名" in reply["text"] and "/staff" not in reply["text"]
    reply = await env.say(1001, "/audit 99999999999999999999999")
    assert OOPS not in reply["text"] and "没有找到" in reply["text"]
    reply = await env.say(1001, "/audit " + "名" * 300)
    assert "没有找到" in reply["text"] and len(reply["text"]) < 200


async def test_room_admin_slips_get_a_clear_answer_and_change_nothing(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    rooms = await Room.all().count()
    reply = await env.say(1003, "/rooms add " + "名" * 300 + " 容量=10")
    assert OOPS not in reply["text"] and "1–64" in reply["text"]
    reply = await env.say(1003, "/rooms edit 不存在 容量=3")
    assert "没有叫“不存在”的会议室" in reply["text"] and "空闲会议室" not in reply["text"]
    assert "1号会议室" in reply["text"] and "/rooms list" in reply["text"]
    reply = await env.say(1003, "/rooms add 新会议室 容量=1.5")
    assert "整数" in reply["text"]
    reply = await env.say(1003, "/rooms add 新会议室 容量=12 提前=2.5")
    assert "整数" in reply["text"]
    assert await Room.all().count() == rooms


async def _fill_tomorrow(organiser: Staff, title: str) -> int:
    """Book every half hour of every room tomorrow under one long title."""
    count = 0
    day = datetime(2026, 11, 27, tzinfo=RULES.zone)
    for room in await Room.filter(active=True):
        for minute in range(room.opens_minute, room.closes_minute - 29, 30):
            start = day + timedelta(minutes=minute)
            await Booking.create(room=room, organiser=organiser, title=title, start_at=start,
                                 end_at=start + timedelta(minutes=30), attendees=2)
            count += 1
    return count


async def test_long_schedule_and_booking_lists_are_cut_between_lines_not_inside_a_word(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    me = await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    assert me is not None
    assert await _fill_tomorrow(me, "评审&" * 25 + "<会>") > 50
    schedule = await env.say(1003, "/rooms 明天")
    assert "会议室日程" in schedule["text"] and schedule["text"].rstrip().endswith("…")
    assert "&amp" not in schedule["text"]  # every escaped & came through as &
    mine = await env.say(1003, "/mybookings", contains="我的会议室预订")
    assert "我的会议室预订" in mine["text"] and "订阅我的日程" in mine["text"]
    listed = [line for line in mine["text"].splitlines() if line.startswith("#")]
    buttons = [b["text"] for row in mine["reply_markup"]["inline_keyboard"] for b in row]
    assert listed and all(f"取消 {line.split()[0]}" in buttons for line in listed)
    assert len(buttons) == 2 * len(listed)  # a button for each booking shown, no more


async def test_english_speaker_sees_equipment_listed_with_english_commas(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1007, "Tom", Role.STAFF, "规划建设局", lang="en")
    schedule = await env.say(1007, "/rooms")
    assert "projector, video conference" in schedule["text"] and "、" not in schedule["text"]
    card = await env.say(1007, "/book 明天下午3点到5点 999号会议室", contains="Room booking")
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert any("projector, video conference" in label for label in labels)
    assert not any("、" in label for label in labels)


async def test_an_old_reason_prompts_cancel_button_neither_undoes_nor_drops_a_newer_rejection(
    env: Env,
) -> None:
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    approvals.register_flow("t.qa", [{"steps": [
        {"label": "approvals.step.office", "approvers": {"people": ["张秘书"]}}]}])
    try:
        first, second = [
            await approvals.submit("t.qa", n, env.users[1004], title=f"领用{n}",
                                   details=[("物品", "A4纸")]) for n in (1, 2)]
        await env.delivered()
        cards = {r.id: [m for m in await env.bot_messages(1003)
                        if f"审批 #{r.id}\n" in (m.get("text") or "")][-1]
                 for r in (first, second)}
        await env.press(1003, cards[first.id], button="驳回")
        old_ask = await env.client.wait_for_bot_message(1003, contains=f"驳回审批 #{first.id}")
        await env.press(1003, cards[second.id], button="驳回")
        await env.client.wait_for_bot_message(1003, contains=f"驳回审批 #{second.id}")
        answer = await env.press(1003, old_ask, button="取消")
        assert "已取消驳回" not in (await env.message(1003, old_ask["message_id"]))["text"]
        assert "无需取消" in (await env.message(1003, old_ask["message_id"]))["text"]
        assert answer is not None
        done = await env.say(1003, "预算不足")
        assert f"已驳回审批 #{second.id}" in done["text"]
        assert (await ApprovalRequest.get(id=second.id)).status == RequestStatus.REJECTED
        assert (await ApprovalRequest.get(id=first.id)).status == RequestStatus.PENDING
    finally:
        approvals.unregister_flow("t.qa")


async def test_pending_with_many_items_resends_only_the_latest_cards_and_offers_the_batch(
    env: Env,
) -> None:
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    approvals.register_flow("t.qa", [{"steps": [
        {"label": "approvals.step.office", "approvers": {"people": ["张秘书"]}}]}])
    try:
        for n in range(25):
            await approvals.submit("t.qa", n, env.users[1004], title=f"领用{n}",
                                   details=[("物品", "A4纸")])
        reply = await env.say(1003, "/pending", contains="待您审批")
        assert "共25项" in reply["text"] and "最新的20张" in reply["text"]
        assert "批量同意" in reply["text"]
        resent = await OutboxMessage.filter(kind="approvals.card",
                                            dedup_key__contains=":p").count()
        assert resent == 20
        offer = await OutboxMessage.get(kind="approvals.batch_offer")
        assert offer.payload["n"] == 25
    finally:
        approvals.unregister_flow("t.qa")


async def test_english_approver_reads_cards_and_flows_with_english_punctuation(
    env: Env,
) -> None:
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1007, "Tom", Role.OFFICE, "党政办", lang="en")
    approvals.register_flow("t.qa", [{"steps": [
        {"label": "approvals.step.office", "approvers": {"people": ["Tom", "刘工"]}}]}])
    try:
        await approvals.submit("t.qa", 1, env.users[1004], title="paper",
                               details=[("items", "A4")])
        card = await env.client.wait_for_bot_message(1007, contains="Approval #")
        assert "Requested by: 刘工 (规划建设局)" in card["text"] and "items: A4" in card["text"]
        assert not any(mark in card["text"] for mark in "（）：，、")
        flows = await env.say(1007, "/flows")
        assert "Office review (Tom, 刘工, any one)" in flows["text"]
        assert not any(mark in flows["text"] for mark in "（）：，、")
    finally:
        approvals.unregister_flow("t.qa")
