"""发文 end to end: draft with its file, 核稿 then 签发 with the number, 作废 keeps the number,
twenty 签发 pressed at once take 1..20, and the 发文登记簿 as a workbook."""

from __future__ import annotations

import asyncio
import io

import pytest
from openpyxl import load_workbook

from models.approvals import ApprovalAssignee
from models.documents import OutgoingDocument, OutgoingStatus
from services import approvals
from services.clock import FixedClock
from services.documents import outgoing
from tests import documents_files as files
from tests.e2e.conftest import Env
from tests.e2e.test_documents import GROUP, LEADER, LEADER2, OFFICE, STAFF, roster


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    return await roster(env)



async def test_draft_review_sign_number_void_and_register(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    ask_file = await env.say(STAFF, "/fawen 通知 关于开展2026年度安全生产大检查的通知",
                             contains="底稿")
    assert ask_file
    sent = await env.client.send_document(STAFF, STAFF, "安全生产大检查通知.docx",
                                          files.docx(["关于开展2026年度安全生产大检查的通知"]))
    card = await env.client.wait_for_bot_message(STAFF, after=sent["message_id"],
                                                 contains="请核对")
    assert "签发后编号" in card["text"] and "安全生产大检查通知.docx" in card["text"]
    await env.press(STAFF, card, button="📨 送审")
    document = await OutgoingDocument.get(title="关于开展2026年度安全生产大检查的通知")
    assert document.status == OutgoingStatus.PENDING and document.department == "规划建设局"

    await env.delivered()
    check = await env.client.wait_for_bot_message(OFFICE, contains="核稿")
    assert "第1步/共2步" in check["text"]
    await env.press(OFFICE, check, button="📎 底稿")
    await env.client.wait_for_bot_message(OFFICE, after=check["message_id"], contains="底稿：")
    await env.press(OFFICE, check, button="✅ 核稿通过")
    await env.delivered()
    sign = await env.client.wait_for_bot_message(LEADER, contains="签发")
    answer = await env.press(LEADER, sign, button="✅ 签发")
    assert "园区发〔2026〕1号" in (answer["answer"] or "")
    await env.delivered()
    document = await OutgoingDocument.get(id=document.id)
    assert (document.status, document.number, document.year) == (OutgoingStatus.ISSUED, 1,
                                                                  2026)
    await env.client.wait_for_bot_message(STAFF, contains="园区发〔2026〕1号")
    await env.client.wait_for_bot_message(GROUP, contains="园区发〔2026〕1号")
    # The leader's card shows the result and no buttons any more.
    signed_card = await env.message(LEADER, sign["message_id"])
    assert "已签发" in signed_card["text"] and not signed_card.get("reply_markup")

    # The office voids it: the number stays with it; the next 签发 takes 2.
    found = await env.say(OFFICE, "/wenjian 园区发 1号", contains="共找到")
    await env.press(OFFICE, found, button=found["reply_markup"]["inline_keyboard"][0][0]["text"])
    shown = await env.client.wait_for_bot_message(OFFICE, after=found["message_id"],
                                                  contains="已签发")
    await env.press(OFFICE, shown, button="作废")
    await env.say(OFFICE, "主送单位有误，重新发文", contains="已作废")
    document = await OutgoingDocument.get(id=document.id)
    assert (document.status, document.number) == (OutgoingStatus.VOIDED, 1)
    second = await outgoing.start(env.users[STAFF], "通知 关于重新印发安全生产大检查方案的通知")
    await outgoing.submit(env.users[STAFF], second.id)
    for approver in (env.users[OFFICE], env.users[LEADER]):
        card_row = await ApprovalAssignee.filter(step__request__subject_id=second.id,
                                                 step__request__kind=outgoing.KIND,
                                                 approver_id=approver.id, verdict=None).first()
        assert card_row is not None
        await approvals.approve(card_row.id, approver)
    assert (await OutgoingDocument.get(id=second.id)).number == 2

    sent_book = await env.say(OFFICE, "/fawen 登记簿 本月", contains="发文登记簿")
    book = load_workbook(io.BytesIO(await env.client.file_bytes(
        sent_book["document"]["file_id"])))
    rows = [[c.value for c in row] for row in book.active.iter_rows(min_row=3)]
    assert rows[0][:3] == ["发文字号", "文种", "标题"]
    assert [r[0] for r in rows[1:]] == ["园区发〔2026〕1号", "园区发〔2026〕2号"]
    assert rows[1][8] == "作废" and rows[1][9] == "主送单位有误，重新发文"
    assert rows[2][8] == "已印发" and rows[2][6] == "李主任" and rows[2][5] == "张秘书"
    # Staff may not export the register.
    refused = await env.say(STAFF, "/fawen 登记簿")
    assert "只有党政办" in refused["text"]


async def test_twenty_signoffs_pressed_at_once_take_one_to_twenty(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    cards: list[tuple[int, int]] = []
    for i in range(20):
        draft = await outgoing.start(env.users[STAFF], f"函 关于第{i + 1}批项目的函")
        await outgoing.submit(env.users[STAFF], draft.id)
        check = await ApprovalAssignee.filter(step__request__subject_id=draft.id,
                                              step__request__kind=outgoing.KIND,
                                              verdict=None).first()
        assert check is not None
        await approvals.approve(check.id, env.users[OFFICE])
        leader = (LEADER, LEADER2)[i % 2]
        sign = await ApprovalAssignee.filter(step__request__subject_id=draft.id,
                                             step__request__kind=outgoing.KIND, verdict=None,
                                             approver_id=env.users[leader].id).first()
        assert sign is not None
        cards.append((leader, sign.id))
    # Each leader presses 签发 on ten cards at once (the buttons' data, pressed in their chat).
    anchors = {}
    for leader in (LEADER, LEADER2):
        anchors[leader] = await env.say(leader, "/help")
    answers = await asyncio.gather(*(
        env.press(leader, anchors[leader], data=f"doc:ook:{card}") for leader, card in cards))
    assert all("已签发" in (a["answer"] or "") for a in answers), answers
    issued = await OutgoingDocument.filter(status=OutgoingStatus.ISSUED).order_by("number")
    assert [d.number for d in issued] == list(range(1, 21))
    # A second press on a settled card only says so.
    again = await env.press(LEADER, anchors[LEADER], data=f"doc:ook:{cards[0][1]}")
    assert "已经" in (again["answer"] or "") or "过期" in (again["answer"] or ""), again
