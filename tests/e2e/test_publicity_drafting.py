"""Drafting tasks end to end: a leader assigns, the drafter hands in DOCX versions, one is
returned with comments and the next accepted; the deadline is chased the workday before and on
the day in working hours; /wengao and /todo show where things stand."""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from models.core import OutboxMessage
from models.publicity import DraftingTask, DraftVersion, TaskStatus, VersionVerdict
from services.clock import FixedClock
from tests.e2e.conftest import Env
from tests.e2e.publicity_env import at, labels, office, tick

__all__ = ["office"]


def docx_bytes(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def hand_in(env: Env, name: str, text: str) -> dict[str, Any]:
    sent = await env.client.send_document(1004, 1004, name, docx_bytes(text))
    return await env.client.wait_for_bot_message(1004, after=sent["message_id"],
                                                 contains="已收到文稿")


async def test_a_drafting_task_is_returned_once_then_accepted(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    draft = await env.say(1002, "/wengao 新建 讲话 起草人 刘工 题目 在年度总结大会上的讲话")
    assert "还缺：截止时间" in draft["text"]
    refused = await env.press(1002, draft, button="派发")
    assert "还缺" in (refused["answer"] or "")
    past = await env.say(1002, "截止 11月20日")
    assert "截止时间 2026-11-20 17:30 已经过了" in past["text"]
    filled = await env.say(1002, "截止 12月3日 字数 3000 要求 突出生态环保产业发展成效")
    assert "截止：2026-12-03 17:30（周四）" in filled["text"] and "约3000字" in filled["text"]
    await env.press(1002, filled, button="派发")
    sent = await env.message(1002, filled["message_id"])
    assert "已将文稿 #1 派发给刘工" in sent["text"]
    await env.delivered()
    card = await env.client.wait_for_bot_message(1004, contains="李主任给您布置了一项文稿任务")
    assert "讲话《在年度总结大会上的讲话》" in card["text"] and labels(card) == ["上传稿件"]

    # A careless drafter sends a text file first.
    wrong = await env.client.send_document(1004, 1004, "讲话稿.txt", "讲话内容".encode())
    answer = await env.client.wait_for_bot_message(1004, after=wrong["message_id"])
    assert "“讲话稿.txt”不是 Word 文档" in answer["text"]
    first = await hand_in(env, "讲话稿v1.docx", "一稿")
    assert "已收到文稿 #1《在年度总结大会上的讲话》第1稿，已送李主任审阅" in first["text"]
    await env.delivered()
    v1 = await env.client.wait_for_bot_message(1002, contains="第1稿")
    assert v1["document"]["file_name"] == "讲话稿v1.docx"
    assert labels(v1) == ["退回修改", "采用定稿"]
    opened = Document(io.BytesIO(await env.client.file_bytes(v1["document"]["file_id"])))
    assert opened.paragraphs[0].text == "一稿"
    await env.press(1002, v1, button="退回修改")
    ask = await env.client.wait_for_bot_message(1002, after=v1["message_id"], contains="修改意见")
    assert "第1稿" in ask["text"]
    done = await env.say(1002, "请补充全年主要经济指标，压缩到2500字")
    assert "已将文稿 #1 第1稿退回修改" in done["text"]
    await env.delivered()
    back = await env.client.wait_for_bot_message(1004, contains="被退回修改")
    assert "意见：请补充全年主要经济指标" in back["text"] and labels(back) == ["上传稿件"]
    assert (await DraftingTask.get(id=1)).status == TaskStatus.RETURNED

    # The workday before the deadline, in working hours: one reminder.
    await tick(env, fixed_clock, at(2026, 12, 2, 8, 0))
    assert not await OutboxMessage.filter(kind="publicity.task_reminder").exists()
    await tick(env, fixed_clock, at(2026, 12, 2, 9, 5))
    await tick(env, fixed_clock, at(2026, 12, 2, 9, 15))
    await env.delivered()
    reminder = await env.client.wait_for_bot_message(1004, contains="提醒")
    assert "将于 2026-12-03 17:30（周四） 截止" in reminder["text"]
    assert await OutboxMessage.filter(kind="publicity.task_reminder").count() == 1

    await env.press(1004, back, button="上传稿件")
    await hand_in(env, "讲话稿v2.docx", "二稿")
    await env.delivered()
    v2 = await env.client.wait_for_bot_message(1002, after=v1["message_id"], contains="第2稿")
    assert v2["document"]["file_name"] == "讲话稿v2.docx"
    stale = await env.press(1002, v1, data="pub:vok:1")  # the first version's old card
    assert "已经退回过了" in (stale["answer"] or "")
    await env.press(1002, v2, button="采用定稿")
    accepted = await env.client.wait_for_bot_message(1002, after=v2["message_id"],
                                                     contains="采用文稿 #1")
    assert "第2稿为定稿" in accepted["text"]
    assert not labels(await env.message(1002, v2["message_id"]))
    await env.delivered()
    thanks = await env.client.wait_for_bot_message(1004, contains="已采用定稿")
    assert "第2稿" in thanks["text"]
    task = await DraftingTask.get(id=1)
    assert (task.status, task.returns) == (TaskStatus.ACCEPTED, 1)
    verdicts = [v.verdict for v in await DraftVersion.filter(task_id=1).order_by("number")]
    assert verdicts == [VersionVerdict.RETURNED, VersionVerdict.ACCEPTED]
    # Accepted: no reminder on the day.
    await tick(env, fixed_clock, at(2026, 12, 3, 9, 5))
    assert await OutboxMessage.filter(kind="publicity.task_reminder").count() == 1
    monthly = await env.say(1002, "/monthly", contains="月报")
    assert "完成文稿：1篇" in monthly["text"] and "其中讲话：1篇" in monthly["text"]


async def test_wengao_lists_open_tasks_chases_on_the_day_and_reports_overdue(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    one = await env.say(1003, "/wengao 新建 纪要 起草人 陈科长 截止 11月30日 题目 党工委会议纪要")
    await env.press(1003, one, button="派发")
    two = await env.say(
        1003, "/wengao 新建 请示 陈科长 截止 12月10日下午3点 关于申请专项资金的请示")
    assert "请示《关于申请专项资金的请示》" in two["text"]
    await env.press(1003, two, button="派发")
    listing = await env.say(1005, "/wengao", contains="进行中的文稿")
    assert "#1 纪要《党工委会议纪要》陈科长 · 截止 11-30 17:30 · 待交稿" in listing["text"]
    assert labels(listing) == ["#1 上传稿件", "#2 上传稿件"]
    assert "不能使用" in (await env.say(1004, "/wengao 1"))["text"]
    todo = await env.say(1005, "/todo", contains="待办")
    assert "文稿 #1《党工委会议纪要》截止 11-30 17:30，待交稿" in todo["text"]
    # Two open tasks: a file sent is asked for which one.
    await env.delivered()
    sent = await env.client.send_document(1005, 1005, "纪要.docx", docx_bytes("纪要"))
    which = await env.client.wait_for_bot_message(1005, after=sent["message_id"],
                                                  contains="哪一项")
    assert "这是哪一项的稿件" in which["text"]
    await env.press(1005, which, button="#1 党工委会议纪要")
    attached = await env.message(1005, which["message_id"])
    assert "已作为文稿 #1 第1稿送审" in attached["text"]
    again = await env.press(1005, which, data=labels_data(which)[1])  # the other, too late
    assert "已经作为稿件送审了" in (again["answer"] or "")
    # Friday is the workday before Monday the 30th... but #1 is under review now: no chase.
    await tick(env, fixed_clock, at(2026, 11, 27, 10, 0))
    assert not await OutboxMessage.filter(kind="publicity.task_reminder").exists()
    # #2 on its day, then past its deadline: the drafter and the assigner hear of it once.
    await tick(env, fixed_clock, at(2026, 12, 10, 9, 30))
    await tick(env, fixed_clock, at(2026, 12, 10, 15, 30))
    await tick(env, fixed_clock, at(2026, 12, 10, 15, 40))
    await env.delivered()
    today = await env.client.wait_for_bot_message(1005, contains="今天截止")
    assert "#2" in today["text"]
    late = await env.client.wait_for_bot_message(1003, contains="已超过截止时间")
    assert "陈科长尚未交稿" in late["text"]
    assert await OutboxMessage.filter(kind="publicity.task_overdue").count() == 1
    office_day = await env.say(1003, "/daily", chat_id=-2001, contains="日报")
    assert "文稿 #2《关于申请专项资金的请示》已超期" in office_day["text"]


def labels_data(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
