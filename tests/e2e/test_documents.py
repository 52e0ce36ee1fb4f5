"""Documents end to end: register (typed, PDF, 涉密 refused), two leaders sign, two departments
handle, an extension granted and one refused, completion and review, search and registers."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from models.core import BoundChat, ChatPurpose, Role
from models.documents import (
    Assignment,
    AssignmentStatus,
    Extension,
    ExtensionStatus,
    IncomingDocument,
    IncomingStatus,
    Refusal,
)
from services.clock import FixedClock
from tests import documents_files as files
from tests.e2e.conftest import Env

ADMIN, LEADER, OFFICE, STAFF, HEAD = 1001, 1002, 1003, 1004, 1005
LEADER2, ECO, ECO_HEAD = 1006, 1007, 1008
GROUP, LEADERS_GROUP = -2001, -2002


async def roster(env: Env) -> Env:
    """The office, two leaders, two departments with a head and a member each, two groups."""
    await env.client.reset_limits(private_rate=50, private_capacity=50, group_rate=60,
                                  group_capacity=60)
    await env.person(ADMIN, "王管理", Role.ADMIN, "党政办")
    await env.person(OFFICE, "张秘书", Role.OFFICE, "党政办")
    await env.person(LEADER, "李主任", Role.LEADER, "园区领导")
    await env.person(LEADER2, "赵副主任", Role.LEADER, "园区领导")
    await env.person(STAFF, "刘工", Role.STAFF, "规划建设局")
    await env.person(HEAD, "陈科长", Role.STAFF, "规划建设局", is_head=True)
    await env.person(ECO, "周工", Role.STAFF, "生态环境局")
    await env.person(ECO_HEAD, "吴科长", Role.STAFF, "生态环境局", is_head=True)
    await env.group(GROUP, "党政办工作群", [ADMIN, OFFICE, LEADER])
    await env.group(LEADERS_GROUP, "领导群", [ADMIN, LEADER, LEADER2])
    await BoundChat.create(chat_id=GROUP, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    await BoundChat.create(chat_id=LEADERS_GROUP, title="领导群", purpose=ChatPurpose.LEADERS)
    return env


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    return await roster(env)


async def last_bot(env: Env, chat: int, contains: str, after: int = 0) -> dict[str, Any]:
    await env.delivered()
    return await env.client.wait_for_bot_message(chat, after=after, contains=contains,
                                                 timeout=8)


async def register_typed(env: Env) -> IncomingDocument:
    card = await env.say(OFFICE, "/shouwen 市生态环境局 宜环发〔2026〕35号 "
                                 "关于开展冬季大气污染防治专项检查的通知 12月20日前报送",
                         contains="请核对")
    assert "市生态环境局" in card["text"] and "宜环发〔2026〕35号" in card["text"]
    assert "2026-12-20前报送" in card["text"]
    await env.press(OFFICE, card, button="✅ 确认登记")
    done = await env.client.wait_for_bot_message(OFFICE, after=card["message_id"] - 1,
                                                 contains="已登记为")
    assert "收文〔2026〕0001号" in done["text"]
    return await IncomingDocument.get(ref_no="宜环发〔2026〕35号")


async def test_typed_registration_two_leaders_two_departments_extension_review(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    document = await register_typed(env)
    assert (document.year, document.seq, document.status) == (2026, 1,
                                                               IncomingStatus.REGISTERED)
    assert document.due_on == date(2026, 12, 20) and document.sender == "市生态环境局"

    # 拟办 and send to both leaders.
    card = await env.message(OFFICE, (await env.bot_messages(OFFICE))[-1]["message_id"])
    await env.press(OFFICE, card, button="拟办送签")
    await env.say(OFFICE, "拟请李主任、赵副主任阅示，交规划建设局、生态环境局办理",
                  contains="请选择")
    picker = (await env.bot_messages(OFFICE))[-1]
    await env.press(OFFICE, picker, button="李主任")
    picker = await env.message(OFFICE, picker["message_id"])
    await env.press(OFFICE, picker, button="赵副主任")
    picker = await env.message(OFFICE, picker["message_id"])
    assert "✓ 李主任" in str(picker["reply_markup"]) and "✓ 赵副主任" in str(
        picker["reply_markup"])
    await env.press(OFFICE, picker, button="📨 送领导签批")
    document = await IncomingDocument.get(id=document.id)
    assert document.status == IncomingStatus.SIGNING

    # Leader 1 reads (阅); leader 2 instructs naming two departments and a date.
    card1 = await last_bot(env, LEADER, "请您阅批")
    assert "拟办意见" in card1["text"] and "宜环发〔2026〕35号" in card1["text"]
    answer = await env.press(LEADER, card1, button="阅")
    assert "已阅" in (answer["answer"] or "")
    # The same card pressed again (an old card) says it was decided, and changes nothing.
    stale = await env.press(LEADER, card1, data=card1["reply_markup"]["inline_keyboard"][0][1][
        "callback_data"])
    assert "已经处理" in (stale["answer"] or ""), stale
    card2 = await last_bot(env, LEADER2, "请您阅批")
    # Another leader's button (its data replayed from one's own chat) says so, does nothing.
    forged = card2["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    wrong = await env.press(LEADER, card1, data=forged)
    assert "不是给您" in (wrong["answer"] or ""), wrong
    await env.press(LEADER2, card2, button="批示")
    confirm = await env.say(LEADER2, "请规划建设局牵头，生态环境局配合，12月15日前完成并报党政办",
                            contains="识别到")
    assert "牵头：规划建设局" in confirm["text"] and "协办：生态环境局" in confirm["text"]
    assert "2026-12-15" in confirm["text"]
    await env.press(LEADER2, confirm, button="✅ 确认，按此交办")
    await env.delivered()
    document = await IncomingDocument.get(id=document.id)
    assert document.status == IncomingStatus.HANDLING
    assert "李主任：阅" in document.instructions and "赵副主任：请规划建设局牵头" in \
        document.instructions
    tasks = await Assignment.filter(document_id=document.id).order_by("id")
    assert [(t.department, t.lead, t.due_on) for t in tasks] == [
        ("规划建设局", True, date(2026, 12, 15)), ("生态环境局", False, date(2026, 12, 15))]
    # The heads answer for their departments (nobody was named) and get their tasks.
    head_task = await last_bot(env, HEAD, "新的承办任务")
    assert "牵头" in head_task["text"] and "赵副主任：请规划建设局牵头" in head_task["text"]
    eco_task = await last_bot(env, ECO_HEAD, "新的承办任务")
    await last_bot(env, OFFICE, "已按领导批示交办")

    # An extension asked and granted (the office decides), one asked and refused.
    await env.press(HEAD, head_task, button="申请延期")
    await env.say(HEAD, "12月25日 需等待市局补充材料", contains="已申请延期")
    ext_card = await last_bot(env, OFFICE, "延期申请")
    await env.press(OFFICE, ext_card, button="同意")
    await env.delivered()
    lead = await Assignment.get(id=tasks[0].id)
    assert lead.due_on == date(2026, 12, 25) and lead.first_due_on == date(2026, 12, 15)
    assert (await Extension.get(assignment_id=lead.id)).status == ExtensionStatus.GRANTED

    await env.press(ECO_HEAD, eco_task, button="申请延期")
    await env.say(ECO_HEAD, "12月31日 人手紧张", contains="已申请延期")
    ext_card = await last_bot(env, OFFICE, "人手紧张")
    await env.press(OFFICE, ext_card, button="驳回")
    await env.say(OFFICE, "期限不能再推迟，请抓紧", contains="已驳回")
    await env.delivered()
    eco = await Assignment.get(id=tasks[1].id)
    assert eco.due_on == date(2026, 12, 15)
    refused = await Extension.get(assignment_id=eco.id)
    assert refused.status == ExtensionStatus.REFUSED
    told = await last_bot(env, ECO_HEAD, "期限不能再推迟")
    assert told

    # Progress, then the completion report with a file, then review: one sent back, passed.
    await env.press(HEAD, head_task, button="汇报进展")
    await env.say(HEAD, "已完成自查，正在整理报告", contains="进展已记录")
    await env.press(HEAD, head_task, button="提交办结报告")
    await env.say(HEAD, "自查报告已报送市局大气环境科。", contains="已收到")
    await env.client.send_document(HEAD, HEAD, "自查报告.docx",
                                   files.docx(["规划建设局自查报告"]))
    kept = await env.client.wait_for_bot_message(HEAD, contains="文件1个")
    await env.press(HEAD, kept, button="📨 提交办结报告")
    review = await last_bot(env, OFFICE, "办结审核")
    assert "自查报告已报送" in review["text"] and "自查报告.docx" in review["text"]
    await env.press(OFFICE, review, button="退回")
    await env.say(OFFICE, "请附上市局的签收回执", contains="已驳回")
    await env.delivered()
    lead = await Assignment.get(id=tasks[0].id)
    assert lead.status == AssignmentStatus.WORKING
    await last_bot(env, HEAD, "请附上市局的签收回执")
    await env.press(HEAD, head_task, button="提交办结报告")
    await env.say(HEAD, "已补充签收回执。", contains="已收到")
    kept = (await env.bot_messages(HEAD))[-1]
    await env.press(HEAD, kept, button="📨 提交办结报告")
    review = await last_bot(env, OFFICE, "已补充签收回执")
    await env.press(OFFICE, review, button="✅ 通过")

    await env.press(ECO_HEAD, eco_task, button="提交办结报告")
    await env.say(ECO_HEAD, "已配合完成检查。", contains="已收到")
    kept = (await env.bot_messages(ECO_HEAD))[-1]
    await env.press(ECO_HEAD, kept, button="📨 提交办结报告")
    review = await last_bot(env, OFFICE, "已配合完成检查")
    await env.press(OFFICE, review, button="✅ 通过")
    await env.delivered()
    document = await IncomingDocument.get(id=document.id)
    assert document.status == IncomingStatus.DONE and document.done_at is not None
    await last_bot(env, GROUP, "均已办结")

    # The register holds it in order with the register's fields.
    sent = await env.say(OFFICE, "/shouwen 登记簿 本月", contains="收文登记簿")
    book = load_workbook(io.BytesIO(await env.client.file_bytes(sent["document"]["file_id"])))
    sheet = book.active
    header = [c.value for c in sheet[3]]
    assert header[:5] == ["收文编号", "收文日期", "来文单位", "来文字号", "标题"]
    row = [c.value for c in sheet[4]]
    assert row[0] == "收文〔2026〕0001号" and row[2] == "市生态环境局"
    assert "规划建设局（牵头）" in row[header.index("承办单位")]
    assert row[header.index("签批领导")] == "李主任、赵副主任"
    assert row[header.index("办理状态")] == "已办结"


async def test_forwarded_pdf_is_read_and_classified_pdf_refused(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    sent = await env.client.send_document(OFFICE, OFFICE, "宜环发35号.pdf",
                                          files.pdf(files.NOTICE))
    card = await env.client.wait_for_bot_message(OFFICE, after=sent["message_id"],
                                                 contains="请核对")
    for value in ("宜兴市生态环境局", "宜环发〔2026〕35号",
                  "关于开展冬季大气污染防治专项检查的通知", "2026-12-20前报送", "1.自查表",
                  "宜环发35号.pdf"):
        assert value in card["text"], value
    # The clerk corrects the sender, then confirms.
    await env.press(OFFICE, card, button="✏️ 修改")
    card = await env.message(OFFICE, card["message_id"])
    await env.press(OFFICE, card, button="来文单位")
    await env.say(OFFICE, "宜兴市生态环境局（大气科）", contains="请核对")
    card = (await env.bot_messages(OFFICE))[-1]
    await env.press(OFFICE, card, button="✅ 确认登记")
    document = await IncomingDocument.get(sender="宜兴市生态环境局（大气科）")
    assert document.file_id and document.file_kind == "pdf" and document.seq == 1

    # A classified PDF: refused with the reason, nothing kept but a refusal entry.
    before = await IncomingDocument.all().count()
    sent = await env.client.send_document(OFFICE, OFFICE, "通知.pdf", files.pdf(files.SECRET))
    refusal = await env.client.wait_for_bot_message(OFFICE, after=sent["message_id"],
                                                    contains="涉密")
    assert "机密" in refusal["text"]
    # The classified file itself is taken out of the chat with the bot.
    assert sent["message_id"] not in [m["message_id"] for m in await env.client.messages(OFFICE)]
    assert await IncomingDocument.all().count() == before
    entries = await Refusal.all()
    assert [(r.source, r.word) for r in entries] == [("pdf", "机密")]
    assert not await IncomingDocument.filter(title__contains="重点目标").exists()
    # And typed: /shouwen 涉密 … is refused the same way.
    await env.say(OFFICE, "/shouwen 涉密 市委办 关于XX的通知", contains="涉密")
    assert await Refusal.all().count() == 2
    assert await IncomingDocument.all().count() == before


async def test_search_finds_by_words_number_and_month_with_buttons(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    await register_typed(env)
    found = await env.say(OFFICE, "/wenjian 大气污染", contains="共找到")
    assert "收文〔2026〕0001号" in found["text"]
    await env.press(OFFICE, found, button=found["reply_markup"]["inline_keyboard"][0][0]["text"])
    shown = await env.client.wait_for_bot_message(OFFICE, after=found["message_id"],
                                                  contains="待拟办")
    assert "市生态环境局" in shown["text"]
    assert "收文〔2026〕0001号" in (await env.say(OFFICE, "/wenjian 收文1号", contains="共找到"))[
        "text"]
    assert "共找到" in (await env.say(OFFICE, "/wenjian 宜环发 35号", contains="共找到"))["text"]
    month = await env.say(OFFICE, "/wenjian 本月", contains="本月公文")
    assert "收文〔2026〕0001号" in month["text"]
    none = await env.say(OFFICE, "/wenjian 不存在的文件", contains="没有找到")
    assert none
    # Staff see only what they handle: nothing here.
    assert "没有找到" in (await env.say(STAFF, "/wenjian 大气污染"))["text"]


async def test_a_photo_of_a_letter_is_attached_and_reaches_the_leader(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    sent = files.send_photo(env.sandbox, OFFICE, OFFICE, b"\xff\xd8\xff\xe0fake-jpeg",
                            caption="市委办 关于做好年末走访慰问工作的通知 12月10日前报送")
    card = await env.client.wait_for_bot_message(OFFICE, after=sent, contains="请核对")
    assert "市委办" in card["text"] and "关于做好年末走访慰问工作的通知" in card["text"]
    assert "照片" in card["text"] and "2026-12-10前报送" in card["text"]
    await env.press(OFFICE, card, button="✅ 确认登记")
    document = await IncomingDocument.get(title="关于做好年末走访慰问工作的通知")
    assert document.file_kind == "photo" and document.file_id
    card = await env.message(OFFICE, card["message_id"])
    await env.press(OFFICE, card, button="拟办送签")
    picker = await env.say(OFFICE, "拟请李主任阅示", contains="请选择")
    await env.press(OFFICE, picker, button="李主任")
    picker = await env.message(OFFICE, picker["message_id"])
    await env.press(OFFICE, picker, button="📨 送领导签批")
    await env.delivered()
    photo = await env.client.wait_for_bot_message(LEADER, contains="关于做好年末走访慰问工作")
    assert photo.get("photo"), photo
    leader_card = await env.client.wait_for_bot_message(LEADER, after=photo["message_id"],
                                                        contains="请您阅批")
    # 📎 原件 on the card sends the photo again, by its Telegram id.
    await env.press(LEADER, leader_card, button="📎 原件")
    again = await env.client.wait_for_bot_message(LEADER, after=leader_card["message_id"])
    assert again.get("photo")
