"""Meeting notices end to end: a notice to six people with every kind of reply and a delegate,
reminders, a change of time pushed to all, check-in, the minutes, the exports, careless users."""

from __future__ import annotations

import io
import secrets
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook

from models.core import Role
from models.meetings import Invitation, MeetingNotice, NoticeStatus, Reply
from models.rooms import Booking, Room
from scheduler import runner
from services.clock import FixedClock
from services.meetings.figures import meeting_figures
from tests.e2e.conftest import Env

HOST, LEADER, LIU, CHEN, ZHOU, WU, ZHENG, SUN = 1003, 1002, 1004, 1005, 1008, 1009, 1010, 1011
INVITED = (LEADER, LIU, CHEN, ZHOU, WU, ZHENG)


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    await env.client.reset_limits(private_rate=50, private_capacity=50)
    assert env.runtime.notifier is not None
    env.runtime.notifier.pacer.private_gap = env.runtime.notifier.pacer.group_gap = 0.02
    await env.person(HOST, "张秘书", Role.OFFICE, "党政办")
    await env.person(LEADER, "李主任", Role.LEADER, "园区领导")
    await env.person(LIU, "刘工", Role.STAFF, "规划建设局")
    await env.person(CHEN, "陈科长", Role.STAFF, "规划建设局", is_head=True)
    await env.person(ZHOU, "周会计", Role.STAFF, "财务部")
    await env.person(WU, "吴主任", Role.STAFF, "财务部")
    await env.person(ZHENG, "郑干事", Role.STAFF, "经济发展局")
    await env.person(SUN, "孙工", Role.STAFF, "规划建设局")
    await Room.create(name="第一会议室", capacity=30, feed_token=secrets.token_hex(8))
    return env


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai time in November 2026 (the 26th is the fixed clock's Thursday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


async def tick(env: Env, clock: FixedClock, when: datetime) -> None:
    clock.set(when)
    await runner.tick(env.runtime.settings)
    await env.delivered()


async def book(env: Env, text: str = "明天下午3点到5点 第一会议室 安全生产工作会"
               ) -> dict[str, Any]:
    card = await env.say(HOST, f"/book {text}")
    await env.press(HOST, card, button="✅ 确认预订")
    done = await env.message(HOST, card["message_id"])
    assert "已预订" in done["text"] and buttons(done) == ["📣 发会议通知"]
    return done


async def compose(env: Env, done: dict[str, Any]) -> dict[str, Any]:
    """Open the notice from the booking's card: the composer arrives as a new message."""
    await env.press(HOST, done, button="📣 发会议通知")
    return await env.client.wait_for_bot_message(HOST, after=done["message_id"],
                                                 contains="草稿")


async def card_of(env: Env, user: int) -> dict[str, Any]:
    return await env.client.wait_for_bot_message(user, contains="邀请您参加会议")


async def test_a_notice_to_six_with_every_reply_a_change_check_in_and_minutes(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    composer = await compose(env, await book(env))
    assert "参会人（0）" in composer["text"]
    await env.press(HOST, composer, button="👥 参会人")
    picker = await env.message(HOST, composer["message_id"])
    assert "+ 财务部" in buttons(picker)
    await env.press(HOST, picker, button="+ 财务部")
    picker = await env.message(HOST, composer["message_id"])
    assert "已添加2人：周会计、吴主任" in picker["text"]
    typed = await env.say(HOST, "李主任 刘工 陈科长 郑干事 王五", contains="已添加")
    assert "已添加4人" in typed["text"] and "没有找到：王五" in typed["text"]
    await env.press(HOST, typed, button="完成")
    composer = await env.message(HOST, typed["message_id"])
    assert "参会人（6）" in composer["text"]
    await env.press(HOST, composer, button="📋 议程")
    shown = await env.say(HOST, "一、通报安全检查情况\n二、部署冬季安全生产", contains="草稿")
    await env.press(HOST, shown, button="👔 着装/准备")
    shown = await env.say(HOST, "着正装，带上本部门安全台账", contains="草稿")
    await env.press(HOST, shown, button="📎 材料")
    await env.client.wait_for_bot_message(HOST, contains="逐个发送会议材料")
    sent = await env.client.send_document(HOST, HOST, "安全检查通报.pdf", b"%PDF-1.4 report")
    await env.client.wait_for_bot_message(HOST, after=sent["message_id"], contains="已添加材料")
    shown = await env.say(HOST, "好了", contains="草稿")
    assert "材料：安全检查通报.pdf" in shown["text"] and "着正装" in shown["text"]
    await env.press(HOST, shown, button="📣 发送通知（6人）")
    notice = await MeetingNotice.get()
    assert notice.status == NoticeStatus.SENT
    await env.delivered()

    # Each of the six has the card and the material.
    for user in INVITED:
        card = await card_of(env, user)
        assert "安全生产工作会" in card["text"] and "二、部署冬季安全生产" in card["text"]
        assert buttons(card) == ["参加", "请假", "指派他人参加"]
        assert any((m.get("document") or {}).get("file_name") == "安全检查通报.pdf"
                   for m in await env.bot_messages(user))
    status = await env.client.wait_for_bot_message(HOST, contains="回执：")
    assert "未回复6" in status["text"]

    # Every kind of reply: attend, leave with a reason, a delegate who then attends.
    await env.press(LEADER, await card_of(env, LEADER), button="参加")
    await env.press(ZHOU, await card_of(env, ZHOU), button="参加")
    liu_card = await card_of(env, LIU)
    await env.press(LIU, liu_card, button="指派他人参加")
    pick = await env.client.wait_for_bot_message(LIU, contains="代您参加")
    assert buttons(pick) == ["孙工"]  # 陈科长 of the same department is invited already
    await env.press(LIU, pick, button="孙工")
    sun_card = await card_of(env, SUN)
    assert "由刘工指派您参加" in sun_card["text"]
    await env.press(SUN, sun_card, button="参加")
    await env.press(CHEN, await card_of(env, CHEN), button="请假")
    await env.client.wait_for_bot_message(CHEN, contains="请假事由")
    left = await env.say(CHEN, "在市里参加规划评审会", contains="已请假")
    assert "已请假" in left["text"]
    await env.delivered()
    status = await env.message(HOST, status["message_id"])
    assert "参加3 · 请假1 · 指派1 · 未回复2" in status["text"]
    assert "陈科长请假：在市里参加规划评审会" in status["text"]
    assert "刘工指派孙工参加" in status["text"] and "未回复：吴主任、郑干事" in status["text"]
    liu = await Invitation.get(staff__tg_user_id=LIU)
    old = await env.press(LIU, liu_card, data=f"mt:at:{liu.id}")
    assert "您已指派孙工参加" in (old["answer"] or "")

    # Those who have not replied are reminded once, four hours after the notice.
    await tick(env, fixed_clock, at(26, 13, 55))
    assert not [m for m in await env.bot_messages(WU)
                if "请回复会议通知" in (m.get("text") or "")]
    await tick(env, fixed_clock, at(26, 14, 1))
    nudge = await env.client.wait_for_bot_message(WU, contains="请回复会议通知")
    await env.client.wait_for_bot_message(ZHENG, contains="请回复会议通知")
    assert not [m for m in await env.bot_messages(LEADER) if "请回复" in (m.get("text") or "")]
    await tick(env, fixed_clock, at(26, 16))
    assert len([m for m in await env.bot_messages(ZHENG)
                if "请回复会议通知" in (m.get("text") or "")]) == 1
    await env.press(WU, nudge, button="参加")

    # The organiser moves the meeting to 16:00: everyone invited hears of it.
    mine = await env.say(HOST, "/mybookings", contains="我的会议室预订")
    booking = await Booking.get()
    await env.press(HOST, mine, button=f"改时间 #{booking.id}")
    change = await env.client.wait_for_bot_message(HOST, after=mine["message_id"],
                                                   contains="正在修改")
    await env.press(HOST, change, button="★ 11月27日 周五")
    await env.press(HOST, change, button="16:00")
    await env.press(HOST, change, button="2小时")
    await env.press(HOST, await env.message(HOST, change["message_id"]), button="✅ 确认预订")
    await env.delivered()
    for user in (*INVITED, SUN):
        pushed = await env.client.wait_for_bot_message(user, contains="会议变更")
        assert "15:00–17:00" in pushed["text"] and "16:00–18:00" in pushed["text"]
    assert "16:00–18:00" in (await card_of(env, ZHENG))["text"]

    # Half an hour before, those attending are reminded; they and the organiser check in.
    await tick(env, fixed_clock, at(27, 15, 31))
    for user in (LEADER, ZHOU, SUN, WU):
        await env.client.wait_for_bot_message(user, contains="会议即将开始")
    for user in (CHEN, ZHENG, LIU):
        assert not [m for m in await env.bot_messages(user)
                    if "会议即将开始" in (m.get("text") or "")]
    for user in (LEADER, SUN):
        soon = await env.client.wait_for_bot_message(user, contains="会议即将开始")
        answer = await env.press(user, soon, button="✔ 签到")
        assert "签到成功" in (answer["answer"] or "")
    status = await env.message(HOST, status["message_id"])
    await env.press(HOST, status, button="✔ 签到")
    panel = await env.client.wait_for_bot_message(HOST, after=status["message_id"],
                                                  contains="会议签到")
    assert "已到2/6" in panel["text"]
    await env.press(HOST, panel, button="吴主任")
    panel = await env.message(HOST, panel["message_id"])
    assert "已到3/6" in panel["text"] and "✔ 吴主任" in buttons(panel)
    await env.press(HOST, panel, button="完成")
    came = await Invitation.filter(checked_in_at__not_isnull=True).prefetch_related("staff")
    assert sorted(i.staff.name for i in came) == ["吴主任", "孙工", "李主任"]

    # After the meeting the minutes go to the attendees.
    fixed_clock.set(at(27, 18, 30))
    status = await env.message(HOST, status["message_id"])
    await env.press(HOST, status, button="📄 上传纪要")
    await env.client.wait_for_bot_message(HOST, contains="会议纪要（Word")
    minutes = Document()
    minutes.add_paragraph("安全生产工作会纪要")
    minutes.add_paragraph("会议部署了冬季安全生产工作。")
    out = io.BytesIO()
    minutes.save(out)
    sent = await env.client.send_document(HOST, HOST, "安全生产工作会纪要.docx", out.getvalue())
    told = await env.client.wait_for_bot_message(HOST, after=sent["message_id"],
                                                 contains="纪要已发给")
    assert "4位参会人" in told["text"]
    await env.delivered()
    for user in (LEADER, ZHOU, SUN, WU):
        got = [m for m in await env.bot_messages(user)
               if (m.get("document") or {}).get("file_name") == "安全生产工作会纪要.docx"]
        assert got, user
    assert not [m for m in await env.bot_messages(CHEN)
                if (m.get("document") or {}).get("file_name", "").endswith("纪要.docx")]

    # The exports open: the reply list, the sign-in sheet, the name cards.
    status = await env.message(HOST, status["message_id"])
    await env.press(HOST, status, button="📋 回执表")
    replies = await env.client.wait_for_bot_message(HOST, contains="回执表")
    data = await env.client.file_bytes(replies["document"]["file_id"])
    first = load_workbook(io.BytesIO(data)).active
    assert first is not None
    rows = list(first.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 7
    by_name = {r[1]: r for r in rows}
    assert by_name["陈科长"][3] == "请假" and by_name["陈科长"][4] == "在市里参加规划评审会"
    assert by_name["刘工"][3] == "指派他人" and by_name["刘工"][5] == "孙工"
    assert by_name["郑干事"][3] == "未回复"
    await env.press(HOST, status, button="📝 签到表")
    signin = await env.client.wait_for_bot_message(HOST, contains="签到表")
    sheet = load_workbook(io.BytesIO(await env.client.file_bytes(
        signin["document"]["file_id"]))).active
    assert sheet is not None
    names = [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == sorted(["李主任", "陈科长", "周会计", "吴主任", "郑干事", "孙工"])
    assert sheet.cell(row=3, column=6).value == "本人签名"
    await env.press(HOST, status, button="🪧 席卡")
    cards = await env.client.wait_for_bot_message(HOST, contains="席卡")
    document = Document(io.BytesIO(await env.client.file_bytes(cards["document"]["file_id"])))
    printed = [p.text for p in document.paragraphs if p.text.strip()]
    for name in ("张秘书", "李主任", "周会计", "吴主任", "孙工", "郑干事"):
        assert printed.count(name) == 2, name
    assert "陈科长" not in printed and "刘工" not in printed

    figures = await meeting_figures(at(23, 0), at(30, 0))
    assert figures == {"notices": 1, "held": 1, "attendance_rate": 50.0, "no_reply": 1}
    weekly = await env.say(HOST, "/weekly", contains="周报")
    assert "召开会议（有通知）：1场" in weekly["text"] and "出席率：50%" in weekly["text"]


async def test_careless_organisers_and_invitees_get_clear_answers(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    composer = await compose(env, await book(env))
    answer = await env.press(HOST, composer, button="📣 发送通知（0人）")
    assert "还没有邀请任何人" in (answer["answer"] or "")
    assert (await MeetingNotice.get()).status == NoticeStatus.DRAFT
    # Someone who is not the organiser cannot open it.
    booking = await Booking.get()
    refused = await env.say(LIU, f"/huiyi {booking.id}")
    assert "只有会议召集人" in refused["text"]
    await env.press(HOST, composer, button="👥 参会人")
    await env.say(HOST, "刘工 周会计")
    await env.say(HOST, "-周会计")
    await env.press(HOST, composer, button="完成")
    composer = await env.message(HOST, composer["message_id"])
    assert "参会人（1）：刘工" in composer["text"]
    await env.press(HOST, composer, button="📣 发送通知（1人）")
    card = await card_of(env, LIU)
    # Too early to check in, then an empty leave reason.
    early = await env.press(LIU, card, data=f"mt:ci:{(await Invitation.get()).id}")
    assert "签到从 11-27 14:30 开始" in (early["answer"] or "")
    await env.press(LIU, card, button="请假")
    await env.client.wait_for_bot_message(LIU, contains="请假事由")
    # The organiser cancels the booking: the invitee hears, and the old card says so.
    mine = await env.say(HOST, "/mybookings", contains="我的会议室预订")
    await env.press(HOST, mine, button=f"取消 #{booking.id}")
    await env.press(HOST, mine, button="✅ 确认取消")
    cancelled = await env.client.wait_for_bot_message(LIU, contains="会议取消")
    assert "安全生产工作会" in cancelled["text"]
    assert (await MeetingNotice.get()).status == NoticeStatus.CANCELLED
    await env.delivered()
    assert "会议已取消" in (await env.message(LIU, card["message_id"]))["text"]
    late = await env.press(LIU, card, data=f"mt:at:{(await Invitation.get()).id}")
    assert "会议已取消" in (late["answer"] or "")
    reason = await env.say(LIU, "家里有事", contains="会议已取消")
    assert "会议已取消" in reason["text"]
    assert (await Invitation.get()).reply == Reply.PENDING
    # Minutes that are not a Word file are refused.
    done = await book(env, "下周一上午9点到10点 第一会议室 周例会")
    composer = await compose(env, done)
    await env.press(HOST, composer, button="👥 参会人")
    await env.say(HOST, "刘工")
    await env.press(HOST, composer, button="完成")
    composer = await env.message(HOST, composer["message_id"])
    await env.press(HOST, composer, button="📣 发送通知（1人）")
    status = await env.client.wait_for_bot_message(HOST, after=composer["message_id"],
                                                   contains="回执：")
    await env.press(HOST, status, button="📄 上传纪要")
    sent = await env.client.send_document(HOST, HOST, "纪要.txt", b"not a word file")
    refusal = await env.client.wait_for_bot_message(HOST, after=sent["message_id"])
    assert "Word 文档" in refusal["text"]
