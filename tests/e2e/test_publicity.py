"""Publicity end to end through the sandbox: the media-report ledger (one story counted once at
its highest level, links read for their headline, 舆情 items moved in with one tap, merge and
split), the XLSX ledger, and the figures in /monthly."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from openpyxl import load_workbook

from models.opinion import TermKind
from models.publicity import MediaOutlet, MediaReport, MediaStory, OutletLevel
from services.clock import FixedClock
from services.opinion import terms
from services.publicity import outlets
from tests.e2e.conftest import Env
from tests.e2e.publicity_env import labels, office

__all__ = ["office"]


class Pages:
    """News pages on 127.0.0.1: one with a title and a date, and a link to nothing (404)."""

    def __init__(self) -> None:
        self.runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(
            text="<html><head><title>绿谷园区获评省级生态工业园区_新华报业网</title>"
                 '<meta name="publishdate" content="2026-11-20"></head><body>…</body></html>',
            content_type="text/html", charset="utf-8")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/news/2026-11/20/1.html", self.page)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


@pytest.fixture
async def pages() -> AsyncIterator[Pages]:
    server = Pages()
    await server.start()
    try:
        yield server
    finally:
        assert server.runner is not None
        await server.runner.cleanup()


async def test_one_story_in_three_outlets_is_counted_once_at_its_highest_level(
        office: Env) -> None:
    env = office
    first = await env.say(1003, "/xuanchuan 宜兴日报 2026-11-20 绿谷产业园打造环保产业高地")
    assert "已登记报道 #1" in first["text"] and "宜兴日报（市级）" in first["text"]
    assert "单独计1篇（市级）" in first["text"]
    second = await env.say(
        1003, "/xuanchuan 新华日报 头版 2026-11-21 通讯 供稿 刘工 绿谷产业园全力打造环保产业高地")
    assert "头版" in second["text"] and "供稿：刘工（规划建设局）" in second["text"]
    assert "同一报道共2篇：宜兴日报、新华日报，按最高级别（省级及以上）计1篇" in second["text"]
    third = await env.say(1003, "/xuanchuan 人民日报 11月22日 打造环保产业高地 绿谷产业园这样做")
    assert "同一报道共3篇：宜兴日报、新华日报、人民日报，按最高级别（中央）计1篇" in third["text"]
    assert labels(third) == ["拆分出来", "加入参阅", "撤销登记"]
    stories = await MediaStory.all()
    assert len(stories) == 1
    assert (stories[0].level, stories[0].front_page, stories[0].size) == (
        OutletLevel.CENTRAL, True, 3)
    report = await MediaReport.get(id=2).prefetch_related("credit_staff")
    assert report.credit_staff.name == "刘工" and report.credit_department == "规划建设局"

    monthly = await env.say(1003, "/monthly", contains="月报")
    assert "媒体报道（同一报道计1篇）：1篇" in monthly["text"]
    assert "中央媒体报道：1篇" in monthly["text"] and "其中头版：1篇" in monthly["text"]
    assert "省级及以上媒体报道：0篇" in monthly["text"]

    # The office says the third is another story after all, then changes its mind.
    answer = await env.press(1003, third, button="拆分出来")
    assert "已拆分" in (answer["answer"] or "")
    split = await env.message(1003, third["message_id"])
    assert "已拆分为单独报道：#3" in split["text"] and "单独计1篇（中央）" in split["text"]
    assert await MediaStory.all().count() == 2
    again = await env.press(1003, third, data="pub:split:3")  # the old button, pressed again
    assert "已经是单独的一篇" in (again["answer"] or "")
    merged = await env.say(1003, "/xuanchuan 合并 3 1")
    assert "已合并为同一报道：#1" in merged["text"] and "计1篇" in merged["text"]
    assert await MediaStory.all().count() == 1
    # A leader looks, but may not record.
    refused = await env.say(1002, "/xuanchuan 宜兴日报 今天 园区新闻")
    assert "不能使用" in refused["text"] and "领导" in refused["text"]
    summary = await env.say(1002, "/xuanchuan")
    assert "本月报道1篇" in summary["text"] and "中央1篇" in summary["text"]
    assert "见报3次" in summary["text"]

    ledger = await env.say(1003, "/xuanchuan 台账 本月", contains="宣传台账")
    book = load_workbook(io.BytesIO(await env.client.file_bytes(ledger["document"]["file_id"])))
    rows = list(book.active.iter_rows(min_row=4, values_only=True))
    assert [r[2] for r in rows] == ["宜兴日报", "新华日报", "人民日报"]
    assert [r[11] for r in rows] == [1, 0, 0] and rows[0][10] == "中央"


async def test_a_pasted_link_is_read_and_a_link_to_nothing_asks_for_the_headline(
        office: Env, pages: Pages) -> None:
    env = office
    await outlets.ensure_defaults()
    await MediaOutlet.filter(name="新华日报").update(domains=["127.0.0.1"])
    good = await env.say(1003, f"/xuanchuan {pages.url('/news/2026-11/20/1.html')}")
    assert "《绿谷园区获评省级生态工业园区》" in good["text"]
    assert "新华日报（省级及以上）· 2026-11-20" in good["text"]
    # A link to nothing: the bot says so, keeps the link and asks for the headline.
    dead = await env.say(1003, f"/xuanchuan 人民日报 {pages.url('/gone/9.html')}")
    assert "这个链接打不开（网站返回 404）" in dead["text"]
    assert "请直接回复报道标题" in dead["text"]
    assert await MediaReport.all().count() == 1
    done = await env.say(1003, "绿谷园区企业新获发明专利46项 2026-11-24")
    assert "已登记报道 #2" in done["text"] and "人民日报（中央）· 2026-11-24" in done["text"]
    saved = await MediaReport.get(id=2)
    assert saved.url == pages.url("/gone/9.html")
    assert saved.headline == "绿谷园区企业新获发明专利46项"
    # A headline with no outlet: the known outlets are offered as buttons.
    asked = await env.say(1003, "/xuanchuan 绿谷园区举行企业服务日活动")
    assert "是哪家媒体刊发的" in asked["text"]
    assert labels(asked)[:2] == ["人民日报", "新华日报"]  # the most recorded first
    await env.press(1003, asked, button="新华日报")
    picked = await env.message(1003, asked["message_id"])
    assert "已登记报道 #3" in picked["text"] and "新华日报（省级及以上）" in picked["text"]


async def test_a_positive_opinion_item_goes_into_the_ledger_with_one_tap(office: Env) -> None:
    env = office
    await terms.add_terms(None, TermKind.NAME, ["绿谷环保科技产业园", "绿谷园区"])
    recorded = await env.say(
        1003, "/yq 绿谷园区荣获国家级绿色工业园区称号 https://news.example.org/env/3001")
    assert labels(recorded) == ["收入宣传台账"]
    await env.press(1003, recorded, button="收入宣传台账")
    asked = await env.client.wait_for_bot_message(1003, after=recorded["message_id"],
                                                  contains="是哪家媒体刊发的")
    done = await env.say(1003, "中国环境报")
    assert "已登记报道 #1" in done["text"] and "中国环境报（中央）" in done["text"]
    assert "《绿谷园区荣获国家级绿色工业园区称号》" in done["text"]
    report = await MediaReport.get(id=1)
    assert report.opinion_item_id is not None and report.url.endswith("/env/3001")
    # The old card pressed again: the item is already in the ledger.
    twice = await env.press(1003, recorded, button="收入宣传台账")
    assert "已收入宣传台账（报道 #1）" in (twice["answer"] or "")
    assert await MediaReport.all().count() == 1
    assert asked["message_id"] > recorded["message_id"]
    listing = await env.say(1003, "/xuanchuan 舆情")
    assert "最近没有尚未收入台账的正面报道" in listing["text"]
    # Negative news has no such button.
    bad = await env.say(1003, "/yq 网友投诉绿谷园区企业夜间偷排污水 https://bbs.example.org/t/9")
    assert "收入宣传台账" not in labels(bad)


async def test_careless_reports_get_clear_answers_and_lose_nothing(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    # An outlet nobody knows: asked once, its level remembered.
    unknown = await env.say(1003, "/xuanchuan 绿谷晨报 2026-11-20 园区举行植树活动")
    assert "“绿谷晨报”不在媒体名录中" in unknown["text"]
    assert labels(unknown)[:4] == ["市级", "市级以上", "省级及以上", "中央"]
    await env.press(1003, unknown, button="市级")
    remembered = await env.message(1003, unknown["message_id"])
    assert "已登记报道 #1" in remembered["text"] and "绿谷晨报（市级）" in remembered["text"]
    assert (await MediaOutlet.get(name="绿谷晨报")).level == OutletLevel.CITY
    next_time = await env.say(1003, "/xuanchuan 绿谷晨报 2026-11-25 园区举行运动会")
    assert "已登记报道 #2" in next_time["text"]
    # The question's button pressed again (a second phone still showing it).
    stale = await env.press(1003, unknown, data="pub:lvl:1:central")
    assert "已经结束或取消" in (stale["answer"] or "")
    # A report dated in the future: the date is asked again, the report kept.
    future = await env.say(1003, "/xuanchuan 新华日报 2026-12-30 绿谷园区年终盘点")
    assert "报道日期 2026-12-30 还没有到" in future["text"]
    wrong = await env.say(1003, "2026-13-01")
    assert "日期“2026-13-01”不对" in wrong["text"]
    fixed = await env.say(1003, "11月25日")
    assert "已登记报道 #3" in fixed["text"] and "2026-11-25" in fixed["text"]
    # The same headline twice.
    twice = await env.say(1003, "/xuanchuan 绿谷晨报 2026-11-26 园区举行运动会！")
    assert "这篇已经登记过了：#2 绿谷晨报 2026-11-25《园区举行运动会》" in twice["text"]
    assert await MediaReport.all().count() == 3
    # Nothing after the command word but a word: the outlet is asked, "取消" drops it.
    asked = await env.say(1003, "/xuanchuan 标题")
    assert "是哪家媒体刊发的" in asked["text"]
    dropped = await env.say(1003, "取消")
    assert "已取消" in dropped["text"]
    assert (await env.say(1003, "/xuanchuan 帮助"))["text"].startswith("用法")
    bad_link = await env.say(1003, "/xuanchuan 新华日报 标题 http://")
    assert "Traceback" not in bad_link["text"]


