"""A short year (a month's volume) played by `officebot demo year`'s code; /annual's figures
checked one by one against counts made from the sandbox's message log."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import load_workbook

from bot.demo_year import Theatre, play
from bot.demo_year.people import LEADERS_GROUP, OFFICE

YEAR = 2026


def bot_texts(theatre: Theatre) -> list[tuple[int, str]]:
    """Every text the bot ever sent or edited in, in every chat: (chat, text)."""
    found = []
    for call in theatre.sandbox.calls():
        params = call.get("params") or {}
        if call.get("ok") and call["method"] in (
                "sendMessage", "editMessageText", "sendDocument", "editMessageCaption"):
            text = str(params.get("text") or params.get("caption") or "")
            found.append((int(params.get("chat_id") or 0),
                          html.unescape(re.sub(r"<[^>]+>", "", text))))
    return found


def sent(theatre: Theatre) -> list[str]:
    """The texts of the messages the bot sent (not edits)."""
    return [html.unescape(re.sub(r"<[^>]+>", "", str((c.get("params") or {}).get("text") or "")))
            for c in theatre.sandbox.calls() if c.get("ok") and c["method"] == "sendMessage"]


def typed(theatre: Theatre) -> list[str]:
    """What the people typed, in every chat."""
    return [m.text or "" for chat in theatre.sandbox.chats.values()
            for m in chat.messages.values() if not m.is_bot]


def answers(theatre: Theatre) -> list[str]:
    """Every text the bot gave in answer to a button press."""
    return [str((c.get("params") or {}).get("text") or "") for c in theatre.sandbox.calls()
            if c["method"] == "answerCallbackQuery" and c.get("ok")]


def distinct(texts: list[str], pattern: str) -> int:
    return len({m.group(1) for text in texts for m in re.finditer(pattern, text)})


def summary_figure(summary: str, before: str, after: str = "") -> str:
    """The figure written between two words of the summary."""
    found = re.search(re.escape(before) + r"(\d+|【待填】)" + re.escape(after), summary)
    assert found, f"{before}…{after} not in {summary}"
    return found.group(1)


def log_counts(theatre: Theatre) -> dict[str, int]:
    """The year's figures as the chats show them, counted without the database."""
    texts = [text for _, text in bot_texts(theatre)]
    pressed = answers(theatre)
    office = [text for chat, text in bot_texts(theatre) if chat == OFFICE]
    return {
        "received": distinct(office, rf"已登记为 收文〔{YEAR}〕(\d+)号"),
        "issued": distinct(pressed, rf"已签发：园区发〔{YEAR}〕(\d+)号"),
        "drafts": distinct(texts, r"已采用文稿 #(\d+)《.*》第\d+稿为定稿"),
        "bulletins": distinct(texts, rf"参阅{YEAR}年第(\d+)期（[-0-9 ]+签发"),
        "meetings": distinct(texts, r"✅ 已预订：.*编号 #(\d+)"),
        "reports": distinct(texts, r"✅ 已登记报道 #(\d+)"),
        "front_pages": distinct([t for t in texts if "已登记报道" in t and "头版" in t],
                                r"✅ 已登记报道 #(\d+)"),
        "info_used": distinct(pressed, r"#(\d+) 已按.级采用"),
        "opinion_items": distinct(texts, r"已录入舆情 #(\d+)"),
        "seals": distinct(pressed, r"登记簿第(\d+)号"),
        "receptions": sum("已登记实际情况并关闭" in t for t in sent(theatre)),
        "meals": sum(int(m.group(1)) for t in typed(theatre)
                     for m in re.finditer(r"^实到 \d+\n用餐 (\d+)次", t))
        + distinct(office, r"已登记公务用餐 #(\d+)"),
        "false_alarms": sum("标记为误报，理由已记录" in t for t in sent(theatre)),
        # Items (not events) handled: each handled event's first item and the reports that
        # joined it (a joined report reopens the event; the demo handles it again).
        "handled": sum(1 + sum(joined == case for joined in re.findall(
            r"与已有舆情 #(\d+) 属同一事件", "\n".join(texts))) for case in {
            m.group(1) for t in sent(theatre)
            for m in re.finditer(r"舆情 #(\d+) 的处置情况已记录", t)}),
        "repairs": distinct(texts, r"新报修 #(\d+)"),
        "repairs_done": distinct(texts, r"✅ 维修单 #(\d+) · 已完工"),
        "zero_days": distinct([t for c, t in bot_texts(theatre) if c == LEADERS_GROUP],
                              r"网络舆情日报（(\d{4}-\d{2}-\d{2})）\n✅ 今日零报告"),
    }


async def test_a_short_year_gives_annual_figures_that_match_the_chats(db: str) -> None:
    shown: dict[str, Any] = {}

    async def annual(theatre: Theatre) -> None:
        stage = theatre.stage
        stage.clock.set(datetime(YEAR, 2, 2, 1, 30, tzinfo=UTC))
        asked = await stage.send(OFFICE, f"/annual {YEAR}")
        summary = await stage.wait(OFFICE, asked, "工作总结", timeout=60)
        files = await stage.wait(OFFICE, summary["message_id"], "分月统计", timeout=30)
        shown["summary"] = summary["text"]
        shown["xlsx"] = await stage.client.file_bytes(files["document"]["file_id"])
        shown["log"] = log_counts(theatre)
        shown["texts"] = [text for _, text in bot_texts(theatre)]

    tally = await play(db, seed=7, year=YEAR, scale=0.085, last=date(YEAR, 1, 31),
                       show_progress=False, keep=annual, open_database=False)
    assert not tally.failed, "\n".join(tally.errors)
    summary, log = shown["summary"], shown["log"]
    expected: dict[str, tuple[str, str]] = {
        "received": ("办理上级来文", "件"), "issued": ("园区发文", "件"),
        "drafts": ("纪要等材料", "篇"), "bulletins": ("编辑出刊《参阅》", "期"),
        "meetings": ("统筹安排会议", "场"), "reports": ("刊播园区报道", "篇"),
        "front_pages": ("其中头版", "篇"), "info_used": ("党政信息刊登", "篇"),
        "opinion_items": ("监测网络舆情", "条"), "seals": ("规范用印", "次"),
        "zero_days": ("报送舆情零报告", "天"), "receptions": ("完成重要活动接待", "次"),
        "meals": ("安排公务接待用餐", "次"), "false_alarms": ("核实为误报", "条"),
        "handled": ("已处置", "条"), "repairs": ("受理设施维修", "件"),
        "repairs_done": ("办结", "件。"),
    }
    for key, (before, after) in expected.items():
        assert summary_figure(summary, before, after) == str(log[key]), (key, log)
        assert log[key] > 0 or key in ("front_pages",), key
    # The official meals: the receptions' and, most of them, the ones recorded in one line.
    assert log["meals"] > 3 * log["receptions"], log
    # What went wrong: a late document chased to red, a rejected reception, a stock-take
    # difference, a false alarm.
    chats = shown["texts"]
    assert any("催办：您承办的事项已逾期" in t for t in chats)
    assert any("逾期通报" in t for t in chats)
    assert any("驳回" in t and "接待" in t for t in chats), "a reception is rejected"
    assert any("盘点 #" in t and "1 处差异已调整" in t for t in chats)
    assert log["false_alarms"] == 1
    # What the bot has no record of is left for the office, never invented.
    assert summary_figure(summary, "编印园区杂志", "期") == "【待填】"
    assert summary_figure(summary, "全市排名第", "位") == "【待填】"
    # The sources sheet: every figure with its query and, where counted, its records.
    book = load_workbook(io.BytesIO(shown["xlsx"]))
    assert "数据来源" in book.sheetnames
    rows = list(book["数据来源"].iter_rows(values_only=True))
    by_label = {r[0]: r for r in rows if r and r[0]}
    received = by_label["办理上级来文（件）"]
    assert received[1] == log["received"] and received[3] == log["received"]
    assert "IncomingDocument" in received[2] and f"收文〔{YEAR}〕0001号" in received[4]
    assert by_label["园区杂志（期）"][1] == "【待填】"
    # Drafted materials are listed by their kind in Chinese, never an internal code.
    drafts = str(by_label["起草材料（篇）"][4])
    assert re.search(r"#\d+ (讲话|报告|请示|调研报告|纪要|方案|其他文稿) ", drafts), drafts
    assert not re.search(r"#\d+ [a-z]+ ", drafts), drafts
