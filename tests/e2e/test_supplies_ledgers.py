"""Numbers that add up (issue 18), supplies end to end: 一键入库 at the purchase's real prices from
the chosen supplier, the stock register's 期初/入库/出库/期末, workbooks an inspector can read,
no sums of different units, an empty period answered in words, the low-stock alert's three
figures."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from models.supplies import Purchase, PurchaseStatus, StockIn, SupplyItem
from services.clock import FixedClock
from tests.e2e.conftest import Env
from tests.e2e.test_supplies import _approve, _buttons, _item, _office, hand_out

OCTOBER = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


async def _book(env: Env, command: str, user: int = 1003) -> Worksheet:
    doc = await env.say(user, command)
    assert doc.get("document"), doc.get("text")
    data = await env.client.file_bytes(doc["document"]["file_id"])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return sheet


def _table(sheet: Worksheet) -> tuple[list[Any], list[list[Any]], list[list[Any]]]:
    """The header row, the body rows and the total rows (those starting 小计 / 合计)."""
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    header, rest = rows[0], [r for r in rows[1:] if any(v is not None for v in r)]
    totals = [r for r in rest if isinstance(r[0], str) and r[0].startswith(("小计", "合计"))]
    body = [r for r in rest if r not in totals and not (isinstance(r[0], str)
                                                         and r[0].startswith("说明"))]
    return header, body, totals


def _col(header: list[Any], title: str) -> int:
    return header.index(title)


def _inspectable(sheet: Worksheet, title: str) -> None:
    """A title row, the period, print setup for A4 landscape with the header on each page."""
    assert sheet["A1"].value == title
    assert str(sheet["A2"].value).startswith("期间：2026-11-01 至 2026-11-30")
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == str(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$3"


async def test_one_click_stock_in_takes_the_chosen_supplier_and_the_real_prices(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    toner, paper = await _item("硒鼓"), await _item("A4纸")
    sent = await env.say(1003, "/purchase 硒鼓 4个，A4纸 20包 金额 6000 方式 询价 "
                               "报价 得力6000，晨光6100，齐心6150")
    assert "已提交审批" in sent["text"]
    purchase = await Purchase.get()
    assert (purchase.supplier, purchase.amount, purchase.estimated) == ("得力", 6000, False)
    await _approve(env, 1006, "硒鼓")  # 6000 needs the office, then a leader
    await _approve(env, 1002, "硒鼓")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2001, contains=f"采购单 #{purchase.id}")
    assert "供应商：得力" in card["text"] and _buttons(card) == ["一键入库"]

    # Only the total is known for two lines: the bot asks for each line's cost.
    answer = await env.press(1003, card, button="一键入库", chat_id=-2001)
    assert "金额" in (answer["answer"] or "")
    ask = await env.client.wait_for_bot_message(-2001, after=card["message_id"],
                                                contains="实际金额")
    assert f"/purchase {purchase.id} 入库 硒鼓 …元，A4纸 …元" in ask["text"]
    assert not await StockIn.exists()
    wrong = await env.say(1003, f"/purchase {purchase.id} 入库 硒鼓 1440元，A4纸 4000元")
    assert "不符" in wrong["text"] and not await StockIn.exists()
    done = await env.say(1003, f"/purchase {purchase.id} 入库 硒鼓 1440元，A4纸 4560元")
    assert "已全部入库" in done["text"] and "供应商：得力" in done["text"]

    entries = await StockIn.filter(purchase_id=purchase.id).order_by("id")
    assert [(e.supplier, e.quotes) for e in entries] == [("得力", []), ("得力", [])]
    assert [(e.quantity, e.unit_price, e.amount) for e in entries] == [
        (4, Decimal("360.00"), Decimal("1440.00")), (20, Decimal("228.00"), Decimal("4560.00"))]
    assert (await _item("硒鼓")).on_hand == toner.on_hand + 4
    assert (await _item("A4纸")).on_hand == paper.on_hand + 20
    assert (await Purchase.get(id=purchase.id)).status == PurchaseStatus.RECEIVED
    twice = await env.say(1003, f"/purchase {purchase.id} 入库")
    assert "已经入库过了" in twice["text"]

    stockin = await _book(env, "/ledger stockin 2026-11")
    _inspectable(stockin, "入库登记台账")
    header, body, totals = _table(stockin)
    rows = [r for r in body if r[_col(header, "采购单号")] == purchase.id]
    assert {r[_col(header, "供应商")] for r in rows} == {"得力"}
    assert {r[_col(header, "报价")] for r in rows} == {None}  # the quotes stay on the purchase
    assert sum(r[_col(header, "金额（元）")] for r in rows) == 6000
    assert totals[-1][_col(header, "金额（元）")] == sum(r[_col(header, "金额（元）")]
                                                     for r in body)
    purchases = await _book(env, "/ledger purchase 2026-11")
    _inspectable(purchases, "采购台账")
    header, body, totals = _table(purchases)
    assert "申请人" in header and "领用人" not in header
    [row] = body
    assert row[_col(header, "申请人")] == "张秘书" and row[_col(header, "供应商")] == "得力"
    assert row[_col(header, "金额（元）")] == 6000 == row[_col(header, "入库金额（元）")]
    assert "得力 6000" in row[_col(header, "报价")]
    assert isinstance(row[_col(header, "申请时间")], datetime)


async def test_a_one_line_purchase_goes_in_at_its_amount_to_the_cent(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    await env.say(1003, "/purchase 文件夹 3个 金额 100 供应商 晨光文具")
    purchase = await Purchase.get()
    await _approve(env, 1006, "文件夹")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2001, contains=f"采购单 #{purchase.id}")
    await env.press(1003, card, button="一键入库", chat_id=-2001)
    entry = await StockIn.get(purchase_id=purchase.id)
    assert (entry.supplier, entry.unit_price, entry.amount) == ("晨光文具", Decimal("33.33"),
                                                                 Decimal("100.00"))
    header, _, totals = _table(await _book(env, "/ledger stockin 2026-11"))
    assert totals[-1][_col(header, "金额（元）")] == 100  # not 3 x 33.33 = 99.99


async def test_a_drafted_low_stock_purchase_asks_its_real_cost_and_supplier(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    toner = await _item("硒鼓")
    await env.say(1003, "/stocktake 硒鼓 1 原因 损坏2个")
    draft = await Purchase.get(from_low_stock=True)
    assert draft.estimated and draft.supplier == ""
    alert = await env.client.wait_for_bot_message(-2001, contains="库存预警")
    await env.press(1003, alert, button="提交采购单", chat_id=-2001)
    await _approve(env, 1006, "硒鼓")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2001, contains=f"采购单 #{draft.id}",
                                                 after=alert["message_id"])
    assert "估算" in card["text"]
    await env.press(1003, card, button="一键入库", chat_id=-2001)
    ask = await env.client.wait_for_bot_message(-2001, after=card["message_id"],
                                                 contains="供应商")
    assert f"/purchase {draft.id} 入库 硒鼓 …元 供应商" in ask["text"]
    lines = await draft.lines.all()  # type: ignore[attr-defined]
    qty = lines[0].quantity
    done = await env.say(1003, f"/purchase {draft.id} 入库 硒鼓 1100元 供应商 惠普专卖")
    assert "已全部入库" in done["text"]
    received = await Purchase.get(id=draft.id)
    assert (received.amount, received.estimated, received.supplier) == (1100, False, "惠普专卖")
    entry = await StockIn.get(purchase_id=draft.id)
    assert entry.amount == 1100 and entry.quantity == qty and entry.supplier == "惠普专卖"
    assert (await _item("硒鼓")).on_hand == 1 + qty and toner.on_hand == 3


async def test_stock_register_gives_opening_in_out_closing_by_quantity_and_value(
    env: Env, fixed_clock: FixedClock
) -> None:
    fixed_clock.set(OCTOBER)
    await _office(env)  # the opening stock is October's: 35 folders at 6 yuan
    await env.say(1003, "/stockin 文件夹 5个 单价 8 供应商 得力")  # October too: 40 worth 250
    fixed_clock.set(NOVEMBER)
    await env.say(1003, "/stockin 文件夹 10个 单价 7 供应商 得力 日期 11月25日")
    await hand_out(env, "文件夹 3个，中性笔 5支")

    # Issued, not yet signed for: still on the books, nothing out.
    sheet = await _book(env, "/ledger stock 2026-11")
    _inspectable(sheet, "库存台账")
    header, body, totals = _table(sheet)
    folder = next(r for r in body if r[_col(header, "物品名称")] == "文件夹")
    assert folder[_col(header, "期初数量")] == 40 and folder[_col(header, "期初金额（元）")] == 250
    assert folder[_col(header, "入库数量")] == 10 and folder[_col(header, "入库金额（元）")] == 70
    assert folder[_col(header, "出库数量")] == 0 and folder[_col(header, "期末数量")] == 50

    sign = await env.client.wait_for_bot_message(1004, contains="请当面核对")
    await env.press(1004, sign, button="签收")
    sheet = await _book(env, "/ledger stock 2026-11")
    header, body, totals = _table(sheet)
    folder = next(r for r in body if r[_col(header, "物品名称")] == "文件夹")
    # 50 folders worth 320 (6.40 each on average): 3 go out at 19.20, 47 worth 300.80 stay.
    assert folder[_col(header, "出库数量")] == 3
    assert folder[_col(header, "出库金额（元）")] == 19.2
    assert folder[_col(header, "期末数量")] == 47
    assert folder[_col(header, "期末金额（元）")] == 300.8
    for row in body:
        for what in ("数量", "金额（元）"):
            start, come, gone, end = (row[_col(header, f"{p}{what}")]
                                      for p in ("期初", "入库", "出库", "期末"))
            assert round(start + come - gone - end, 2) == 0, row
    # Quantities are totalled per unit (包, 支, 个 … never together), money for the whole.
    units = {r[_col(header, "单位")] for r in body}
    subtotals = {r[0] for r in totals[:-1]}
    assert subtotals == {f"小计（{u}）" for u in units}
    for total in totals[:-1]:
        unit = total[0][3:-1]
        assert total[_col(header, "期末数量")] == sum(
            r[_col(header, "期末数量")] for r in body if r[_col(header, "单位")] == unit)
    assert totals[-1][0] == f"合计（{len(body)} 项）"
    assert totals[-1][_col(header, "期末数量")] is None
    assert round(totals[-1][_col(header, "期末金额（元）")], 2) == round(
        sum(r[_col(header, "期末金额（元）")] for r in body), 2)

    issued = await _book(env, "/ledger issue 2026-11")
    _inspectable(issued, "领用签收台账")
    header, body, totals = _table(issued)
    assert len(body) == 2
    assert {r[0] for r in totals} == {"小计（个）", "小计（支）", "合计（2 项）"}
    assert all(isinstance(r[_col(header, "发放时间")], datetime) for r in body)
    assert next(t for t in totals if t[0] == "小计（个）")[_col(header, "实发数量")] == 3
    assert totals[-1][_col(header, "实发数量")] is None  # 3 个 and 5 支 are not "8"
    assert totals[-1][_col(header, "出库金额（元）")] == round(19.2 + 5 * 2, 2)
    stockin = await _book(env, "/ledger stockin 2026-11")
    header, body, _ = _table(stockin)
    [row] = body
    assert row[_col(header, "购入日期")] == datetime(2026, 11, 25)
    assert isinstance(row[_col(header, "数量")], int | float)


async def test_a_period_with_nothing_in_it_is_answered_in_words_not_an_empty_file(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    reply = await env.say(1003, "/ledger stockin 2025-03")
    assert reply.get("document") is None
    assert "没有任何记录" in reply["text"] and "2025-03-01 至 2025-03-31" in reply["text"]
    reply = await env.say(1003, "/ledger purchase 2026-11")
    assert reply.get("document") is None and "采购台账" in reply["text"]


async def test_low_stock_alert_states_on_hand_reserved_and_available(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    toner = await _item("硒鼓")  # 3 on hand, safety 2
    await hand_out(env, "硒鼓 2个", "打印")
    alert = await env.client.wait_for_bot_message(-2001, contains="库存预警")
    assert "可用 1个" in alert["text"]
    assert "库存 3个" in alert["text"] and "已发放待签收 2个" in alert["text"]
    assert "现有 0" not in alert["text"]
    held = await SupplyItem.get(id=toner.id)
    assert (held.on_hand, held.reserved) == (3, 2)
    daily = await env.say(1003, "/daily", chat_id=-2001, contains="党政办日报")
    assert "硒鼓" in daily["text"] and "可用1个（库存3，已发放待签收2）" in daily["text"]


async def test_stock_in_register_dates_are_dates_and_numbers_are_numbers(
    env: Env, fixed_clock: FixedClock
) -> None:
    await _office(env)
    await env.say(1003, "/stockin 订书钉 10盒 单价 3.5 供应商 晨光 备注 到货")
    sheet = await _book(env, "/ledger stockin 本月")
    header, [row], _ = _table(sheet)
    assert row[_col(header, "入库日期")] == datetime(2026, 11, 26)
    assert sheet.cell(row=4, column=_col(header, "入库日期") + 1).number_format == "yyyy-mm-dd"
    assert row[_col(header, "单价（元）")] == 3.5 and row[_col(header, "数量")] == 10
    assert row[_col(header, "金额（元）")] == 35 and row[_col(header, "单号")] == 1
    assert date(2026, 11, 26) == row[_col(header, "购入日期")].date()
