"""One act of the office's year each: what the people type and press, as they would.

Each play returns nothing and raises `ActFailed` when the bot did not answer as expected (the
year counts it and goes on). Reading the database is allowed (to find whose turn it is, as the
person would see the card arrive); writing it is not.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from bot.demo_year.people import (
    ADMIN,
    KEEPER,
    LEADER,
    LEADER2,
    LEADERS_GROUP,
    OFFICE,
    OFFICE_GROUP,
    Person,
)
from bot.demo_year.stage import ActFailed, Stage

Json = dict[str, Any]


def docx_bytes(title: str) -> bytes:
    """A small Word file with the title as its text (a draft the staff send)."""
    from docx import Document

    document = Document()
    document.add_paragraph(title)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def buttons(message: Json) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def outbox_idle(timeout: float = 20.0) -> None:
    """Wait until the bot has sent what it queued (cards arrive before anyone presses)."""
    import asyncio
    import time

    from models.core import OutboxMessage, OutboxStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not await OutboxMessage.filter(
                status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).exists():
            return
        await asyncio.sleep(0.02)
    raise ActFailed("the outbox did not drain")


async def decide_approvals(stage: Stage, *, reject: str | None = None) -> int:
    """Every open approval card is decided by its approver (同意, or 驳回 with a reason)."""
    from handlers.texts import DEFAULT_LANG
    from handlers.views.approvals import thing
    from models.approvals import ApprovalAssignee, ApprovalRequest
    from models.core import Staff

    decided = 0
    for _ in range(6):
        await outbox_idle()
        open_card = await ApprovalAssignee.filter(verdict=None, step__status="active").order_by(
            "id").prefetch_related("step").first()
        if open_card is None:
            return decided
        approver = await Staff.get(id=open_card.approver_id)  # type: ignore[attr-defined]
        request = await ApprovalRequest.get(
            id=open_card.step.request_id)  # type: ignore[attr-defined]
        # The card names the thing by its own number and kind (领用单 #3), issue 17.
        label = thing(request, approver.lang or DEFAULT_LANG)
        card = await stage.last(approver.tg_user_id, f"{label}\n")
        for message in reversed(await stage.client.messages(approver.tg_user_id)):
            if f"{label}\n" in (message.get("text") or "") and (
                    message.get("reply_markup") or {}).get("inline_keyboard"):
                card = message  # the card with buttons, not a reminder quoting it
                break
        if reject:
            await stage.press(approver.tg_user_id, card, "驳回")
            await stage.say(approver.tg_user_id, reject)
            return decided + 1
        await stage.press(approver.tg_user_id, card, "同意")
        decided += 1
    return decided


# ------------------------------------------------------------------ documents


async def incoming(stage: Stage, sender: str, ref: str, title: str, due: date | None,
                   handler: Person | None, finish: bool) -> None:
    """Register a document; read-and-close it, or assign it and (maybe) finish it."""
    due_text = f" {due.month}月{due.day}日前报送" if due else ""
    card = await stage.say(OFFICE, f"/shouwen {sender} {ref} {title}{due_text}",
                           contains="请核对")
    await stage.press(OFFICE, card, "✅ 确认登记")
    card = await stage.wait(OFFICE, card["message_id"] - 1, "已登记为")
    if handler is None:
        await stage.press(OFFICE, card, "阅知办结")
        return
    await stage.press(OFFICE, card, "分办")
    preview = await stage.say(OFFICE, f"{handler.department} {handler.name}",
                              contains="请确认分办")
    await stage.press(OFFICE, preview, "✅ 确认分办")
    await outbox_idle()
    task = await stage.last(handler.uid, "新的承办任务")
    if not finish:
        return
    await stage.press(handler.uid, task, "提交办结报告")
    kept = await stage.say(handler.uid, "已按要求办理完毕，材料已报送。", contains="已收到")
    await stage.press(handler.uid, kept, "📨 提交办结报告")
    await outbox_idle()
    review = await stage.last(OFFICE, "办结审核")
    await stage.press(OFFICE, review, "✅ 通过")


async def outgoing(stage: Stage, drafter: Person, kind: str, title: str) -> str:
    """A department drafts, the office checks, a leader signs: the park's number is given."""
    await stage.say(drafter.uid, f"/fawen {kind} {title}", contains="底稿")
    sent = await stage.client.send_document(drafter.uid, drafter.uid, f"{title[:20]}.docx",
                                            docx_bytes(title))
    card = await stage.wait(drafter.uid, sent["message_id"], "请核对")
    await stage.press(drafter.uid, card, "📨 送审")
    await outbox_idle()
    check = await stage.last(OFFICE, "核稿（第1步")
    await stage.press(OFFICE, check, "✅ 核稿通过")
    await outbox_idle()
    sign = await stage.last(LEADER, "签发（第2步")
    answer = await stage.press(LEADER, sign, "✅ 签发")
    if "园区发" not in (answer.get("answer") or ""):
        raise ActFailed(f"not issued: {answer.get('answer')}")
    return str(answer["answer"])


# ------------------------------------------------------------------ meetings


async def meeting(stage: Stage, host: Person, when: str, room: str, subject: str) -> None:
    card = await stage.say(host.uid, f"/book {when} {room} {subject}", contains="会议室")
    if not any("确认预订" in b for b in buttons(card)):
        raise ActFailed(f"booking not offered: {(card.get('text') or '')[:80]}")
    await stage.press(host.uid, card, "✅ 确认预订")
    await stage.wait(host.uid, card["message_id"] - 1, "已预订")


# ------------------------------------------------------------------ publicity


async def media_report(stage: Stage, outlet: str, day: date, title: str, front: bool) -> None:
    page = " 头版" if front else ""
    await stage.say(OFFICE, f"/xuanchuan {outlet}{page} {day.isoformat()} {title}",
                    contains="已登记报道")


async def information(stage: Stage, author: Person, title: str, level: str | None) -> None:
    """A correspondent submits a piece; the office uses it (区级/市级/省级) or returns it."""
    await stage.say(author.uid, "/xinxi 报送", contains="党政信息草稿")
    draft = await stage.say(author.uid, f"{title}\n{author.department}{title}，取得阶段性成效。",
                            contains="标题：")
    await stage.press(author.uid, draft, "提交")
    await outbox_idle()
    card = await stage.last(OFFICE_GROUP, "党政信息 #")
    if level is None:
        await stage.press(OFFICE, card, "退回", chat=OFFICE_GROUP)
        await stage.answer_prompt(OFFICE, OFFICE_GROUP, card["message_id"], "退回党政信息",
                                  "内容与上周重复，请补充新进展后再报", contains="已退回党政信息")
        return
    answer = await stage.press(OFFICE, card, f"{level}采用", chat=OFFICE_GROUP)
    if "采用" not in (answer.get("answer") or ""):
        raise ActFailed(f"piece not used: {answer.get('answer')}")


async def drafting(stage: Stage, assigner: int, drafter: Person, kind: str, title: str,
                   deadline: date) -> None:
    """A leader (or the office) assigns a draft; the drafter sends it; it is accepted."""
    draft = await stage.say(assigner, f"/wengao 新建 {kind} 起草人 {drafter.name} 截止 "
                                      f"{deadline.month}月{deadline.day}日 题目 {title}",
                        contains="布置文稿任务")
    await stage.press(assigner, draft, "派发")
    await outbox_idle()
    await stage.last(drafter.uid, "文稿任务")
    sent = await stage.client.send_document(drafter.uid, drafter.uid, f"{title[:20]}.docx",
                                            docx_bytes(title))
    await stage.wait(drafter.uid, sent["message_id"])
    await outbox_idle()
    version = await stage.last(assigner, "第1稿")
    await stage.press(assigner, version, "采用定稿")


async def bulletin(stage: Stage, titles: list[str]) -> None:
    """Collect the issue's items and sign it off (参阅)."""
    for title in titles:
        await stage.say(OFFICE, f"/canyue 加 {title}", contains="已加入")
    card = await stage.say(OFFICE, "/canyue 编辑", contains="下一期")
    await stage.press(OFFICE, card, "签发")


# ------------------------------------------------------------------ opinion


async def opinion(stage: Stage, text: str, url: str, false_alarm: bool,
                  handler: Person | None = None, roster: list[Person] | None = None) -> None:
    """The duty clerk records an item; a negative one is handled (the leader assigns it and
    the person reports what was done), or found to be a false alarm."""
    import re

    reply = await stage.say(OFFICE, f"/yq {text} {url}", contains="已录入")
    joined = re.search(r"与已有舆情 #(\d+) 属同一事件", reply.get("text") or "")
    if joined is not None:
        await handle_again(stage, int(joined.group(1)))
        return
    if "判定为负面" not in (reply.get("text") or ""):
        return
    await outbox_idle()
    card = await stage.last(LEADERS_GROUP, url + "\n")
    if false_alarm:
        # 误报 closes a complaint: the bot asks why, and the leader's reason confirms it.
        await stage.press(LEADER, card, "误报", chat=LEADERS_GROUP)
        reason = "经核实，噪声来自园区外施工工地，与园区企业无关"
        done = await stage.answer_prompt(LEADER, LEADERS_GROUP, card["message_id"],
                                         "标记为误报吗", reason, contains="标记为误报")
        if "理由已记录" not in (done.get("text") or ""):
            raise ActFailed(f"not a false alarm: {(done.get('text') or '')[:100]}")
        return
    await stage.press(LEADER, card, "知悉", chat=LEADERS_GROUP)
    if handler is None:
        return
    await stage.press(LEADER, card, "指派处置", chat=LEADERS_GROUP)
    await outbox_idle()
    picker = await stage.last(LEADERS_GROUP, "处置人")
    # The picker lists only so many people: the leader picks the planned one if listed,
    # else someone of the same department, else the first department member listed.
    listed = set(buttons(picker))
    shown = [p for p in (roster or [handler]) if f"{p.name}（{p.department}）" in listed]
    handler = next((p for p in shown if p == handler), None) or next(
        (p for p in shown if p.department == handler.department), None) or next(
        (p for p in shown if p.role.value == "staff"), handler)
    await stage.press(LEADER, picker, f"{handler.name}（{handler.department}）",
                      chat=LEADERS_GROUP)
    await outbox_idle()
    private = await stage.last(handler.uid, "请您处置")
    await stage.press(handler.uid, private, "已处置")
    await stage.say(handler.uid, "已约谈企业负责人，责令整改，现场已处理完毕并回复网友",
                    contains="已记录")


async def handle_again(stage: Stage, case_id: int) -> None:
    """Another report of an incident already handled reopens its event: the person it was
    given to handles it again from the card they were sent (its 已处置 button)."""
    from models.core import Staff
    from models.opinion import CaseStatus, OpinionCase

    await outbox_idle()
    case = await OpinionCase.get_or_none(id=case_id)
    if case is None or case.status != CaseStatus.HANDLING or case.assignee_id is None:  # type: ignore[attr-defined]
        return
    person = await Staff.get(id=case.assignee_id)  # type: ignore[attr-defined]
    data = f"yq:dn:{case_id}"
    cards = [m for m in await stage.client.messages(person.tg_user_id)
             if m["from"]["is_bot"] and any(
                 b.get("callback_data") == data
                 for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                 for b in row)]
    if not cards:
        raise ActFailed(f"no card to handle reopened item #{case_id} again")
    await stage.press(person.tg_user_id, cards[-1], data=data)
    await stage.say(person.tg_user_id, "又有网友反映同一问题，已再次现场核查并督促企业落实整改",
                    contains="已记录")


# ------------------------------------------------------------------ supplies, seals


async def supply(stage: Stage, person: Person, items: str, purpose: str) -> None:
    """A request for supplies: approved, issued by the office, signed for by the person."""
    import re

    card = await stage.say(person.uid, f"/supply {items} 用途 {purpose}", contains="领用单")
    await stage.press(person.uid, card, "提交")
    try:
        submitted = await stage.wait(person.uid, card["message_id"] - 1, "已提交审批",
                                     timeout=3)
    except ActFailed:
        refused = await stage.last(person.uid)
        await stage.press(person.uid, card, "清空")
        raise ActFailed(f"refused: {(refused.get('text') or '')[:100]}") from None
    found = re.search(r"领用单 #(\d+)", submitted.get("text") or "")
    if found is None:
        raise ActFailed(f"no request number: {(submitted.get('text') or '')[:80]}")
    number = found.group(1)
    await decide_approvals(stage)
    await outbox_idle()
    try:
        issue = await stage.last(OFFICE_GROUP, f"领用单 #{number} · 已同意")
    except ActFailed:
        said = [m.get("text") or "" for m in (await stage.client.messages(person.uid))[-2:]]
        raise ActFailed(f"no issue card for #{number}; the requester saw {said}") from None
    await stage.press(OFFICE, issue, "全部发放", chat=OFFICE_GROUP)
    await outbox_idle()
    sign = await stage.last(person.uid, "签收")
    await stage.press(person.uid, sign, "签收")


async def purchase(stage: Stage, items: str, amount: int) -> None:
    """The office buys the month's stock by price comparison (询价) and takes it in."""
    quotes = f"甲{amount}，乙{amount + 30}，丙{amount + 80}"
    await stage.say(OFFICE, f"/purchase {items} 金额 {amount} 方式 询价 报价 {quotes} "
                            f"用途 月度备货", contains="已提交审批")
    await decide_approvals(stage)
    await outbox_idle()
    card = await stage.last(OFFICE_GROUP, "待入库")
    await stage.press(OFFICE, card, "一键入库", chat=OFFICE_GROUP)
    await outbox_idle()
    await stage.wait(OFFICE_GROUP, card["message_id"] - 1, "已入库")


async def stocktake(stage: Stage, item: str, short: int, reason: str) -> None:
    """The half-year stock-take: the shelf holds `short` fewer than the books say."""
    import re

    shown = await stage.say(OFFICE, f"/stock {item}", contains="库存")
    found = re.search(r"）：(?:可用 )?(\d+)", shown.get("text") or "")
    if found is None:
        raise ActFailed(f"no stock figure: {(shown.get('text') or '')[:100]}")
    counted = max(int(found.group(1)) - short, 0)
    await stage.say(OFFICE, f"/stocktake {item} {counted} 原因 {reason}", contains="盘点")


async def seal_use(stage: Stage, person: Person, seal: str, title: str, copies: int,
                   purpose: str) -> None:
    card = await stage.say(person.uid, f"/yongyin {seal} 《{title}》 {copies}份 用途：{purpose}",
                           contains="信息已齐全")
    await stage.press(person.uid, card, "✅ 提交审批")
    await decide_approvals(stage)
    await outbox_idle()
    keeper = await stage.last(KEEPER, "用印申请 #")
    await stage.press(KEEPER, keeper, "✅ 已用印")
    await stage.press(KEEPER, keeper, f"{copies}份")


async def add_seal(stage: Stage, name: str, flow: str) -> None:
    await stage.say(ADMIN, f"/yongyin 印章 添加 {name} 保管人=周文书 流程={flow}",
                    contains="已添加印章")


__all__ = ["LEADER2", "datetime", "timedelta"]


# ------------------------------------------------------------------ receptions


async def reception(stage: Stage, day: date, unit: str, letter: str, guests: int,
                    reason: str, reject: str | None = None) -> None:
    """The office plans an official reception step by step and submits it for approval."""
    steps = [
        ("/reception", "接待时间"),
        (f"{day.month}月{day.day}日上午9点到11点半", "来访单位"),
        (unit, "公函文号"),
        (letter, "来宾人数"),
        (str(guests), "带队领导"),
        ("王强 副局长", "来宾名单"),
        ("\n".join(["王强 副局长"] + [f"来宾{i} 科员" for i in range(1, guests)]), "接待事由"),
    ]
    for text, expect in steps:
        await stage.say(OFFICE, text, contains=expect)
    leader_q = await stage.say(OFFICE, reason, contains="主陪领导")
    await stage.press(OFFICE, leader_q, "李主任")
    await stage.wait(OFFICE, leader_q["message_id"], "陪同人员")
    await stage.say(OFFICE, "张秘书、刘工", contains="参观线路")
    room_q = await stage.say(OFFICE, "09:30 园区展厅\n10:30 污水处理中心", contains="会议室")
    await stage.press(OFFICE, room_q, "不需要会议室")
    await stage.wait(OFFICE, room_q["message_id"], "工作餐")
    await stage.say(OFFICE, f"1 {guests} 3 120", contains="住宿安排")
    card = await stage.say(OFFICE, "无", contains="规则检查全部通过")
    await stage.press(OFFICE, card, "提交审批")
    await stage.wait(OFFICE, card["message_id"], "已提交审批")
    await decide_approvals(stage, reject=reject)


async def reception_done(stage: Stage, unit: str, day: date, present: int) -> None:
    """After the reception the office records what happened and closes it."""
    from models.receptions import Reception, ReceptionStatus

    held = await Reception.filter(unit=unit, status=ReceptionStatus.APPROVED).order_by(
        "start").first()
    if held is None:
        raise ActFailed(f"no approved reception of {unit} on {day}")
    shown = await stage.say(OFFICE, f"/reception {held.id}", contains="已批准")
    await stage.press(OFFICE, shown, "登记实际情况")
    await stage.wait(OFFICE, shown["message_id"], "实到")
    await stage.say(OFFICE, f"实到 {present}\n用餐 1次 来宾{present}人 陪餐3人\n"
                            f"餐费 {present * 100 + 300}\n住宿费 0",
                    contains="已登记实际情况并关闭")


async def official_meal(stage: Stage, day: date, unit: str, guests: int, staff: int,
                        standard: int) -> None:
    """An ordinary official meal, recorded by the office in one line after it was held."""
    await stage.say(OFFICE, f"/yongcan {day.month}月{day.day}日 {unit} {guests}人 "
                            f"陪同{staff}人 工作餐 标准{standard}", contains="已登记公务用餐")


# ------------------------------------------------------------------ repairs


async def repair(stage: Stage, reporter: Person, place: str, fault: str, work: str,
                 cost: int) -> None:
    """A fault reported, sent to the property company, fixed, confirmed and rated."""
    card = await stage.say(reporter.uid, f"/baoxiu {place} {fault}", contains="故障")
    await stage.press(reporter.uid, card, "🟡 一般（1个工作日内）")
    await outbox_idle()
    new = await stage.last(OFFICE_GROUP, "新报修 #")
    await stage.press(OFFICE, new, "派单", chat=OFFICE_GROUP)
    await stage.press(OFFICE, new, "🏢 园区物业服务公司", chat=OFFICE_GROUP)
    await outbox_idle()
    job = await stage.last(OFFICE, "维修任务 #")
    await stage.press(OFFICE, job, "✅ 接单")
    await outbox_idle()
    await stage.press(OFFICE, job, "✅ 完工")
    await stage.wait(OFFICE, job["message_id"], "维修内容和费用")
    await stage.say(OFFICE, f"{work} 费用{cost}元")
    await outbox_idle()
    confirm = await stage.last(reporter.uid, "修好了吗")
    await stage.press(reporter.uid, confirm, "★★★★")
