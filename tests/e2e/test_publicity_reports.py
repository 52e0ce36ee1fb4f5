"""Publicity in /annual, /weekly and /todo: the year worded as the office's summary words it,
every figure from the records, and nothing said of a year with no publicity records."""

from __future__ import annotations

import io

from docx import Document

from models.core import Staff
from models.publicity import InfoLevel
from services.clock import FixedClock
from services.publicity import bulletin, drafting, info, media
from tests.e2e.conftest import Env
from tests.e2e.publicity_env import at, office

__all__ = ["office"]


async def scripted_year(clock: FixedClock) -> None:
    """2025 as the services record it: three stories (one in two outlets, one on a front page),
    three pieces (two used, one with a 批示), two papers accepted, one 参阅 issue."""
    zhang = await Staff.get(tg_user_id=1003)
    li = await Staff.get(tg_user_id=1002)
    liu = await Staff.get(tg_user_id=1004)
    clock.set(at(2025, 6, 10))
    await media.record_line(zhang, "宜兴日报 2025-06-09 绿谷园区打造环保产业高地", 1003)
    await media.record_line(zhang, "新华日报 头版 2025-06-10 绿谷园区全力打造环保产业高地", 1003)
    await media.record_line(zhang, "无锡日报 2025-06-10 清泉水务智慧水厂上线运行", 1003)
    await media.record_line(zhang, "人民日报 2025-06-10 评论 以绿为底色走高质量发展之路", 1003)
    for title, level in (("道路提档升级", InfoLevel.CITY), ("研发投入增长", InfoLevel.PROVINCE),
                         ("驻点招商", None)):
        piece = await info.start(liu, 1004, f"{title}\n正文")
        await info.submit(liu, piece.id)
        if level is None:
            await info.give_back(zhang, piece.id, "重复")
        else:
            await info.use(zhang, piece.id, level)
    await info.instruct(li, 2, "请推广")
    for text in ("讲话 刘工 截止 6月20日 在半年工作会上的讲话",
                 "请示 刘工 截止 6月25日 关于资金的请示"):
        task = await drafting.new_task(li, 1002, text)
        await drafting.dispatch(li, task.id)
        got = await drafting.receive(liu, 1004, "稿.docx", _docx())
        assert got is not None and got.version is not None
        await drafting.accept(li, got.version.id)
    await drafting.dispatch(li, (await drafting.new_task(
        li, 1002, "纪要 刘工 截止 6月30日 会议纪要")).id)  # still open: not counted
    await bulletin.add_text(zhang, "关于支持环保产业的若干政策", 1003)
    await bulletin.sign_off(zhang, (await bulletin.draft()).id)
    clock.set(at(2026, 11, 26, 10))


def _docx() -> bytes:
    document = Document()
    document.add_paragraph("稿")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SENTENCE = ("在各级媒体发布报道3篇，其中头版1篇；编报党政信息2篇，其中获领导批示1篇；"
            "起草讲话、请示等各类文稿2篇；编发《参阅》1期")


async def test_annual_words_publicity_as_the_office_summary_does(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    await scripted_year(fixed_clock)
    await env.delivered()  # the version cards the script sent the leader arrive first
    started = await env.say(1003, "/annual 2025", contains="正在统计")
    docx_msg = await env.client.wait_for_bot_message(1003, after=started["message_id"],
                                                     contains="Word", timeout=30)
    progress = await env.message(1003, started["message_id"])
    assert SENTENCE in progress["text"], progress["text"]
    document = Document(io.BytesIO(await env.client.file_bytes(docx_msg["document"]["file_id"])))
    assert any(SENTENCE in p.text for p in document.paragraphs)
    table = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert table["媒体报道（同一报道计1篇）"] == "3" and table["中央媒体报道"] == "1"
    assert table["党政信息采用"] == "2" and table["收到党政信息"] == "3"
    assert table["完成文稿"] == "2" and table["编发《参阅》"] == "1"
    # English words the same figures.
    english = await Staff.get(tg_user_id=1002)
    english.lang = "en"
    await english.save()
    started = await env.say(1002, "/annual 2025", contains="Counting")
    await env.client.wait_for_bot_message(1002, after=started["message_id"], contains="Excel",
                                          timeout=30)
    done = await env.message(1002, started["message_id"])
    assert ("published 3 media reports, 1 of them on a front page; had 2 information pieces "
            "used, 1 with a leader's instruction; drafted 2 papers such as speech, request; "
            "published 1 issue(s) of 参阅") in done["text"]


async def test_a_year_without_publicity_records_says_nothing_of_it(office: Env) -> None:
    started = await office.say(1003, "/annual 2025", contains="正在统计")
    await office.client.wait_for_bot_message(1003, after=started["message_id"],
                                             contains="Excel", timeout=30)
    progress = await office.message(1003, started["message_id"])
    assert "媒体发布报道" not in progress["text"] and "参阅" not in progress["text"]
