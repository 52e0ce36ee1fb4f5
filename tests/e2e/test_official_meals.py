"""Ordinary official meals (公务用餐) recorded in one line with /yongcan: checked against the
reception rules (a breach is refused, not recorded), counted in the year's official meals
with the receptions' meals, in both languages."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from models.core import Role
from models.receptions import OfficialMeal
from services.clock import FixedClock
from tests.e2e.conftest import Env

OFFICE, CLERK_EN, STAFF = 1003, 1007, 1004


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    await env.client.reset_limits(private_rate=50, private_capacity=50)
    await env.person(OFFICE, "张秘书", Role.OFFICE, "党政办")
    await env.person(CLERK_EN, "Anna", Role.OFFICE, "党政办", lang="en")
    await env.person(STAFF, "刘工", Role.STAFF, "规划建设局")
    return env


async def test_a_meal_in_one_line_is_recorded_and_counted(office: Env) -> None:
    env = office
    done = await env.say(OFFICE, "/yongcan 11月24日 市发改委 6人 陪同3人 工作餐 标准150")
    assert "已登记公务用餐 #" in done["text"], done["text"]
    assert ("2026-11-24 市发改委，来宾6人、陪餐3人，工作餐，标准150元/人，合计1350元"
            in done["text"])
    assert "2026年累计公务接待用餐1次" in done["text"]
    meal = await OfficialMeal.get()
    assert (meal.unit, meal.guest_diners, meal.staff_diners, meal.kind) == ("市发改委", 6, 3,
                                                                           "工作餐")
    assert Decimal(meal.standard) == 150 and Decimal(meal.cost) == 1350
    assert meal.held_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat() == "2026-11-24"

    # English: the same record in the user's language; no date means today.
    done = await env.say(CLERK_EN, "/yongcan City DRC 12 guests 4 staff working meal "
                                   "standard 120")
    assert "Official meal #" in done["text"] and "2026-11-26 City DRC" in done["text"]
    assert "12 guest(s) and 4 host(s), 工作餐, 120 yuan per person, 1920 yuan" in done["text"]
    assert "2 official meal(s) so far in 2026" in done["text"], done["text"]

    # The year's reception ledger lists them on a sheet of their own.
    listing = await env.say(OFFICE, "/receptions 2026年11月")
    await env.press(OFFICE, listing, button="导出本年台账")
    sent = await env.client.wait_for_bot_message(OFFICE, after=listing["message_id"],
                                                 contains="公务接待台账")
    book = load_workbook(io.BytesIO(await env.client.file_bytes(sent["document"]["file_id"])))
    rows = list(book["公务用餐"].iter_rows(values_only=True))
    assert rows[2][:8] == ("序号", "日期", "来访单位", "餐别", "来宾人数", "陪餐人数",
                           "每人标准（元）", "费用（元）")
    assert rows[3][1:6] == (datetime(2026, 11, 24), "市发改委", "工作餐", 6, 3)
    assert rows[3][7] == 1350 and rows[4][2] == "City DRC" and rows[4][7] == 1920

    # /annual counts the quick meals with the receptions' meals.
    summary = await env.say(OFFICE, "/annual 2026", contains="工作总结", timeout=30)
    assert "安排公务接待用餐2次" in summary["text"], summary["text"]


async def test_a_meal_that_breaks_the_rules_is_refused_politely(office: Env) -> None:
    env = office
    over = await env.say(OFFICE, "/yongcan 11月24日 市发改委 6人 陪同3人 工作餐 标准200")
    assert "未登记" in over["text"] and "超过了每人150元的上限" in over["text"], over["text"]
    many = await env.say(OFFICE, "/yongcan 市环保局 4人 陪同5人 标准100")
    assert "来宾4人时陪餐最多3人，您填写了5人" in many["text"], many["text"]
    future = await env.say(OFFICE, "/yongcan 12月3日 市环保局 4人 标准100")
    assert "2026-12-03还没有到" in future["text"], future["text"]
    bad_day = await env.say(OFFICE, "/yongcan 2月30日 市环保局 4人 标准100")
    assert "日期“2月30日”不存在" in bad_day["text"], bad_day["text"]
    usage = await env.say(OFFICE, "/yongcan 市环保局 标准100")
    assert "用法：/yongcan" in usage["text"]
    assert "用法：/yongcan" in (await env.say(OFFICE, "/yongcan"))["text"]
    english = await env.say(CLERK_EN, "/yongcan City DRC 4 guests 5 staff standard 100")
    assert "at most 3 host(s) may dine; you wrote 5" in english["text"], english["text"]
    english = await env.say(CLERK_EN, "/yongcan City DRC 4 guests standard 300")
    assert "above the cap of 150 yuan" in english["text"], english["text"]
    refused = await env.say(STAFF, "/yongcan 11月24日 市发改委 6人 标准100")
    assert "公务用餐" not in refused["text"]
    assert await OfficialMeal.all().count() == 0
