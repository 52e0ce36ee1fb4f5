"""One-line bookings in everyday office phrasing, end to end: the card, the questions, the rows."""

from __future__ import annotations

from datetime import datetime

from models.core import Role
from models.rooms import Booking, BookingDraft, DraftStep
from services.clock import FixedClock
from services.rooms import RULES
from services.rooms.demo import seed_demo
from tests.e2e.conftest import Env


def _local(at: datetime) -> str:
    """Return a stored time as office wall-clock text."""
    return at.astimezone(RULES.zone).strftime("%Y-%m-%d %H:%M")


async def test_an_end_before_the_start_is_asked_back_and_the_answer_keeps_the_day(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 明天下午3点到2点 1号会议室 项目评审")
    assert "“明天下午3点到2点”的结束时间早于开始时间" in card["text"]
    assert "项目评审" in card["text"]
    assert "02:00" not in card["text"]  # never rolled past midnight
    draft = await BookingDraft.get()
    assert (draft.step, draft.question) == (DraftStep.ASK, "end_before_start")
    card = await env.say(1004, "下午3点到4点")
    assert "11月27日" in card["text"] and "15:00–16:00" in card["text"]
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get()
    assert (_local(booking.start_at), _local(booking.end_at), booking.title) == (
        "2026-11-27 15:00", "2026-11-27 16:00", "项目评审")


async def test_weekdays_with_every_day_book_a_series_over_those_days(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 下周一到周五每天上午9点 1号会议室 晨会 半小时")
    assert "共 5 次" in card["text"] and "晨会" in card["text"]
    assert "11月30日 周一 09:00–09:30" in card["text"]
    assert "12月4日 周五 09:00–09:30" in card["text"]
    await env.press(1004, card, button="✅ 确认预订")
    bookings = await Booking.filter(title="晨会").order_by("start_at")
    assert [_local(b.start_at) for b in bookings] == [
        f"2026-{d} 09:00" for d in ("11-30", "12-01", "12-02", "12-03", "12-04")
    ]
    assert {_local(b.end_at)[-5:] for b in bookings} == {"09:30"}


async def test_last_workday_of_the_month_uses_the_official_calendar(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 月底最后一个工作日下午两点到四点 1号会议室 月度总结")
    assert "11月30日" in card["text"] and "14:00–16:00" in card["text"]
    assert "月度总结" in card["text"] and "工作日" not in card["text"]
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get()
    assert (_local(booking.start_at), booking.title) == ("2026-11-30 14:00", "月度总结")


async def test_last_workday_skips_a_weekend_that_ends_the_month(
    env: Env, fixed_clock: FixedClock
) -> None:
    # January 2026 ends on a Saturday (and the official calendar moves no workday there)
    fixed_clock.set(datetime(2026, 1, 5, 10, 0, tzinfo=RULES.zone))
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 月底最后一个工作日上午10点到11点 1号会议室 月度总结")
    assert "1月30日" in card["text"] and "10:00–11:00" in card["text"]


async def test_a_dotted_month_and_day_before_a_time_is_the_date_not_the_subject(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 12.10 下午3点到4点 1号会议室 预算评审")
    assert "12月10日" in card["text"] and "15:00–16:00" in card["text"]
    await env.press(1004, card, button="✅ 确认预订")
    booking = await Booking.get()
    assert (_local(booking.start_at), booking.title) == ("2026-12-10 15:00", "预算评审")


async def test_words_that_are_not_the_subject_stay_out_of_it(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 明天下午两点开始，大概一个半小时 1号会议室 项目碰头会")
    assert "14:00–15:30" in card["text"]
    draft = await BookingDraft.get()
    assert draft.title == "项目碰头会"
    card = await env.say(1004, "明天上午10点左右 要用一下会议室 15人 党建学习")
    draft = await BookingDraft.filter(step__not=DraftStep.DROPPED).get()
    assert (draft.title, draft.attendees, draft.unknown_room) == ("党建学习", 15, "")
    assert "10:00" in card["text"] and "党建学习" in card["text"]
    assert "大概" not in card["text"] and "一下" not in card["text"]


async def test_a_booking_line_with_two_days_asks_which_one(
    env: Env, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    card = await env.say(1004, "/book 明天下午3点开会，后天也行 1号会议室 方案讨论")
    assert "“后天”" in card["text"]
    assert await Booking.all().count() == 0
    card = await env.say(1004, "后天下午3点到4点")
    assert "11月28日" in card["text"] and "15:00–16:00" in card["text"]
    draft = await BookingDraft.filter(step__not=DraftStep.DROPPED).get()
    assert draft.title == "方案讨论"
