"""督查督办 end to end: slips from a meeting, by hand and from a leader's 批示; /duban by colour
and department; the 督查专报 DOCX on /duban 专报 and on Friday afternoon; close-out."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from docx import Document

from models.documents import (
    Assignment,
    Bulletin,
    IncomingDocument,
    SlipSource,
    SlipStatus,
    SupervisionSlip,
)
from scheduler import runner
from services.clock import FixedClock
from services.documents import handling
from tests.e2e.conftest import Env
from tests.e2e.test_documents import (
    ECO_HEAD,
    HEAD,
    LEADER,
    LEADERS_GROUP,
    OFFICE,
    STAFF,
    roster,
)


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    return await roster(env)



async def new_slip(env: Env, source: str, text: str) -> SupervisionSlip:
    menu = await env.say(OFFICE, "/duban 新建", contains="督办来源")
    await env.press(OFFICE, menu, button=source)
    await env.client.wait_for_bot_message(OFFICE, after=menu["message_id"], contains="原文")
    card = await env.say(OFFICE, text, contains="请核对")
    await env.press(OFFICE, card, button="✅ 确认督办")
    opened = await env.client.wait_for_bot_message(OFFICE, after=card["message_id"] - 1,
                                                   contains="已立督办")
    assert opened
    return await SupervisionSlip.filter(status=SlipStatus.OPEN).order_by("-id").first()  # type: ignore[return-value]


async def test_slips_listing_bulletin_and_close_out(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    meeting = await new_slip(env, "会议决定", "园区安全生产专题会议决定：请规划建设局牵头、"
                                             "生态环境局配合，12月10日前完成危化品企业隐患排查。")
    assert meeting.source == SlipSource.MEETING and (meeting.year, meeting.seq) == (2026, 1)
    tasks = await Assignment.filter(slip_id=meeting.id).order_by("id")
    assert [(t.department, t.lead) for t in tasks] == [("规划建设局", True), ("生态环境局", False)]
    soon = await new_slip(env, "其他交办", "请生态环境局12月3日前报送园区雨污分流改造进度。")
    late = await new_slip(env, "其他交办", "请规划建设局11月30日前完成园区道路标识更新。")
    await env.delivered()
    assert await env.client.wait_for_bot_message(HEAD, contains="督办〔2026〕1号")

    # From a leader's instruction on a document: 转督办 carries the instruction and the leader.
    card = await env.say(OFFICE, "/shouwen 市委督查室 宜督字〔2026〕21号 "
                                 "关于督办民生实事项目进度的通知", contains="请核对")
    await env.press(OFFICE, card, button="✅ 确认登记")
    card = await env.message(OFFICE, card["message_id"])
    await env.press(OFFICE, card, button="拟办送签")
    picker = await env.say(OFFICE, "拟请李主任阅示", contains="请选择")
    await env.press(OFFICE, picker, button="李主任")
    picker = await env.message(OFFICE, picker["message_id"])
    await env.press(OFFICE, picker, button="📨 送领导签批")
    await env.delivered()
    leader_card = await env.client.wait_for_bot_message(LEADER, contains="请您阅批")
    await env.press(LEADER, leader_card, button="批示")
    plain = await env.say(LEADER, "请党政办列入督办，每周报告进度。", contains="请确认")
    await env.press(LEADER, plain, button="只批示，由党政办分办")
    await env.delivered()
    signed = await env.client.wait_for_bot_message(OFFICE, contains="请分办")
    await env.press(OFFICE, signed, button="转督办")
    ask = await env.client.wait_for_bot_message(OFFICE, after=signed["message_id"],
                                                contains="承办部门")
    card = await env.say(OFFICE, "规划建设局 12月18日", contains="请核对")
    assert "请党政办列入督办" in card["text"] and "李主任" in card["text"]
    await env.press(OFFICE, card, button="✅ 确认督办")
    await env.delivered()
    from_doc = await SupervisionSlip.filter(source=SlipSource.INSTRUCTION).get()
    assert from_doc.leader_id == env.users[LEADER].id and ask  # type: ignore[attr-defined]
    document = await IncomingDocument.get(ref_no="宜督字〔2026〕21号")
    assert document.status.value == "handling"
    assert await Assignment.filter(document_id=document.id, slip_id=from_doc.id).count() == 1

    # A week later: one red, one yellow, the others green; listed by colour then department.
    fixed_clock.set(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    listing = await env.say(OFFICE, "/duban", contains="督办事项")
    text = listing["text"]
    assert text.index("红灯") < text.index("黄灯") < text.index("正常")
    assert "督办〔2026〕3号" in text.split("黄灯")[0] and "逾期2天" in text
    assert "督办〔2026〕2号" in text.split("黄灯")[1].split("正常")[0]
    assert "【规划建设局】" in text and "【生态环境局】" in text
    only = await env.say(OFFICE, "/duban 生态环境局", contains="督办事项")
    assert "督办〔2026〕2号" in only["text"] and "督办〔2026〕3号" not in only["text"]
    staff_view = await env.say(ECO_HEAD, "/duban", contains="督办事项")
    assert "督办〔2026〕3号" not in staff_view["text"]
    unknown = await env.say(OFFICE, "/duban 宣传部")
    assert "没有“宣传部”这个部门" in unknown["text"]
    assert soon and late

    # The bulletin on demand: a real bulletin, opened with python-docx.
    sent = await env.say(OFFICE, "/duban 专报", contains="督查专报")
    document_file = Document(io.BytesIO(await env.client.file_bytes(sent["document"]["file_id"])))
    paragraphs = [p.text for p in document_file.paragraphs]
    assert paragraphs[0] == "督查专报" and paragraphs[1] == "2026年第1期"
    assert any("2026年12月2日" in p for p in paragraphs)
    table = document_file.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["部门", "承办事项", "已办结", "按时办结", "在办", "黄灯", "红灯"]
    by_department = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}
    assert by_department["规划建设局"] == ["3", "0", "0", "3", "0", "1"]
    assert by_department["生态环境局"] == ["2", "0", "0", "2", "1", "0"]
    assert by_department["合计"] == ["5", "0", "0", "5", "1", "1"]
    overdue = paragraphs[paragraphs.index("三、逾期事项") + 1]
    assert "督办〔2026〕3号" in overdue and "园区道路标识" in overdue and "已逾期2天" in overdue

    # Friday afternoon the same issue goes to the leaders' group (once).
    friday = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    fixed_clock.set(friday)
    await runner.tick(env.runtime.settings, friday)
    await runner.tick(env.runtime.settings, friday.replace(minute=30))
    await env.delivered()
    pushed = await env.client.wait_for_bot_message(LEADERS_GROUP, contains="督查专报")
    assert "2026年第1期" in pushed["caption"] and pushed["document"]["file_name"].endswith(
        ".docx")
    assert await Bulletin.all().count() == 1
    assert len([m for m in await env.bot_messages(LEADERS_GROUP)
                if "督查专报" in (m.get("caption") or "")]) == 1

    # Close-out: the late slip's report passes review, the slip is closed (销号).
    task = await Assignment.get(slip_id=late.id)
    await handling.submit_report(env.users[HEAD], task.id, "标识已全部更新。", [])
    await env.delivered()
    review = await env.client.wait_for_bot_message(OFFICE, contains="标识已全部更新")
    await env.press(OFFICE, review, button="✅ 通过")
    await env.delivered()
    late = await SupervisionSlip.get(id=late.id)
    assert late.status == SlipStatus.DONE and late.closed_at is not None
    await env.client.wait_for_bot_message(OFFICE, contains="予以销号")
    assert STAFF
