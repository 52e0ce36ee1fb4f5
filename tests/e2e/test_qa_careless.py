"""A careless user's pass over supplies, reports and the platform: what they type comes back
readable, errors say what to do, and nothing crashes."""

from __future__ import annotations

import re

from models.core import Role, Staff
from models.supplies import SupplyItem, SupplyRequest
from services.clock import FixedClock
from tests.e2e.conftest import Env
from tests.e2e.test_supplies import _office


async def test_unknown_item_with_angle_brackets_is_named_back_not_a_crash(env: Env) -> None:
    env.expect_literal_markup()
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


async def test_huge_request_and_entry_numbers_are_not_found_not_a_crash(env: Env) -> None:
    await _office(env)
    reply = await env.say(1003, "/issue 99999999999999999999 A4纸 1包 原因 库存不足")
    assert "没有找到领用单 #99999999999999999999" in reply["text"]
    reply = await env.say(1003, "/stockin 更正 99999999999999999999 -2 原因 点错")
    assert "没有找到入库单 #99999999999999999999" in reply["text"]


async def test_stock_of_300_items_fits_one_message_and_says_how_many_are_left_out(
    env: Env,
) -> None:
    await _office(env)
    await env.person(1007, "Tom", Role.STAFF, "IT", lang="en")
    total = await SupplyItem.all().count() + 300
    for i in range(300):
        await SupplyItem.create(name=f"测试物品<{i:03d}>号😀", initials=f"cs{i:03d}", unit="个",
                                spec="规格ABCDEFG", location="一楼库房B柜第三层", safety_stock=5)
    listing = (await env.say(1003, "/stock"))["text"]
    assert len(listing.encode("utf-16-le")) // 2 <= 4096
    assert listing.startswith(f"📦 库存（{total} 种）")
    assert "测试物品<000>号😀（规格ABCDEFG）：0个（安全 5）" in listing
    body, _, note = listing.partition("\n……")
    shown = len(body.split("\n")) - 1
    assert 0 < shown < total
    assert note.startswith(f"另有 {total - shown} 种未列出")
    assert "/stock add" in note  # the office's help still comes last
    assert body.endswith("一楼库房B柜第三层")  # the last item shown is whole
    book = (await env.say(1003, "/stocktake"))["text"]
    assert len(book.encode("utf-16-le")) // 2 <= 4096 and "种未列出" in book
    english = (await env.say(1007, "/stock"))["text"]
    assert "more not shown" in english and "种" not in english.split("\n")[-1]


async def test_names_with_angle_brackets_show_in_welcome_staff_list_and_card(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    odd = await env.person(1009, "<Tom & Co>", Role.STAFF, "A&B<部>")
    assert odd is not None
    welcome = await env.say(1009, "/start")
    assert "您好，<Tom & Co>！" in welcome["text"] and "A&B<部>" in welcome["text"]
    listing = await env.say(1001, "/staff")
    assert f"{odd.id}. <Tom & Co> · 职工 · A&B<部>" in listing["text"]
    card = await env.say(1001, f"/staff {odd.id}")
    assert card["text"].startswith("<Tom & Co>\n") and "部门：A&B<部>" in card["text"]
    answer = await env.press(1001, card, button="设为办公室")
    assert answer["answer"] == "已将<Tom & Co>的身份改为办公室。"
    edited = await env.message(1001, card["message_id"])
    assert edited["text"].endswith("✅ 已将<Tom & Co>的身份改为办公室。")
    assert (await Staff.get(id=odd.id)).role == Role.OFFICE


async def test_staff_number_too_long_for_the_database_is_not_found(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    reply = await env.say(1001, "/staff 99999999999999999999")
    assert "没有找到编号为99999999999999999999的人员" in reply["text"]


async def test_english_weekly_report_has_no_chinese_measure_words(env: Env) -> None:
    await env.person(1010, "Ann", Role.OFFICE, "Office", lang="en")
    report = await env.say(1010, "/weekly")
    assert "Meetings arranged: 0 (same as last week)" in report["text"]
    assert not re.search(r"[\u4e00-\u9fff]", report["text"]), report["text"]
    assert "Reception cost: 0 yuan (same as last week)" in report["text"]


async def test_english_ledger_usage_names_periods_an_english_speaker_can_type(
        env: Env, fixed_clock: FixedClock) -> None:
    await env.person(1010, "Ann", Role.OFFICE, "Office", lang="en")
    usage = await env.say(1010, "/ledger")
    assert "last_month, this_year" in usage["text"]
    assert not re.search(r"[\u4e00-\u9fff]", usage["text"]), usage["text"]
    empty = await env.say(1010, "/ledger stock last_month")  # no item yet: said, not sent
    assert empty.get("document") is None
    assert "Stock register (Period: 2026-10-01 to 2026-10-31) has no records" in empty["text"]
    await SupplyItem.create(name="A4纸", unit="包")
    caption = await env.client.wait_for_bot_message(
        1010, after=(await env.client.send_message(1010, 1010, "/ledger stock last_month"))[
            "message_id"], timeout=8)
    assert "(2026-10-01 to 2026-10-31)" in (caption.get("caption") or ""), caption
