"""Seal use end to end: both approval chains, the custodian's stamp, a refusal, a lapse, the
register as XLSX, and what a careless user does."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from models.approvals import ApprovalRequest, ApprovalStep, RequestStatus
from models.core import Role
from models.seals import Seal, SealRequest, SealStatus
from scheduler import runner
from services.clock import FixedClock
from tests.e2e.conftest import Env

ADMIN, LEADER, KEEPER, CLERK, STAFF = 1001, 1002, 1003, 1006, 1004


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    """The roster, and the seals the admin lists through /yongyin 印章 添加."""
    await env.client.reset_limits(private_rate=50, private_capacity=50)
    await env.person(ADMIN, "王管理", Role.ADMIN, "党政办")
    await env.person(LEADER, "李主任", Role.LEADER, "园区领导")
    await env.person(KEEPER, "张秘书", Role.OFFICE, "党政办")
    await env.person(CLERK, "赵干事", Role.OFFICE, "党政办")
    await env.person(STAFF, "刘工", Role.STAFF, "规划建设局")
    added = await env.say(ADMIN, "/yongyin 印章 添加 党政办章 保管人=张秘书 流程=seal_use")
    assert "已添加印章" in added["text"] and "党政办审核" in added["text"]
    added = await env.say(ADMIN, "/yongyin 印章 添加 合同专用章 保管人=张秘书 "
                                 "流程=seal_use_leader 角色=领导,办公室")
    assert "党政办审核 → 领导审批" in added["text"] and "可申请：领导、办公室" in added["text"]
    return env


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def approve(env: Env, request: SealRequest, approver: int) -> None:
    """Press 同意 on the approver's card of this seal request."""
    await env.delivered()
    # the card names the seal request's own number, not the approval's
    card = await env.client.wait_for_bot_message(approver, contains=f"📝 用印申请 #{request.id}\n")
    assert "同意" in buttons(card), card
    answer = await env.press(approver, card, button="同意")
    assert "已同意" in (answer["answer"] or "")
    await env.delivered()


async def stamp(env: Env, request: SealRequest, count: int) -> dict[str, Any]:
    """The custodian stamps: 已用印 on the card, then the number of copies."""
    card = await env.client.wait_for_bot_message(KEEPER, contains=f"🔏 用印申请 #{request.id}")
    assert buttons(card) == ["✅ 已用印"]
    await env.press(KEEPER, card, button="✅ 已用印")
    asked = await env.message(KEEPER, card["message_id"])
    assert "实际盖章几份" in asked["text"]
    answer = await env.press(KEEPER, card, button=f"{count}份")
    assert "登记簿第" in (answer["answer"] or "")
    return card


async def test_office_seal_takes_the_office_chain_and_the_custodian_stamps_it(
        office: Env) -> None:
    env = office
    card = await env.say(STAFF, "/yongyin 党政办章 《关于召开安全生产会议的通知》 3份 "
                                "用途：下发各部门")
    assert "信息已齐全" in card["text"] and "《关于召开安全生产会议的通知》" in card["text"]
    await env.press(STAFF, card, button="✅ 提交审批")
    request = await SealRequest.get(requester__tg_user_id=STAFF)
    assert request.status == SealStatus.PENDING
    steps = await ApprovalStep.filter(request_id=request.approval_request_id).order_by("seq")
    assert [s.label for s in steps] == ["approvals.step.office"]
    await approve(env, request, CLERK)
    assert (await SealRequest.get(id=request.id)).status == SealStatus.APPROVED
    told = await env.client.wait_for_bot_message(STAFF, contains="已批准")
    assert "张秘书" in told["text"] and "2026-12-03 10:00" in told["text"]

    keeper_card = await stamp(env, request, 3)
    stamped = await SealRequest.get(id=request.id)
    assert (stamped.status, stamped.used_count, stamped.register_no) == (SealStatus.USED, 3, 1)
    assert stamped.register_year == 2026 and stamped.awaiting_photo
    done = await env.client.wait_for_bot_message(STAFF, contains="已用印")
    assert "3 份" in done["text"] and "登记簿第1号" in done["text"]
    # The optional photo of the stamped pages is kept with the request.
    sent = await env.client.send_photo(KEEPER, KEEPER, b"\x89PNG\r\n\x1a\nstamped-pages")
    saved = await env.client.wait_for_bot_message(KEEPER, after=sent["message_id"],
                                                  contains="照片已存入")
    assert f"#{request.id}" in saved["text"]
    stamped = await SealRequest.get(id=request.id)
    assert stamped.used_photo_file_id == sent["file_id"] and not stamped.awaiting_photo
    # A second press of an old count button does nothing but say it was stamped already.
    again = await env.press(KEEPER, keeper_card, data=f"sl:n:{request.id}:3")
    assert "已经用过印了" in (again["answer"] or "")
    assert await SealRequest.filter(status=SealStatus.USED).count() == 1


async def test_contract_seal_needs_a_leader_and_a_file_can_be_the_document(
        office: Env) -> None:
    env = office
    # The shortcut keyboard's 用印 opens the same card (its label is not read as a request).
    card = await env.say(CLERK, "🔏 用印")
    assert buttons(card)[:2] == ["党政办章", "合同专用章"] and "文件：—" in card["text"]
    await env.press(CLERK, card, button="合同专用章")
    assert "直接发送文件" in (await env.message(CLERK, card["message_id"]))["text"]
    sent = await env.client.send_document(CLERK, CLERK, "物业服务合同.docx", b"PK\x03\x04docx")
    asked = await env.client.wait_for_bot_message(CLERK, after=sent["message_id"])
    assert "📎 物业服务合同.docx" in asked["text"] and "份数" in asked["text"]
    await env.press(CLERK, asked, button="2")
    typed = await env.say(CLERK, "与园区物业公司签订年度服务合同", contains="信息已齐全")
    assert "信息已齐全" in typed["text"]
    await env.press(CLERK, typed, button="✅ 提交审批")
    request = await SealRequest.get(requester__tg_user_id=CLERK)
    assert request.file_name == "物业服务合同.docx" and request.copies == 2
    steps = await ApprovalStep.filter(request_id=request.approval_request_id).order_by("seq")
    assert [s.label for s in steps] == ["approvals.step.office", "approvals.step.leader"]
    await approve(env, request, KEEPER)
    # After the office only the leader's step is open: not approved yet.
    assert (await SealRequest.get(id=request.id)).status == SealStatus.PENDING
    await approve(env, request, LEADER)
    approval = await ApprovalRequest.get(id=request.approval_request_id)
    assert approval.status == RequestStatus.APPROVED
    await stamp(env, request, 2)
    stamped = await SealRequest.get(id=request.id)
    assert stamped.status == SealStatus.USED and stamped.used_count == 2


async def test_a_seal_the_role_may_not_use_is_refused_with_the_reason(office: Env) -> None:
    env = office
    reply = await env.say(STAFF, "/yongyin 合同专用章 《租赁合同》 2份 用途：签约")
    assert "您的身份（职工）不能申请使用合同专用章：只有领导、办公室可以申请" in reply["text"]
    draft = await SealRequest.get(requester__tg_user_id=STAFF)
    # Nothing goes to approval; what was typed is kept and the card asks for another seal.
    assert draft.status == SealStatus.DRAFT and draft.seal_id is None  # type: ignore[attr-defined]
    assert (draft.document, draft.copies, draft.purpose) == ("《租赁合同》", 2, "签约")
    assert "请选择要使用的印章" in reply["text"]
    answer = await env.press(STAFF, reply, button="合同专用章")
    assert "不能申请使用合同专用章" in (answer["answer"] or "")
    await env.press(STAFF, reply, button="党政办章")
    assert "信息已齐全" in (await env.message(STAFF, reply["message_id"]))["text"]
    assert not await ApprovalRequest.exists()


async def test_an_approved_request_not_stamped_in_seven_days_lapses(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    card = await env.say(STAFF, "/yongyin 党政办章 《项目验收报告》 1份 用途：报送市局")
    await env.press(STAFF, card, button="✅ 提交审批")
    request = await SealRequest.get(requester__tg_user_id=STAFF)
    await approve(env, request, CLERK)
    keeper_card = await env.client.wait_for_bot_message(KEEPER, contains="待用印")
    settings = env.runtime.settings
    fixed_clock.advance(timedelta(days=6, hours=23))
    await runner.tick(settings)
    assert (await SealRequest.get(id=request.id)).status == SealStatus.APPROVED
    fixed_clock.advance(timedelta(hours=2))
    assert "seals.lapse" in await runner.tick(settings)
    assert (await SealRequest.get(id=request.id)).status == SealStatus.LAPSED
    told = await env.client.wait_for_bot_message(STAFF, contains="已作废")
    assert "7天内未用印" in told["text"]
    await env.delivered()
    edited = await env.message(KEEPER, keeper_card["message_id"])
    assert "已过期" in edited["text"] and not buttons(edited)
    # The old card's button, pressed anyway, says the request lapsed.
    answer = await env.press(KEEPER, keeper_card, data=f"sl:st:{request.id}")
    assert "已过期作废" in (answer["answer"] or "")


async def test_the_register_comes_out_in_register_order(office: Env) -> None:
    env = office
    made = []
    for title, copies in (("《一号文件》", 2), ("《二号文件》", 1)):
        card = await env.say(STAFF, f"/yongyin 党政办章 {title} {copies}份 用途：存档",
                             contains="信息已齐全")
        await env.press(STAFF, card, button="✅ 提交审批")
        request = await SealRequest.filter(requester__tg_user_id=STAFF).order_by("-id").first()
        assert request is not None
        made.append((request, copies))
        await approve(env, request, CLERK)
    # Stamped in the other order: the register follows the stamps, not the requests.
    for request, copies in reversed(made):
        await stamp(env, request, copies)
    reply = await env.say(KEEPER, "/yongyin 登记簿", contains="用印登记簿")
    assert reply.get("document"), reply
    book = load_workbook(io.BytesIO(await env.client.file_bytes(reply["document"]["file_id"])))
    sheet = book["用印登记簿"]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[3], r[5]) for r in rows] == [("2026-001", "《二号文件》", 1),
                                                   ("2026-002", "《一号文件》", 2)]
    assert rows[0][9] == "赵干事" and rows[0][10] == "张秘书"
    assert sheet["A3"].value == "登记号" and book["申请记录"].max_row == 5


async def test_careless_seal_requests_get_clear_answers(office: Env) -> None:
    env = office
    unknown = await env.say(STAFF, "/yongyin 财务章 《报销单》 2份")
    assert "没有找到印章“财务章”。可选：党政办章、合同专用章" in unknown["text"]
    zero = await env.say(STAFF, "0份", contains="份数")
    assert "份数至少为1份" in zero["text"]
    huge = await env.say(STAFF, "/yongyin 5000份", contains="份数最多")
    assert "份数最多1000份" in huge["text"]
    draft = await SealRequest.get(requester__tg_user_id=STAFF)
    # What was read before stays: the refused counts changed nothing.
    assert draft.document == "《报销单》" and draft.copies == 2
    # Submitting before the card is complete names what is missing.
    answer = await env.press(STAFF, huge, data=f"sl:ok:{draft.id}")
    assert "还没有选择印章" in (answer["answer"] or "")
    # Someone else pressing the custodian's button only hears it is not theirs.
    await env.press(STAFF, huge, button="党政办章")
    card = await env.say(STAFF, "报税", contains="信息已齐全")
    assert "信息已齐全" in card["text"]
    await env.press(STAFF, card, button="✅ 提交审批")
    request = await SealRequest.get(id=draft.id)
    await approve(env, request, CLERK)
    answer = await env.press(STAFF, card, data=f"sl:n:{request.id}:2")
    assert "只有党政办章的保管人可以确认用印" in (answer["answer"] or "")
    assert (await SealRequest.get(id=request.id)).status == SealStatus.APPROVED
    assert await Seal.filter(name="党政办章").count() == 1
