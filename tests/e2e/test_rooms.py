"""Booking rooms end to end: the real bot against the sandbox, private chats and groups."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import aiohttp
from icalendar import Calendar

import scheduler.runner
from models.core import BoundChat, ChatPurpose, OutboxMessage, Role
from models.rooms import Booking, BookingDraft, BookingStatus
from services.clock import FixedClock
from services.rooms import RULES
from services.rooms.demo import seed_demo
from tests.e2e.conftest import Env, start_env


async def _deliver(env: Env, clock: FixedClock) -> None:
    """Drain the outbox; a 429 retry waits on the fixed clock, so move it along."""
    for _ in range(40):
        if not await OutboxMessage.filter(status__in=["pending", "sending"]).count():
            return
        clock.advance(timedelta(seconds=2))
        await asyncio.sleep(0.25)
    await env.delivered(timeout=1)


def _labels(msg: dict) -> list[str]:
    markup = msg.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_one_line_booking_confirms_with_the_button_and_books_once(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 明天下午3点到5点 3号会议室 项目评审")
    assert "3号会议室" in card["text"] and "项目评审" in card["text"]
    assert "15:00–17:00" in card["text"]
    assert await Booking.all().count() == 0  # nothing without the confirm button
    answer = await env.press(1004, card, button="✅ 确认预订")
    assert "已预订" in (answer["answer"] or "")
    booking = await Booking.get()
    assert (booking.title, booking.status) == ("项目评审", BookingStatus.CONFIRMED)
    again = await env.press(1004, card, data=f"rooms:ok:{(await BookingDraft.get()).id}")
    assert "不会重复预订" in (again["answer"] or "") or "已经预订" in (again["answer"] or "")
    assert await Booking.all().count() == 1
    edited = await env.message(1004, card["message_id"])
    assert "已预订" in edited["text"]


async def test_guided_booking_survives_a_restart_mid_dialog(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book")
    assert "请选择日期" in card["text"] and any("★" in b for b in _labels(card))
    await env.press(1004, card, button="★ 11月27日 周五")
    card = await env.message(1004, card["message_id"])
    assert "请选择开始时间" in card["text"] and "09:30" in _labels(card)
    await env.press(1004, card, button="14:00")
    # The process restarts: the dialog lives in the database, not in memory.
    await env.runtime.stop()
    env.runtime = await start_env(env.db_url, env.sandbox)
    card = await env.message(1004, card["message_id"])
    await env.press(1004, card, button="1小时")
    card = await env.message(1004, card["message_id"])
    assert "参会人数" in card["text"]
    await env.press(1004, card, button="8人")
    await env.press(1004, card, button="投影")
    await env.press(1004, card, button="🔍 查找空闲会议室")
    card = await env.message(1004, card["message_id"])
    rooms = _labels(card)
    assert any(r.startswith("1号会议室") for r in rooms)
    assert not any(r.startswith("2号会议室") for r in rooms)  # no projector there
    assert not any(r.startswith("洽谈室") for r in rooms)  # six seats only
    await env.press(1004, card, button=next(r for r in rooms if r.startswith("1号会议室")))
    prompt = await env.message(1004, card["message_id"])
    assert "会议主题" in prompt["text"]
    card = await env.say(1004, "季度安全检查")
    assert "季度安全检查" in card["text"]
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get()
    assert booking.title == "季度安全检查" and booking.attendees == 8


async def test_taken_room_offers_other_rooms_and_slots_as_buttons(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局")
    first = await env.say(1004, "/book 明天上午10点到11点 2号会议室 周例会")
    second = await env.say(1005, "/book 明天上午10点到11点 2号会议室 碰头会")
    await env.press(1004, first, button="✅ 确认预订")
    refused = await env.press(1005, second, button="✅ 确认预订")
    # the refusal names who holds the room and its nearest free time
    assert "已被刘工预订" in (refused["answer"] or "")
    assert "最近的空闲时段是 11-27 11:00–12:00" in (refused["answer"] or "")
    card = await env.message(1005, second["message_id"])
    labels = _labels(card)
    assert any(label.startswith("1号会议室") for label in labels)
    slot = next(label for label in labels if label.startswith("2号会议室 11月27日"))
    assert "11:00–12:00" in slot
    await env.press(1005, card, button=slot)
    card = await env.message(1005, second["message_id"])
    await env.press(1005, card, button="✅ 确认预订")
    assert await Booking.filter(room__name="2号会议室").count() == 2


async def test_someone_elses_card_button_does_nothing_but_say_so(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局")
    await env.group(-2001, "党政办工作群", [1004, 1005])
    card = await env.say(1004, "@officebot_demo_bot 明天上午10点到11点开会 1号会议室 项目周会",
                         chat_id=-2001)
    assert "1号会议室" in card["text"]
    answer = await env.press(1005, card, button="✅ 确认预订", chat_id=-2001)
    assert "不是您的" in (answer["answer"] or "")
    assert await Booking.all().count() == 0
    # Chatter in the group that is not about a room gets no answer.
    await env.send(1005, "明天下午3点去现场看看", chat_id=-2001)
    await env.send(1004, "好的", chat_id=-2001)
    assert not [m for m in await env.bot_messages(-2001, after=card["message_id"])]


async def test_bad_input_gets_a_clear_answer_and_keeps_what_was_entered(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    closed = await env.say(1004, "/book 明天晚上8点到9点 1号会议室 加班会")
    assert "开放时间是 08:00–18:00" in closed["text"] and "加班会" in closed["text"]
    unknown = await env.say(1004, "/book 明天上午10点到11点 9号会议室 评审")
    assert "没有叫“9号会议室”的会议室" in unknown["text"]
    assert any(b.startswith("1号会议室") for b in _labels(unknown))
    huge = await env.say(1004, "/book 明天上午10点到11点开会 500人")
    assert "没有符合要求的空闲会议室" in huge["text"] and "30" in huge["text"]
    nonsense = await env.say(1004, "/book 随便写点什么")
    assert "没有看懂时间" in nonsense["text"] and "请选择日期" in nonsense["text"]
    no_day = await env.say(1004, "/book 11月31号下午3点到4点 1号会议室 评审")
    assert "日历上没有“11月31号下午3点到4点”" in no_day["text"] and "评审" in no_day["text"]
    ask = await env.say(1004, "/book 明天3点到4点 1号会议室 碰头会")
    assert "上午还是下午" in ask["text"]
    await env.press(1004, ask, button="下午 3:00")
    card = await env.message(1004, ask["message_id"])
    assert "15:00–16:00" in card["text"] and "碰头会" in card["text"]
    assert await Booking.all().count() == 0


async def test_mybookings_cancel_and_office_cancel_with_reason_tells_the_organiser(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    for text in ("明天上午10点到11点 1号会议室 周例会", "明天下午2点到3点 2号会议室 碰头会"):
        card = await env.say(1004, f"/book {text}")
        await env.press(1004, card, button="✅ 确认预订")
    one, two = await Booking.all().order_by("id")
    mine = await env.say(1004, "/mybookings")
    assert "周例会" in mine["text"] and "/feeds/people/" in mine["text"]
    await env.press(1004, mine, button=f"取消 #{one.id}")
    assert (await Booking.get(id=one.id)).status == BookingStatus.CONFIRMED  # asked first
    await env.press(1004, mine, button="✅ 确认取消")
    assert (await Booking.get(id=one.id)).status == BookingStatus.CANCELLED
    listing = await env.say(1003, "/mybookings all")
    assert "碰头会" in listing["text"] and "刘工" in listing["text"]
    await env.press(1003, listing, button=f"取消 #{two.id}")
    reply = await env.say(1003, "领导临时接待外宾", contains="已取消")
    assert f"#{two.id}" in reply["text"]
    await _deliver(env, fixed_clock)
    told = await env.client.wait_for_bot_message(1004, contains="领导临时接待外宾")
    assert "张秘书" in told["text"]


async def test_reminder_with_check_in_and_release_tells_the_office_group(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    admin = await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.group(-2001, "党政办工作群", [1001, 1004])
    await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE,
                           bound_by=admin)
    for text in ("今天上午10点半到11点半 洽谈室 客商洽谈",
                 "今天上午10点半到11点半 2号会议室 小组会"):
        card = await env.say(1004, f"/book {text}")
        await env.press(1004, card, button="✅ 确认预订")
    talks, small = await Booking.all().order_by("id")
    fixed_clock.advance(timedelta(minutes=16))
    await scheduler.runner.tick(env.runtime.settings, fixed_clock.now())
    await _deliver(env, fixed_clock)
    reminder = await env.client.wait_for_bot_message(1004, contains="会议提醒：")
    assert "签到" in _labels(reminder)[0]
    fixed_clock.advance(timedelta(minutes=25))
    await scheduler.runner.tick(env.runtime.settings, fixed_clock.now())
    await _deliver(env, fixed_clock)
    assert (await Booking.get(id=talks.id)).status == BookingStatus.RELEASED
    assert (await Booking.get(id=small.id)).status == BookingStatus.CONFIRMED  # no check-in
    freed = await env.client.wait_for_bot_message(-2001, contains="现已空闲")
    assert "洽谈室" in freed["text"]
    late = await env.press(1004, reminder, button="✅ 签到")
    assert "已因未签到被释放" in (late["answer"] or "")
    reminders = await OutboxMessage.filter(kind="rooms.reminder").count()
    await scheduler.runner.tick(env.runtime.settings, fixed_clock.now() + timedelta(minutes=1))
    assert await OutboxMessage.filter(kind="rooms.reminder").count() == reminders


async def test_schedule_picture_and_feeds_follow_changes(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    card = await env.say(1003, "/book 明天上午10点到11点 1号会议室 周例会")
    await env.press(1003, card, button="✅ 确认预订")
    schedule = await env.say(1003, "/rooms 明天")
    assert "周例会" in schedule["text"] and "10:00–11:00" in schedule["text"]
    photo = await env.client.wait_for_bot_message(1003, after=schedule["message_id"])
    assert photo.get("photo")
    no_day = await env.say(1003, "/rooms 2月30日")
    assert "日历上没有“2月30日”" in no_day["text"]
    url = re.search(r"http://\S+/feeds/rooms/\S+\.ics", schedule["text"])[0]
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as resp:
            assert resp.status == 200 and resp.content_type == "text/calendar"
            cal = Calendar.from_ical(await resp.read())
        assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["周例会"]
        async with http.get(url.replace("/rooms/", "/rooms/x")) as resp:
            assert resp.status == 404


async def test_roomstats_sends_text_chart_and_spreadsheet(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1003, "/book 明天上午10点到11点 1号会议室 周例会")
    await env.press(1003, card, button="✅ 确认预订")
    stats = await env.say(1003, "/roomstats week")
    assert "1号会议室：会议 1 场，共 1 小时" in stats["text"]
    doc = await env.client.wait_for_bot_message(1003, after=stats["message_id"] + 1)
    assert doc["document"]["file_name"].endswith(".xlsx")
    refused = await env.say(1004, "/roomstats week")
    assert "不能使用" in refused["text"]


async def test_admin_adds_and_edits_a_room_in_the_chat(env: Env, fixed_clock: FixedClock) -> None:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    added = await env.say(1001, "/rooms add 5号会议室 容量=16 设备=投影,白板 开放=08:30-17:30")
    assert "已添加会议室" in added["text"] and "16人" in added["text"]
    bad = await env.say(1001, "/rooms edit 5号会议室 容量=很多")
    assert "“capacity”的值“很多”不对" in bad["text"]
    edited = await env.say(1001, "/rooms edit 5号会议室 审批=是")
    assert "需审批" in edited["text"]



async def test_restricted_room_holds_the_slot_until_the_office_approves(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 明天上午9点到11点 党工委会议室 招商推介会")
    assert "需要审批" in card["text"]
    answer = await env.press(1004, card, button="✅ 确认预订")
    assert "审批" in (answer["answer"] or "")
    booking = await Booking.get()
    assert booking.status == BookingStatus.PENDING
    # While it waits, the slot is held: nobody else gets the room then.
    other = await env.say(1005, "/book 明天上午10点到11点 党工委会议室 碰头会")
    assert "已被刘工预订" in other["text"] and "最近的空闲时段" in other["text"]
    await _deliver(env, fixed_clock)
    approval = await env.client.wait_for_bot_message(1003, contains="招商推介会")
    assert "党工委会议室" in approval["text"]
    await env.press(1003, approval, button="同意")
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED
    await _deliver(env, fixed_clock)
    told = await env.client.wait_for_bot_message(1004, contains="审批通过")
    assert "招商推介会" in told["text"]


async def test_recurring_booking_in_chat_lists_clashes_and_books_the_rest(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局")
    blocker = await env.say(1005, "/book 12月7日上午10点到11点 1号会议室 占用")
    await env.press(1005, blocker, button="✅ 确认预订")
    card = await env.say(1004, "/book 每周一上午10点到11点 1号会议室 周例会 共3次")
    assert "共 3 次，可预订 2 次。" in card["text"] and "将跳过：1 次已被占用" in card["text"]
    assert "✗ 12月7日 周一 10:00–11:00（已被占用）" in card["text"]
    await env.press(1004, card, button="✅ 预订其余 2 次")
    assert await Booking.filter(title="周例会").count() == 2
    done = await env.message(1004, card["message_id"])
    assert "已预订 2 次" in done["text"] and "跳过：1 次已被占用" in done["text"]


async def test_cancelling_one_of_a_series_asks_this_one_or_all_later(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 每周一上午10点到11点 1号会议室 周例会 共4次")
    await env.press(1004, card, button="✅ 确认预订")
    first, second, third, fourth = await Booking.filter(title="周例会").order_by("start_at")
    mine = await env.say(1004, "/mybookings")
    await env.press(1004, mine, button=f"取消 #{first.id}")
    ask = await env.message(1004, mine["message_id"])  # the list asks in its place
    assert "周期预订中的一次" in ask["text"] and "之后还有 3 次" in ask["text"]
    assert await Booking.filter(status=BookingStatus.CANCELLED).count() == 0  # nothing yet
    await env.press(1004, ask, button=f"只取消这一次 #{first.id}")
    assert (await Booking.get(id=first.id)).status == BookingStatus.CANCELLED
    assert "已取消预订" in (await env.message(1004, ask["message_id"]))["text"]
    mine = await env.say(1004, "/mybookings")
    await env.press(1004, mine, button=f"取消 #{third.id}")
    ask = await env.message(1004, mine["message_id"])
    assert "之后还有 1 次" in ask["text"]
    stale = next(b["callback_data"] for row in ask["reply_markup"]["inline_keyboard"]
                 for b in row if b["text"].startswith("取消这次及以后"))
    await env.press(1004, ask, button="取消这次及以后全部（2 次）")
    done = await env.message(1004, ask["message_id"])
    assert "已取消周期预订中的 2 次" in done["text"]
    statuses = [(await Booking.get(id=b.id)).status for b in (first, second, third, fourth)]
    assert statuses == [BookingStatus.CANCELLED, BookingStatus.CONFIRMED,
                        BookingStatus.CANCELLED, BookingStatus.CANCELLED]
    # a second press of the same button changes nothing and says the booking is gone
    again = await env.press(1004, ask, data=stale)
    assert "已取消或不存在" in again["answer"]
    assert (await Booking.get(id=second.id)).status == BookingStatus.CONFIRMED


async def test_change_time_from_mybookings_moves_the_booking(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 明天上午10点到11点 1号会议室 周例会")
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get()
    mine = await env.say(1004, "/mybookings")
    await env.press(1004, mine, button=f"改时间 #{booking.id}")
    change = await env.client.wait_for_bot_message(1004, after=mine["message_id"],
                                                   contains="正在修改")
    await env.press(1004, change, button="★ 11月27日 周五")
    await env.press(1004, change, button="14:00")
    await env.press(1004, change, button="1小时")
    change = await env.message(1004, change["message_id"])
    assert "14:00–15:00" in change["text"]
    await env.press(1004, change, button="✅ 确认预订")
    moved = await Booking.get(id=booking.id)
    assert moved.start_at.astimezone(RULES.zone).hour == 14 and moved.sequence == 1
    assert await Booking.all().count() == 1


async def test_plain_text_booking_in_private_chat_fills_the_card(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "后天上午九点半开一小时会，要投影，8个人")
    assert "09:30–10:30" in card["text"] and "投影" in card["text"]
    labels = _labels(card)
    assert any(label.startswith("1号会议室") for label in labels)
    assert not any(label.startswith("2号会议室") for label in labels)
    # The shortcut button starts the guided dialog.
    guided = await env.say(1004, "预订会议室")
    assert "请选择日期" in guided["text"]
