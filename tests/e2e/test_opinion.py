"""The opinion duty officer end to end: feeds, the ingest API, staff reports, alerts, reports."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from openpyxl import load_workbook

from models.core import BoundChat, ChatPurpose, OutboxMessage, OutboxStatus, Role
from models.opinion import (
    CaseNote,
    CaseStatus,
    DailyReport,
    FeedbackLabel,
    OpinionCase,
    OpinionCluster,
    OpinionItem,
    SourcePoll,
    TermKind,
)
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from scheduler import runner
from services.clock import FixedClock
from services.opinion import sources, terms
from tests.e2e.conftest import Env, start_env

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
TOKEN = "s3cret-ingest-token"
LAST_MODIFIED = "Thu, 26 Nov 2026 01:00:00 GMT"
SH = "Asia/Shanghai"


class FeedServer:
    """Serves the RSS/Atom fixtures on 127.0.0.1 with ETag and Last-Modified (304 when fresh)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str | None, str | None, int]] = []
        self.failing: set[str] = set()
        self.runner: web.AppRunner | None = None
        self.port = 0

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/feeds/{name}"

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        etag_in = request.headers.get("If-None-Match")
        since = request.headers.get("If-Modified-Since")
        path = FEEDS / name
        if name in self.failing or not path.exists():
            status, response = 500, web.Response(status=500, text="internal error")
        else:
            body = path.read_bytes()
            etag = f'"{hashlib.sha1(body).hexdigest()[:12]}"'
            if etag_in == etag or since == LAST_MODIFIED:
                status, response = 304, web.Response(status=304)
            else:
                status, response = 200, web.Response(
                    body=body, content_type="application/xml",
                    headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})
        self.log.append((name, etag_in, since, status))
        return response

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/feeds/{name}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def feeds() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def office(fixed_clock: FixedClock, db: str, sandbox: Sandbox) -> AsyncIterator[Env]:
    """The bot with the office's people, the leaders' group and the park's watch terms."""
    runtime = await start_env(db, sandbox, ingest_token=TOKEN, outbox_group_per_minute=600,
                              outbox_private_per_second=20)
    async with SandboxClient(sandbox.base_url) as client:
        await client.reset_limits(group_rate=10, private_rate=20, private_capacity=20)
        env = Env(sandbox, client, runtime, db)
        try:
            await env.person(1001, "王管理", Role.ADMIN, "党政办")
            await env.person(1002, "李主任", Role.LEADER, "园区领导")
            await env.person(1003, "张秘书", Role.OFFICE, "党政办")
            await env.person(1004, "刘工", Role.STAFF, "规划建设局")
            await env.group(-2002, "领导舆情群", [1001, 1002, 1003, 1004])
            await BoundChat.create(chat_id=-2002, title="领导舆情群", purpose=ChatPurpose.LEADERS)
            await terms.add_terms(None, TermKind.NAME, ["绿谷环保科技产业园", "绿谷园区"])
            await terms.add_terms(None, TermKind.COMPANY, ["清泉水务"])
            await terms.add_terms(None, TermKind.EXCLUDE, ["绿谷小区"])
            yield env
        finally:
            await runtime.stop()


def at(hour: int, minute: int = 0, day: int = 26) -> datetime:
    """A moment in Shanghai on November `day`, 2026, as UTC."""
    from zoneinfo import ZoneInfo

    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(SH)).astimezone(UTC)


async def tick(env: Env, clock: FixedClock, when: datetime) -> list[str]:
    clock.set(when)
    return await runner.tick(env.runtime.settings, when)


async def post_items(env: Env, body: Any, token: str | None = TOKEN,
                     raw: bytes | None = None) -> tuple[int, Any]:
    url = f"http://127.0.0.1:{env.runtime.web_port}/api/opinion/items"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.post(
            url, json=None if raw is not None else body, data=raw, headers=headers) as response:
        return response.status, await response.json()


def labels(message: dict[str, Any]) -> set[str]:
    markup = message.get("reply_markup") or {}
    return {b["text"] for row in markup.get("inline_keyboard", []) for b in row}


async def negative_case(env: Env, title: str, url: str, source: str = "微博") -> int:
    status, answer = await post_items(env, [{"url": url, "title": title, "source": source}])
    assert status == 200, answer
    case_id = answer["results"][0]["case_id"]
    assert case_id is not None, answer
    return int(case_id)


async def test_feeds_api_and_staff_reports_become_stories_with_alerts(
        office: Env, feeds: FeedServer, fixed_clock: FixedClock) -> None:
    env = office
    await sources.add_source("环保资讯网", feeds.url("env_news.xml"))
    await sources.add_source("本地论坛", feeds.url("forum.atom"))
    assert "opinion.poll" in await tick(env, fixed_clock, at(10))

    items = {i.url: i for i in await OpinionItem.all()}
    assert len(items) == 6
    relevant = {u for u, i in items.items() if i.relevant}
    assert relevant == {"https://news.example.org/a/1001", "https://news.example.org/a/1002",
                        "https://bbs.example.org/t/501", "https://bbs.example.org/t/502"}
    # The city meeting names no watch term; the 绿谷小区 fire is vetoed by an exclude word.
    assert items["https://news.example.org/a/1004"].matched_terms == []
    story = items["https://news.example.org/a/1001"]
    repost = items["https://bbs.example.org/t/501"]
    assert story.cluster_id == repost.cluster_id is not None  # type: ignore[attr-defined]
    cluster = await OpinionCluster.get(id=story.cluster_id)  # type: ignore[attr-defined]
    assert (cluster.size, cluster.source_count) == (2, 2)
    assert items["https://bbs.example.org/t/502"].sentiment == "neutral"  # a drill, guarded
    assert items["https://news.example.org/a/1002"].sentiment == "positive"
    case = await OpinionCase.get()
    assert (case.level, case.status) == ("orange", CaseStatus.PENDING)

    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="舆情预警")
    text = card["text"]
    for part in ("绿谷园区一企业被曝夜间偷排污水", "环保资讯网", "橙色", "环境污染",
                 "https://news.example.org/a/1001", "待处置", "2026-11-26 08:30"):
        assert part in text, part
    assert labels(card) == {"知悉", "确认负面", "指派处置", "已处置", "误报"}
    duty = await env.client.wait_for_bot_message(1003, contains="舆情预警")
    assert "绿谷园区一企业被曝夜间偷排污水" in duty["text"]

    # Before the interval nothing is fetched; after it, both feeds answer 304 to the validators.
    await tick(env, fixed_clock, at(10, 10))
    assert len(feeds.log) == 2
    await tick(env, fixed_clock, at(10, 31))
    assert [entry[3] for entry in feeds.log] == [200, 200, 304, 304]
    assert feeds.log[2][1] is not None or feeds.log[2][2] == LAST_MODIFIED
    assert sorted(await SourcePoll.all().values_list("status", flat=True)) == [200, 200, 304, 304]
    assert await OpinionItem.all().count() == 6

    # The ingest API: the bearer token is required, a bad item is refused, the rest are kept.
    status, _ = await post_items(env, [], token="wrong")
    assert status == 401
    status, answer = await post_items(env, [
        {"url": "https://weibo.example.com/p/88", "source": "微博", "published":
         "2026-11-26T09:40:00+08:00",
         "title": "绿谷园区企业夜间偷排污水，附近居民投诉河道异味",
         "text": "近日多名居民反映，绿谷环保科技产业园内一家化工企业在夜间通过暗管偷排污水，"
                 "园区外河道出现明显异味，居民已多次拨打12345热线投诉。"},
        {"external_id": "wx-7", "source": "微信公众号",
         "title": "绿谷环保科技产业园一化工厂发生爆炸",
         "text": "现场浓烟滚滚，已有人员受伤送医。"},
        {"url": "https://weibo.example.com/p/89", "title": "没有来源的一条"},
        {"url": "https://news.example.org/a/1001", "source": "转载站", "title": "重复链接"},
    ])
    assert status == 200
    assert [r["status"] for r in answer["results"]] == ["created", "created", "refused",
                                                         "duplicate"]
    assert answer["results"][2]["reason"] == "bad_source"
    assert "source" in answer["results"][2]["message"]
    assert answer["results"][0]["case_id"] == case.id
    await cluster.refresh_from_db()
    assert cluster.source_count == 3
    red = await OpinionCase.get(id=answer["results"][1]["case_id"])
    assert red.level == "red"
    await env.delivered()
    spread = await env.client.wait_for_bot_message(-2002, contains="传播扩散")
    assert "3个来源" in spread["text"] and "微博" in spread["text"]
    await env.client.wait_for_bot_message(-2002, contains="红色")

    # By hand: /yq with a link, once; the same report again is recognised.
    report = "/yq 网友反映清泉水务停水三天，拨打12345投诉无人回应 https://bbs.example.org/t/777"
    # (the clerk also gets the alert card privately: wait for the reply itself)
    reply = await env.say(1003, report, contains="已录入")
    assert "判定为负面" in reply["text"] and "投诉举报" in reply["text"]
    manual = await OpinionItem.get(url="https://bbs.example.org/t/777")
    assert manual.source_name == "bbs.example.org"
    assert manual.via == "manual" and manual.added_by_id == env.users[1003].id  # type: ignore[attr-defined]
    assert await env.say(1003, report, contains="已经录入过了")

    # A message office staff forward in private becomes an item with its origin.
    sent = await env.client.send_message(
        1003, 1003, "绿谷园区一企业员工实名举报食堂卫生问题",
        forward_origin={"type": "channel", "message_id": 42,
                        "chat": {"id": -100555, "type": "channel", "title": "园区观察"}})
    answer_msg = await env.client.wait_for_bot_message(1003, after=sent["message_id"],
                                                       contains="已录入")
    assert "已录入" in answer_msg["text"]
    forwarded = await OpinionItem.get(external_id="tg:-100555:42")
    assert forwarded.source_name == "园区观察" and forwarded.relevant


async def test_alert_buttons_acknowledge_assign_take_a_note_and_close(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    case_id = await negative_case(env, "网友举报绿谷园区企业超标排放", "https://x.example.com/1")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="舆情预警")

    refused = await env.press(1004, card, button="知悉", chat_id=-2002)
    assert "不能使用" in (refused["answer"] or "")
    done = await env.press(1002, card, button="知悉", chat_id=-2002)
    assert done["answer"] == "已知悉。"
    await env.delivered()
    assert "知悉：李主任" in (await env.message(-2002, card["message_id"]))["text"]
    again = await env.press(1003, card, button="知悉", chat_id=-2002)
    assert "已有人知悉" in (again["answer"] or "")

    await env.press(1002, card, button="指派处置", chat_id=-2002)
    picker = await env.client.wait_for_bot_message(-2002, after=card["message_id"],
                                                   contains="请选择")
    assert "刘工（规划建设局）" in labels(picker)
    other = await env.press(1003, picker, button="刘工（规划建设局）", chat_id=-2002)
    assert "不是给您的" in (other["answer"] or "")
    picked = await env.press(1002, picker, button="刘工（规划建设局）", chat_id=-2002)
    assert "已指派给刘工" in (picked["answer"] or "")
    case = await OpinionCase.get(id=case_id)
    assert case.status == CaseStatus.HANDLING
    assert case.assignee_id == env.users[1004].id  # type: ignore[attr-defined]
    await env.delivered()
    private = await env.client.wait_for_bot_message(1004, contains="请您处置")
    assert labels(private) == {"已处置"}

    asked = await env.press(1004, private, button="已处置")
    assert "回复" in (asked["answer"] or "")
    await env.client.wait_for_bot_message(1004, after=private["message_id"], contains="请直接回复")
    assert "已取消" in (await env.say(1004, "取消"))["text"]
    assert (await OpinionCase.get(id=case_id)).status == CaseStatus.HANDLING
    await env.press(1004, private, button="已处置")
    saved = await env.say(1004, "已约谈企业负责人，责令停产整改，河道已清理", contains="已记录")
    assert "已处置" in saved["text"]
    case = await OpinionCase.get(id=case_id)
    assert case.status == CaseStatus.HANDLED and case.closed_at is not None
    note = await CaseNote.get(case_id=case_id)
    assert note.text.startswith("已约谈企业负责人")

    await env.delivered()
    closed = await env.message(-2002, card["message_id"])
    assert "状态：<b>已处置</b>" in closed["text"] or "状态：已处置" in closed["text"]
    assert "约谈企业负责人" in closed["text"] and not labels(closed)
    late = await env.press(1002, card, data=f"yq:fa:{case_id}", chat_id=-2002)
    assert "已处置完毕" in (late["answer"] or "")
    assert not await FeedbackLabel.exists()


async def mark_false_alarm(env: Env, who: int, card: dict[str, Any], reason: str,
                           chat_id: int = -2002) -> dict[str, Any]:
    """Press 误报, answer the question with the reason (a reply, as in a group); the answer."""
    pressed = await env.press(who, card, button="误报", chat_id=chat_id)
    assert "Traceback" not in (pressed["answer"] or "")
    ask = await env.client.wait_for_bot_message(chat_id, after=card["message_id"],
                                                contains="标记为误报吗")
    sent = await env.client.send_message(chat_id, who, reason,
                                         reply_to_message_id=ask["message_id"])
    return await env.client.wait_for_bot_message(chat_id, after=sent["message_id"])


async def test_false_alarm_and_confirmation_are_kept_as_labels(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    wrong = await negative_case(env, "绿谷园区开通12345便民热线", "https://x.example.com/2")
    right = await negative_case(env, "清泉水务被生态环境局立案调查", "https://x.example.com/3")
    await env.delivered()
    wrong_card = await env.client.wait_for_bot_message(-2002, contains="便民热线")
    right_card = await env.client.wait_for_bot_message(-2002, contains="立案调查")
    done = await mark_false_alarm(env, 1002, wrong_card, "经核实是便民服务新闻，不是负面")
    assert "已将舆情" in done["text"] and "误报" in done["text"]
    assert (await OpinionCase.get(id=wrong)).status == CaseStatus.FALSE_ALARM
    answer = await env.press(1002, right_card, button="确认负面", chat_id=-2002)
    assert "确认" in (answer["answer"] or "")
    again = await env.press(1002, right_card, button="确认负面", chat_id=-2002)
    assert "已确认过了" in (again["answer"] or "")
    from services.opinion.handling import feedback_rows

    assert await feedback_rows() == [("绿谷园区开通12345便民热线", 0),
                                     ("清泉水务被生态环境局立案调查", 1)]
    assert (await OpinionCase.get(id=right)).acknowledged_at is not None


async def test_unacknowledged_alert_is_sent_again_and_escalated_to_leaders(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    fixed_clock.set(at(10))
    case_id = await negative_case(env, "绿谷园区企业被责令整改", "https://x.example.com/4")
    await env.delivered()
    await tick(env, fixed_clock, at(10, 20))
    assert (await OpinionCase.get(id=case_id)).escalations == 0
    await tick(env, fixed_clock, at(10, 31))
    assert (await OpinionCase.get(id=case_id)).escalations == 1
    await env.delivered()
    group = await env.client.wait_for_bot_message(-2002, contains="超时未确认")
    assert "第1次提醒" in group["text"]
    leader = await env.client.wait_for_bot_message(1002, contains="超时未确认")
    assert labels(leader) >= {"知悉", "指派处置"}
    await env.press(1002, leader, button="知悉")
    await tick(env, fixed_clock, at(11, 5))
    assert (await OpinionCase.get(id=case_id)).escalations == 1
    await env.delivered()
    # Every copy of the card, the escalated ones too, now shows who acknowledged it.
    assert "知悉：李主任" in (await env.message(-2002, group["message_id"]))["text"]


async def test_quiet_hours_hold_orange_alerts_until_morning_but_not_red(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    fixed_clock.set(at(23))
    orange = await negative_case(env, "绿谷园区企业异味扰民遭投诉", "https://x.example.com/5")
    red = await negative_case(env, "绿谷环保科技产业园发生爆炸", "https://x.example.com/6")
    assert (await OpinionCase.get(id=orange)).alert_at == at(7, 30, day=27)
    held = [row.next_attempt_at for row in await OutboxMessage.filter(kind="opinion.alert")
            if row.payload.get("case_id") == orange]
    assert held and all(t == at(7, 30, day=27) for t in held)
    night = await env.client.wait_for_bot_message(-2002, contains="发生爆炸")
    assert "红色" in night["text"]
    assert not any("异味扰民" in (m.get("text") or "") for m in await env.bot_messages(-2002))
    fixed_clock.set(at(7, 31, day=27))
    morning = await env.client.wait_for_bot_message(-2002, contains="异味扰民", timeout=10)
    assert "橙色" in morning["text"]
    assert red != orange


async def test_daily_report_says_zero_report_when_nothing_negative(
        office: Env, feeds: FeedServer, fixed_clock: FixedClock) -> None:
    env = office
    await sources.add_source("园区新闻", feeds.url("quiet_day.xml"))
    await tick(env, fixed_clock, at(10))
    assert await OpinionCase.all().count() == 0
    assert "opinion.daily_report" in await tick(env, fixed_clock, at(17))
    await env.delivered()
    daily = await env.client.wait_for_bot_message(-2002, contains="网络舆情日报")
    text = daily["text"]
    assert "今日零报告" in text and "2026-11-26" in text
    assert "监测信息2条，涉及园区1条（负面0、中性1、正面0）" in text
    assert "检查来源1个：园区新闻" in text and "异常来源" not in text
    report = await DailyReport.get()
    assert report.zero and report.scanned == 2
    assert "opinion.daily_report" not in await tick(env, fixed_clock, at(17, 30))
    assert await OutboxMessage.filter(kind="opinion.daily").count() == 1


async def test_daily_report_lists_negative_items_and_failing_sources(
        office: Env, feeds: FeedServer, fixed_clock: FixedClock) -> None:
    env = office
    await sources.add_source("环保资讯网", feeds.url("env_news.xml"))
    await sources.add_source("坏掉的源", feeds.url("broken.xml"))
    await tick(env, fixed_clock, at(10))
    case = await OpinionCase.get()
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="舆情预警")
    await env.press(1002, card, button="知悉", chat_id=-2002)
    await tick(env, fixed_clock, at(17))
    await env.delivered()
    daily = await env.client.wait_for_bot_message(-2002, contains="网络舆情日报")
    text = daily["text"]
    assert "零报告" not in text
    assert "负面舆情1条" in text and "绿谷园区一企业被曝夜间偷排污水" in text and "待处置" in text
    assert "异常来源1个" in text and "坏掉的源（网站返回错误 500）" in text
    assert not (await DailyReport.get()).zero
    assert case.id


async def test_yq_lists_reports_exports_and_manages_terms(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    refused = await env.say(1004, "/yq")
    assert "不能使用" in refused["text"]
    assert "没有待处置" in (await env.say(1002, "/yq"))["text"]
    case_id = await negative_case(env, "绿谷园区企业违规排污被罚款", "https://x.example.com/7")
    await env.delivered()  # the alert cards are out before the clerk's own commands
    listing = await env.say(1002, "/yq")
    assert f"#{case_id}" in listing["text"] and "待处置" in listing["text"]
    card = await env.say(1002, f"/yq {case_id}")
    assert "违规排污" in card["text"] and "知悉" in labels(card)
    assert "没有找到编号为 999" in (await env.say(1002, "/yq 999"))["text"]

    today = await env.say(1002, "/yq today")
    assert "网络舆情日报" in today["text"] and "负面舆情1条" in today["text"]
    chart = await env.client.wait_for_bot_message(1002, after=today["message_id"])
    assert chart.get("photo") and "7" in (chart.get("caption") or "")
    week = await env.say(1002, "/yq week")
    assert "网络舆情周报" in week["text"] and "2026-11-23" in week["text"]
    chart = await env.client.wait_for_bot_message(1002, after=week["message_id"])
    assert "30" in (chart.get("caption") or "")

    export = await env.say(1003, "/yq export")
    assert export["document"]["file_name"].endswith(".xlsx") and "共1条" in export["caption"]
    sheet = load_workbook(io.BytesIO(await env.client.file_bytes(
        export["document"]["file_id"]))).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "舆情处置记录" and rows[1][0].startswith("期间：")
    assert rows[2][:4] == ("编号", "发现时间", "等级", "标题")
    assert rows[3][0] == case_id and rows[3][3] == "绿谷园区企业违规排污被罚款"
    assert rows[3][7] == "待处置" and isinstance(rows[3][1], datetime)
    assert "无法识别" in (await env.say(1003, "/yq export 2026-13-01"))["text"]
    assert "不能早于" in (await env.say(1003, "/yq export 2026-11-20 2026-11-01"))["text"]
    assert "不对" in (await env.say(1003, "/yq export 2026-11-01 9999-12-31"))["text"]
    assert "没有找到" in (await env.say(1003, "/yq 99999999999999999999"))["text"]
    forged = await env.press(1002, card, data="yq:ack:99999999999999999")
    # No record has an id beyond what the column holds: the button itself is not valid.
    assert "无法识别这个按钮" in (forged["answer"] or "")

    added = await env.say(1003, "/yq terms add 企业 谷丰新材料 清泉水务")
    assert "谷丰新材料" in added["text"] and "已存在：清泉水务" in added["text"]
    listing = await env.say(1003, "/yq terms")
    assert "谷丰新材料" in listing["text"] and "绿谷小区" in listing["text"]
    assert "无法识别" in (await env.say(1003, "/yq terms add 人物 张三"))["text"]
    assert "太短" in (await env.say(1003, "/yq terms add 企业 谷"))["text"]
    assert "不能使用" in (await env.say(1002, "/yq terms add 企业 某某公司"))["text"]
    assert "已删除" in (await env.say(1003, "/yq terms remove 谷丰新材料"))["text"]
    assert "不在关注词中" in (await env.say(1003, "/yq terms remove 谷丰新材料"))["text"]
    assert not await terms.WatchTerm.filter(word="谷丰新材料").exists()
    assert "/yq today" in (await env.say(1003, "/yq help"))["text"]


async def test_ingest_api_refuses_bad_requests_clearly(office: Env,
                                                        fixed_clock: FixedClock) -> None:
    env = office
    status, answer = await post_items(env, None, token=None)
    assert status == 401 and "bearer" in answer["error"]
    status, answer = await post_items(env, None, raw=b"{not json")
    assert status == 400 and "JSON" in answer["error"]
    status, answer = await post_items(env, {"items": "绿谷园区"})
    assert status == 400
    status, answer = await post_items(env, [{"id": i, "title": "t", "source": "s"}
                                            for i in range(501)])
    assert status == 413 and "500" in answer["error"]
    status, answer = await post_items(env, {"items": [
        {"id": 1, "title": "绿谷园区一企业投产", "source": "新闻网"}]})
    assert status == 200 and answer["created"] == 1 and answer["results"][0]["relevant"]
    status, again = await post_items(env, {"items": [
        {"id": 1, "title": "绿谷园区一企业投产", "source": "新闻网"}]})
    assert again["duplicate"] == 1 and await OpinionItem.all().count() == 1
    assert await OutboxMessage.filter(status=OutboxStatus.DEAD).count() == 0


async def test_a_slow_feed_times_out_and_counts_as_failing(
        db: str, feeds: FeedServer, fixed_clock: FixedClock) -> None:
    import asyncio

    from bot.web_opinion import AiohttpFetcher

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(text="late")

    assert feeds.runner is not None
    feeds.runner.app.router._frozen = False  # a route added to the running test server
    feeds.runner.app.router.add_get("/slow.xml", slow)
    source = await sources.add_source("慢源", f"http://127.0.0.1:{feeds.port}/slow.xml",
                                      timeout_seconds=1)
    [result] = await sources.poll_due(AiohttpFetcher(), fixed_clock.now())
    assert not result.ok and "timeout after 1 s" in (result.error or "")
    await source.refresh_from_db()
    assert source.failures == 1 and source.last_error == "timeout after 1 s"


async def test_a_false_alarm_needs_its_reason_and_can_be_undone_for_a_day(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    case_id = await negative_case(env, "绿谷园区一企业被曝夜间偷排", "https://x.example.com/9")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="夜间偷排")
    # Pressing 误报 only asks; “取消” leaves the complaint open.
    await env.press(1002, card, button="误报", chat_id=-2002)
    ask = await env.client.wait_for_bot_message(-2002, after=card["message_id"],
                                                contains="标记为误报吗")
    assert (await OpinionCase.get(id=case_id)).status == CaseStatus.PENDING
    sent = await env.client.send_message(-2002, 1002, "取消",
                                         reply_to_message_id=ask["message_id"])
    kept = await env.client.wait_for_bot_message(-2002, after=sent["message_id"])
    assert "没有标记误报" in kept["text"]
    done = await mark_false_alarm(env, 1002, card, "经核实是外地同名企业")
    assert "理由已记录" in done["text"] and "一天内可以撤销" in done["text"]
    case = await OpinionCase.get(id=case_id)
    assert case.status == CaseStatus.FALSE_ALARM
    from models.opinion import CaseNote

    assert [n.text for n in await CaseNote.filter(case_id=case_id)] == ["经核实是外地同名企业"]
    await env.delivered()
    closed = await env.message(-2002, card["message_id"])
    assert "误报" in closed["text"] and not closed.get("reply_markup")
    undone = await env.press(1002, done, button="↩️ 撤销误报", chat_id=-2002)
    assert "已撤销" in (undone["answer"] or "")
    assert (await OpinionCase.get(id=case_id)).status == CaseStatus.PENDING
    await env.delivered()
    reopened = await env.message(-2002, card["message_id"])
    assert "误报" in {b["text"] for row in reopened["reply_markup"]["inline_keyboard"]
                    for b in row}
    # A day later a 误报 stays.
    done = await mark_false_alarm(env, 1002, reopened, "还是误报")
    fixed_clock.advance(timedelta(days=1, minutes=1))
    late = await env.press(1002, done, button="↩️ 撤销误报", chat_id=-2002)
    assert "超过一天" in (late["answer"] or "")
    assert (await OpinionCase.get(id=case_id)).status == CaseStatus.FALSE_ALARM


async def test_an_alert_card_shows_an_excerpt_not_only_the_title(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    status, answer = await post_items(env, [{
        "url": "https://x.example.com/excerpt", "source": "微博",
        "title": "绿谷园区一企业被曝夜间偷排污水",
        "text": "多名居民反映，绿谷园区一化工企业夜间通过暗管向河道排放污水，河水发黑发臭。"}])
    assert status == 200, answer
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="夜间偷排污水")
    assert "摘要：多名居民反映" in card["text"] and "暗管" in card["text"]
