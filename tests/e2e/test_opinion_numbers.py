"""Numbers that add up (issue 18), public opinion end to end: a false alarm is no negative item
anywhere, /yq 录入 opens the entry dialog and a command word is never an item, and a follow-up
report of one incident joins its case without a second alert."""

from __future__ import annotations

from datetime import timedelta

from models.opinion import (
    CaseStatus,
    DailyReport,
    OpinionCase,
    OpinionCluster,
    OpinionItem,
    TermKind,
)
from services.clock import FixedClock
from services.opinion import terms
from tests.e2e.conftest import Env
from tests.e2e.test_opinion import (  # noqa: F401
    at,
    mark_false_alarm,
    negative_case,
    office,
    post_items,
    tick,
)


async def test_a_false_alarm_is_no_negative_item_in_any_report(
        office: Env, fixed_clock: FixedClock) -> None:  # noqa: F811
    env = office
    fixed_clock.set(at(9))
    case_id = await negative_case(env, "绿谷园区开通12345投诉热线 企业投诉有门", "https://x.org/1")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="投诉热线")
    await mark_false_alarm(env, 1002, card, "便民热线的报道，不是负面")
    assert (await OpinionCase.get(id=case_id)).status == CaseStatus.FALSE_ALARM

    assert "opinion.daily_report" in await tick(env, fixed_clock, at(17))
    await env.delivered()
    daily = await env.client.wait_for_bot_message(-2002, contains="网络舆情日报")
    text = daily["text"]
    assert "✅ 今日零报告" in text and "负面舆情1条" not in text
    assert "负面0" in text
    assert "已排除1条" in text and text.count("开通12345投诉热线") == 1
    assert (await DailyReport.get()).zero

    today = await env.say(1002, "/yq today", contains="网络舆情日报")
    assert "今日零报告" in today["text"] and "已排除1条" in today["text"]
    weekly = await env.say(1002, "/weekly", chat_id=-2002, contains="周报")
    assert "负面舆情：0条" in weekly["text"] and "误报：1条" in weekly["text"]
    fixed_clock.set(at(9, day=27))
    next_day = await env.say(1002, "/daily", chat_id=-2002, contains="党政办日报")
    assert "未发现负面舆情（零报告；已排除误报1条）" in next_day["text"]


async def test_yq_entry_opens_a_dialog_and_a_command_word_is_never_an_item(
        office: Env, fixed_clock: FixedClock) -> None:  # noqa: F811
    env = office
    ask = await env.say(1003, "/yq 录入")
    assert "请发送要录入的舆情" in ask["text"]
    assert await OpinionItem.all().count() == 0
    refused = await env.say(1003, "录入")
    assert "命令词" in refused["text"] and await OpinionItem.all().count() == 0
    done = await env.say(1003, "网友反映清泉水务停水三天，拨打12345投诉无人回应",
                         contains="已录入")
    assert "判定为负面" in done["text"]
    [item] = await OpinionItem.all()
    assert item.title.startswith("网友反映清泉水务停水三天") and item.added_by_id == env.users[
        1003].id  # type: ignore[attr-defined]
    # The dialog is closed: the next plain message is not an item (and is still answered).
    hint = await env.say(1003, "谢谢")
    assert "没看懂" in hint["text"]
    await env.delivered()
    assert await OpinionItem.all().count() == 1
    # A command word on its own is refused wherever it comes from.
    for text in ("/yq 取消", "/yq 确认"):
        answer = await env.say(1003, text)
        assert "命令词" in answer["text"], answer["text"]
    _, answer = await post_items(env, [{"url": "https://x.org/9", "source": "微博",
                                             "title": "录入"}])
    assert answer["results"][0]["status"] == "refused"
    assert await OpinionItem.all().count() == 1
    # /yq 录入 with text records it at once; a cancelled dialog records nothing.
    direct = await env.say(1003, "/yq 录入 绿谷园区举办企业开放日", contains="已录入")
    assert "不需预警" in direct["text"] and await OpinionItem.all().count() == 2
    await env.say(1003, "/yq 录入")
    cancelled = await env.say(1003, "取消")
    assert "已取消录入" in cancelled["text"] and await OpinionItem.all().count() == 2
    help_text = await env.say(1003, "/yq help")
    assert "/yq 录入" in help_text["text"]


async def test_one_incident_two_reports_one_case_and_one_alert(
        office: Env, fixed_clock: FixedClock) -> None:  # noqa: F811
    env = office
    await terms.add_terms(None, TermKind.COMPANY, ["谷丰新材料"])
    fixed_clock.set(at(9))
    first = await negative_case(env, "绿谷园区某化工企业深夜排放刺鼻气体", "https://a.org/1",
                                source="本地论坛")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="刺鼻气体")
    fixed_clock.set(at(9) + timedelta(days=1))
    second = await negative_case(env, "谷丰新材料刺鼻气味再次被投诉 两名居民不适送医",
                                 "https://b.org/2", source="晚报")
    assert second == first
    await env.delivered()
    alerts = [m for m in await env.bot_messages(-2002) if "舆情预警" in (m.get("text") or "")]
    assert len(alerts) == 1  # one story, one alert
    edited = await env.message(-2002, card["message_id"])
    assert "红色" in edited["text"] and "同一事件：2条" in edited["text"]
    assert await OpinionCase.all().count() == 1 and await OpinionCluster.all().count() == 1
    assert (await OpinionCase.get(id=first)).level == "red"
    # The office clerk's private card was edited too, not sent again.
    private = [m for m in await env.bot_messages(1003) if "舆情预警" in (m.get("text") or "")]
    assert len(private) == 1 and "同一事件：2条" in private[0]["text"]


async def test_a_report_whose_only_story_turns_out_a_false_alarm_counts_as_a_zero_report(
        office: Env, fixed_clock: FixedClock) -> None:  # noqa: F811
    env = office
    fixed_clock.set(at(9))
    case_id = await negative_case(env, "绿谷园区开通12345投诉热线 企业投诉有门", "https://x.org/5")
    assert "opinion.daily_report" in await tick(env, fixed_clock, at(17))
    report = await DailyReport.get()
    assert (report.zero, report.negative) == (False, 1)
    await env.delivered()
    fixed_clock.set(at(9, day=27))
    card = await env.client.wait_for_bot_message(-2002, contains="投诉热线")
    await mark_false_alarm(env, 1002, card, "便民热线的报道")
    report = await DailyReport.get()
    assert (report.zero, report.negative) == (True, 0)
    assert (await OpinionCase.get(id=case_id)).status == CaseStatus.FALSE_ALARM
    weekly = await env.say(1002, "/weekly", chat_id=-2002, contains="周报")
    assert "零报告：1天" in weekly["text"] and "负面舆情：0条" in weekly["text"]


async def test_annual_counts_negative_and_handled_items_in_the_same_unit(
        office: Env, fixed_clock: FixedClock) -> None:  # noqa: F811
    """Two reports of one incident are one event but two items: the annual sentence counts
    items in both figures (监测…条，其中负面2条，已处置2条), never items against events."""
    env = office
    await terms.add_terms(None, TermKind.COMPANY, ["谷丰新材料"])
    fixed_clock.set(at(9))
    first = await negative_case(env, "绿谷园区某化工企业深夜排放刺鼻气体", "https://a.org/1",
                                source="本地论坛")
    await env.delivered()
    card = await env.client.wait_for_bot_message(-2002, contains="刺鼻气体")
    fixed_clock.set(at(9) + timedelta(days=1))
    second = await negative_case(env, "谷丰新材料刺鼻气味再次被投诉 两名居民不适送医",
                                 "https://b.org/2", source="晚报")
    assert second == first
    await env.delivered()
    await env.press(1002, card, button="指派处置", chat_id=-2002)
    picker = await env.client.wait_for_bot_message(-2002, after=card["message_id"],
                                                   contains="请选择")
    await env.press(1002, picker, button="刘工（规划建设局）", chat_id=-2002)
    await env.delivered()
    private = await env.client.wait_for_bot_message(1004, contains="请您处置")
    await env.press(1004, private, button="已处置")
    await env.say(1004, "已约谈企业负责人，责令整改并回复居民", contains="已记录")
    assert (await OpinionCase.get(id=first)).status == CaseStatus.HANDLED

    summary = await env.say(1003, "/annual 2026", contains="工作总结", timeout=30)
    assert "其中负面2条，已处置2条，核实为误报0条" in summary["text"], summary["text"]
