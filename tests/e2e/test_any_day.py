"""The bot on any day: on the real clock, and in a year the holiday calendar does not know."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import scheduler.runner
from models.core import OutboxMessage, Role
from models.rooms import Booking, BookingStatus
from services import clock, workdays
from services.clock import FixedClock
from services.rooms import RULES
from services.rooms.demo import seed_demo
from tests.e2e.conftest import Env

#: A year chinese-calendar will not know for a long time (the test checks it).
UNKNOWN_YEAR = 2031


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=RULES.zone).astimezone(UTC)


async def test_in_an_unknown_year_workdays_are_monday_to_friday_and_booking_goes_on(
    env: Env, fixed_clock: FixedClock
) -> None:
    assert not workdays.known_year(UNKNOWN_YEAR)
    await seed_demo()
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    monday = date(UNKNOWN_YEAR, 1, 6)
    assert monday.weekday() == 0
    # The first tick of the day warns the admin; the next days' ticks do not repeat it.
    for offset in range(3):
        now = _at(monday + timedelta(days=offset), 9, 1)
        fixed_clock.set(now)
        await scheduler.runner.tick(env.runtime.settings, now)
    await env.delivered()
    warnings = await OutboxMessage.filter(kind="reports.calendar_unknown").values_list(
        "payload", flat=True)
    assert [w["year"] for w in warnings] == [UNKNOWN_YEAR]  # type: ignore[index]
    warning = await env.client.wait_for_bot_message(1001, contains=f"{UNKNOWN_YEAR}年的节假日安排")
    assert "officebot calendar load" in warning["text"]
    assert [workdays.is_workday(monday + timedelta(days=i)) for i in range(7)] == [
        True, True, True, True, True, False, False]

    # Wednesday: book Thursday afternoon, then a Saturday; neither is refused.
    fixed_clock.set(_at(monday + timedelta(days=2), 10))
    card = await env.say(1004, "/book 明天下午3点到4点 1号会议室 周例会")
    assert "15:00–16:00" in card["text"], card["text"]
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get(title="周例会")
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.start_at == _at(monday + timedelta(days=3), 15)
    card = await env.say(1004, "/book 周六上午10点到11点 1号会议室 加班评审")
    assert "是周末，不是工作日" in card["text"]  # said, and booked on the press
    await env.press(1004, card, button="✅ 仍然预订（休息日）")
    saturday = await Booking.get(title="加班评审")
    assert saturday.start_at == _at(monday + timedelta(days=5), 10)
    todo = await env.say(1001, "/todo")
    assert str(UNKNOWN_YEAR) in todo["text"]


async def test_on_the_real_clock_dates_come_from_the_day_the_bot_runs_on(
    env: Env, real_clock: object
) -> None:
    """No fixed date: under CI's shifted clock this runs the bot in another year."""
    await seed_demo()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    today = clock.now().astimezone(RULES.zone).date()
    # A day a week on is never past and never needs the year asked.
    day = today + timedelta(days=7)
    while not workdays.is_workday(day):  # a day off asks to be confirmed as such
        day += timedelta(days=1)
    card = await env.say(
        1004, f"/book {day.year}年{day.month}月{day.day}日下午3点到4点 1号会议室 真实日期")
    assert "15:00–16:00" in card["text"], card["text"]
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get(title="真实日期")
    assert booking.start_at.astimezone(RULES.zone).date() == day
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    sent = await env.client.send_message(1003, 1003, "/ledger stock last_month")
    ledger = await env.client.wait_for_bot_message(1003, after=sent["message_id"])
    text = ledger.get("caption") or ledger.get("text") or ""
    assert last_month_end.replace(day=1).isoformat() in text, text
    assert last_month_end.isoformat() in text, text
