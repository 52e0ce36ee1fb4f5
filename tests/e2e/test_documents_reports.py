"""Documents in the rest of the bot: /todo with colours and buttons, /daily's red and yellow,
/weekly and /annual figures equal to the records."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.approvals import ApprovalAssignee
from models.documents import Assignment
from services import approvals
from services.clock import FixedClock
from services.documents import handling, incoming
from tests.e2e.conftest import Env
from tests.e2e.test_documents import (
    GROUP,
    HEAD,
    LEADER,
    OFFICE,
    STAFF,
    roster,
)


@pytest.fixture
async def office(env: Env, fixed_clock: FixedClock) -> Env:
    return await roster(env)



async def _handled(env: Env, line: str, departments: str, due: date) -> int:
    """A registered document assigned to the departments (by the office) with a deadline."""
    draft = await incoming.start_typed(env.users[OFFICE], line)
    document = await incoming.register(env.users[OFFICE], draft.id)
    names = departments.split()
    await incoming.assign(env.users[OFFICE], document.id, names, ["刘工"], due, False)
    return document.id


async def test_todo_daily_weekly_and_annual_count_documents(
        office: Env, fixed_clock: FixedClock) -> None:
    env = office
    red_doc = await _handled(env, "市住建局 宜建发〔2026〕40号 关于开展燃气安全排查的通知",
                             "规划建设局", date(2026, 11, 30))
    on_time_doc = await _handled(env, "市水利局 宜水发〔2026〕9号 关于做好冬季防汛物资储备的通知",
                                 "规划建设局", date(2026, 12, 4))
    await _handled(env, "市教育局 宜教发〔2026〕3号 关于某项工作的通知", "规划建设局",
                   date(2026, 12, 31))
    waiting = await incoming.start_typed(env.users[OFFICE], "市统计局 宜统字〔2026〕5号 "
                                                              "关于报送年报的通知 12月3日前报送")
    await incoming.register(env.users[OFFICE], waiting.id)
    # One finished on time before the week ends.
    done_task = await Assignment.get(document_id=red_doc)
    fixed_clock.set(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # Wednesday 12-02 10:00

    todo = await env.say(STAFF, "/todo", contains="待办")
    text = todo["text"]
    assert "📄 公文与督办" in text
    assert "🔴 收文〔2026〕0001号 关于开展燃气安全排查的通知（规划建设局，刘工）已逾期2天" in text
    assert "🟡 收文〔2026〕0002号" in text and "还有2天到期" in text
    assert "🟢 收文〔2026〕0003号" in text
    assert text.index("0001号") < text.index("0002号") < text.index("0003号")
    labels = [row[0]["text"] for row in todo["reply_markup"]["inline_keyboard"]]
    button = next(label for label in labels if label.endswith("查看"))
    await env.press(STAFF, todo, button=button)
    card = await env.client.wait_for_bot_message(STAFF, after=todo["message_id"],
                                                 contains="承办任务")
    assert "汇报进展" in str(card["reply_markup"])
    office_todo = await env.say(OFFICE, "/todo", contains="待办")
    assert "🟡 收文〔2026〕0004号 关于报送年报的通知（待拟办，期限2026-12-03）" in \
        office_todo["text"]

    daily = await env.say(OFFICE, "/daily", chat_id=GROUP, contains="党政办日报")
    block = daily["text"].split("📄 公文督办（红黄灯）")[1]
    assert block.index("0001号") < block.index("0002号")
    assert "0003号" not in block and "0004号" in block

    overdue = await env.say(STAFF, "/wenjian 逾期", contains="逾期未办结")
    assert "收文〔2026〕0001号" in overdue["text"] and "逾期2天" in overdue["text"]
    assert "0002号" not in overdue["text"]
    await env.press(STAFF, overdue, button=overdue["reply_markup"]["inline_keyboard"][0][0][
        "text"])
    await env.client.wait_for_bot_message(STAFF, after=overdue["message_id"],
                                          contains="承办任务")
    # The department's head sees the department's overdue task too; another department not.
    assert "收文〔2026〕0001号" in (await env.say(HEAD, "/wenjian 逾期"))["text"]
    assert "没有逾期" in (await env.say(1008, "/wenjian 逾期"))["text"]

    # One finished late (due 11-30), one on time (due 12-04), both passed on 12-02.
    in_time_task = await Assignment.get(document_id=on_time_doc)
    for task in (done_task, in_time_task):
        await handling.submit_report(env.users[STAFF], task.id, "排查完毕。", [])
        card_row = await ApprovalAssignee.filter(step__request__kind=handling.KIND_REVIEW,
                                                 step__request__subject_id=task.id,
                                                 approver_id=env.users[OFFICE].id).first()
        assert card_row is not None
        await approvals.approve(card_row.id, env.users[OFFICE])
    weekly = await env.say(OFFICE, "/weekly", contains="周报")
    assert "收文：0件" in weekly["text"] and "公文办结：2件" in weekly["text"]
    assert "按时办结：1件" in weekly["text"] and "超期办结：1件" in weekly["text"]
    monthly = await env.say(OFFICE, "/monthly", contains="月报")
    assert "公文办结：2件" in monthly["text"]
    started = await env.say(OFFICE, "/annual", contains="正在统计")
    summary = await env.client.wait_for_bot_message(OFFICE, after=started["message_id"] - 1,
                                                    contains="已生成", timeout=30)
    assert "办理上级来文4件、园区发文0件，办结公文和督办事项2件，其中按时办结1件、超期办结1件" in \
        summary["text"]
    assert HEAD and LEADER
