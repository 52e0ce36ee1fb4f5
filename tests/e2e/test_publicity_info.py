"""Information pieces end to end: a correspondent submits with a file, the office uses or
returns them from the group card, the quarter's cap, /xinxi 排名 with its chart, the
quarter-end push, /todo, and the careless user's buttons."""

from __future__ import annotations

from typing import Any

from models.core import OutboxMessage
from models.publicity import InfoLevel, InfoPiece, InfoStatus, PublicityFile
from services.clock import FixedClock
from tests.e2e.conftest import Env
from tests.e2e.publicity_env import at, labels, office, tick

__all__ = ["office"]


async def submit(env: Env, user: int, title: str, body: str = "正文") -> dict[str, Any]:
    """Write and submit a piece as `user`; returns the office group's card for it."""
    # A notice of an earlier piece may arrive in between: wait for the card itself.
    await env.say(user, "/xinxi 报送", contains="党政信息草稿")
    card = await env.say(user, f"{title}\n{body}", contains=f"标题：{title}")
    await env.press(user, card, button="提交")
    sent = await env.message(user, card["message_id"])
    assert "已报送党政信息" in sent["text"]
    await env.delivered()
    return await env.client.wait_for_bot_message(-2001, contains=f"《{title}》")


async def test_a_correspondents_quarter_stops_at_the_cap_and_the_ranking_is_pushed(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    rules = await env.say(1003, "/xinxi 规则 上限 10")
    assert "已将每季度上限改为10" in rules["text"] and "每季度上限10分" in rules["text"]
    assert "不能使用" in (await env.say(1004, "/xinxi 规则 上限 100"))["text"]

    # The first piece comes with a file; the office opens it from the group card.
    draft = await env.say(1004, "/xinxi 报送 园区道路提档升级完成\n规划建设局推进道路提档升级。")
    assert "标题：园区道路提档升级完成" in draft["text"]
    attached = await env.client.send_document(1004, 1004, "现场照片说明.pdf", b"%PDF-1.4 test")
    with_file = await env.client.wait_for_bot_message(1004, after=attached["message_id"],
                                                      contains="附件")
    assert "现场照片说明.pdf" in with_file["text"]
    await env.press(1004, with_file, button="提交")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2001, contains="《园区道路提档升级完成》")
    assert "刘工（规划建设局）" in card["text"] and "待处理" in card["text"]
    assert labels(card) == ["区级采用", "市级采用", "省级采用", "退回", "附件（1）"]
    stranger = await env.press(1004, card, button="市级采用", chat_id=-2001)
    assert "不能使用" in (stranger["answer"] or "")
    files = await env.press(1003, card, button="附件（1）", chat_id=-2001)
    assert files["answer"] is None or "Traceback" not in files["answer"]
    sent_file = await env.client.wait_for_bot_message(-2001, after=card["message_id"],
                                                      contains="附件")
    assert sent_file["document"]["file_name"] == "现场照片说明.pdf"
    used = await env.press(1003, card, button="市级采用", chat_id=-2001)
    assert "已按市级采用" in (used["answer"] or "")
    await env.delivered()
    card_now = await env.message(-2001, card["message_id"])
    assert "市级采用" in card_now["text"] and "采用：张秘书" in card_now["text"]
    assert labels(card_now) == ["省级采用", "领导批示", "附件（1）"]
    told = await env.client.wait_for_bot_message(1004, contains="已被市级信息采用")
    assert "计3分" in told["text"] and "累计3分（每人每季度上限10分）" in told["text"]
    twice = await env.press(1003, card, data="pub:iuse:1:city", chat_id=-2001)  # double click
    assert "已按同级或更高级别采用过了" in (twice["answer"] or "")

    for title in ("园区老旧管网改造提前完工", "园区海绵城市建设试点通过验收"):
        piece_card = await submit(env, 1004, title)
        await env.press(1003, piece_card, button="市级采用", chat_id=-2001)
    last = await submit(env, 1004, "园区启动新一轮城市更新")
    await env.press(1003, last, button="省级采用", chat_id=-2001)  # 3 + 3 + 3 + 5 = 14 > 10
    await env.delivered()
    capped = await env.client.wait_for_bot_message(1004, contains="已被省级信息采用")
    assert "已达到上限10分（实得14分" in capped["text"]
    other = await submit(env, 1005, "规划建设局一企一策服务重点项目")
    await env.press(1003, other, button="区级采用", chat_id=-2001)
    # A leader's 批示 on 陈科长's piece: a bonus (and the button goes).
    await env.delivered()
    instructed = await env.press(1002, other, button="领导批示", chat_id=-2001)
    assert "已记领导批示" in (instructed["answer"] or "")
    await env.delivered()
    bonus = await env.client.wait_for_bot_message(1005, contains="获领导批示")
    assert "加5分" in bonus["text"]

    ranking = await env.say(1004, "/xinxi 排名")
    assert "2026年第4季度党政信息排名" in ranking["text"] and "报送5篇，采用5篇" in ranking["text"]
    assert "1. 规划建设局 16分（采用5篇）" in ranking["text"]
    assert "1. 刘工（规划建设局）10分（采用4篇） · 已达上限（实得14分）" in ranking["text"]
    assert "2. 陈科长（规划建设局）6分（采用1篇）" in ranking["text"]
    chart = await env.client.wait_for_bot_message(1004, after=ranking["message_id"],
                                                  contains="得分")
    assert chart.get("photo")
    assert (await InfoPiece.filter(status=InfoStatus.USED).count()) == 5
    assert (await InfoPiece.get(id=4)).level == InfoLevel.PROVINCE
    assert await PublicityFile.filter(info_id=1).count() == 1

    # The quarter's last workday: the ranking and its chart reach the office group, once.
    await tick(env, fixed_clock, at(2026, 12, 30, 16, 35))
    assert not await OutboxMessage.filter(kind="publicity.ranking").exists()
    ran = await tick(env, fixed_clock, at(2026, 12, 31, 16, 35))
    assert "publicity.ranking" in ran
    await env.delivered()
    pushed = await env.client.wait_for_bot_message(-2001, contains="2026年第4季度党政信息排名")
    assert "刘工（规划建设局）10分" in pushed["text"]
    photo = await env.client.wait_for_bot_message(-2001, after=pushed["message_id"],
                                                  contains="党政信息得分")
    assert photo.get("photo")
    await tick(env, fixed_clock, at(2027, 1, 4, 16, 35))  # next quarter: nothing pushed again
    assert await OutboxMessage.filter(kind="publicity.ranking").count() == 1


async def test_a_returned_piece_carries_its_reason_and_can_be_revised(office: Env) -> None:
    env = office
    card = await submit(env, 1004, "招商局开展驻点招商", "数据待补充")
    ask = await env.press(1003, card, button="退回", chat_id=-2001)
    assert ask["answer"] is None or "Traceback" not in ask["answer"]
    prompt = await env.client.wait_for_bot_message(-2001, after=card["message_id"],
                                                   contains="退回党政信息 #1")
    assert "张秘书" in prompt["text"]
    # In a group the bot reads replies to itself only: the question opens a reply, and someone
    # else's message in the group is not taken as the reason.
    assert prompt["reply_markup"].get("force_reply")
    await env.send(1004, "大家好", chat_id=-2001)
    sent = await env.client.send_message(-2001, 1003, "内容与上周重复，请补充新进展后再报",
                                         reply_to_message_id=prompt["message_id"])
    done = await env.client.wait_for_bot_message(-2001, after=sent["message_id"])
    assert "已退回党政信息 #1" in done["text"]
    piece = await InfoPiece.get(id=1)
    assert piece.status == InfoStatus.RETURNED
    assert piece.return_reason == "内容与上周重复，请补充新进展后再报"
    await env.delivered()
    card_now = await env.message(-2001, card["message_id"])
    assert "退回原因：内容与上周重复" in card_now["text"] and not labels(card_now)
    late = await env.press(1003, card, data="pub:iuse:1:city", chat_id=-2001)  # an old card
    assert "已经退回了" in (late["answer"] or "")
    notice = await env.client.wait_for_bot_message(1004, contains="被退回")
    assert "原因：内容与上周重复" in notice["text"]
    await env.press(1004, notice, button="修改后重新报送")
    revised = await env.client.wait_for_bot_message(1004, after=notice["message_id"],
                                                    contains="党政信息草稿 #2")
    assert "标题：招商局开展驻点招商" in revised["text"]
    empty_reason = await env.press(1003, await submit_card(env, revised), button="退回",
                                   chat_id=-2001)
    assert empty_reason["answer"] is None or "Traceback" not in empty_reason["answer"]
    prompt = await env.client.wait_for_bot_message(-2001, contains="退回党政信息 #2")
    sent = await env.client.send_message(-2001, 1003, "取消",
                                         reply_to_message_id=prompt["message_id"])
    blank = await env.client.wait_for_bot_message(-2001, after=sent["message_id"])
    assert "已取消" in blank["text"]
    assert (await InfoPiece.get(id=2)).status == InfoStatus.SUBMITTED


async def submit_card(env: Env, draft: dict[str, Any]) -> dict[str, Any]:
    await env.press(1004, draft, button="提交")
    await env.delivered()
    return await env.client.wait_for_bot_message(-2001, contains="党政信息 #2")


async def test_the_office_sees_waiting_pieces_in_todo_and_careless_input_is_answered(
        office: Env) -> None:
    env = office
    await submit(env, 1004, "园区企业研发投入同比增长")
    todo = await env.say(1003, "/todo", contains="待办")
    assert "党政信息 #1《园区企业研发投入同比增长》（刘工）待处理" in todo["text"]
    await env.press(1003, todo, button="1. 打开")
    opened = await env.client.wait_for_bot_message(1003, after=todo["message_id"],
                                                   contains="党政信息 #1")
    assert "区级采用" in labels(opened)
    assert "没有找到党政信息 #99" in (await env.say(1003, "/xinxi 采用 99 市"))["text"]
    assert "用法：/xinxi 采用 12 区|市|省" in (await env.say(1003, "/xinxi 采用 1 县"))["text"]
    assert "季度“2026Q9”不对" in (await env.say(1004, "/xinxi 排名 2026Q9"))["text"]
    assert "还没有到" in (await env.say(1004, "/xinxi 排名 2027Q1"))["text"]
    empty = await env.say(1004, "/xinxi 报送")
    nothing = await env.press(1004, empty, button="提交")
    assert "请写上信息的标题" in (nothing["answer"] or "")
    overview = await env.say(1004, "/xinxi")
    assert "#1《园区企业研发投入同比增长》· 待处理" in overview["text"]
    assert (await InfoPiece.filter(status=InfoStatus.DRAFT).count()) == 1
