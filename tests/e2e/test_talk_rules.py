"""Careful in conversation (issue 17, point 9): a recurring booking's preview applies every rule
the booking applies and names each kind it skips; a day off is said, and booked only on a press."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from models.core import Role
from models.rooms import Booking
from services.clock import FixedClock
from services.rooms.demo import seed_demo as seed_rooms
from tests.e2e.conftest import Env


def labels(msg: dict) -> list[str]:
    markup = msg.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_recurring_preview_names_the_booking_window_and_counts_what_gets_booked(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_rooms()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局", lang="en")
    blocker = await env.say(1005, "/book 12月7日上午10点到11点 1号会议室 占用")
    await env.press(1005, blocker, button=labels(blocker)[0])
    assert await Booking.all().count() == 1
    # Mondays from 11-30: 11-30, 12-07 (taken), 12-14, 12-21 within 30 days, then four past it
    card = await env.say(1004, "/book 每周一上午10点到11点 1号会议室 周例会 共8次")
    text = card["text"]
    assert "共 8 次，可预订 3 次。" in text
    assert "将跳过：4 次超出提前 30 天的预订期限，1 次已被占用。" in text
    assert "✗ 12月7日 周一 10:00–11:00（已被占用）" in text
    assert "✗ 12月28日 周一 10:00–11:00（超出预订期限）" in text
    await env.press(1004, card, button="✅ 预订其余 3 次")
    assert await Booking.filter(title="周例会").count() == 3  # what the preview said
    done = await env.message(1004, card["message_id"])
    assert "已预订 3 次" in done["text"]
    assert "跳过：4 次超出提前 30 天的预订期限，1 次已被占用。" in done["text"]
    # the same in English
    card = await env.say(1005, "/book 每周二上午10点到11点 1号会议室 weekly 共6次")
    assert "6 occurrences, 4 can be booked." in card["text"], card["text"]
    assert "Skipped: 2 beyond the 30-day booking window." in card["text"]


async def test_a_booking_on_a_day_off_says_so_and_books_only_when_confirmed(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_rooms()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局", lang="en")
    card = await env.say(1004, "/book 11月29日上午10点到11点 1号会议室 加班碰头会")
    assert "2026年11月29日 周日是周末，不是工作日" in card["text"]
    assert "✅ 仍然预订（休息日）" in labels(card)
    assert await Booking.all().count() == 0  # nothing booked before the press
    await env.press(1004, card, button="✅ 仍然预订（休息日）")
    assert await Booking.filter(title="加班碰头会").count() == 1
    # a public holiday on a weekday: National Day, 2026-10-01 (a Thursday)
    fixed_clock.set(datetime(2026, 9, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    card = await env.say(1005, "/book 2026-10-01 10:00-11:00 1号会议室 holiday talk")
    assert "is a public holiday, not a workday" in card["text"], card["text"]
    assert "✅ Book anyway (day off)" in labels(card)
    assert await Booking.filter(title="holiday talk").count() == 0
    # a workday books with the plain button
    card = await env.say(1004, "/book 9月29日上午10点到11点 1号会议室 平常会")
    assert "不是工作日" not in card["text"] and "✅ 确认预订" in labels(card)


def test_the_meals_of_a_reception_approval_are_a_sentence_in_both_languages() -> None:
    """The approval card's 工作餐 detail (stored as figures) in each reader's language; the
    Chinese card is checked end to end in tests/e2e/test_receptions.py."""
    import json

    import handlers.views.receptions  # noqa: F401  (registers the wording)
    from handlers.views.approvals import detail_value

    stored = json.dumps({"meals": 1, "guests": 6, "staff": 3, "standard": "150.00",
                         "cost": "1350.00"})
    assert detail_value("receptions.f.meals", stored, "zh") == (
        "1次，来宾6人＋陪餐3人，标准150元/人（预计1350元）")
    assert detail_value("receptions.f.meals", stored, "en") == (
        "1 meal(s) for 6 guests and 3 accompanying staff at 150 yuan each (about 1350 yuan)")
    assert detail_value("receptions.f.meals", json.dumps({"meals": 0}), "en") == "none"
    # a request stored before the change is shown as it was written
    assert detail_value("receptions.f.meals", "1 × (6+3) × 150.00", "zh") == "1 × (6+3) × 150.00"


async def test_approvers_and_requesters_see_the_things_own_number(
    env: Env, fixed_clock: FixedClock
) -> None:
    """Point 8: 领用单 #2 on the approval card, the answer to 同意 and the result, never the
    approval's own number (kept inside button data)."""
    from models.supplies import SupplyRequest
    from services import approvals
    from services.supplies.demo import seed_demo as seed_supplies

    await seed_rooms()
    await seed_supplies()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "Chen", Role.STAFF, "规划建设局", lang="en")
    await env.person(1007, "陈主任", Role.STAFF, "规划建设局", is_head=True)
    # a booking that needs approval first, so the request's number and its approval's differ
    booking = await env.say(1004, "/book 明天上午10点到11点 党工委会议室 碰头会")
    await env.press(1004, booking, button=labels(booking)[0])
    draft = await env.say(1004, "/supply A4纸 2包 用途 归档")
    await env.press(1004, draft, button="提交")
    request = await SupplyRequest.filter(purpose="归档").get()
    approval = await approvals.find("supply_request", request.id)
    assert approval is not None and approval.id != request.id
    await env.delivered()
    card = [m for m in await env.bot_messages(1007) if "A4纸 2" in (m.get("text") or "")][-1]
    assert card["text"].startswith(f"📝 领用单 #{request.id}\n"), card["text"]
    assert "审批 #" not in card["text"]
    assert f":{approval.id}" in str(card["reply_markup"])  # the approval's only in the data
    answer = await env.press(1007, card, button="同意")
    assert f"领用单 #{request.id}" in (answer["answer"] or "")
    mine = await env.say(1004, "/myrequests")
    assert f"领用单 #{request.id}" in mine["text"] and "审批 #" not in mine["text"]
    # English
    draft = await env.say(1005, "/supply A4纸 1包 用途 filing")
    await env.press(1005, draft, button="Submit")
    mine = await env.say(1005, "/myrequests")
    assert "Supply request #" in mine["text"] and "Approval #" not in mine["text"]


async def test_an_english_approver_given_a_transfer_sees_who_passed_it_on_and_why(
    env: Env, fixed_clock: FixedClock
) -> None:
    """Point 12 in English: the card passed on says who and why, in the reader's language."""
    from services.supplies.demo import seed_demo as seed_supplies

    await seed_supplies()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "Chen", Role.STAFF, "规划建设局", lang="en")
    await env.person(1007, "陈主任", Role.STAFF, "规划建设局", is_head=True)
    draft = await env.say(1004, "/supply A4纸 2包 用途 归档")
    await env.press(1004, draft, button="提交")
    await env.delivered()
    card = [m for m in await env.bot_messages(1007) if "A4纸 2" in (m.get("text") or "")][-1]
    await env.press(1007, card, button="转交")
    picker = await env.client.wait_for_bot_message(1007, contains="转交")
    await env.press(1007, picker, button="Chen")
    done = await env.say(1007, "我出差，请陈科代批")
    assert "已转交给Chen" in done["text"]
    await env.delivered()
    passed = [m for m in await env.bot_messages(1005) if "A4纸 2" in (m.get("text") or "")][-1]
    assert passed["text"].startswith(
        "↪️ 陈主任 passed this on to you. Reason: 我出差，请陈科代批\n📝 Supply request #1\n")
    assert "Approve" in labels(passed)
