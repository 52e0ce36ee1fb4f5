"""The 参阅 bulletin end to end: items tagged from pasted text, a 舆情 item and a ledger entry;
reordered, one dropped, an editor's note; 签发 numbers it per year, the DOCX (opened with
python-docx) reaches the leaders' group with its items in order; past issues; careless use."""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from models.opinion import SourceKind, TermKind
from models.publicity import Bulletin, BulletinItem, BulletinStatus
from services.clock import FixedClock
from services.opinion import pipeline, terms
from tests.e2e.conftest import Env
from tests.e2e.publicity_env import at, labels, office

__all__ = ["office"]


async def docx_paragraphs(env: Env, message: dict[str, Any]) -> list[str]:
    data = await env.client.file_bytes(message["document"]["file_id"])
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


async def test_a_bulletin_issue_is_compiled_numbered_and_sent_in_order(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    empty = await env.say(1003, "/canyue 编辑")
    assert "还没有稿件" in empty["text"]
    nothing = await env.press(1003, empty, button="签发")
    assert "本期还没有稿件，不能签发" in (nothing["answer"] or "")
    assert not await Bulletin.filter(status=BulletinStatus.ISSUED).exists()

    await terms.add_terms(None, TermKind.NAME, ["绿谷园区"])
    [item] = await pipeline.ingest(
        [pipeline.Candidate("兄弟园区推进环保产业集聚的做法", "三家国家级园区的经验。",
                            "https://news.example.org/env/77", source_name="中国环境报")],
        via=SourceKind.API)
    policy = await env.say(1003, "/canyue 加 关于加快推动环保装备制造业高质量发展的指导意见\n"
                                 "来源：工业和信息化部\n提出到2027年环保装备制造业产值力争达到1.3万亿元。")
    assert "已加入下一期《参阅》" in policy["text"] and "工业和信息化部" in policy["text"]
    from_opinion = await env.say(1003, f"/canyue 加 舆情 {item.item_id}")
    assert "兄弟园区推进环保产业集聚的做法" in from_opinion["text"]
    twice = await env.say(1003, f"/canyue 加 舆情 {item.item_id}")
    assert "这一条已经在本期里了" in twice["text"]
    report = await env.say(1003, "/xuanchuan 新华日报 2026-11-25 绿谷园区获评省级生态工业园区")
    await env.press(1003, report, button="加入参阅")
    await env.say(1003, "/canyue 加 一条要删掉的稿件")

    card = await env.say(1003, "/canyue 编辑")
    assert "签发时编号为2026年第1期，已收4篇" in card["text"]
    lines = [ln for ln in card["text"].splitlines() if ln[:2] in ("1.", "2.", "3.", "4.")]
    assert [ln.split(" ", 1)[1][:6] for ln in lines] == [
        "关于加快推动", "兄弟园区推进", "绿谷园区获评", "一条要删掉的"]
    await env.press(1003, card, button="3 ⬆")  # the ledger entry before the 舆情 item
    await env.press(1003, card, button="4 ✖")
    await env.press(1003, card, button="编者按")
    ask = await env.client.wait_for_bot_message(1003, after=card["message_id"],
                                                contains="请回复编者按")
    edited = await env.say(1003, "本期摘编环保产业政策与兄弟园区经验，供领导参阅。")
    assert "编者按：本期摘编环保产业政策" in edited["text"]
    assert ask["message_id"] < edited["message_id"]
    staff = await env.say(1004, "/canyue 编辑")
    assert "不能使用" in staff["text"]

    leader_card = await env.say(1002, "/canyue 编辑")
    assert "编者按：本期摘编环保产业政策" in leader_card["text"]
    await env.press(1002, leader_card, button="签发")  # a leader signs it off
    signed = await env.message(1002, leader_card["message_id"])
    assert "已签发 参阅2026年第1期" in signed["text"] and not labels(signed)
    issued = await Bulletin.get(status=BulletinStatus.ISSUED)
    assert (issued.year, issued.number, issued.editor_note[:4]) == (2026, 1, "本期摘编")
    own_copy = await env.client.wait_for_bot_message(1002, after=leader_card["message_id"],
                                                     contains="参阅2026年第1期")
    assert own_copy["document"]["file_name"] == "参阅2026年第1期.docx"
    await env.delivered()
    sent = await env.client.wait_for_bot_message(-2002, contains="参阅2026年第1期")
    assert "共3篇" in (sent.get("caption") or sent.get("text") or "")
    texts = await docx_paragraphs(env, sent)
    assert texts[:2] == ["参  阅", "2026年第1期"]
    assert texts[2].startswith("园区党政办公室编") and texts[2].endswith("2026年11月26日")
    contents = texts[texts.index("本期目录") + 1: texts.index("本期目录") + 4]
    assert contents == ["一、关于加快推动环保装备制造业高质量发展的指导意见",
                        "二、绿谷园区获评省级生态工业园区", "三、兄弟园区推进环保产业集聚的做法"]
    assert "编者按：本期摘编环保产业政策与兄弟园区经验，供领导参阅。" in texts
    body = texts[texts.index("编者按：本期摘编环保产业政策与兄弟园区经验，供领导参阅。"):]
    headings = [t for t in body if t[:2] in ("一、", "二、", "三、")]
    assert headings == contents
    assert "来源：工业和信息化部" in texts and "来源：新华日报\u30002026-11-25" in texts
    assert "提出到2027年环保装备制造业产值力争达到1.3万亿元。" in texts
    assert not await BulletinItem.filter(title="一条要删掉的稿件").exists()

    # The old editing card, pressed after 签发.
    late = await env.press(1003, card, button="1 ⬆")
    assert "已签发为参阅2026年第1期，不能再修改" in (late["answer"] or "")
    # The next issue starts empty and takes the next number; a new year starts again at 1.
    await env.say(1003, "/canyue 加 第二期的稿件")
    second = await env.say(1003, "/canyue 编辑")
    assert "签发时编号为2026年第2期，已收1篇" in second["text"]
    await env.press(1003, second, button="签发")
    fixed_clock.set(at(2027, 1, 5, 10))
    await env.say(1003, "/canyue 加 新年第一期的稿件")
    third = await env.say(1003, "/canyue 编辑")
    assert "2027年第1期" in third["text"]
    await env.press(1003, third, button="签发")
    numbers = [(b.year, b.number) for b in await Bulletin.filter(
        status=BulletinStatus.ISSUED).order_by("id")]
    assert numbers == [(2026, 1), (2026, 2), (2027, 1)]

    past = await env.say(1002, "/canyue")
    assert "参阅2026年第1期 · 2026-11-26" in past["text"]
    assert labels(past)[:3] == ["第1期", "第2期", "第1期"]
    again = await env.say(1002, "/canyue 2026 1")
    assert again["document"]["file_name"] == "参阅2026年第1期.docx"
    assert await docx_paragraphs(env, again) == texts  # the archived copy, unchanged
    assert "没有找到参阅2026年第9期" in (await env.say(1002, "/canyue 2026 9"))["text"]
