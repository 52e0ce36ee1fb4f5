"""Publicity services on a real database: grouping stories, scores and caps, drafting versions,
bulletin numbering and the DOCX, chasing deadlines, the figures for the reports."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from docx import Document

from models.core import Role, Staff
from models.publicity import (
    Bulletin,
    BulletinStatus,
    DraftKind,
    InfoLevel,
    InfoStatus,
    MediaReport,
    MediaStory,
    OutletLevel,
    TaskStatus,
    VersionVerdict,
)
from services import clock
from services.clock import FixedClock
from services.errors import Conflict, InvalidInput, StaleAction
from services.publicity import (
    bulletin,
    drafting,
    info,
    links,
    media,
    outlets,
    parse,
    publicity_figures,
    scoring,
    seed_demo,
)
from services.publicity.media import Asked, Recorded


async def _staff() -> dict[str, Staff]:
    return {
        "zhang": await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE,
                                    department="党政办"),
        "liu": await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF,
                                  department="规划建设局"),
        "chen": await Staff.create(tg_user_id=1005, name="陈科长", role=Role.STAFF,
                                   department="规划建设局"),
        "li": await Staff.create(tg_user_id=1002, name="李主任", role=Role.LEADER,
                                 department="园区领导"),
    }


def _docx_bytes(text: str = "稿件") -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------- parsing


def test_a_report_line_is_split_into_its_parts() -> None:
    line = parse.report_line(
        "新华日报 头版 2026-12-03 通讯 供稿 招商局 绿谷产业园打造环保产业高地", date(2026, 12, 5))
    assert line.words == ["新华日报", "绿谷产业园打造环保产业高地"]
    assert (line.day, line.front_page, line.page, line.credit) == (
        date(2026, 12, 3), True, "1", "招商局")
    assert line.kind is not None and line.kind.value == "feature"
    other = parse.report_line("人民日报 A3版 12月1日 标题 https://x.org/a", date(2026, 12, 5))
    assert (other.front_page, other.page, other.url) == (False, "A3", "https://x.org/a")


def test_a_yearless_date_is_last_years_only_when_recent() -> None:
    assert parse.day_of("12月30日", date(2027, 1, 2)) == date(2026, 12, 30)
    assert parse.day_of("12月3日", date(2026, 11, 26)) == date(2026, 12, 3)  # in the future
    assert parse.day_of("昨天", date(2026, 11, 26)) == date(2026, 11, 25)
    assert parse.day_of("标题", date(2026, 11, 26)) is None
    with pytest.raises(InvalidInput):
        parse.day_of("2026-02-30", date(2026, 11, 26))


def test_alike_headlines_of_one_story_score_above_those_of_different_stories() -> None:
    key = parse.headline_key
    same = parse.likeness(key("绿谷产业园打造环保产业高地"),
                          key("绿谷产业园：全力打造环保产业高地"))
    other = parse.likeness(key("绿谷产业园打造环保产业高地"), key("绿谷产业园举办环保产业博览会"))
    assert same >= media.JOIN_AT > other


def test_a_page_title_is_read_without_the_site_name() -> None:
    page = links.read_page(
        "<html><head><title>绿谷园区获评省级生态工业园区_新华报业网</title>"
        '<meta name="publishdate" content="2026-11-20"></head></html>'.encode())
    assert page.headline == "绿谷园区获评省级生态工业园区"
    assert page.published == date(2026, 11, 20)
    gbk = links.read_page('<meta charset="gbk"><title>园区新闻 - 人民网</title>'.encode("gbk"))
    assert gbk.headline == "园区新闻"


# ---------------------------------------------------------------------------- media


async def test_one_story_in_three_outlets_counts_once_at_its_highest_level(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    zhang = people["zhang"]
    first = await media.record_line(zhang, "宜兴日报 2026-11-20 绿谷产业园打造环保产业高地", 1003)
    second = await media.record_line(
        zhang, "新华日报 头版 2026-11-21 绿谷产业园全力打造环保产业高地", 1003)
    third = await media.record_line(zhang, "人民日报 2026-11-22 打造环保产业高地 绿谷产业园这样做",
                                    1003)
    assert isinstance(first, Recorded) and isinstance(second, Recorded)
    assert isinstance(third, Recorded)
    assert second.joined and third.joined
    assert first.story.id == second.story.id == third.story.id
    story = await MediaStory.get(id=first.story.id)
    assert (story.level, story.front_page, story.size) == (OutletLevel.CENTRAL, True, 3)
    assert story.first_on == date(2026, 11, 20)
    found = await publicity_figures(date(2026, 11, 1), date(2026, 12, 1))
    assert found["reports"] == 1 and found["central"] == 1 and found["front_pages"] == 1
    assert found["province"] == found["city"] == 0
    # The office splits one report out: two stories, each at its own level.
    await media.split(zhang, third.report.id)
    found = await publicity_figures(date(2026, 11, 1), date(2026, 12, 1))
    assert (found["reports"], found["central"], found["province"]) == (2, 1, 1)
    with pytest.raises(StaleAction):
        await media.split(zhang, third.report.id)  # an old card pressed again
    await media.merge(zhang, third.report.id, first.report.id)
    assert (await publicity_figures(date(2026, 11, 1), date(2026, 12, 1)))["reports"] == 1
    with pytest.raises(StaleAction):
        await media.merge(zhang, third.report.id, first.report.id)


async def test_the_same_headline_twice_in_one_outlet_is_refused(
        db: str, fixed_clock: FixedClock) -> None:
    zhang = (await _staff())["zhang"]
    await media.record_line(zhang, "宜兴日报 2026-11-20 园区召开安全生产会议", 1003)
    with pytest.raises(Conflict) as refused:
        await media.record_line(zhang, "宜兴日报 2026-11-21 园区召开安全生产会议。", 1003)
    assert refused.value.params["day"] == "2026-11-20"
    assert await MediaReport.all().count() == 1


async def test_an_unknown_outlet_is_asked_once_and_remembered(
        db: str, fixed_clock: FixedClock) -> None:
    zhang = (await _staff())["zhang"]
    asked = await media.record_line(zhang, "绿谷晨报 2026-11-20 园区举行植树活动", 1003)
    assert isinstance(asked, Asked) and asked.question == "level"
    assert asked.params["outlet"] == "绿谷晨报"
    done = await media.choose_level(zhang, asked.draft.id, OutletLevel.CITY, 1003)
    assert isinstance(done, Recorded) and done.report.level == OutletLevel.CITY
    again = await media.record_line(zhang, "绿谷晨报 2026-11-25 园区举行运动会", 1003)
    assert isinstance(again, Recorded)
    with pytest.raises(StaleAction):
        await media.choose_level(zhang, asked.draft.id, OutletLevel.CITY, 1003)


async def test_a_future_date_is_asked_again_and_the_report_kept(
        db: str, fixed_clock: FixedClock) -> None:
    zhang = (await _staff())["zhang"]
    asked = await media.record_line(zhang, "新华日报 2026-12-30 园区新闻", 1003)
    assert isinstance(asked, Asked) and asked.question == "day"
    done = await media.answer(zhang, asked.draft.id, "2026-11-25", 1003)
    assert isinstance(done, Recorded) and done.report.published_on == date(2026, 11, 25)
    assert done.report.headline == "园区新闻"


async def test_a_link_that_does_not_open_asks_for_the_headline(
        db: str, fixed_clock: FixedClock) -> None:
    class NotFoundFetcher:
        async def fetch(self, url: str, **_: object) -> object:
            from services.opinion.sources import FeedResponse

            return FeedResponse(404)

    links.configure(NotFoundFetcher())  # type: ignore[arg-type]
    try:
        zhang = (await _staff())["zhang"]
        asked = await media.record_line(zhang, "https://www.xhby.net/gone/1.html", 1003)
        assert isinstance(asked, Asked) and asked.question == "headline"
        assert asked.params["status"] == 404
        done = await media.answer(zhang, asked.draft.id, "园区新闻发布会召开", 1003)
        assert isinstance(done, Recorded)
        assert done.report.url == "https://www.xhby.net/gone/1.html"
        assert (await done.report.outlet).name == "新华日报"  # from the link's domain
    finally:
        links.configure(None)


# ---------------------------------------------------------------------------- information


async def _used(author: Staff, office: Staff, level: InfoLevel, title: str) -> None:
    piece = await info.start(author, author.tg_user_id, f"{title}\n正文")
    await info.submit(author, piece.id)
    await info.use(office, piece.id, level)


async def test_a_correspondents_quarter_stops_at_the_cap(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    zhang, liu, chen = people["zhang"], people["liu"], people["chen"]
    await scoring.change(zhang, "上限", "10")
    for n in range(3):
        await _used(liu, zhang, InfoLevel.CITY, f"信息{n}")  # 3 x 3 = 9
    await _used(liu, zhang, InfoLevel.PROVINCE, "省级采用")  # +5 = 14, capped at 10
    await _used(chen, zhang, InfoLevel.DISTRICT, "区级采用")
    ranking = await info.ranking(2026, 4)
    top = ranking.correspondents[0]
    assert (top.name, top.raw, top.points, top.capped) == ("刘工", Decimal(14), Decimal(10), True)
    assert ranking.departments[0].name == "规划建设局"
    assert ranking.departments[0].points == Decimal(11)
    assert ranking.used == 5 and ranking.submitted == 5
    # A later, higher use raises the piece but scores it once; a lower one is refused.
    piece = await info.start(chen, 1005, "升级\n正文")
    await info.submit(chen, piece.id)
    await info.use(zhang, piece.id, InfoLevel.DISTRICT)
    await info.use(zhang, piece.id, InfoLevel.CITY)
    with pytest.raises(StaleAction):
        await info.use(zhang, piece.id, InfoLevel.DISTRICT)
    await info.instruct(people["li"], piece.id, "请推广")
    chen_now = await info.standing(chen.id, date(2026, 11, 26))
    assert chen_now is not None and chen_now.raw == Decimal(1 + 3 + 5)


async def test_a_returned_piece_needs_a_reason_and_cannot_be_used(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    piece = await info.start(people["liu"], 1004, "标题\n正文")
    await info.submit(people["liu"], piece.id)
    with pytest.raises(InvalidInput):
        await info.give_back(people["zhang"], piece.id, "  ")
    returned = await info.give_back(people["zhang"], piece.id, "数据需核实")
    assert returned.status == InfoStatus.RETURNED
    with pytest.raises(StaleAction):
        await info.use(people["zhang"], piece.id, InfoLevel.CITY)
    copy = await info.copy_returned(people["liu"], piece.id, 1004)
    assert copy.status == InfoStatus.DRAFT and copy.title == "标题"


# ---------------------------------------------------------------------------- drafting


async def test_a_drafting_task_returned_once_then_accepted(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    li, liu = people["li"], people["liu"]
    task = await drafting.new_task(
        li, 1002, "讲话 刘工 3000字 截止 12月3日 在年度总结大会上的讲话")
    assert task.kind == DraftKind.SPEECH and task.length == 3000
    assert task.drafter_id == liu.id and task.title == "在年度总结大会上的讲话"  # type: ignore[attr-defined]
    assert task.deadline == datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    await drafting.dispatch(li, task.id)
    first = await drafting.receive(liu, 1004, "讲话稿v1.docx", _docx_bytes("一稿"))
    assert first is not None and first.version is not None
    await drafting.give_back(li, first.version.id, "请补充全年数据")
    assert (await drafting.get(task.id)).status == TaskStatus.RETURNED
    second = await drafting.receive(liu, 1004, "讲话稿v2.docx", _docx_bytes("二稿"))
    assert second is not None and second.version is not None and second.version.number == 2
    with pytest.raises(StaleAction):
        await drafting.accept(li, first.version.id)  # the returned first version
    await drafting.accept(li, second.version.id)
    done = await drafting.get(task.id)
    assert (done.status, done.returns) == (TaskStatus.ACCEPTED, 1)
    versions = await drafting.versions(task.id)
    assert [v.verdict for v in versions] == [VersionVerdict.RETURNED, VersionVerdict.ACCEPTED]
    found = await publicity_figures(date(2026, 11, 1), date(2026, 12, 1))
    assert (found["drafts_done"], found["drafts_speech"]) == (1, 1)


async def test_deadlines_are_chased_the_workday_before_and_on_the_day_in_working_hours(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    task = await drafting.new_task(people["li"], 1002,
                                   "请示 刘工 截止 2026-11-30 关于申请资金的请示")
    await drafting.dispatch(people["li"], task.id)
    friday_night = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    assert await drafting.chase(friday_night) == {"before": 0, "day": 0, "overdue": 0}
    friday = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # the workday before Monday the 30th
    assert (await drafting.chase(friday))["before"] == 1
    assert (await drafting.chase(friday + timedelta(hours=1)))["before"] == 0
    monday = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    assert (await drafting.chase(monday))["day"] == 1
    after = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert (await drafting.chase(after))["overdue"] == 1
    assert (await drafting.chase(after))["overdue"] == 0


async def test_a_deadline_in_the_past_or_unreadable_is_refused(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    with pytest.raises(InvalidInput) as past:
        await drafting.new_task(people["li"], 1002, "讲话 刘工 截止 2026-11-01 题目 讲话稿")
    assert past.value.code == "publicity.error.deadline_past"
    task = await drafting.new_task(people["li"], 1002, "讲话 题目 讲话稿")
    with pytest.raises(InvalidInput) as gaps:
        await drafting.dispatch(people["li"], task.id)
    assert gaps.value.params["fields"] == "drafter,deadline"


# ---------------------------------------------------------------------------- bulletin


async def test_a_bulletin_is_numbered_per_year_and_rendered_in_order(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _staff()
    zhang = people["zhang"]
    with pytest.raises(InvalidInput):
        await bulletin.sign_off(zhang, (await bulletin.draft()).id)  # no items yet
    first, _ = await bulletin.add_text(zhang, "政策一\n来源：工信部\n正文一", 1003)
    second, _ = await bulletin.add_text(zhang, "政策二\n正文二", 1003)
    third, _ = await bulletin.add_text(zhang, "政策三", 1003)
    await bulletin.move(zhang, third.id, -1)
    await bulletin.drop(zhang, first.id)
    draft = await bulletin.draft()
    await bulletin.set_note(zhang, draft.id, "供参阅")
    issued = await bulletin.sign_off(zhang, draft.id)
    assert (issued.year, issued.number, issued.status) == (2026, 1, BulletinStatus.ISSUED)
    assert issued.file_id is not None  # type: ignore[attr-defined]
    with pytest.raises(StaleAction):
        await bulletin.move(zhang, second.id, 1)  # the old editing card of an issued issue
    stored = await (await Bulletin.get(id=issued.id)).file
    assert stored is not None
    texts = [p.text for p in Document(io.BytesIO(bytes(stored.content))).paragraphs]
    assert texts[:2] == ["参  阅", "2026年第1期"]
    assert texts.index("一、政策三") < texts.index("二、政策二")
    assert "编者按：供参阅" in texts
    await bulletin.add_text(zhang, "下一期的政策", 1003)
    nxt = await bulletin.sign_off(zhang, (await bulletin.draft()).id)
    assert nxt.number == 2
    clock.set_clock(FixedClock(datetime(2027, 1, 4, 2, tzinfo=UTC)))
    await bulletin.add_text(zhang, "新年第一期", 1003)
    assert (await bulletin.sign_off(zhang, (await bulletin.draft()).id)).number == 1


async def test_the_demo_seeds_a_quarter_of_each(db: str, fixed_clock: FixedClock) -> None:
    await _staff()
    await Staff.create(tg_user_id=1001, name="王管理", role=Role.ADMIN, department="党政办")
    await seed_demo()
    await seed_demo()  # idempotent
    today = date(2026, 11, 26)
    found = await publicity_figures(today - timedelta(days=90), today + timedelta(days=1))
    assert found["reports"] >= 10 and found["front_pages"] == 2
    assert found["info_used"] >= 8 and found["drafts_done"] >= 10 and found["bulletins"] == 3
    assert len(await info.waiting()) == 2
    assert await outlets.find("央视") is not None
