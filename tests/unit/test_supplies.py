"""Supplies services on a real database: stock moves, guards, requests, stock-take, races."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError, OperationalError

from bot.db import dialect
from models.core import Role, Staff
from models.supplies import (
    BuyMethod,
    MoveKind,
    RequestStatus,
    StockMove,
    SupplyItem,
    SupplyRequest,
)
from services import clock, supplies
from services.clock import FixedClock
from services.errors import Conflict, InvalidInput, StaleAction
from services.supplies import catalogue, parse, requests, stock
from services.supplies.stock import Count, StockInForm

TZ = ZoneInfo("Asia/Shanghai")


async def _people() -> tuple[Staff, Staff]:
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE,
                               department="党政办")
    worker = await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF,
                                department="规划建设局")
    return clerk, worker


async def _item(name: str = "A4纸", stock_: int = 0, safety: int = 0, unit: str = "包",
                clerk: Staff | None = None) -> SupplyItem:
    item = await SupplyItem.create(name=name, unit=unit, safety_stock=safety,
                                   initials=catalogue.initials(name), unit_price=25)
    if stock_:
        await stock.move(item.id, Decimal(stock_), MoveKind.OPENING, ref="test", by=clerk,
                         unit_price=Decimal(25))
    return await SupplyItem.get(id=item.id)


async def _approved(worker: Staff, item: SupplyItem, qty: int) -> SupplyRequest:
    """A request already through approval (the engine's own tests cover the chain)."""
    request = await SupplyRequest.create(requester=worker, purpose="会议",
                                         status=RequestStatus.APPROVED,
                                         created_at=clock.now(), submitted_at=clock.now())
    await requests.SupplyRequestLine.create(request=request, item=item, quantity=qty)
    return request


def test_quantities_and_fields_are_read_as_people_type_them() -> None:
    lines = parse.item_lines("A4纸 2包，中性笔5支、订书机 一台")
    assert [(ln.name, ln.qty, ln.unit) for ln in lines] == [
        ("A4纸", 2, "包"), ("中性笔", 5, "支"), ("订书机", 1, "台")]
    head, fields = parse.fields_of(
        "A4纸 10包 单价 25.5 供应商：晨光 方式 询价 报价 晨光25，得力26，齐心27")
    assert head == "A4纸 10包"
    assert fields["price"] == "25.5" and fields["supplier"] == "晨光"
    assert len(parse.quotes(fields["quotes"])) == 3
    assert parse.method(fields["method"]) == BuyMethod.COMPARISON
    assert parse.period("2026-11", date(2026, 11, 26)) == (date(2026, 11, 1), date(2026, 11, 30))
    with pytest.raises(InvalidInput):
        parse.item_lines("A4纸 若干")
    with pytest.raises(InvalidInput):
        parse.day("11月31日", date(2026, 11, 26))


def test_pinyin_initials_find_items() -> None:
    assert catalogue.initials("中性笔") == "zxb"
    assert catalogue.initials("A4纸") == "a4z"


async def test_search_finds_by_name_and_by_initials(db: str) -> None:
    await _item("中性笔", unit="支")
    await _item("订书机", unit="台")
    assert [i.name for i in await catalogue.search("zxb")] == ["中性笔"]
    assert [i.name for i in await catalogue.search("书")] == ["订书机"]
    assert (await catalogue.find("dsj")).name == "订书机"
    with pytest.raises(InvalidInput) as unknown:
        await catalogue.find("复印机")
    assert unknown.value.code.startswith("supplies.error.unknown_item")


async def test_database_refuses_a_negative_stock_on_either_engine(db: str) -> None:
    item = await _item(stock_=1)
    conn = connections.get("default")
    with pytest.raises((IntegrityError, OperationalError)):
        await conn.execute_query(f"UPDATE supply_item SET on_hand = -1 WHERE id = {item.id}")
    assert (await SupplyItem.get(id=item.id)).on_hand == 1
    if dialect() == "postgres":
        _, rows = await conn.execute_query(
            "SELECT 1 FROM pg_constraint WHERE conname = 'supply_item_on_hand_not_negative'")
    else:
        _, rows = await conn.execute_query(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'supply_item_on_hand_not_negative%'")
    assert rows


async def test_ledger_entries_cannot_be_edited_or_deleted(db: str) -> None:
    item = await _item(stock_=5)
    conn = connections.get("default")
    for sql in ("UPDATE stock_move SET delta = 50", "DELETE FROM stock_move"):
        with pytest.raises(Exception, match="append-only"):
            await conn.execute_query(sql)
    assert await stock.ledger_balance(item.id) == 5


async def test_a_move_below_zero_is_refused_and_changes_nothing(db: str) -> None:
    item = await _item(stock_=2)
    with pytest.raises(Conflict) as short:
        await stock.move(item.id, Decimal(-3), MoveKind.ISSUE, ref="x", by=None)
    assert short.value.params["on_hand"] == "2"
    assert (await SupplyItem.get(id=item.id)).on_hand == 2
    assert await StockMove.filter(item_id=item.id).count() == 1


async def test_stock_in_by_comparison_needs_three_quotes(db: str, fixed_clock: FixedClock) -> None:
    clerk, worker = await _people()
    item = await _item()
    form = StockInForm(item.id, Decimal(10), Decimal("25.5"), "晨光", BuyMethod.COMPARISON,
                       [{"supplier": "晨光", "price": "25.5"}], date(2026, 11, 20))
    with pytest.raises(InvalidInput) as few:
        await stock.stock_in(clerk, form)
    assert few.value.code == "supplies.error.three_quotes"
    form.quotes = parse.quotes("晨光25.5，得力26，齐心27")
    entry = await stock.stock_in(clerk, form)
    assert (await SupplyItem.get(id=item.id)).on_hand == 10
    with pytest.raises(Exception) as refused:
        await stock.stock_in(worker, form)
    assert refused.value.__class__.__name__ == "NotAllowed"
    fix = await stock.correct_stock_in(clerk, entry.id, Decimal(-2), "点错数量")
    assert fix.corrects_id == entry.id  # type: ignore[attr-defined]
    assert (await SupplyItem.get(id=item.id)).on_hand == 8
    with pytest.raises(InvalidInput):
        await stock.correct_stock_in(clerk, entry.id, Decimal(-9), "超过")


async def test_fractional_quantity_of_a_whole_unit_is_refused(db: str) -> None:
    item = await _item()
    with pytest.raises(InvalidInput) as frac:
        catalogue.check_qty(item, Decimal("1.5"))
    assert frac.value.code == "supplies.error.qty_fraction"
    for bad, code in ((Decimal(0), "qty_zero"), (Decimal(-1), "qty_negative"),
                      (Decimal(10**9), "qty_huge")):
        with pytest.raises(InvalidInput) as err:
            catalogue.check_qty(item, bad)
        assert err.value.code == f"supplies.error.{code}"


async def test_stock_take_needs_reasons_and_writes_adjustments(db: str, fixed_clock: FixedClock
                                                               ) -> None:
    clerk, _ = await _people()
    paper = await _item("A4纸", stock_=10)
    pens = await _item("中性笔", stock_=50, unit="支")
    with pytest.raises(InvalidInput) as missing:
        await stock.stock_take(clerk, [Count(paper.id, Decimal(8)), Count(pens.id, Decimal(50))])
    assert "A4纸" in missing.value.params["items"]
    assert (await SupplyItem.get(id=paper.id)).on_hand == 10
    take, lines = await stock.stock_take(
        clerk, [Count(paper.id, Decimal(8), "受潮报损"), Count(pens.id, Decimal(50))])
    assert (await SupplyItem.get(id=paper.id)).on_hand == 8
    adjust = await StockMove.get(ref=f"take:{take.id}")
    assert (adjust.delta, adjust.reason, adjust.kind) == (-2, "受潮报损", MoveKind.ADJUST)
    assert len(lines) == 2


async def test_issue_reserves_and_the_stock_moves_once_at_signing(db: str, fixed_clock: FixedClock
                                                                   ) -> None:
    clerk, worker = await _people()
    item = await _item(stock_=5)
    request = await _approved(worker, item, 3)
    await requests.issue(clerk, request.id)
    with pytest.raises(StaleAction):
        await requests.issue(clerk, request.id)
    held = await SupplyItem.get(id=item.id)
    assert (held.on_hand, held.reserved, stock.available(held)) == (5, 3, 2)
    assert not await StockMove.filter(ref=f"request:{request.id}").exists()
    await requests.sign(worker, request.id)
    with pytest.raises(StaleAction) as again:
        await requests.sign(worker, request.id)
    assert again.value.code == "supplies.error.already_signed"
    signed = await SupplyItem.get(id=item.id)
    assert (signed.on_hand, signed.reserved) == (2, 0)
    assert await stock.ledger_balance(item.id) == 2
    moves = await StockMove.filter(ref=f"request:{request.id}")
    assert [(m.kind, m.delta, m.balance_after) for m in moves] == [(MoveKind.ISSUE, -3, 2)]


async def test_withdrawn_issue_releases_its_reservation_and_can_be_issued_again(
        db: str, fixed_clock: FixedClock) -> None:
    clerk, worker = await _people()
    item = await _item(stock_=2)
    request = await _approved(worker, item, 2)
    await requests.issue(clerk, request.id, {item.id: Decimal(1)}, "先发一包")
    assert (await SupplyItem.get(id=item.id)).reserved == 1
    with pytest.raises(Exception) as refused:
        await requests.withdraw_issue(worker, request.id)
    assert refused.value.__class__.__name__ == "NotAllowed"
    back = await requests.withdraw_issue(clerk, request.id)
    assert (back.status, back.issued_at, back.partial_reason) == (RequestStatus.APPROVED, None, "")
    assert (await SupplyItem.get(id=item.id)).reserved == 0
    with pytest.raises(StaleAction) as twice:
        await requests.withdraw_issue(clerk, request.id)
    assert twice.value.code == "supplies.error.nothing_to_withdraw"
    with pytest.raises(StaleAction):
        await requests.sign(worker, request.id)
    await requests.issue(clerk, request.id)
    assert (await SupplyItem.get(id=item.id)).reserved == 2
    await requests.sign(worker, request.id)
    with pytest.raises(StaleAction) as signed:
        await requests.withdraw_issue(clerk, request.id)
    assert signed.value.code == "supplies.error.already_signed"
    done = await SupplyItem.get(id=item.id)
    assert (done.on_hand, done.reserved) == (0, 0)
    assert await StockMove.filter(ref=f"request:{request.id}").count() == 1


async def test_database_refuses_a_reservation_beyond_the_stock_on_either_engine(db: str) -> None:
    item = await _item(stock_=2)
    conn = connections.get("default")
    for sql in (f"UPDATE supply_item SET reserved = 3 WHERE id = {item.id}",
                f"UPDATE supply_item SET reserved = -1 WHERE id = {item.id}"):
        with pytest.raises((IntegrityError, OperationalError)):
            await conn.execute_query(sql)
    await conn.execute_query(f"UPDATE supply_item SET reserved = 2 WHERE id = {item.id}")
    with pytest.raises((IntegrityError, OperationalError)):
        await conn.execute_query(f"UPDATE supply_item SET on_hand = 1 WHERE id = {item.id}")
    held = await SupplyItem.get(id=item.id)
    assert (held.on_hand, held.reserved) == (2, 2)
    with pytest.raises(Conflict):  # a loss written off cannot take reserved stock either
        await stock.move(item.id, Decimal(-1), MoveKind.ADJUST, ref="x", by=None)


async def test_stock_take_compares_the_count_with_what_is_on_the_shelf(
        db: str, fixed_clock: FixedClock) -> None:
    clerk, worker = await _people()
    item = await _item(stock_=10)
    request = await _approved(worker, item, 3)
    await requests.issue(clerk, request.id)
    # 3 were handed over but not signed for: 7 on the shelf agrees with the books.
    take, lines = await stock.stock_take(clerk, [Count(item.id, Decimal(7))])
    assert (lines[0].expected, lines[0].counted) == (7, 7)
    assert not await StockMove.filter(ref=f"take:{take.id}").exists()
    take, lines = await stock.stock_take(clerk, [Count(item.id, Decimal(6), "少了一包")])
    after = await SupplyItem.get(id=item.id)
    assert (after.on_hand, after.reserved, stock.available(after)) == (9, 3, 6)
    await requests.sign(worker, request.id)
    assert (await SupplyItem.get(id=item.id)).on_hand == 6 == await stock.ledger_balance(item.id)


async def test_two_issues_racing_for_the_last_unit_give_it_once(db: str, fixed_clock: FixedClock
                                                                ) -> None:
    clerk, worker = await _people()
    other = await Staff.create(tg_user_id=1007, name="王秘书", role=Role.OFFICE)
    item = await _item(stock_=1)
    first = await _approved(worker, item, 1)
    second = await _approved(worker, item, 1)
    results = await asyncio.gather(requests.issue(clerk, first.id),
                                   requests.issue(other, second.id), return_exceptions=True)
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], Conflict), results
    assert failures[0].code == "supplies.error.short"
    held = await SupplyItem.get(id=item.id)
    assert (held.on_hand, held.reserved) == (1, 1)  # reserved at issue, moved at 签收
    assert await stock.ledger_balance(item.id) == 1
    statuses = {r.id: (await SupplyRequest.get(id=r.id)).status for r in (first, second)}
    assert sorted(s.value for s in statuses.values()) == ["approved", "issued"]
    winner = next(i for i, s in statuses.items() if s == RequestStatus.ISSUED)
    await requests.sign(worker, winner)
    signed = await SupplyItem.get(id=item.id)
    assert (signed.on_hand, signed.reserved) == (0, 0)
    assert await stock.ledger_balance(item.id) == 0


async def test_crossing_the_safety_level_alerts_once_per_crossing(db: str, fixed_clock: FixedClock
                                                                  ) -> None:
    from models.core import BoundChat, ChatPurpose, OutboxMessage
    from models.supplies import Purchase

    clerk, _ = await _people()
    await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    item = await _item(stock_=12, safety=10)
    for _ in range(4):  # 11, 10, 9 (crossed), 8
        await stock.move(item.id, Decimal(-1), MoveKind.ISSUE, ref="t", by=clerk)
    assert await OutboxMessage.filter(kind="supplies.low_stock").count() == 1
    assert await Purchase.filter(from_low_stock=True).count() == 1
    await stock.move(item.id, Decimal(5), MoveKind.STOCK_IN, ref="t", by=clerk)  # 13
    await stock.move(item.id, Decimal(-5), MoveKind.ISSUE, ref="t", by=clerk)  # 8: crossed again
    assert await OutboxMessage.filter(kind="supplies.low_stock").count() == 2
    assert await Purchase.filter(from_low_stock=True).count() == 1  # the open draft is reused


async def test_figures_count_lines_and_value_never_a_sum_of_units(db: str,
                                                                  fixed_clock: FixedClock) -> None:
    clerk, worker = await _people()
    item = await _item(stock_=5)
    await stock.stock_in(clerk, StockInForm(item.id, Decimal(4), Decimal(10), "晨光",
                                            BuyMethod.DIRECT, [], date(2026, 11, 25)))
    request = await _approved(worker, item, 3)
    await requests.issue(clerk, request.id, {item.id: Decimal(2)}, "库存留作会议")
    await requests.sign(worker, request.id)
    pens = await _item("中性笔", stock_=20, unit="支")
    other = await _approved(worker, pens, 5)
    await requests.issue(clerk, other.id)
    await requests.sign(worker, other.id)
    figures = await supplies.supply_figures(date(2026, 11, 1), date(2026, 12, 1))
    assert figures["requests_handled"] == 2
    assert figures["lines_issued"] == 2  # 2 packs and 5 pens are two lines, not "7 items"
    # 5 packs at 25 and 4 at 10 is 165 for 9: two go out at the average, 36.67; the pens at 25.
    assert figures["issued_value"] == Decimal("36.67") + Decimal("125.00")
    assert figures["stock_in_value"] == Decimal("40.00")


async def test_catalogue_imports_from_csv_and_xlsx_without_doubling_stock(
        db: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    from bot.cli_supplies import import_into_open_db

    gbk = tmp_path / "目录.csv"
    gbk.write_bytes("类别,名称,规格,单位,库存,安全库存,存放位置,单价\n"
                    "纸张,A4纸,70g,包,40,20,A柜,25\n书写,中性笔,0.5mm,支,100,50,B柜,2\n"
                    .encode("gbk"))
    assert await import_into_open_db(gbk) == 2
    paper = await SupplyItem.get(name="A4纸")
    assert (paper.on_hand, paper.safety_stock, paper.initials) == (40, 20, "a4z")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", "规格", "单位", "库存", "限领"])
    sheet.append(["A4纸", "70g", "包", 35, 10])
    sheet.append(["卷尺", "5m", "米", 2.5, None])
    xlsx = tmp_path / "catalogue.xlsx"
    book.save(xlsx)
    assert await import_into_open_db(xlsx) == 2
    paper = await SupplyItem.get(name="A4纸")
    assert (paper.on_hand, paper.monthly_limit) == (35, 10)
    assert await stock.ledger_balance(paper.id) == 35
    assert [m.kind for m in await StockMove.filter(item_id=paper.id)] == [MoveKind.OPENING] * 2
    tape = await SupplyItem.get(name="卷尺")
    assert (tape.whole, tape.on_hand) == (False, Decimal("2.5"))
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,单位,库存\n订书机,台,1.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="整数"):
        await import_into_open_db(bad)
    assert not await SupplyItem.filter(name="订书机").exists()  # all or nothing


async def test_rejected_request_is_closed_and_cannot_be_issued(db: str, fixed_clock: FixedClock
                                                               ) -> None:
    from models.approvals import ApprovalAssignee
    from services import approvals

    clerk, worker = await _people()
    item = await _item(stock_=5)
    draft = await requests.draft_for(worker)
    await requests.add_text(worker, draft.id, "A4纸 2包 用途 会议")
    await requests.submit(worker, draft.id, TZ)
    card = await ApprovalAssignee.get(approver_id=clerk.id)  # no head: the office decides
    await approvals.reject(card.id, clerk, "本月已领够")
    assert (await SupplyRequest.get(id=draft.id)).status == RequestStatus.REJECTED
    with pytest.raises(StaleAction) as refused:
        await requests.issue(clerk, draft.id)
    assert refused.value.code == "supplies.error.not_approved"
    assert (await SupplyItem.get(id=item.id)).on_hand == 5


def test_line_costs_are_split_from_what_was_typed() -> None:
    from services.supplies.purchases import split_amounts

    d = Decimal
    assert split_amounts(d(6000), [None, None]) == (d(6000), [None, None])  # asked at stock-in
    assert split_amounts(d(6000), [d(1440), None]) == (d(6000), [d(1440), d(4560)])
    assert split_amounts(None, [d(1440), d(4560)]) == (d(6000), [d(1440), d(4560)])
    assert split_amounts(d(100), [None]) == (d(100), [d(100)])
    assert split_amounts(None, [None, None]) == (None, [None, None])  # an estimate
    for total, typed in ((d(6000), [d(1440), d(4000)]), (d(1000), [d(1440), None]),
                         (d(1440), [d(1440), None]), (None, [d(1440), None])):
        with pytest.raises(InvalidInput):
            split_amounts(total, typed)


def test_a_price_comparison_buys_from_the_quote_at_the_amount_or_the_lowest() -> None:
    from services.supplies.purchases import choose_supplier

    quotes = [{"supplier": "得力", "price": "6000.00"}, {"supplier": "晨光", "price": "6100.00"},
              {"supplier": "齐心", "price": "5900.00"}]
    comparison = BuyMethod.COMPARISON
    assert choose_supplier(comparison, "", quotes, Decimal(6100)) == "晨光"
    assert choose_supplier(comparison, "", quotes, Decimal(7000)) == "齐心"
    assert choose_supplier(comparison, "得力", quotes, Decimal(5900)) == "得力"
    with pytest.raises(InvalidInput) as raised:
        choose_supplier(comparison, "真彩", quotes, Decimal(6000))
    assert raised.value.code == "supplies.error.supplier_not_quoted"
    assert choose_supplier(BuyMethod.DIRECT, "惠普", [], Decimal(1)) == "惠普"


async def test_stock_in_from_a_purchase_refuses_wrong_prices_and_keeps_nothing(
        db: str, fixed_clock: FixedClock) -> None:
    from models.supplies import Purchase, PurchaseStatus, StockIn
    from services.supplies import purchases

    clerk, _ = await _people()
    await Staff.create(tg_user_id=1006, name="赵干事", role=Role.OFFICE)
    await _item("A4纸")
    await _item("硒鼓", unit="个")
    purchase = await purchases.create(clerk, "硒鼓 4个，A4纸 20包 金额 6000 方式 询价 "
                                             "报价 得力6000，晨光6100，齐心6150")
    await purchases.on_outcome(purchase.id, "approved", None)  # type: ignore[arg-type]
    today = date(2026, 11, 26)
    for prices, code in (("", "supplies.error.prices_needed"),
                         ("硒鼓 6000元", "supplies.error.prices_needed"),  # nothing left for A4纸
                         ("钢笔 100元", "supplies.error.not_in_purchase"),
                         ("硒鼓 1440元，A4纸 4000元", "supplies.error.prices_mismatch"),
                         ("硒鼓 4个", "supplies.error.line_price_missing")):
        with pytest.raises(InvalidInput) as raised:
            await purchases.receive(clerk, purchase.id, today, prices)
        assert raised.value.code == code, prices
    assert not await StockIn.exists()
    assert (await Purchase.get(id=purchase.id)).status == PurchaseStatus.APPROVED
    with pytest.raises(Exception) as gone:
        await purchases.receive(clerk, 99_999_999_999, today)
    assert getattr(gone.value, "code", "") == "supplies.error.purchase_gone"
    # One line's cost given: the other costs the rest of the total.
    done = await purchases.receive(clerk, purchase.id, today, "硒鼓 1440元")
    assert done.status == PurchaseStatus.RECEIVED and done.supplier == "得力"
    assert sorted(e.amount for e in await StockIn.all()) == [Decimal(1440), Decimal(4560)]
