"""Numbers that add up (issue 18) in the reports and the other workbooks, end to end: /weekly and
/annual count lines and money, never "19件" of packs and pens; its chart gives each figure its
own axis; the room usage workbook and the reception list have a title, the period, typed cells
and print setup; an empty month is said in words."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import load_workbook
from PIL import Image

from services.clock import FixedClock
from services.rooms.demo import seed_demo as seed_rooms
from tests.e2e.conftest import Env
from tests.e2e.test_supplies import _office, hand_out


async def test_weekly_and_annual_count_lines_and_money_not_a_sum_of_units(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    # 3 packs of paper (25 yuan each) and 5 pens (2 yuan each): two lines worth 85 yuan.
    await hand_out(env, "A4纸 3包，中性笔 5支", "会议", sign=True)
    weekly = await env.say(1002, "/weekly", contains="周报")
    text = weekly["text"]
    assert "发放物品：2种次" in text and "出库物品价值：85元" in text
    assert "件" not in text.split("发放物品")[1].split("\n")[0]
    chart = await env.client.wait_for_bot_message(1002, after=weekly["message_id"])
    image = Image.open(io.BytesIO(await env.client.file_bytes(chart["photo"][-1]["file_id"])))
    assert image.format == "PNG" and 600 <= image.size[0] <= 2000 and image.size[1] <= 2600

    started = await env.say(1003, "/annual 2026")
    docx_msg = await env.client.wait_for_bot_message(1003, after=started["message_id"],
                                                     contains="Word", timeout=30)
    xlsx_msg = await env.client.wait_for_bot_message(1003, after=docx_msg["message_id"],
                                                     contains="Excel", timeout=30)
    done = await env.message(1003, started["message_id"])
    assert "发放物品2种次、出库物品价值85元" in done["text"]
    docx = Document(io.BytesIO(await env.client.file_bytes(docx_msg["document"]["file_id"])))
    table = {row.cells[0].text: (row.cells[1].text, row.cells[2].text)
             for row in docx.tables[0].rows}
    assert table["发放物品"] == ("2", "种次") and table["出库物品价值"] == ("85", "元")
    book = load_workbook(io.BytesIO(await env.client.file_bytes(
        xlsx_msg["document"]["file_id"])))
    totals = {r[0]: r[1:] for r in book["全年数字"].iter_rows(min_row=4, values_only=True)}
    assert totals["发放物品"] == (2, "种次") and totals["出库物品价值"] == (85, "元")
    assert book["全年数字"].page_setup.orientation == "landscape"


async def test_room_usage_workbook_has_a_title_the_period_and_typed_cells(
    env: Env, fixed_clock: FixedClock
) -> None:
    from models.core import Role

    await seed_rooms()
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    card = await env.say(1003, "/book 明天上午10点到11点 1号会议室 周例会")
    await env.press(1003, card, button="✅ 确认预订")
    stats = await env.say(1003, "/roomstats week")
    chart = await env.client.wait_for_bot_message(1003, after=stats["message_id"])
    assert chart["photo"]
    doc = await env.client.wait_for_bot_message(1003, after=chart["message_id"])
    sheet = load_workbook(io.BytesIO(await env.client.file_bytes(
        doc["document"]["file_id"]))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "会议室使用统计" and rows[1][0] == "期间：2026-11-23 至 2026-11-29"
    assert rows[2] == ("会议室", "会议场次", "预订小时", "开放小时", "使用率")
    first = next(r for r in rows[3:] if r[0] == "1号会议室")
    assert first[1] == 1 and first[2] == 1 and isinstance(first[4], float)
    assert sheet.cell(row=4, column=5).number_format == "0.0%"
    assert rows[-1][0].startswith("合计") and rows[-1][1] == 1
    assert sheet.print_title_rows == "$1:$3" and sheet.page_setup.orientation == "landscape"


async def test_an_empty_month_of_receptions_is_said_in_words_not_sent_as_a_file(
    env: Env, fixed_clock: FixedClock
) -> None:
    from models.core import Role

    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    listing = await env.say(1003, "/receptions")
    answer = await env.press(1003, listing, button="导出本月清单")
    assert "没有任何记录" in (answer["answer"] or "")
    after = [m for m in await env.bot_messages(1003, after=listing["message_id"])
             if m.get("document")]
    assert after == []
