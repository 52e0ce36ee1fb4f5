"""A button pressed on a card whose text cannot be replaced (a photo, a file) still answers."""

from __future__ import annotations

import logging

import pytest

from handlers import callback as cb
from models.core import Role, Staff
from services.clock import FixedClock
from services.rooms.demo import seed_demo
from tests.e2e.conftest import Env


async def test_a_language_button_pressed_on_a_chart_answers_with_a_new_message(
    env: Env, fixed_clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    await seed_demo()
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    schedule = await env.say(1004, "/rooms 明天")
    photo = await env.client.wait_for_bot_message(1004, after=schedule["message_id"])
    assert photo.get("photo") and not photo.get("text")
    await env.client.press(1004, 1004, photo["message_id"], data=cb.encode("lang", "set", "en"))
    answer = await env.client.wait_for_bot_message(1004, after=photo["message_id"])
    assert answer.get("text") == "Switched to English.", answer
    assert (await Staff.get(tg_user_id=1004)).lang == "en"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
