"""Careless users on rooms and approvals: every slip gets a clear answer, nothing breaks."""

from __future__ import annotations

from models.core import Role
from models.rooms import Room
from services.clock import FixedClock
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
