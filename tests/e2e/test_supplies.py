"""Supplies end to end: request, approval, partial issue, 签收; stock-in; low stock; purchase by
amount; stock-take; ledgers opened with openpyxl; careless input."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

import scheduler.runner
from models.core import BoundChat, ChatPurpose, OutboxMessage, Role, Staff
from models.supplies import (
    MoveKind,
    Purchase,
    PurchaseStatus,
    RequestStatus,
    StockIn,
    StockMove,
    StockTake,
    SupplyItem,
    SupplyRequest,
)
from services.clock import FixedClock
from services.supplies import catalogue, stock
from services.supplies.demo import seed_demo
from tests.e2e.conftest import Env


async def _office(env: Env) -> dict[int, Staff]:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1002, "李主任", Role.LEADER, "园区领导")
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局", is_head=True)
    # A second office clerk: the office approves purchases one of its clerks asked for.
    await env.person(1006, "赵干事", Role.OFFICE, "党政办")
    await env.group(-2001, "党政办工作群", [1001, 1002, 1003, 1004, 1005, 1006])
    await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    await seed_demo()
    return dict(env.users)


async def _item(name: str) -> SupplyItem:
    return await SupplyItem.get(name=name)


async def hand_out(env: Env, items: str, purpose: str = "归档", *, sign: bool = False) -> None:
    """刘工 asks for the items, his head and the office approve, the office issues them all in
    the group (and he signs for them)."""
    card = await env.say(1004, f"/supply {items} 用途 {purpose}")
    await env.press(1004, card, button="提交")
    first = items.split()[0]
    await _approve(env, 1005, first)
    await _approve(env, 1003, first)
    await env.delivered()
    issue = await env.client.wait_for_bot_message(-2001, contains=first)
    await env.press(1003, issue, button="全部发放", chat_id=-2001)
    await env.delivered()
    if sign:
        to_sign = await env.client.wait_for_bot_message(1004, contains="请当面核对")
        await env.press(1004, to_sign, button="签收")


def _buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _approve(env: Env, user_id: int, contains: str) -> None:
    await env.delivered()
    cards = [m for m in await env.bot_messages(user_id)
             if contains in (m.get("text") or "") and "同意" in _buttons(m)]
    assert cards, f"no approval card with {contains!r} for {user_id}"
    card = cards[-1]
    answer = await env.press(user_id, card, button="同意")
    assert "同意" in (answer["answer"] or "")


async def test_request_is_approved_issued_in_part_and_signed_for(env: Env) -> None:
    await _office(env)
    paper, pens = await _item("A4纸"), await _item("中性笔")
    draft = await env.say(1004, "/supply A4纸 2包，中性笔 5支")
    assert "A4纸" in draft["text"] and "中性笔" in draft["text"] and "未填写" in draft["text"]
    # Submitting without a purpose keeps the items and asks for it.
    refused = await env.press(1004, draft, button="提交")
    assert "用途" in (refused["answer"] or "")
    card = await env.say(1004, "用途 部门例会")
    assert "部门例会" in card["text"]
    request = await SupplyRequest.get(requester__tg_user_id=1004)
    assert request.status == RequestStatus.DRAFT
    await env.press(1004, card, button="提交")
    assert (await SupplyRequest.get(id=request.id)).status == RequestStatus.PENDING

    await _approve(env, 1005, "A4纸")  # the department head first
    await _approve(env, 1003, "A4纸")  # then the office
    await env.delivered()
    assert (await SupplyRequest.get(id=request.id)).status == RequestStatus.APPROVED
    to_issue = await env.client.wait_for_bot_message(-2001, contains=f"领用单 #{request.id}")
    assert _buttons(to_issue) == ["全部发放", "部分发放"]
    # A staff member pressing the office's button is refused and nothing moves.
    refusal = await env.press(1004, to_issue, button="全部发放", chat_id=-2001)
    assert "不能使用" in (refusal["answer"] or "")
    hint = await env.press(1003, to_issue, button="部分发放", chat_id=-2001)
    assert f"/issue {request.id}" in (hint["answer"] or "")

    no_reason = await env.say(1003, f"/issue {request.id} A4纸 1包")
    assert "写明原因" in no_reason["text"]
    done = await env.say(1003, f"/issue {request.id} A4纸 1包 原因 库存留作全会用纸")
    assert "已发放" in done["text"] and "库存留作全会用纸" in done["text"]
    # Issued is reserved, not yet moved: the books change when the requester signs.
    held = await _item("A4纸")
    assert (held.on_hand, held.reserved) == (paper.on_hand, 1)
    assert (await _item("中性笔")).reserved == 5
    assert not await StockMove.filter(ref=f"request:{request.id}").exists()
    listing = await env.say(1003, "/stock A4纸", contains="📦 库存")
    assert f"可用 {int(paper.on_hand) - 1}包（库存 {int(paper.on_hand)} − 已发放待签收 1" in (
        listing["text"])
    again = await env.press(1003, to_issue, button="全部发放", chat_id=-2001)
    assert "已经发放过了" in (again["answer"] or "")
    assert (await _item("A4纸")).reserved == 1

    await env.delivered()
    group_card = await env.message(-2001, to_issue["message_id"])
    assert group_card["edited"] and "待签收" in group_card["text"] and not _buttons(group_card)
    sign = await env.client.wait_for_bot_message(1004, contains="签收")
    assert _buttons(sign) == ["签收"] and "A4纸 1包" in sign["text"]
    answer = await env.press(1004, sign, button="签收")
    assert "已签收" in (answer["answer"] or "")
    twice = await env.press(1004, sign, data=f"sup:sign:{request.id}")  # a double click
    assert "已经签收过了" in (twice["answer"] or "")
    signed = await SupplyRequest.get(id=request.id)
    assert signed.status == RequestStatus.SIGNED and signed.signed_at is not None
    moves = await StockMove.filter(ref=f"request:{request.id}").order_by("id")
    assert [(m.kind, m.delta) for m in moves] == [(MoveKind.ISSUE, -1), (MoveKind.ISSUE, -5)]
    after = await _item("A4纸")
    assert (after.on_hand, after.reserved) == (paper.on_hand - 1, 0)
    assert (await _item("中性笔")).on_hand == pens.on_hand - 5
    assert await stock.ledger_balance(paper.id) == after.on_hand


async def test_an_issue_taken_back_before_signing_gives_its_stock_back(env: Env) -> None:
    await _office(env)
    card = await env.say(1004, "/supply 中性笔 5支 用途 会议记录")
    await env.press(1004, card, button="提交")
    await _approve(env, 1005, "中性笔")
    await _approve(env, 1003, "中性笔")
    request = await SupplyRequest.get(requester__tg_user_id=1004)
    before = await _item("中性笔")
    await env.say(1003, f"/issue {request.id} 中性笔 3支 原因 先发一部分")
    assert (await _item("中性笔")).reserved == 3
    await env.delivered()
    sign = await env.client.wait_for_bot_message(1004, contains="签收")
    back = await env.say(1003, f"/issue {request.id} 撤回")
    assert "发放已撤回" in back["text"] and "待发放" in back["text"]
    assert (await _item("中性笔")).reserved == 0
    assert (await SupplyRequest.get(id=request.id)).status == RequestStatus.APPROVED
    await env.delivered()
    assert not _buttons(await env.message(1004, sign["message_id"]))  # no 签收 left to press
    late = await env.press(1004, sign, data=f"sup:sign:{request.id}")
    assert "还没有发放" in (late["answer"] or "")
    twice = await env.say(1003, f"/issue {request.id} 撤回")
    assert "无需撤回" in twice["text"]
    # Issued again, it is signed for on a new card and only then leaves the books.
    await env.say(1003, f"/issue {request.id} 中性笔 5支")
    await env.delivered()
    again = await env.client.wait_for_bot_message(1004, after=sign["message_id"], contains="签收")
    await env.press(1004, again, button="签收")
    after = await _item("中性笔")
    assert (after.on_hand, after.reserved) == (before.on_hand - 5, 0)
    assert [m.delta for m in await StockMove.filter(ref=f"request:{request.id}")] == [-5]


async def test_careless_request_input_gets_clear_answers_and_keeps_the_draft(env: Env) -> None:
    await _office(env)
    await env.say(1004, "/supply A4纸 2包")
    for text, expected in (
        ("复印机 1台", "目录里没有“复印机”。相近的有：订书机"),
        ("中性笔 0支", "不能为 0"),
        ("中性笔 -3支", "不能是负数"),
        ("订书机 1.5台", "须为整数"),
        ("硒鼓 99999999个", "太大"),
        ("A4纸 若干", "没有写数量"),
    ):
        reply = await env.say(1004, text)
        assert expected in reply["text"], (text, reply["text"])
        assert "Traceback" not in reply["text"]
    card = await env.say(1004, "硒鼓 50个 用途 打印")
    assert "2包" in card["text"] and "50个" in card["text"] and "用途：打印" in card["text"]
    short = await env.press(1004, card, button="提交")
    assert "库存不足" in (short["answer"] or "")
    assert (await SupplyRequest.get(requester__tg_user_id=1004)).status == RequestStatus.DRAFT
    # The monthly limit on A4纸 (10 packs) is checked on submission.
    await env.press(1004, card, button="清空")
    over = await env.say(1004, "A4纸 11包")
    refused = await env.press(1004, over, button="提交")
    assert "限领" in (refused["answer"] or "")
    cancel = await env.press(1004, over, button="取消")  # a draft is dropped, not withdrawn
    assert (await SupplyRequest.get(requester__tg_user_id=1004)).status == RequestStatus.CANCELLED
    assert cancel["answer"] is None or "Traceback" not in cancel["answer"]
    # With no draft listening, a plain message is left to the other features, and the one
    # answer it gets (nothing goes unanswered) opens no request.
    hint = await env.say(1004, "A4纸 1包")
    assert "没看懂" in hint["text"]
    await asyncio.sleep(0.5)
    assert len(await env.bot_messages(1004, after=hint["message_id"] - 1)) == 1
    assert await SupplyRequest.filter(requester__tg_user_id=1004).count() == 1


async def test_request_cancelled_while_pending_withdraws_its_approval(env: Env) -> None:
    from models.approvals import ApprovalRequest

    await _office(env)
    card = await env.say(1004, "/supply 中性笔 2支 用途 会议记录")
    await env.press(1004, card, button="提交")
    submitted = await env.message(1004, card["message_id"])
    answer = await env.press(1004, submitted, button="撤回")
    assert answer["answer"] is None or "不" not in answer["answer"]
    request = await SupplyRequest.get(requester__tg_user_id=1004)
    assert request.status == RequestStatus.CANCELLED
    assert (await ApprovalRequest.get(kind="supply_request", subject_id=request.id)
            ).status.value == "withdrawn"


async def test_stock_in_is_recorded_and_corrected_by_a_new_entry(env: Env) -> None:
    await _office(env)
    paper = await _item("A4纸")
    refused = await env.say(1004, "/stockin A4纸 10包 单价 25 供应商 晨光")
    assert "不能使用" in refused["text"]
    few = await env.say(1003, "/stockin A4纸 10包 单价 25 方式 询价 报价 晨光25，得力26")
    assert "至少三家报价" in few["text"]
    future = await env.say(1003, "/stockin A4纸 10包 单价 25 供应商 晨光 日期 2027-01-01")
    assert "不能晚于今天" in future["text"]
    done = await env.say(
        1003, "/stockin A4纸 10包 单价 24.5 方式 询价 报价 晨光24.5，得力26，齐心27 日期 11月20日")
    assert "入库单" in done["text"] and "询价" in done["text"]
    entry = await StockIn.get(item_id=paper.id)
    assert entry.quotes[2] == {"supplier": "齐心", "price": "27.00"}
    assert (await _item("A4纸")).on_hand == paper.on_hand + 10
    fixed = await env.say(1003, f"/stockin 更正 {entry.id} -2 原因 点错数量")
    assert "更正单" in fixed["text"]
    assert (await _item("A4纸")).on_hand == paper.on_hand + 8
    assert (await StockIn.get(id=entry.id)).quantity == 10  # the original is never edited
    assert await stock.ledger_balance(paper.id) == (await _item("A4纸")).on_hand


async def test_low_stock_tells_the_office_group_once_and_drafts_a_purchase(env: Env) -> None:
    await _office(env)
    toner = await _item("硒鼓")  # 3 in stock, safety 2
    for _ in range(2):
        card = await env.say(1004, "/supply 硒鼓 1个 用途 打印")
        await env.press(1004, card, button="提交")
        await _approve(env, 1005, "硒鼓")
        await _approve(env, 1003, "硒鼓")
        await env.delivered()
        request = await SupplyRequest.filter(status=RequestStatus.APPROVED).first()
        assert request is not None
        issue = await env.client.wait_for_bot_message(-2001, contains=f"领用单 #{request.id}")
        await env.press(1003, issue, button="全部发放", chat_id=-2001)
        await env.delivered()
    held = await _item("硒鼓")  # handed over, not yet signed for: off the shelf, on the books
    assert (held.on_hand, held.reserved) == (toner.on_hand, 2)
    alerts = await OutboxMessage.filter(kind="supplies.low_stock")
    assert len(alerts) == 1 and alerts[0].chat_id == -2001  # 3→2 is not below; 2→1 crosses
    alert = await env.client.wait_for_bot_message(-2001, contains="库存预警")
    assert "硒鼓" in alert["text"] and "采购单" in alert["text"]
    draft = await Purchase.get(from_low_stock=True)
    assert draft.status == PurchaseStatus.DRAFT
    submitted = await env.press(1003, alert, button="提交采购单", chat_id=-2001)
    assert submitted["answer"] is None, submitted
    assert (await Purchase.get(id=draft.id)).status == PurchaseStatus.PENDING

    now = datetime(2026, 11, 27, 1, 5, tzinfo=UTC)  # 09:05 in Shanghai
    assert "supplies.low_stock_digest" in await scheduler.runner.tick(env.runtime.settings, now)
    await env.delivered()
    digest = await env.client.wait_for_bot_message(-2001, contains="低于安全库存的物品")
    assert "硒鼓" in digest["text"] and "红色中性笔" in digest["text"]
    assert "supplies.low_stock_digest" not in await scheduler.runner.tick(
        env.runtime.settings, now)


async def test_purchase_chain_follows_the_amount_and_is_received_in_one_step(env: Env) -> None:
    from models.approvals import ApprovalRequest

    await _office(env)
    toner = await _item("硒鼓")
    small = await env.say(1003, "/purchase 硒鼓 4个 金额 1440 供应商 惠普专卖 用途 年底备货")
    assert "已提交审批" in small["text"]
    big = await env.say(1003,
                        "/purchase 硒鼓 20个 金额 7200 方式 询价 报价 甲7200，乙7300，丙7400")
    assert "已提交审批" in big["text"]
    small_p, big_p = await Purchase.all().order_by("id")
    small_steps = await (await ApprovalRequest.get(kind="purchase", subject_id=small_p.id)
                         ).steps.all()  # type: ignore[attr-defined]
    big_steps = await (await ApprovalRequest.get(kind="purchase", subject_id=big_p.id)
                       ).steps.all()  # type: ignore[attr-defined]
    assert len(small_steps) == 1 and len(big_steps) == 2  # 5000 and above goes to a leader

    await _approve(env, 1006, "1,440.00")
    await env.delivered()
    assert (await Purchase.get(id=small_p.id)).status == PurchaseStatus.APPROVED
    assert (await Purchase.get(id=big_p.id)).status == PurchaseStatus.PENDING
    card = await env.client.wait_for_bot_message(-2001, contains=f"采购单 #{small_p.id}")
    assert _buttons(card) == ["一键入库"]
    await env.press(1003, card, button="一键入库", chat_id=-2001)
    twice = await env.press(1003, card, data=f"sup:recv:{small_p.id}", chat_id=-2001)
    assert "已经入库过了" in (twice["answer"] or "")
    assert (await _item("硒鼓")).on_hand == toner.on_hand + 4
    assert (await Purchase.get(id=small_p.id)).status == PurchaseStatus.RECEIVED
    entry = await StockIn.get(purchase_id=small_p.id)
    assert entry.supplier == "惠普专卖" and entry.quantity == 4


async def test_stock_take_differences_need_a_reason_and_become_adjustments(env: Env) -> None:
    await _office(env)
    paper, pens = await _item("A4纸"), await _item("中性笔")
    book = await env.say(1003, "/stocktake")
    assert "账面库存" in book["text"] and "A4纸" in book["text"]
    missing = await env.say(1003, "/stocktake A4纸 38；中性笔 120")
    assert "请写明原因" in missing["text"] and "A4纸" in missing["text"]
    assert not await StockTake.exists()
    done = await env.say(1003, "/stocktake A4纸 38 原因 受潮报损2包；中性笔 120")
    assert "1 处差异" in done["text"] and "受潮报损2包" in done["text"]
    assert (await _item("A4纸")).on_hand == 38 and (await _item("中性笔")).on_hand == pens.on_hand
    adjust = await StockMove.get(kind=MoveKind.ADJUST)
    assert adjust.delta == 38 - paper.on_hand and adjust.reason == "受潮报损2包"


async def test_ledgers_come_out_as_workbooks_with_the_right_rows(
        env: Env, fixed_clock: FixedClock) -> None:
    await _office(env)
    await env.say(1003, "/stockin 文件夹 10个 单价 6 供应商 得力 日期 11月25日")
    await hand_out(env, "文件夹 3个")

    async def sheet(kind: str) -> list[tuple[Any, ...]]:
        doc = await env.say(1003, f"/ledger {kind} 2026-11")
        assert doc.get("document"), doc
        data = await env.client.file_bytes(doc["document"]["file_id"])
        book = load_workbook(io.BytesIO(data))
        return list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]

    stockin = await sheet("stockin")
    assert stockin[2][:5] == ("单号", "入库日期", "购入日期", "类别", "物品名称")
    body = [r for r in stockin[3:] if r[4] == "文件夹"]
    assert body and body[0][7] == 10 and body[0][9] == 60 and body[0][10] == "得力"
    issued = await sheet("issue")
    row = next(r for r in issued[3:] if r[3] == "文件夹")
    assert row[1] == "刘工" and row[7] == 3 and row[11] == "未签收"
    on_hand = await sheet("stock")
    folder = next(r for r in on_hand[3:] if r[1] == "文件夹")
    assert folder[10] == 35 + 10 and folder[11] == 35 * 6 + 60  # leaves the books at 签收
    await env.delivered()
    sign = await env.client.wait_for_bot_message(1004, contains="请当面核对")
    await env.press(1004, sign, button="签收")
    row = next(r for r in (await sheet("issue"))[3:] if r[3] == "文件夹")
    assert row[7] == 3 and row[11] not in (None, "未签收") and row[8] == 18
    folder = next(r for r in (await sheet("stock"))[3:] if r[1] == "文件夹")
    assert folder[10] == 35 + 10 - 3
    assert any(str(r[0]).startswith("合计") for r in on_hand if r[0])
    bad = await env.say(1003, "/ledger stock 明年春天")
    assert "无法识别" in bad["text"]
    usage = await env.say(1003, "/ledger")
    assert "入库" in usage["text"] and "领用签收" in usage["text"]
    refused = await env.say(1004, "/ledger stock")
    assert "不能使用" in refused["text"]


async def test_stock_list_searches_by_initials_and_office_manages_the_catalogue(env: Env
                                                                               ) -> None:
    await _office(env)
    listing = await env.say(1004, "/stock zxb")
    assert "中性笔" in listing["text"] and "A4纸" not in listing["text"]
    low = await env.say(1004, "/stock 红色")
    assert "⚠️" in low["text"]
    added = await env.say(1003, "/stock add 胶棒 单位 支 类别 文具 规格 21g 安全 10 位置 B柜")
    assert "已新增" in added["text"]
    glue = await _item("胶棒")
    assert (glue.unit, glue.safety_stock, glue.initials) == ("支", Decimal(10), "jb")
    changed = await env.say(1003, "/stock set 胶棒 安全 20 限领 5")
    assert "已修改" in changed["text"]
    assert (await _item("胶棒")).monthly_limit == 5
    dup = await env.say(1003, "/stock add 胶棒 单位 支 规格 21g")
    assert "已有" in dup["text"]
    staff_try = await env.say(1004, "/stock add 胶水 单位 瓶")
    assert "不能使用" in staff_try["text"]
    assert await catalogue.find("jb") == glue


async def test_two_clerks_issuing_the_last_unit_at_once_give_it_once(env: Env) -> None:
    await _office(env)
    stapler = await _item("订书机")
    await stock.move(stapler.id, -(stapler.on_hand - 1), MoveKind.ISSUE, ref="setup", by=None)
    ids = []
    for user_id in (1004, 1005):
        card = await env.say(user_id, "/supply 订书机 1台 用途 装订材料")
        await env.press(user_id, card, button="提交")
        request = await SupplyRequest.filter(requester__tg_user_id=user_id).order_by("-id").first()
        assert request is not None
        ids.append(request.id)
        if user_id == 1004:
            await _approve(env, 1005, "订书机")
        await _approve(env, 1003, "订书机")
    await env.delivered()
    cards = [await env.client.wait_for_bot_message(-2001, contains=f"领用单 #{i}") for i in ids]
    answers = await asyncio.gather(
        env.press(1003, cards[0], button="全部发放", chat_id=-2001),
        env.press(1006, cards[1], button="全部发放", chat_id=-2001),
    )
    texts = [a["answer"] or "" for a in answers]
    assert sum("已发放" in a for a in texts) == 1, texts
    assert sum("库存不足" in a for a in texts) == 1, texts
    held = await _item("订书机")
    assert (held.on_hand, held.reserved) == (1, 1)  # the last unit is reserved, once
    statuses = {i: (await SupplyRequest.get(id=i)).status for i in ids}
    assert sorted(s.value for s in statuses.values()) == ["approved", "issued"]
    winner = next(i for i, s in statuses.items() if s == RequestStatus.ISSUED)
    requester = 1004 if winner == ids[0] else 1005
    await env.delivered()
    sign = await env.client.wait_for_bot_message(requester, contains="请当面核对")
    await env.press(requester, sign, button="签收")
    assert (await _item("订书机")).on_hand == 0
    assert await stock.ledger_balance(stapler.id) == 0


async def test_an_english_speaker_gets_english_cards(env: Env) -> None:
    await _office(env)
    await env.person(1008, "Li Lei", Role.STAFF, "规划建设局", lang="en")
    listing = await env.say(1008, "/stock zxb")
    assert "Stock on hand" in listing["text"] and "中性笔" in listing["text"]
    card = await env.say(1008, "/supply 中性笔 2支")
    assert "Supply request" in card["text"] and "Submit" in _buttons(card)
    wrong = await env.say(1008, "中性笔 0支")
    assert "cannot be 0" in wrong["text"]
