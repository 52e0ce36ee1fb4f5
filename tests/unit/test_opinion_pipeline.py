"""The opinion pipeline on a real database: relevance, stories, validation, records, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from models.core import BoundChat, ChatPurpose, OutboxMessage, Role, Staff
from models.opinion import (
    CaseStatus,
    DailyReport,
    OpinionCase,
    OpinionCluster,
    OpinionItem,
    SourceKind,
    TermKind,
)
from services.clock import FixedClock
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.opinion import config, handling, pipeline, report, sources, terms
from services.opinion.pipeline import Candidate, api_candidate, signature, similarity

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


async def _park_terms() -> None:
    await terms.add_terms(None, TermKind.NAME, ["绿谷环保科技产业园", "绿谷园区", "绿谷产业园"])
    await terms.add_terms(None, TermKind.COMPANY, ["清泉水务"])
    await terms.add_terms(None, TermKind.EXCLUDE, ["绿谷小区"])


async def _leaders_and_office() -> tuple[Staff, Staff, Staff]:
    leader = await Staff.create(tg_user_id=1002, name="李主任", role=Role.LEADER)
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    worker = await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF)
    await BoundChat.create(chat_id=-2002, title="领导舆情群", purpose=ChatPurpose.LEADERS)
    return leader, clerk, worker


def test_a_repost_is_near_and_another_story_is_far() -> None:
    original = "绿谷园区一企业被曝夜间偷排污水，附近居民投诉河道异味，已多次拨打12345。"
    repost = ("转：据网友爆料，绿谷园区一企业被曝夜间偷排污水 附近居民投诉河道异味，"
              "已多次拨打12345！")
    other = "绿谷园区举行危化品泄漏应急演练，检验园区应急处置能力。"
    assert similarity(signature(original), signature(repost)) >= 0.5
    assert similarity(signature(original), signature(other)) < 0.2


def test_quiet_hours_span_midnight_and_end_in_the_morning() -> None:
    cfg = config.OpinionConfig()
    tz = ZoneInfo("Asia/Shanghai")
    night = datetime(2026, 11, 26, 23, 10, tzinfo=tz)
    assert cfg.in_quiet_hours(night)
    assert cfg.in_quiet_hours(datetime(2026, 11, 27, 7, 29, tzinfo=tz))
    assert not cfg.in_quiet_hours(datetime(2026, 11, 27, 7, 30, tzinfo=tz))
    assert cfg.quiet_end_after(night) == datetime(2026, 11, 27, 7, 30, tzinfo=tz)


@pytest.mark.parametrize(("raw", "reason"), [
    ("just text", "not_object"),
    ({"title": "绿谷园区", "source": "微博"}, "no_id"),
    ({"url": "ftp://x.org/1", "title": "t", "source": "微博"}, "bad_url"),
    ({"url": "https://x.org/1", "source": "微博"}, "empty"),
    ({"url": "https://x.org/1", "title": "t"}, "bad_source"),
    ({"url": "https://x.org/1", "title": "t", "source": "s", "published": "昨天"},
     "bad_published"),
    ({"url": "https://x.org/1", "title": "t", "source": "s", "published": "2027-05-01T00:00"},
     "future"),
    ({"url": "https://x.org/1", "title": 5, "source": "s"}, "not_text"),
    ({"id": True, "title": "t", "source": "s"}, "bad_external_id"),
    ({"url": "https://x.org/1", "text": "字" * 20_001, "source": "s"}, "too_long"),
])
def test_ingest_item_with_a_fault_is_refused_with_its_reason(raw: object, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        api_candidate(raw, NOW)
    assert caught.value.code == f"opinion.ingest.{reason}"


def test_ingest_item_time_without_zone_is_read_in_the_office_zone() -> None:
    item = api_candidate({"external_id": 7, "title": "t", "source": "微博",
                          "published": "2026-11-26 08:00"}, NOW)
    assert item.published_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert item.external_id == "7"


async def test_only_items_about_us_and_not_vetoed_are_relevant(db: str,
                                                                fixed_clock: FixedClock) -> None:
    await _park_terms()
    results = await pipeline.ingest([
        Candidate("清泉水务停水三天", "居民投诉无人回应", "https://x.org/1", source_name="论坛"),
        Candidate("绿谷小区停车难", "绿谷园区附近的绿谷小区车位紧张", "https://x.org/2",
                  source_name="论坛"),
        Candidate("全市召开环保会议", "", "https://x.org/3", source_name="新闻"),
    ], via=SourceKind.API)
    assert [r.relevant for r in results] == [True, False, False]
    assert results[0].matched == ["清泉水务"] and results[1].vetoed_by == ["绿谷小区"]
    assert await OpinionItem.filter(relevant=True).count() == 1
    assert await OpinionItem.all().count() == 3


async def test_the_same_item_twice_is_stored_once_by_url_or_external_id(
        db: str, fixed_clock: FixedClock) -> None:
    await _park_terms()
    first = Candidate("绿谷园区新闻", "正文", "https://x.org/1", external_id="a1", source_name="s")
    by_url = Candidate("绿谷园区新闻", "正文", "https://x.org/1", source_name="s2")
    by_id = Candidate("绿谷园区新闻（更新）", "正文", "https://x.org/9", external_id="a1",
                      source_name="s")
    results = await pipeline.ingest([first, by_url], via=SourceKind.API)
    assert [r.status for r in results] == ["created", "duplicate"]
    again = await pipeline.ingest([first, by_url, by_id], via=SourceKind.API)
    assert [r.status for r in again] == ["duplicate"] * 3
    assert await OpinionItem.all().count() == 1


async def test_reposts_join_one_story_and_spreading_realerts_once(
        db: str, fixed_clock: FixedClock) -> None:
    await _park_terms()
    await _leaders_and_office()
    text = "绿谷园区一企业被曝夜间偷排污水，附近居民投诉河道异味，已多次拨打12345热线。"
    for n, site in enumerate(["网站A", "网站B", "网站C", "网站D"]):
        await pipeline.ingest([Candidate(f"转{n}：{text[:20]}", text, f"https://x.org/{n}",
                                         source_name=site)], via=SourceKind.API)
    assert await OpinionCluster.all().count() == 1
    cluster = await OpinionCluster.get()
    assert (cluster.size, cluster.source_count) == (4, 4)
    case = await OpinionCase.get()
    assert case.level == "orange" and case.spread_alerted == 3
    kinds = await OutboxMessage.filter(kind="opinion.alert").values_list("dedup_key", flat=True)
    # one alert and one spread alert, each to the leaders' group and the office clerk
    assert sorted(k.split("@")[0] for k in kinds) == [
        f"opinion:alert:{case.id}", f"opinion:alert:{case.id}",
        f"opinion:spread:{case.id}", f"opinion:spread:{case.id}"]


async def test_handling_refuses_staff_closed_cases_and_blank_notes(
        db: str, fixed_clock: FixedClock) -> None:
    await _park_terms()
    leader, clerk, worker = await _leaders_and_office()
    [result] = await pipeline.ingest([Candidate("绿谷园区企业超标排放被罚款", "", "https://x.org/1",
                                                source_name="s")], via=SourceKind.API)
    assert result.case_id is not None
    with pytest.raises(NotAllowed):
        await handling.acknowledge(worker, result.case_id)
    assert await handling.acknowledge(leader, result.case_id) is True
    assert await handling.acknowledge(clerk, result.case_id) is False
    await handling.assign(leader, result.case_id, worker.id)
    # the assignee may report it handled, with a note that says something
    await handling.request_note(worker, result.case_id, worker.tg_user_id)
    with pytest.raises(InvalidInput):
        await handling.take_note(worker, worker.tg_user_id, "   ")
    assert await handling.pending_note(worker, worker.tg_user_id) is not None
    case = await handling.take_note(worker, worker.tg_user_id, "已责令企业整改")
    assert case is not None and case.status == CaseStatus.HANDLED
    with pytest.raises(StaleAction):
        await handling.false_alarm(leader, result.case_id)
    with pytest.raises(NotFound):
        await handling.acknowledge(leader, 999)


async def test_feedback_labels_are_training_rows(db: str, fixed_clock: FixedClock) -> None:
    await _park_terms()
    leader, _, _ = await _leaders_and_office()
    made = await pipeline.ingest([
        Candidate("绿谷园区企业发生泄漏", "", "https://x.org/1", source_name="s"),
        Candidate("清泉水务被立案调查", "", "https://x.org/2", source_name="s"),
    ], via=SourceKind.API)
    await handling.false_alarm(leader, made[0].case_id)  # type: ignore[arg-type]
    await handling.confirm(leader, made[1].case_id)  # type: ignore[arg-type]
    assert await handling.feedback_rows() == [
        ("绿谷园区企业发生泄漏", 0), ("清泉水务被立案调查", 1)]


async def test_feed_poll_uses_validators_and_counts_failures(db: str,
                                                              fixed_clock: FixedClock) -> None:
    await _park_terms()

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[tuple[str | None, str | None]] = []
            self.answers = [sources.FeedResponse(200, (FEEDS / "env_news.xml").read_bytes(),
                                                 '"v1"', "Thu, 26 Nov 2026 01:00:00 GMT"),
                            sources.FeedResponse(304)]

        async def fetch(self, url: str, *, etag: str | None, last_modified: str | None,
                        timeout: float) -> sources.FeedResponse:
            self.calls.append((etag, last_modified))
            if not self.answers:
                raise sources.FetchError("timeout after 20 s")
            return self.answers.pop(0)

    feed = await sources.add_source("环保资讯网", "https://news.example.org/rss",
                                    interval_minutes=30)
    fetcher = Recorder()
    first = await sources.poll_due(fetcher, NOW)
    assert first[0].ok and first[0].new_items == 4
    assert await sources.poll_due(fetcher, NOW + timedelta(minutes=5)) == []  # not due yet
    second = await sources.poll_due(fetcher, NOW + timedelta(minutes=31))
    assert second[0].status == 304 and second[0].new_items == 0
    assert fetcher.calls[1] == ('"v1"', "Thu, 26 Nov 2026 01:00:00 GMT")
    third = await sources.poll_due(fetcher, NOW + timedelta(minutes=62))
    assert not third[0].ok
    await feed.refresh_from_db()
    assert (feed.failures, feed.total_failures, feed.last_error) == (1, 1, "timeout after 20 s")
    # backs off: the next try is one interval later, then two
    assert feed.next_poll_at == NOW + timedelta(minutes=92)


async def test_terms_are_checked_and_office_only(db: str) -> None:
    leader = await Staff.create(tg_user_id=1002, name="李主任", role=Role.LEADER)
    with pytest.raises(NotAllowed):
        await terms.add_terms(leader, TermKind.NAME, ["绿谷园区"])
    with pytest.raises(InvalidInput):
        await terms.add_terms(None, TermKind.NAME, ["绿"])
    added, existing = await terms.add_terms(None, TermKind.NAME, ["绿谷園區", "绿谷园区"])
    assert (added, existing) == (["绿谷园区"], [])  # traditional script is normalised
    with pytest.raises(NotFound):
        await terms.remove_term(None, "不存在")
    assert terms.parse_kind("企业") == TermKind.COMPANY
    with pytest.raises(InvalidInput):
        terms.parse_kind("人物")


async def test_figures_count_items_negatives_handled_and_zero_days(
        db: str, fixed_clock: FixedClock) -> None:
    await _park_terms()
    leader, _, _ = await _leaders_and_office()
    made = await pipeline.ingest([
        Candidate("绿谷园区企业发生泄漏", "", "https://x.org/1", source_name="s"),
        Candidate("绿谷园区召开会议", "", "https://x.org/2", source_name="s"),
    ], via=SourceKind.API)
    await handling.request_note(leader, made[0].case_id, -2002)  # type: ignore[arg-type]
    await handling.take_note(leader, -2002, "已核实处置")
    await DailyReport.create(day=datetime(2026, 11, 25).date(), zero=True, created_at=NOW)
    figures = await report.opinion_figures(NOW - timedelta(days=30), NOW + timedelta(days=1))
    assert figures == {"items_monitored": 2, "relevant": 2, "negative": 1, "handled": 1,
                       "false_alarms": 0, "zero_report_days": 1}


async def test_demo_seed_adds_park_terms_sources_and_an_alert_once(
        db: str, fixed_clock: FixedClock) -> None:
    from services.opinion.demo import seed_demo

    await _leaders_and_office()
    await seed_demo()
    await seed_demo()
    found = await terms.list_terms()
    assert {"绿谷环保科技产业园", "绿谷园区", "绿谷产业园"} <= set(found[TermKind.NAME])
    assert len(await sources.list_sources()) >= 2
    assert await OpinionItem.all().count() == 3
    assert await OpinionCase.all().count() == 1  # the night-time discharge story


async def test_cli_manages_terms_and_sources(db: str, fixed_clock: FixedClock,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from bot import cli_opinion

    parser = argparse.ArgumentParser()
    cli_opinion.configure_terms(parser)
    await cli_opinion._terms(parser.parse_args(["add", "企业", "谷丰新材料", "清泉水务"]))
    await cli_opinion._terms(parser.parse_args(["remove", "清泉水务"]))
    await cli_opinion._terms(parser.parse_args(["list"]))
    assert "company: 谷丰新材料" in capsys.readouterr().out
    parser = argparse.ArgumentParser()
    cli_opinion.configure_sources(parser)
    await cli_opinion._sources(parser.parse_args(
        ["add", "环保资讯网", "https://news.example.org/rss", "--interval", "15"]))
    await cli_opinion._sources(parser.parse_args(["disable", "环保资讯网"]))
    await cli_opinion._sources(parser.parse_args(["list"]))
    out = capsys.readouterr().out
    assert "every 15 min" in out and "disabled" in out
    with pytest.raises(InvalidInput):
        await cli_opinion._sources(parser.parse_args(["add", "坏地址", "ftp://x.org/feed"]))
