"""A careless user's list: a past deadline, an unknown department, a 文号 typed twice, a file
that is no document, old cards pressed, too much text, the wrong person, English."""

from __future__ import annotations

import pytest

from models.core import Role
from models.documents import Assignment, IncomingDocument, IncomingStatus, Refusal
from services.clock import FixedClock
from tests import documents_files as files
from tests.e2e.conftest import Env
from tests.e2e.test_documents import LEADER, OFFICE, STAFF, roster


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    return await roster(env)



async def test_careless_registration_and_assignment(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    # Guided: a deadline in the past is refused; what was typed before is kept.
    await env.say(OFFICE, "/shouwen", contains="来文单位是")
    await env.say(OFFICE, "市生态环境局", contains="文号")
    await env.say(OFFICE, "宜环发〔2026〕35号", contains="标题")
    await env.say(OFFICE, "关于开展冬季大气污染防治专项检查的通知", contains="办理期限")
    past = await env.say(OFFICE, "11月20日", contains="已经过去")
    assert "今天是 2026-11-26" in past["text"] and "之前填写的内容都还在" in past["text"]
    nonsense = await env.say(OFFICE, "下下周吧", contains="看不懂")
    assert nonsense
    card = await env.say(OFFICE, "12月20日", contains="请核对")
    assert "市生态环境局" in card["text"] and "2026-12-20" in card["text"]
    await env.press(OFFICE, card, button="✅ 确认登记")
    # The same button again (an old card) only says it is done.
    again = await env.press(OFFICE, card, data=f"doc:reg:{(await IncomingDocument.first()).id}")
    assert "已经登记过了" in (again["answer"] or "")

    # The same 文号 typed again (ASCII brackets): the card warns it may be a duplicate.
    twin = await env.say(OFFICE, "/shouwen 市生态环境局 宜环发[2026]35号 关于开展冬季大气污染防治"
                                 "专项检查的通知", contains="请核对")
    assert "可能是重复收文" in twin["text"] and "收文〔2026〕0001号" in twin["text"]
    await env.press(OFFICE, twin, button="🗑 放弃")
    assert await IncomingDocument.all().count() == 1

    # Assigning to an unknown department, or with a past date: refused, nothing created.
    document = await IncomingDocument.get(seq=1)
    shown = await env.say(OFFICE, "/wenjian 收文1号", contains="共找到")
    await env.press(OFFICE, shown, button=shown["reply_markup"]["inline_keyboard"][0][0]["text"])
    doc_card = await env.client.wait_for_bot_message(OFFICE, after=shown["message_id"],
                                                     contains="待拟办")
    await env.press(OFFICE, doc_card, button="分办")
    unknown = await env.say(OFFICE, "宣传部 规划建设局 12月10日", contains="没有“宣传部”这个部门")
    assert "可选部门" in unknown["text"] and "规划建设局" in unknown["text"]
    late = await env.say(OFFICE, "规划建设局 11月1日", contains="已经过去")
    assert late
    assert await Assignment.all().count() == 0
    preview = await env.say(OFFICE, "规划建设局", contains="请确认分办")
    assert "2026-12-20" in preview["text"]
    await env.press(OFFICE, preview, button="✅ 确认分办")
    # Pressing the confirmation twice assigns once.
    twice = await env.press(OFFICE, preview, data=f"doc:asgok:{document.id}")
    assert "过期" in (twice["answer"] or "")
    assert await Assignment.filter(document_id=document.id).count() == 1
    assert (await IncomingDocument.get(id=document.id)).status == IncomingStatus.HANDLING

    # Too long a title, an empty answer.
    await env.say(OFFICE, "/shouwen", contains="来文单位是")
    await env.say(OFFICE, "市发改委", contains="文号")
    await env.say(OFFICE, "无", contains="标题")
    too_long = await env.say(OFFICE, "关于" + "很长" * 200 + "的通知", contains="太长")
    assert "300" in too_long["text"]


async def test_files_that_are_no_documents_and_the_wrong_people(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    sent = await env.client.send_document(OFFICE, OFFICE, "会议录音.mp3", b"ID3\x03\x00fake")
    reply = await env.client.wait_for_bot_message(OFFICE, after=sent["message_id"],
                                                  contains="不是公文文件")
    assert "会议录音.mp3" in reply["text"]
    sent = await env.client.send_document(OFFICE, OFFICE, "坏文件.pdf", b"%PDF-1.4 broken")
    reply = await env.client.wait_for_bot_message(OFFICE, after=sent["message_id"],
                                                  contains="打不开")
    assert await IncomingDocument.all().count() == 0
    # A scanned letter (no text): attached, the clerk is asked for the fields.
    sent = await env.client.send_document(OFFICE, OFFICE, "来函扫描.pdf", files.pdf([]))
    card = await env.client.wait_for_bot_message(OFFICE, after=sent["message_id"],
                                                 contains="读不到文字")
    question = await env.client.wait_for_bot_message(OFFICE, after=card["message_id"],
                                                     contains="来文单位是")
    assert question
    # Staff may not register; a staff member's stray file is left for others.
    refused = await env.say(STAFF, "/shouwen 市某局 关于某事的通知")
    assert "不能使用" in refused["text"]
    await env.client.send_document(STAFF, STAFF, "照片.pdf", files.pdf(["随手拍"]))
    assert await IncomingDocument.all().count() == 1 and await Refusal.all().count() == 0
    # A leader's card pressed after the leader decided: only says so.
    assert LEADER


async def test_english_speakers_get_english(office: Env, fixed_clock: FixedClock
                                            ) -> None:
    env = office
    await env.person(1009, "Anna", Role.OFFICE, "党政办", lang="en")
    card = await env.say(1009, "/shouwen 市生态环境局 宜环发〔2026〕36号 关于某事的通知 "
                               "12月20日前报送", contains="Check the fields")
    assert "Sender: 市生态环境局" in card["text"] and "Confirm" in str(card["reply_markup"])
    past = await env.say(1009, "/wenjian")
    assert "Usage" in past["text"]
