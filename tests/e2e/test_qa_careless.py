"""A careless user's pass over supplies, reports and the platform: what they type comes back
readable, errors say what to do, and nothing crashes."""

from __future__ import annotations

from models.supplies import SupplyRequest
from tests.e2e.conftest import Env
from tests.e2e.test_supplies import _office


async def test_unknown_item_with_angle_brackets_is_named_back_not_a_crash(env: Env) -> None:
    await _office(env)
    reply = await env.say(1004, "/supply <b 2包")
    assert "目录里没有“<b”" in reply["text"]
    reply = await env.say(1004, "/supply A&B <i> 2包")
    assert "A&B <i>" in reply["text"]


async def test_button_alert_shows_plain_text_without_html_tags(env: Env) -> None:
    await _office(env)
    draft = await env.say(1004, "/supply A4纸 2包")
    answer = await env.press(1004, draft, button="提交")
    assert answer["answer"] == "请补充用途：发送 用途 部门会议（物品已保存）。"
    assert (await SupplyRequest.get(requester__tg_user_id=1004)).status.value == "draft"
