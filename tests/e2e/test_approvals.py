"""Approvals end to end: cards, decisions, reasons, transfers, signers, chasing, delegation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import scheduler.runner
from handlers import callback as cb
from models.approvals import (
    ApprovalAction,
    ApprovalAssignee,
    ApprovalDecision,
    ApprovalRequest,
    AuditAction,
    RequestStatus,
)
from models.core import BoundChat, ChatPurpose, OutboxMessage, OutboxStatus, Role, Staff
from services import approvals
from services.clock import FixedClock
from tests.e2e.conftest import Env

OUTCOMES: list[tuple[int, str]] = []


async def _record(subject_id: int, outcome: str, request: ApprovalRequest) -> None:
    OUTCOMES.append((subject_id, outcome))


@pytest.fixture(autouse=True)
def test_flows() -> Iterator[None]:
    approvals.register_flow("t.chain", [{"steps": [
        {"label": "approvals.step.dept_head", "approvers": {"dept_head": True}},
        {"label": "approvals.step.office", "approvers": {"role": "office"},
         "cc": {"people": ["王管理"]}},
    ]}])
    approvals.register_flow("t.one", [{"steps": [
        {"label": "approvals.step.office", "approvers": {"people": ["张秘书"]}},
    ]}])
    approvals.on_outcome("t.chain", _record)
    approvals.on_outcome("t.one", _record)
    OUTCOMES.clear()
    yield
    approvals.unregister_flow("t.chain")
    approvals.unregister_flow("t.one")


async def _office(env: Env, *, head_started: bool = True) -> dict[int, Staff]:
    await env.person(1001, "王管理", Role.ADMIN, "党政办")
    await env.person(1002, "李主任", Role.LEADER, "园区领导")
    await env.person(1003, "张秘书", Role.OFFICE, "党政办")
    await env.person(1004, "刘工", Role.STAFF, "规划建设局")
    await env.person(1005, "陈科长", Role.STAFF, "规划建设局", is_head=True,
                     started=head_started)
    await env.person(1006, "赵干事", Role.OFFICE, "党政办")
    return {uid: s for uid, s in env.users.items()}


async def _submit(env: Env, kind: str = "t.chain", subject: int = 1, title: str = "领用A4纸"
                  ) -> ApprovalRequest:
    request = await approvals.submit(kind, subject, env.users[1004], title=title,
                                     details=[("物品", "A4纸 5包")])
    await env.delivered()
    return request


async def _card(env: Env, chat_id: int, request: ApprovalRequest, nth: int = -1
                ) -> dict[str, Any]:
    """The approver's card of this request (the latest copy unless told)."""
    cards = [m for m in await env.bot_messages(chat_id)
             if f"审批 #{request.id}\n" in (m.get("text") or "")]
    assert cards, f"no card of #{request.id} in chat {chat_id}"
    return cards[nth]


def _buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _assignee(request: ApprovalRequest, uid: int) -> ApprovalAssignee:
    return await ApprovalAssignee.get(step__request_id=request.id, approver__tg_user_id=uid,
                                      verdict=None)


async def test_two_step_chain_is_approved_and_every_card_and_person_is_told(env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    card = await _card(env, 1005, request)
    assert "刘工" in card["text"] and "领用A4纸" in card["text"] and "A4纸 5包" in card["text"]
    assert "第1步/共2步" in card["text"]
    assert _buttons(card) == ["同意", "驳回", "转交", "加签"]
    assert not [m for m in await env.bot_messages(1003) if "审批 #" in (m["text"] or "")]

    answer = await env.press(1005, card, button="同意")
    assert "已同意" in answer["answer"]
    await env.delivered()
    edited = await env.message(1005, card["message_id"])
    assert edited["edited"] and "✅ 已同意（陈科长" in edited["text"]
    assert not _buttons(edited)
    news = await env.client.wait_for_bot_message(1004, contains="已同意")
    assert "陈科长已同意（部门负责人审批）" in news["text"]

    first, second = await _card(env, 1003, request), await _card(env, 1006, request)
    assert "第2步/共2步" in first["text"]
    await env.press(1003, first, button="同意")
    await env.delivered()
    assert "✅ 已同意" in (await env.message(1003, first["message_id"]))["text"]
    other = await env.message(1006, second["message_id"])
    assert "本环节已由张秘书处理：同意" in other["text"] and not _buttons(other)
    final = await env.client.wait_for_bot_message(1004, contains="审批结果")
    assert "审批结果：已通过" in final["text"]
    cc = await env.client.wait_for_bot_message(1001, contains="审批结果")
    assert "张秘书已同意" in cc["text"]
    assert (await ApprovalRequest.get(id=request.id)).status == RequestStatus.APPROVED
    assert OUTCOMES == [(1, "approved")]


async def test_rejection_at_step_two_takes_the_next_message_as_the_required_reason(
        env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    await env.press(1005, await _card(env, 1005, request), button="同意")
    await env.delivered()
    card = await _card(env, 1003, request)
    await env.press(1003, card, button="驳回")
    ask = await env.client.wait_for_bot_message(1003, contains="理由")
    assert "必填" in ask["text"]
    twice = await env.press(1003, card, button="驳回")
    assert "正在等待您输入驳回理由" in twice["answer"]
    # A command in between is not a reason; the rejection still waits for one.
    await env.say(1003, "/help")
    assert (await ApprovalRequest.get(id=request.id)).status == RequestStatus.PENDING
    too_long = await env.say(1003, "长" * 501)
    assert "太长" in too_long["text"]
    assert (await ApprovalRequest.get(id=request.id)).status == RequestStatus.PENDING
    done = await env.say(1003, "预算已用完，下月再申请")
    assert "已驳回审批" in done["text"]
    await env.delivered()
    edited = await env.message(1003, card["message_id"])
    assert "❌ 已驳回" in edited["text"] and "预算已用完" in edited["text"]
    assert not _buttons(edited)
    # The question for the reason is answered: its 取消 button is gone (issue 17).
    asked = await env.message(1003, ask["message_id"])
    assert "理由已收到" in asked["text"] and not _buttons(asked)
    told = await env.client.wait_for_bot_message(1004, contains="驳回")
    assert "预算已用完，下月再申请" in told["text"] and "审批结果：已驳回" in told["text"]
    assert OUTCOMES == [(1, "rejected")]
    # The next text is ordinary chat again, not a second reason.
    await env.send(1003, "谢谢")
    assert await ApprovalDecision.filter(step__request_id=request.id).count() == 2


async def test_a_rejection_cancelled_leaves_the_card_working(env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    card = await _card(env, 1005, request)
    await env.press(1005, card, button="驳回")
    ask = await env.client.wait_for_bot_message(1005, contains="理由")
    await env.press(1005, ask, button="取消")
    assert "已取消驳回" in (await env.message(1005, ask["message_id"]))["text"]
    await env.send(1005, "随便说一句")
    await env.press(1005, card, button="同意")
    assert (await ApprovalDecision.get(step__request_id=request.id)).outcome == "approved"


async def test_transfer_sends_the_card_to_the_chosen_person(env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    card = await _card(env, 1005, request)
    await env.press(1005, card, button="转交")
    picker = await env.client.wait_for_bot_message(1005, contains="转交")
    assert "刘工" not in _buttons(picker) and "陈科长" not in _buttons(picker)
    await env.press(1005, picker, button="李主任")
    # the reason first (李主任 will see it); nothing is transferred before it
    asked = await env.message(1005, picker["message_id"])
    assert "转交给李主任的理由" in asked["text"] and _buttons(asked) == ["取消"]
    assert not await ApprovalAction.filter(request_id=request.id,
                                           action=AuditAction.TRANSFER).exists()
    done = await env.say(1005, "我下周出差，请李主任定")
    assert "已转交给李主任" in done["text"]
    answered = await env.message(1005, picker["message_id"])
    assert "理由已收到" in answered["text"] and not _buttons(answered)
    await env.delivered()
    old = await env.message(1005, card["message_id"])
    assert "↪️ 已转交给李主任" in old["text"] and not _buttons(old)
    new = await _card(env, 1002, request)
    assert _buttons(new)[0] == "同意"
    # who passed it on, and why
    assert new["text"].startswith("↪️ 陈科长转交给您，理由：我下周出差，请李主任定\n"), new["text"]
    # The picker's other buttons, pressed now, no longer work.
    data = next(b["callback_data"] for row in picker["reply_markup"]["inline_keyboard"]
                for b in row if b["text"] == "张秘书")
    again = await env.press(1005, picker, data=data)
    assert "处理过" in again["answer"]
    await env.press(1002, new, button="同意")
    await env.delivered()
    assert await _card(env, 1003, request)
    actions = await ApprovalAction.filter(request_id=request.id).values_list("action", flat=True)
    assert AuditAction.TRANSFER in actions


async def test_add_signer_must_agree_before_the_flow_continues(env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    await env.press(1005, await _card(env, 1005, request), button="加签")
    picker = await env.client.wait_for_bot_message(1005, contains="加签")
    await env.press(1005, picker, button="李主任")
    await env.delivered()
    signer = await _card(env, 1002, request)
    assert "加签" in signer["text"] and "第2步/共3步" in signer["text"]
    assert not [m for m in await env.bot_messages(1003) if "审批 #" in (m["text"] or "")]
    await env.press(1002, signer, button="同意")
    await env.delivered()
    office = await _card(env, 1003, request)
    assert "第3步/共3步" in office["text"]


async def test_requester_withdraws_while_nothing_is_decided_and_not_after(env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    card = await _card(env, 1005, request)
    item = await env.say(1004, "/myrequests")
    assert f"审批 #{request.id} 领用A4纸" in item["text"]
    assert "等待陈科长审批" in item["text"]
    assert _buttons(item) == [f"撤回 审批 #{request.id}", f"催办 审批 #{request.id}"]
    answer = await env.press(1004, item, button=f"撤回 审批 #{request.id}")
    assert "已撤回" in answer["answer"]
    await env.delivered()
    assert "已撤回" in (await env.message(1004, item["message_id"]))["text"]
    closed = await env.message(1005, card["message_id"])
    assert "申请人已撤回" in closed["text"] and not _buttons(closed)
    assert OUTCOMES == [(1, "withdrawn")]
    late = await env.press(1005, closed, data=cb.encode("ap", "ok",
                                                        (await ApprovalAssignee.first()).id))
    assert "已经结束" in late["answer"] or "处理过" in late["answer"]

    second = await _submit(env, subject=2, title="第二次申请")
    await env.press(1005, await _card(env, 1005, second), button="同意")
    refused = await env.press(1004, item, data=cb.encode("ap", "wd", second.id))
    assert "不能撤回" in refused["answer"]
    assert (await ApprovalRequest.get(id=second.id)).status == RequestStatus.PENDING


async def test_urging_repings_the_approver_at_most_once_per_interval(
        fixed_clock: FixedClock, env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    item = await env.say(1004, "/myrequests")
    answer = await env.press(1004, item, button=f"催办 审批 #{request.id}")
    assert "已催办" in answer["answer"]
    await env.delivered()
    urged = await _card(env, 1005, request)
    assert urged["text"].startswith("🔔 申请人催办") and _buttons(urged)[0] == "同意"
    again = await env.press(1004, item, button=f"催办 审批 #{request.id}")
    assert "分钟后再催" in again["answer"]
    fixed_clock.advance(timedelta(minutes=61))
    third = await env.press(1004, item, button=f"催办 审批 #{request.id}")
    assert "已催办" in third["answer"]
    assert (await ApprovalRequest.get(id=request.id)).urge_count == 2
    stranger = await env.press(1005, urged, data=cb.encode("ap", "urge", request.id))
    assert "只有申请人" in stranger["answer"]


async def test_long_wait_reminds_then_escalates_by_working_hours(
        fixed_clock: FixedClock, env: Env) -> None:
    await _office(env)
    await env.group(-2001, "党政办工作群", [1001, 1003])
    request = await _submit(env)  # Thursday 10:00
    settings = env.runtime.settings
    start = fixed_clock.now()
    await scheduler.runner.tick(settings, start + timedelta(hours=3, minutes=59))
    await env.delivered()
    assert len([m for m in await env.bot_messages(1005) if "审批 #" in m["text"]]) == 1
    # Four working hours later (14:00) the approver is reminded, once.
    for minute in (0, 1):
        await scheduler.runner.tick(settings, start + timedelta(hours=4, minutes=minute))
    await env.delivered()
    reminders = [m for m in await env.bot_messages(1005) if "等待较长时间" in m["text"]]
    assert len(reminders) == 1 and _buttons(reminders[0])[0] == "同意"
    # Eight working hours: Thursday 10:00-17:30 and Friday 9:00-9:30; not at night.
    await scheduler.runner.tick(settings, datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    await env.delivered()
    assert not [m for m in await env.bot_messages(1002) if "审批 #" in m["text"]]
    friday = datetime(2026, 11, 27, 1, 31, tzinfo=UTC)
    fixed_clock.set(friday)
    await scheduler.runner.tick(settings, friday)
    await scheduler.runner.tick(settings, friday + timedelta(minutes=1))
    await env.delivered()
    leader = [m for m in await env.bot_messages(1002) if "审批 #" in m["text"]]
    assert len(leader) == 1 and "已升级由您审批" in leader[0]["text"]
    told = await env.client.wait_for_bot_message(1004, contains="升级")
    assert "李主任" in told["text"]
    assert "升级" in (await env.client.wait_for_bot_message(1005, contains="升级"))["text"]
    await env.press(1002, leader[0], button="同意")
    await env.delivered()
    assert await _card(env, 1003, request)
    kinds = await ApprovalAction.filter(request_id=request.id).values_list("action", flat=True)
    assert kinds.count(AuditAction.REMIND) == 1 and kinds.count(AuditAction.ESCALATE) == 1


async def test_delegate_receives_the_cards_and_the_record_shows_both(
        fixed_clock: FixedClock, env: Env) -> None:
    await _office(env)
    for wrong, says in (("/delegate 无名氏 2026-11-26 2026-11-30", "没有找到"),
                        ("/delegate 赵干事 2026-13-01 2026-12-02", "无法识别"),
                        ("/delegate 赵干事 12月5日 12月1日", "早于"),
                        ("/delegate 陈科长 11月26日 11月30日", "不能把审批代理给自己"),
                        ("/delegate 赵干事", "用法")):
        assert says in (await env.say(1005, wrong))["text"], wrong
    done = await env.say(1005, "/delegate 赵干事 11月26日 11月30日")
    assert "2026-11-26 至 2026-11-30" in done["text"] and "赵干事" in done["text"]
    request = await _submit(env)
    assert not [m for m in await env.bot_messages(1005) if "审批 #" in (m["text"] or "")]
    card = await _card(env, 1006, request)
    assert "陈科长外出，由您代理审批" in card["text"]
    await env.press(1006, card, button="同意")
    await env.delivered()
    approve = await ApprovalAction.get(request_id=request.id, action=AuditAction.APPROVE)
    assert (approve.actor_id, approve.on_behalf_of_id) == (  # type: ignore[attr-defined]
        env.users[1006].id, env.users[1005].id)
    news = await env.client.wait_for_bot_message(1004, contains="已同意")
    assert "赵干事（代陈科长）已同意" in news["text"]
    off = await env.say(1005, "/delegate off")
    assert "已取消代理" in off["text"]


async def test_pending_lists_cards_and_approves_a_batch_after_confirming(env: Env) -> None:
    await _office(env)
    requests = [await _submit(env, "t.one", n, f"申请{n}") for n in (1, 2, 3)]
    reply = await env.say(1003, "/pending")
    assert "共3项" in reply["text"]
    offer = await env.client.wait_for_bot_message(1003, after=reply["message_id"],
                                                  contains="全部同意")
    await env.delivered()
    cards = [m for m in await env.bot_messages(1003, after=reply["message_id"])
             if "审批 #" in m["text"]]
    assert [c["text"].split("\n")[0] for c in cards] == [
        f"📝 审批 #{r.id}" for r in requests]
    assert offer["message_id"] > cards[-1]["message_id"]
    await env.press(1003, offer, button="全部同意（3）")
    confirm = await env.message(1003, offer["message_id"])
    assert "确认全部同意以下3项" in confirm["text"] and "申请2" in confirm["text"]
    answer = await env.press(1003, confirm, button="确认")
    assert "完成后会告诉您" in answer["answer"]  # answered at once, approved in the background
    done = await env.client.wait_for_bot_message(1003, contains="已全部同意3项", timeout=10)
    await env.delivered()
    assert await ApprovalRequest.filter(status=RequestStatus.APPROVED).count() == 3
    # The requester hears once, with the list.
    told = [m for m in await env.bot_messages(1004) if "批量审批了您的3项申请" in m["text"]]
    assert len(told) == 1 and all(f"#{r.id} " in told[0]["text"] for r in requests)
    assert not [m for m in await env.bot_messages(1004, after=told[0]["message_id"])]
    assert not await OutboxMessage.filter(kind="approvals.news", chat_id=1004).exists()
    assert done["message_id"] > confirm["message_id"]
    for c in cards:
        assert not _buttons(await env.message(1003, c["message_id"]))
    again = await env.press(1003, confirm, data=cb.encode("ap", "allok", "t.one", 999))
    assert "没有可以批量同意" in again["answer"]
    assert "没有等待您审批" in (await env.say(1003, "/pending"))["text"]


async def test_approver_who_never_started_the_bot_gets_the_card_after_start(
        fixed_clock: FixedClock, env: Env) -> None:
    env.allow_failure("can't initiate conversation")
    await _office(env, head_started=False)
    await env.group(-2001, "党政办工作群", [1001, 1003])
    await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    request = await _submit(env)
    dead = await OutboxMessage.get(kind="approvals.card", chat_id=1005)
    assert dead.status == OutboxStatus.DEAD
    assert not (await Staff.get(tg_user_id=1005)).reachable
    await scheduler.runner.tick(env.runtime.settings, fixed_clock.now())
    await env.delivered()
    notice = await env.client.wait_for_bot_message(-2001, contains="还没有打开")
    assert "陈科长" in notice["text"] and "/start" in notice["text"]
    assert f"#{request.id}" in notice["text"]
    assert (await ApprovalRequest.get(id=request.id)).status == RequestStatus.PENDING
    await scheduler.runner.tick(env.runtime.settings, fixed_clock.now() + timedelta(minutes=1))
    await env.delivered()
    assert len([m for m in await env.bot_messages(-2001) if "还没有打开" in m["text"]]) == 1
    await env.say(1005, "/start")
    await env.delivered()
    card = await _card(env, 1005, request)
    assert _buttons(card)[0] == "同意"
    await env.press(1005, card, button="同意")
    assert (await ApprovalDecision.get(step__request_id=request.id)).outcome == "approved"


async def test_the_office_hears_of_an_unreachable_approver_once_a_day_however_many_cards(
        fixed_clock: FixedClock, env: Env) -> None:
    env.allow_failure("can't initiate conversation")
    await _office(env, head_started=False)
    await env.group(-2001, "党政办工作群", [1001, 1003])
    await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    for n in range(4):
        await _submit(env, subject=n, title=f"申请{n}")
    await scheduler.runner.tick(env.runtime.settings, fixed_clock.now())
    await env.delivered()
    notices = [m for m in await env.bot_messages(-2001) if "还没有打开" in m["text"]]
    assert len(notices) == 1 and "陈科长" in notices[0]["text"]
    fixed_clock.advance(timedelta(days=1))
    await _submit(env, subject=9, title="次日申请")
    await scheduler.runner.tick(env.runtime.settings, fixed_clock.now())
    await env.delivered()
    assert len([m for m in await env.bot_messages(-2001) if "还没有打开" in m["text"]]) == 2


async def test_forged_guessed_stale_and_double_clicks_do_nothing_but_say_why(env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    card = await _card(env, 1005, request)
    head = await _assignee(request, 1005)
    mine = await env.say(1004, "/myrequests")
    for data, says in ((cb.encode("ap", "ok", head.id), "不是给您的"),
                       (cb.encode("ap", "no", head.id), "不是给您的"),
                       (cb.encode("ap", "fwdto", head.id, env.users[1002].id), "不是给您的"),
                       (cb.encode("ap", "ok", 99999), "没有找到"),
                       ("ap:ok:abc", "无法识别"), ("ap:zz:1", "无法识别"), ("ap:ok", "无法识别")):
        answer = await env.press(1004, mine, data=data)
        assert says in (answer["answer"] or ""), data
    assert await ApprovalDecision.all().count() == 0
    first = await env.press(1005, card, data=cb.encode("ap", "ok", head.id))
    second = await env.press(1005, card, data=cb.encode("ap", "ok", head.id))
    assert "已同意" in first["answer"] and "处理过" in second["answer"]
    assert await ApprovalDecision.all().count() == 1
    await env.delivered()
    a, b = await _assignee(request, 1003), await _assignee(request, 1006)
    answers = await asyncio.gather(
        env.press(1003, await _card(env, 1003, request), data=cb.encode("ap", "ok", a.id)),
        env.press(1006, await _card(env, 1006, request), data=cb.encode("ap", "ok", b.id)),
    )
    assert sorted("已同意" in x["answer"] for x in answers) == [False, True]
    assert await ApprovalDecision.all().count() == 2
    stale = await env.press(1005, card, data=cb.encode("ap", "no", head.id))
    assert "处理过" in stale["answer"]
    assert (await ApprovalRequest.get(id=request.id)).status == RequestStatus.APPROVED


async def test_admin_sees_an_approvers_record_and_the_flows(env: Env) -> None:
    await _office(env)
    request = await _submit(env)
    await env.press(1005, await _card(env, 1005, request), button="同意")
    record = await env.say(1001, "/audit 陈科长")
    assert f"#{request.id}" in record["text"] and "同意" in record["text"]
    assert "没有找到" in (await env.say(1001, "/audit 无名氏"))["text"]
    assert "不能使用" in (await env.say(1004, "/audit 陈科长"))["text"]
    flows = await env.say(1003, "/flows")
    assert "采购" in flows["text"] and "低于5,000元" in flows["text"]
    help_text = (await env.say(1004, "/help"))["text"]
    assert "/pending" in help_text and "/myrequests" in help_text and "/delegate" in help_text


async def test_a_request_with_huge_details_still_reaches_the_approver(env: Env) -> None:
    env.expect_literal_markup()
    await _office(env)
    request = await approvals.submit("t.one", 9, env.users[1004], title="<b>标题</b>" * 100,
                                     details=[("备注&说明", "很长的内容<>&" * 1000)] * 40)
    await env.delivered()
    card = await _card(env, 1003, request)
    assert len(card["text"]) < 4096 and "<b>标题</b>" in card["text"]
    assert _buttons(card)[0] == "同意"


async def test_cards_follow_a_delegation_when_it_begins_and_come_back_when_it_ends(
        fixed_clock: FixedClock, env: Env) -> None:
    await _office(env)
    await env.say(1005, "/delegate 赵干事 11月27日 11月27日")
    request = await _submit(env)
    card = await _card(env, 1005, request)
    head = await _assignee(request, 1005)
    friday = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    fixed_clock.set(friday)
    await scheduler.runner.tick(env.runtime.settings, friday)
    await env.delivered()
    away = await _card(env, 1006, request)
    assert "陈科长外出" in away["text"]
    saturday = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    fixed_clock.set(saturday)
    await scheduler.runner.tick(env.runtime.settings, saturday)
    await env.delivered()
    refused = await env.press(1006, away, data=cb.encode("ap", "ok", head.id))
    assert "不是给您的" in refused["answer"]
    back = await _card(env, 1005, request)
    assert back["message_id"] != card["message_id"] and "外出" not in back["text"]
    await env.press(1005, back, button="同意")
    assert (await ApprovalDecision.get(step__request_id=request.id)).outcome == "approved"


async def test_my_requests_are_one_message_with_pages_in_either_language(env: Env) -> None:
    await _office(env)
    made = [await _submit(env, "t.one", subject=n, title=f"申请{n}") for n in range(1, 6)]
    before = len(await env.bot_messages(1004))
    mine = await env.say(1004, "/myrequests")
    await asyncio.sleep(0.3)
    assert len(await env.bot_messages(1004)) == before + 1  # one message, not one per request
    assert "共5项" in mine["text"] and "第 1/2 页" in mine["text"] and "申请5" in mine["text"]
    assert "申请1" not in mine["text"] and "下一页 ›" in _buttons(mine)
    await env.press(1004, mine, button="下一页 ›")
    second = await env.message(1004, mine["message_id"])
    assert "第 2/2 页" in second["text"] and "申请1" in second["text"]
    await env.press(1004, second, button=f"撤回 审批 #{made[0].id}")
    after = await env.message(1004, mine["message_id"])
    assert "第 2/2 页" in after["text"] and "已撤回" in after["text"]
    await env.person(1007, "Li", Role.STAFF, "规划建设局", lang="en")
    await approvals.submit("t.one", 9, env.users[1007], title="Paper", details=[])
    english = await env.say(1007, "/myrequests")
    assert "Your latest requests (1)" in english["text"] and "Withdraw Approval #" in " ".join(
        _buttons(english))
