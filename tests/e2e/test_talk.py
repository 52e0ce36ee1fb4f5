"""Careful in conversation (issue 17): quiet in groups, no silent drops, drafts that do not
swallow, the talk about a meeting offered a booking rather than booked."""

from __future__ import annotations

from pathlib import Path

from models.core import Role
from models.rooms import Booking, BookingDraft, DraftStep
from models.supplies import RequestStatus, SupplyRequest
from services.clock import FixedClock
from services.rooms.demo import seed_demo as seed_rooms
from services.supplies.demo import seed_demo as seed_supplies
from tests.e2e.conftest import Env

DATA = Path(__file__).resolve().parents[1] / "data"
BOT = "@officebot_demo_bot"
GROUP = -2001


def chatter() -> list[str]:
    lines = (DATA / "office_chatter.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def labels(msg: dict) -> list[str]:
    markup = msg.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _office(env: Env) -> None:
    await seed_rooms()
    await env.person(1002, "李主任", Role.LEADER, "园区领导")
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局", lang="en")
    await env.group(GROUP, "党政办工作群", [1002, 1003, 1004, 1005])


async def test_two_hundred_lines_of_group_chatter_get_no_answer(env: Env) -> None:
    await _office(env)
    lines = chatter()
    assert len(lines) >= 200
    first = 0
    speakers = (1002, 1003, 1004, 1005)
    for number, line in enumerate(lines):
        sent = await env.send(speakers[number % len(speakers)], line, chat_id=GROUP)
        first = first or sent
    # A command is still answered, and it is the only thing the bot said in the group.
    done = await env.say(1003, "/help", chat_id=GROUP, timeout=60)
    said = await env.bot_messages(GROUP, after=first - 1)
    assert [m["message_id"] for m in said] == [done["message_id"]], [m["text"] for m in said]
    assert await BookingDraft.all().count() == 0


async def test_in_a_group_the_bot_acts_on_mentions_and_replies_to_itself(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    card = await env.say(1004, f"{BOT} 明天下午3点到4点 2号会议室 项目评审", chat_id=GROUP)
    assert "2号会议室" in card["text"] and "15:00–16:00" in card["text"]
    assert BOT not in card["text"] and "@" not in card["text"]
    # Someone else talking about the same meeting is not read as anything.
    await env.send(1005, "明天下午3点的会我参加", chat_id=GROUP)
    # A reply to the bot's message is addressed to it.
    sent = await env.client.send_message(GROUP, 1004, "/foo",
                                         reply_to_message_id=card["message_id"])
    unknown = await env.client.wait_for_bot_message(GROUP, after=sent["message_id"])
    assert "没有 /foo 这个命令" in unknown["text"]
    assert len(await env.bot_messages(GROUP, after=card["message_id"])) == 1
    # A plain /foo in a group may be for another bot: no answer; /foo@this bot is answered.
    await env.send(1004, "/foo", chat_id=GROUP)
    again = await env.say(1004, f"/foo{BOT}", chat_id=GROUP)
    assert "没有 /foo 这个命令" in again["text"]
    assert len(await env.bot_messages(GROUP, after=card["message_id"])) == 2


async def test_talk_about_a_meeting_in_private_is_offered_a_booking_not_booked(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    offer = await env.say(1004, "明天下午开会要用的材料准备好了吗")
    assert offer["text"] == "要预订会议室吗？" and labels(offer) == ["📅 预订会议室"]
    assert await BookingDraft.all().count() == 0
    await env.press(1004, offer, button="📅 预订会议室")
    card = await env.client.wait_for_bot_message(1004, after=offer["message_id"])
    assert "11月27日" in card["text"]
    assert labels(await env.message(1004, offer["message_id"])) == []  # the question is answered
    # English, and a plain booking still books at once.
    offer_en = await env.say(1005, "明天几点开会？")
    assert offer_en["text"] == "Would you like to book a meeting room?"
    assert labels(offer_en) == ["📅 Book a room"]
    booked = await env.say(1005, "明天上午10点到11点 1号会议室 项目周会")
    assert "10:00–11:00" in booked["text"]


async def test_an_unknown_command_and_unread_text_are_answered_in_both_languages(
    env: Env,
) -> None:
    await _office(env)
    assert "没有 /foo 这个命令" in (await env.say(1004, "/foo"))["text"]
    assert "There is no command /foo" in (await env.say(1005, "/foo bar"))["text"]
    assert "这句话我没看懂" in (await env.say(1004, "今天天气不错"))["text"]
    assert "I did not understand that" in (await env.say(1005, "hello"))["text"]
    # A stranger hears how to join.
    await env.person(1009, "路人", role=None)
    assert "还没有登记" in (await env.say(1009, "你好"))["text"]
    # Known commands are answered once, by their feature only.
    help_msg = await env.say(1004, "/help")
    await env.say(1004, "/mybookings")
    assert not [m for m in await env.bot_messages(1004, after=help_msg["message_id"])
                if "没有 /" in (m.get("text") or "")]


async def test_an_open_supply_draft_does_not_swallow_a_booking(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    await seed_supplies()
    draft = await env.say(1004, "/supply A4纸 2包")
    assert "A4纸" in draft["text"]
    card = await env.say(1004, "明天下午3点到4点开会 2号会议室", contains="2号会议室")
    assert "15:00–16:00" in card["text"]
    kept = await env.client.wait_for_bot_message(1004, after=card["message_id"])
    assert "物品领用单草稿还开着" in kept["text"]
    assert len(await env.bot_messages(1004, after=draft["message_id"])) == 2
    request = await SupplyRequest.get(requester__tg_user_id=1004)
    assert request.status == RequestStatus.DRAFT
    # The draft still listens: the next item goes into it.
    more = await env.say(1004, "中性笔 5支")
    assert "A4纸" in more["text"] and "中性笔" in more["text"]
    # English: the draft is named in English.
    await env.say(1005, "/supply A4纸 1包")
    await env.say(1005, "明天下午3点到4点开会 3号会议室", contains="3号会议室")
    kept_en = await env.client.wait_for_bot_message(1005, contains="still open")
    assert "supply request draft" in kept_en["text"]


async def test_a_time_typed_in_the_change_dialog_moves_the_booking(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    card = await env.say(1004, "明天上午10点到11点 1号会议室 项目周会")
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get()
    mine = await env.say(1004, "/mybookings")
    await env.press(1004, mine, button=f"改时间 #{booking.id}")
    picker = await env.client.wait_for_bot_message(1004, after=mine["message_id"])
    moved = await env.say(1004, "后天下午3点到4点")
    assert moved["message_id"] != picker["message_id"]
    assert "11月28日" in moved["text"] and "15:00–16:00" in moved["text"]
    draft = await BookingDraft.filter(target_id=booking.id).order_by("-id").first()
    assert draft is not None and draft.step != DraftStep.DAY


async def test_arguments_the_bot_names_in_chinese_are_accepted_in_chinese(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    await seed_supplies()
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1006, "Admin EN", Role.ADMIN, "党政办", lang="en")
    stats = await env.say(1003, "/roomstats 本月", contains="2026-11-01")
    assert "2026-11-30" in stats["text"]
    last_month = await env.say(1003, "/roomstats 上月", contains="2026-10-01")
    assert "2026-10-31" in last_month["text"]
    # No records this month: the answer names the register and the period it read.
    ledger = await env.say(1003, "/ledger 入库", contains="入库登记台账")
    assert "2026-11-01 至 2026-11-30" in ledger["text"]
    year = await env.say(1003, "/ledger 领用签收 今年", contains="领用签收台账")
    assert "2026-01-01 至 2026-12-31" in year["text"]
    week = await env.say(1003, "/ledger 领用签收台账 上周", contains="领用签收台账")
    assert "2026-11-16 至 2026-11-22" in week["text"]
    invite = await env.say(1001, "/invite 职工 规划建设局", contains="t.me")
    assert "职工" in invite["text"]
    invite_en = await env.say(1006, "/invite 办公室", contains="t.me")
    assert "office" in invite_en["text"].lower()
    delegated = await env.say(1002, "/delegate 王管理 明天 下周五")
    assert "2026-11-27 至 2026-12-04" in delegated["text"]
    wrong = await env.say(1002, "/delegate 王管理 明天 某天")
    assert "“某天”无法识别" in wrong["text"] and "下周五" in wrong["text"]
    wrong_en = await env.say(1006, "/roomstats 某时")
    assert "Unknown period “某时”" in wrong_en["text"]


async def test_no_internal_code_reaches_people_in_either_language(
    env: Env, fixed_clock: FixedClock
) -> None:
    """The sandbox fails every end-to-end test whose messages show a code (tests/codes.py);
    these are the ones people saw."""
    await _office(env)
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    refused = await env.say(1004, "/invite 职工")
    assert "您的身份（职工）" in refused["text"]
    refused_en = await env.say(1005, "/invite staff")
    assert "(staff)" in refused_en["text"] and "Sorry" in refused_en["text"]
    card = await env.say(1004, "每周一上午10点到11点 1号会议室 周例会 共4次")
    assert "重复：每周一" in card["text"] and "FREQ" not in card["text"]
    card_en = await env.say(1005, "每个工作日上午9点到10点 3号会议室 晨会 共3次")
    assert "every working day" in card_en["text"]
    flows = await env.say(1001, "/flows")
    assert "采购" in flows["text"] and "purchase" not in flows["text"]
    assert "金额其余" not in flows["text"]


async def test_cancelling_from_my_bookings_asks_first_and_the_list_shows_what_is_left(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    for person, text in ((1004, "明天上午10点到11点 1号会议室 周例会"),
                         (1004, "明天下午2点到3点 2号会议室 碰头会"),
                         (1005, "明天下午4点到5点 3号会议室 Review")):
        card = await env.say(person, text)
        await env.press(person, card, button="✅ 确认预订" if person == 1004 else "✅ Confirm")
    one, two, three = await Booking.all().order_by("id")
    mine = await env.say(1004, "/mybookings")
    await env.press(1004, mine, button=f"取消 #{one.id}")
    ask = await env.message(1004, mine["message_id"])
    assert "确定取消预订" in ask["text"] and "周例会" in ask["text"]
    assert labels(ask) == ["✅ 确认取消", "↩️ 不取消"]
    kept = await env.press(1004, mine, button="↩️ 不取消")
    assert "保留" in (kept["answer"] or "")
    assert (await Booking.get(id=one.id)).status == "confirmed"
    back = await env.message(1004, mine["message_id"])
    assert f"取消 #{one.id}" in labels(back)
    await env.press(1004, mine, button=f"取消 #{one.id}")
    await env.press(1004, mine, button="✅ 确认取消")
    assert (await Booking.get(id=one.id)).status == "cancelled"
    after = await env.message(1004, mine["message_id"])
    assert "已取消预订" in after["text"] and "碰头会" in after["text"]
    assert f"取消 #{one.id}" not in labels(after) and f"取消 #{two.id}" in labels(after)
    # English: the same, worded in English.
    mine_en = await env.say(1005, "/mybookings")
    await env.press(1005, mine_en, button=f"Cancel #{three.id}")
    ask_en = await env.message(1005, mine_en["message_id"])
    assert "Cancel booking" in ask_en["text"]
    await env.press(1005, mine_en, button="✅ Yes, cancel")
    done_en = await env.message(1005, mine_en["message_id"])
    assert "cancelled" in done_en["text"] and not labels(done_en)


async def test_the_next_approver_sees_earlier_opinions_in_either_language(
    env: Env, fixed_clock: FixedClock
) -> None:
    from tests.e2e.test_supplies import _approve

    await _office(env)
    await seed_supplies()
    await env.person(1006, "Zhao", Role.OFFICE, "党政办", lang="en")
    await env.person(1007, "陈主任", Role.STAFF, "规划建设局", is_head=True)
    card = await env.say(1004, "/supply A4纸 2包 用途 归档")
    await env.press(1004, card, button="提交")
    await _approve(env, 1007, "A4纸")  # the department head
    await env.delivered()
    office = [m for m in await env.bot_messages(1003) if "A4纸" in (m.get("text") or "")]
    assert office and "前面的意见" in office[-1]["text"] and "陈主任" in office[-1]["text"]
    office_en = [m for m in await env.bot_messages(1006) if "A4纸" in (m.get("text") or "")]
    assert office_en and "Earlier opinions" in office_en[-1]["text"]


async def test_a_taken_room_names_its_holder_and_nearest_free_time(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    first = await env.say(1004, "明天上午10点到11点 2号会议室 周例会")
    await env.press(1004, first, button="✅ 确认预订")
    taken = await env.say(1003, "明天上午10点到11点 2号会议室 碰头会")
    assert "已被刘工预订" in taken["text"] and "11-27 11:00–12:00" in taken["text"]
    taken_en = await env.say(1005, "明天上午10点半到11点半 2号会议室 Review")
    assert "by 刘工" in taken_en["text"] and "nearest free time is 11-27 11:00–12:00" in taken_en[
        "text"]


async def test_an_approved_booking_is_told_once_in_either_language(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    for person, confirm in ((1004, "✅ 确认预订"), (1005, "✅ Confirm")):
        card = await env.say(person, "明天上午9点到11点 党工委会议室 招商推介会")
        await env.press(person, card, button=confirm)
        await env.delivered()
        approval = [m for m in await env.bot_messages(1003) if "招商推介会" in (m.get("text")
                                                                          or "")][-1]
        seen = len(await env.bot_messages(person))
        await env.press(1003, approval, button="同意")
        await env.delivered()
        told = (await env.bot_messages(person))[seen:]
        assert len(told) == 1, [m["text"] for m in told]  # not also “📣 审批 #N 已通过”
        assert ("审批通过" if person == 1004 else "approved") in told[0]["text"]
        # free the slot for the second person's booking
        await Booking.filter(title="招商推介会").update(status="cancelled")


async def test_a_time_outside_opening_hours_is_refused_for_that_reason(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    late = await env.say(1004, "今晚7点半到9点 开会 项目讨论")
    assert "开放时间" in late["text"] and "19:30–21:00 不在开放时间内" in late["text"]
    assert "没有符合要求的空闲会议室" not in late["text"]
    late_en = await env.say(1005, "今晚7点半到9点 开会 Review")
    assert "outside those hours" in late_en["text"]
    backwards = await env.say(1004, "明天下午3点到2点开会 1号会议室")
    assert "结束时间早于开始时间" in backwards["text"]


async def test_a_passed_weekday_and_an_unclear_year_are_answered_with_buttons(
    env: Env, fixed_clock: FixedClock
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    fixed_clock.set(datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # a Sunday
    await _office(env)
    card = await env.say(1004, "这周五下午3点到4点 1号会议室 周例会")
    assert "已经过去了" in card["text"]
    assert "📅 2026年12月11日 周五" in labels(card)
    await env.press(1004, card, button="📅 2026年12月11日 周五")
    moved = await env.message(1004, card["message_id"])
    assert "12月11日" in moved["text"] and "15:00–16:00" in moved["text"]
    year = await env.say(1005, "11月30日上午10点到11点 2号会议室 Review")
    assert "📅 Tue 30 Nov 2027" in labels(year) and "📅 Mon 30 Nov 2026" in labels(year)
    await env.press(1005, year, button=next(b for b in labels(year) if "2027" in b))
    chosen = await env.message(1005, year["message_id"])
    assert "10:00–11:00" in chosen["text"] and "30" in chosen["text"]


async def test_a_remark_about_a_room_without_a_time_starts_nothing(env: Env) -> None:
    await _office(env)
    for said in ("会议室钥匙在我这儿", "2号会议室的投影仪好像坏了"):
        answer = await env.say(1004, said)
        assert "没看懂" in answer["text"] and not labels(answer)
    assert await BookingDraft.all().count() == 0
    guided = await env.say(1004, "我想订个会议室")
    assert "请选择日期" in guided["text"]


async def test_the_admin_who_made_an_invite_hears_who_joined_in_their_language(
    env: Env,
) -> None:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1006, "Admin EN", Role.ADMIN, "党政办", lang="en")
    for admin, newcomer, name in ((1001, 1010, "小周"), (1006, 1011, "小吴")):
        await env.person(newcomer, name, role=None)
        reply = await env.say(admin, "/invite 职工 规划建设局", contains="t.me")
        token = next(w for w in reply["text"].split() if "start=" in w).split("start=")[1]
        await env.say(newcomer, f"/start {token}", contains="欢迎")
        await env.delivered()
        told = await env.client.wait_for_bot_message(admin, contains=name)
        assert ("已通过邀请链接加入，身份：职工（规划建设局）" if admin == 1001
                else "joined with an invite link, as staff") in told["text"]


async def test_a_withdraw_button_pressed_after_a_decision_leaves_the_card_as_it_stands(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    await seed_supplies()
    await env.person(1007, "陈主任", Role.STAFF, "规划建设局", is_head=True)
    for person, submit, withdraw, says in ((1004, "提交", "撤回", "领用单 #1 · 已驳回"),
                                           (1005, "Submit", "Withdraw",
                                            "Supply request #2 · rejected")):
        draft = await env.say(person, "/supply A4纸 2包 用途 归档")
        await env.press(person, draft, button=submit)
        await env.delivered()
        submitted = await env.message(person, draft["message_id"])
        stale = next(b["callback_data"] for row in submitted["reply_markup"]["inline_keyboard"]
                     for b in row if b["text"] == withdraw)
        card = [m for m in await env.bot_messages(1007) if "A4纸" in (m.get("text") or "")][-1]
        await env.press(1007, card, button="驳回")
        await env.say(1007, "本月已领过", contains="已驳回")
        await env.delivered()
        # the decision edits the requester's card: where it stands, no 撤回 any more
        now = await env.message(person, draft["message_id"])
        assert says in now["text"] and not labels(now), now
        # a press sent before the edit reached the person is answered, the card stays
        refused = await env.press(person, draft, data=stale)
        assert refused["answer"] and ("已驳回" in refused["answer"]
                                      or "rejected" in refused["answer"])
        assert await env.message(person, draft["message_id"]) == now
