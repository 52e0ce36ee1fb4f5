"""Charts are drawn off the event loop, and a picture already drawn is not drawn again."""

from __future__ import annotations

import asyncio
import threading

import pytest

from handlers import rooms_charts
from handlers.views import charts
from models.core import Role
from services.clock import FixedClock
from services.rooms.demo import seed_demo
from tests.e2e.conftest import Env


@pytest.fixture
def drawings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread each timeline was drawn in (an empty picture cache to start with)."""
    seen: list[str] = []
    draw = rooms_charts.timeline_png

    def counted(*args: object) -> bytes:
        seen.append(threading.current_thread().name)
        return draw(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rooms_charts, "timeline_png", counted)
    monkeypatch.setattr(charts, "_drawn", type(charts._drawn)())
    return seen


async def _schedule_with_photo(env: Env, who: int, text: str) -> tuple[dict, dict]:
    schedule = await env.say(who, text)
    photo = await env.client.wait_for_bot_message(who, after=schedule["message_id"])
    assert photo.get("photo"), photo
    return schedule, photo


async def test_the_same_days_schedule_is_drawn_once_until_a_booking_changes_it(
    env: Env, fixed_clock: FixedClock, drawings: list[str]
) -> None:
    await seed_demo()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await _schedule_with_photo(env, 1003, "/rooms 明天")
    await _schedule_with_photo(env, 1004, "/rooms 明天")  # another person, the same picture
    assert len(drawings) == 1
    assert all(name.startswith("charts") for name in drawings), drawings
    assert threading.current_thread().name not in drawings
    card = await env.say(1004, "/book 明天上午10点到11点 1号会议室 周例会")
    await env.press(1004, card, button="✅ 确认预订")
    schedule, _ = await _schedule_with_photo(env, 1003, "/rooms 明天")
    assert "周例会" in schedule["text"]
    assert len(drawings) == 2  # the booking changed the day: drawn again, once
    await _schedule_with_photo(env, 1003, "/rooms 后天")
    assert len(drawings) == 3


async def test_other_people_are_answered_while_a_chart_is_being_drawn(
    env: Env, fixed_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow chart (a big month) holds only its own chat, never the event loop."""
    await seed_demo()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    release = threading.Event()
    draw = rooms_charts.timeline_png

    def slow(*args: object) -> bytes:
        release.wait(20)
        return draw(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rooms_charts, "timeline_png", slow)
    monkeypatch.setattr(charts, "_drawn", type(charts._drawn)())
    schedule = await env.say(1003, "/rooms 明天")
    try:
        helped = await env.say(1004, "/help")  # answered while the chart is still drawing
        assert "/book" in helped["text"]
    finally:
        release.set()
    photo = await env.client.wait_for_bot_message(1003, after=schedule["message_id"])
    assert photo.get("photo")
    await asyncio.sleep(0)
