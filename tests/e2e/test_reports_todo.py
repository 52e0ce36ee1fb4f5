"""/todo and /daily come from every feature's providers (issue 18): each open item of every
feature shows up for the person it waits on, with a button that acts on it; the leader's own
daily report has the day's 舆情 and receptions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from models.core import BoundChat, ChatPurpose, Role, Staff
from models.opinion import CaseStatus, OpinionCase, SourceKind, TermKind
from models.receptions import Reception, ReceptionStatus
from models.supplies import (
    BuyMethod,
    Purchase,
    PurchaseLine,
    PurchaseStatus,
    RequestStatus,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from services import approvals, clock
from services.clock import FixedClock
from services.opinion import handling, pipeline, terms
from services.opinion.pipeline import Candidate
from services.receptions.ports import book_room
from services.rooms import catalog
from services.supplies import requests, stock
from services.supplies.demo import seed_demo
from tests.e2e.conftest import Env

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def leader_flow() -> Iterator[None]:
    approvals.register_flow("t.todo", [{"steps": [{"approvers": {"role": "leader"}}]}])
    yield
    approvals.unregister_flow("t.todo")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)  # type: ignore[misc]


async def _approved(worker: Staff, name: str, qty: int) -> SupplyRequest:
    request = await SupplyRequest.create(requester=worker, purpose="会议",
                                         status=RequestStatus.APPROVED, created_at=clock.now(),
                                         submitted_at=clock.now())
    await SupplyRequestLine.create(request=request, item=await SupplyItem.get(name=name),
                                   quantity=qty)
    return request


async def open_items(env: Env) -> dict[str, Any]:
    """One open item of each kind, each waiting for someone (Thursday 2026-11-26 10:00)."""
    people = {
        "wang": await env.person(1001, "王管理", Role.ADMIN, "党政办"),
        "li": await env.person(1002, "李主任", Role.LEADER, "园区领导"),
        "zhang": await env.person(1003, "张秘书", Role.OFFICE, "党政办"),
        "liu": await env.person(1004, "刘工", Role.STAFF, "规划建设局"),
        "zhao": await env.person(1006, "赵干事", Role.OFFICE, "党政办"),
    }
    await env.group(-2001, "党政办工作群", [1001, 1002, 1003, 1004, 1006])
    await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE)
    await seed_demo()
    zhang, liu, li = people["zhang"], people["liu"], people["li"]
    found: dict[str, Any] = {}
    # Supplies: an issue to sign for, a draft not sent, a request to issue, purchases.
    issued = await _approved(liu, "文件夹", 2)  # type: ignore[arg-type]
    await requests.issue(zhang, issued.id)  # type: ignore[arg-type]
    draft = await requests.draft_for(liu)  # type: ignore[arg-type]
    await requests.add_text(liu, draft.id, "A4纸 2包")  # type: ignore[arg-type]
    found["to_issue"] = await _approved(liu, "中性笔", 5)  # type: ignore[arg-type]
    toner = await SupplyItem.get(name="硒鼓")
    await stock.stock_take(zhang, [stock.Count(toner.id, Decimal(1), "损坏2个")])  # type: ignore[arg-type]
    found["drafted"] = await Purchase.get(from_low_stock=True)
    bought = await Purchase.create(requester=zhang, status=PurchaseStatus.APPROVED,
                                   method=BuyMethod.DIRECT, amount=Decimal(60), supplier="得力",
                                   created_at=clock.now())
    await PurchaseLine.create(purchase=bought, item=await SupplyItem.get(name="档案盒"),
                              quantity=12, unit_price=5, amount=60)
    found["bought"] = bought
    # Approvals: a request waiting for the leader's decision.
    await approvals.submit("t.todo", 1, liu, title="会议室改造申请", details=[])  # type: ignore[arg-type]
    # Opinion: a story nobody took yet (the office and the leaders), one given to 刘工.
    await terms.add_terms(None, TermKind.NAME, ["绿谷园区"])
    untaken, given = await pipeline.ingest([
        Candidate("绿谷园区企业夜间偷排污水被投诉", "", "https://x.org/1", source_name="网站"),
        Candidate("绿谷园区工地噪音扰民 居民投诉", "", "https://x.org/2", source_name="论坛"),
    ], via=SourceKind.API, now=at(2026, 11, 25, 15))
    await handling.assign(li, given.case_id, liu.id)  # type: ignore[arg-type]
    found["untaken"], found["given"] = untaken.case_id, given.case_id
    # Receptions: a plan not finished, and one under way waiting for its actual figures.
    now = clock.now()
    found["plan"] = await Reception.create(created_by=zhang, status=ReceptionStatus.DRAFT,
                                           unit="省商务厅", created_at=now, updated_at=now)
    found["held"] = await Reception.create(
        created_by=zhang, status=ReceptionStatus.APPROVED, start=at(2026, 11, 26, 9),
        end=at(2026, 11, 26, 11), unit="市发展和改革委员会", guest_count=6,
        meal_standard=Decimal(0), created_at=now, updated_at=now)
    # Rooms: a meeting in ten minutes in a room that needs 签到.
    room, _ = await catalog.save_room(None, "二号会议室", {"capacity": 10,
                                                         "checkin_required": True})
    await book_room(liu, room.id, at(2026, 11, 26, 10, 10), at(2026, 11, 26, 11),  # type: ignore[arg-type]
                    title="项目周会", attendees=5)
    return found


def _buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_each_open_item_of_every_feature_shows_up_for_the_person_it_waits_on(
    env: Env, fixed_clock: FixedClock
) -> None:
    found = await open_items(env)
    waits_on = {
        1003: [f"领用单 #{found['to_issue'].id} 刘工：中性笔 5支", "发放",
               f"采购单草稿 #{found['drafted'].id}", "提交采购单",
               f"采购单 #{found['bought'].id}（档案盒 12个，60.00元）已批准，待入库", "入库",
               f"#{found['untaken']}", "知悉",
               f"接待计划 #{found['plan'].id}（省商务厅）", "查看",
               f"接待 #{found['held'].id}（市发展和改革委员会）已开始", "登记实际情况"],
        1006: [f"领用单 #{found['to_issue'].id}", f"采购单草稿 #{found['drafted'].id}",
               f"#{found['untaken']}"],
        1004: ["已发放，待我签收", "签收", "领用单草稿", "A4纸 2包", "继续填写",
               f"#{found['given']}", "已处置", "项目周会（二号会议室）请签到", "签到"],
        1002: ["待我审批：会议室改造申请", "去审批", f"#{found['untaken']}", "知悉"],
    }
    for user, fragments in waits_on.items():
        todo = await env.say(user, "/todo", contains="我的待办")
        shown = todo["text"] + "\n" + "\n".join(_buttons(todo))
        for fragment in fragments:
            assert fragment in shown, (user, fragment, todo["text"])
    liu = await env.say(1004, "/todo", contains="我的待办")
    assert f"#{found['untaken']}" not in liu["text"]  # staff do not take alerts
    assert f"领用单 #{found['to_issue'].id} 刘工" not in liu["text"]  # the office issues

    # The buttons act on what they show.
    zhang = await env.say(1003, "/todo", contains="我的待办")
    issue = next(b for b in _buttons(zhang) if b.endswith("发放"))
    await env.press(1003, zhang, button=issue)
    assert (await SupplyRequest.get(id=found["to_issue"].id)).status == RequestStatus.ISSUED
    li = await env.say(1002, "/todo", contains="我的待办")
    ack = next(b for b in _buttons(li) if b.endswith("知悉"))
    await env.press(1002, li, button=ack)
    taken = await OpinionCase.get(id=found["untaken"])
    assert taken.acknowledged_at is not None and taken.status == CaseStatus.PENDING


async def test_the_leaders_own_daily_has_the_days_opinion_and_receptions(
    env: Env, fixed_clock: FixedClock
) -> None:
    found = await open_items(env)
    daily = await env.say(1002, "/daily", contains="李主任的日报")
    text = daily["text"]
    assert "📡 舆情" in text and "昨日监测2条，相关2条，负面2条" in text
    assert f"#{found['untaken']}" in text
    assert "🤝 今明两天的接待" in text and "市发展和改革委员会" in text
    staff = await env.say(1004, "/daily", contains="刘工的日报")
    assert "市发展和改革委员会" not in staff["text"]  # not his reception
    assert f"#{found['given']}" in staff["text"] and "昨日监测" not in staff["text"]
