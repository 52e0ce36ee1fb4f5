"""The approval engine's public API, on a real database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError, OperationalError

from models.approvals import (
    ApprovalAction,
    ApprovalAssignee,
    ApprovalDecision,
    ApprovalStep,
    AuditAction,
    RequestStatus,
    StepStatus,
)
from models.core import OutboxMessage, Role, Staff
from services import approvals
from services.clock import FixedClock
from services.errors import Conflict, InvalidInput, NotAllowed, StaleAction

OUTCOMES: list[tuple[int, str, int]] = []


async def _record(subject_id: int, outcome: str, request: approvals.engine.ApprovalRequest
                  ) -> None:
    OUTCOMES.append((subject_id, outcome, request.id))


@pytest.fixture(autouse=True)
def test_kinds() -> Iterator[None]:
    approvals.register_flow("t.two", [{"steps": [
        {"label": "head", "approvers": {"dept_head": True}},
        {"label": "office", "approvers": {"role": "office"}},
    ]}])
    approvals.register_flow("t.both", [{"steps": [
        {"approvers": {"role": "office"}, "mode": "all"},
    ]}])
    approvals.on_outcome("t.two", _record)
    approvals.on_outcome("t.both", _record)
    OUTCOMES.clear()
    yield
    approvals.unregister_flow("t.two")
    approvals.unregister_flow("t.both")


async def _people() -> dict[str, Staff]:
    return {
        "liu": await Staff.create(tg_user_id=1004, name="刘工", department="规划建设局"),
        "chen": await Staff.create(tg_user_id=1005, name="陈科长", department="规划建设局",
                                   is_head=True),
        "zhang": await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE),
        "zhao": await Staff.create(tg_user_id=1006, name="赵干事", role=Role.OFFICE),
        "li": await Staff.create(tg_user_id=1002, name="李主任", role=Role.LEADER),
    }


async def _card_of(request_id: int, staff: Staff) -> ApprovalAssignee:
    return await ApprovalAssignee.get(step__request_id=request_id, verdict=None,
                                      approver_id=staff.id)


async def test_two_step_request_is_approved_step_by_step_and_calls_the_handler(
        db: str, fixed_clock: FixedClock) -> None:
    p = await _people()
    request = await approvals.submit("t.two", 42, p["liu"], title="领用打印纸",
                                     details=[("supplies.field.item", "A4纸 5包")])
    assert (await approvals.find("t.two", 42)).id == request.id  # type: ignore[union-attr]
    cards = await OutboxMessage.filter(kind="approvals.card").values_list("chat_id", flat=True)
    assert list(cards) == [1005]  # the department head first, nobody else yet
    await approvals.approve((await _card_of(request.id, p["chen"])).id, p["chen"])
    assert OUTCOMES == []
    cards = await OutboxMessage.filter(kind="approvals.card")
    assert sorted(r.chat_id for r in cards if "_edit_of" not in r.payload) == [1003, 1005, 1006]
    await approvals.approve((await _card_of(request.id, p["zhao"])).id, p["zhao"])
    request = await approvals.find("t.two", 42)  # type: ignore[assignment]
    assert request.status == RequestStatus.APPROVED
    assert OUTCOMES == [(42, "approved", request.id)]
    actions = await ApprovalAction.filter(request_id=request.id).values_list("action", flat=True)
    assert list(actions) == [AuditAction.SUBMIT, AuditAction.APPROVE, AuditAction.APPROVE]


async def test_kind_without_flow_or_approver_is_refused_with_no_approver(
        db: str, fixed_clock: FixedClock) -> None:
    p = await _people()
    with pytest.raises(Conflict) as error:
        await approvals.submit("t.unknown", 1, p["liu"], title="x", details=[])
    assert error.value.code == "approvals.error.no_approver"
    approvals.register_flow("t.nobody", [{"steps": [{"approvers": {"people": ["无此人"]}}]}])
    try:
        with pytest.raises(Conflict):
            await approvals.submit("t.nobody", 1, p["liu"], title="x", details=[])
    finally:
        approvals.unregister_flow("t.nobody")


async def test_purchase_amount_chooses_the_chain(db: str) -> None:
    small = approvals.chain_for("purchase", Decimal("4999.99"))
    large = approvals.chain_for("purchase", Decimal("5000"))
    assert small is not None and large is not None
    assert [s.approvers for s in small.steps] == [{"role": "office"}]
    assert [s.approvers for s in large.steps] == [{"role": "office"}, {"role": "leader"}]
    for kind in ("room_booking", "supply_request", "reception"):
        assert approvals.chain_for(kind, None) is not None


async def test_requester_who_is_the_head_skips_the_head_step(
        db: str, fixed_clock: FixedClock) -> None:
    p = await _people()
    request = await approvals.submit("t.two", 7, p["chen"], title="x", details=[])
    steps = await ApprovalStep.filter(request_id=request.id).order_by("seq")
    assert [s.status for s in steps] == [StepStatus.SKIPPED, StepStatus.ACTIVE]


async def test_withdraw_of_a_cancelled_subject_tells_the_handler(
        db: str, fixed_clock: FixedClock) -> None:
    p = await _people()
    await approvals.submit("t.two", 9, p["liu"], title="x", details=[])
    with pytest.raises(NotAllowed):
        await approvals.withdraw("t.two", 9, p["li"])
    await approvals.withdraw("t.two", 9, p["liu"])
    assert (await approvals.find("t.two", 9)).status == RequestStatus.WITHDRAWN  # type: ignore[union-attr]
    assert OUTCOMES[-1][:2] == (9, "withdrawn")
    await approvals.withdraw("t.two", 9, p["liu"])  # nothing pending any more: no error


async def test_all_mode_waits_for_everyone(db: str, fixed_clock: FixedClock) -> None:
    p = await _people()
    request = await approvals.submit("t.both", 3, p["liu"], title="x", details=[])
    await approvals.approve((await _card_of(request.id, p["zhang"])).id, p["zhang"])
    assert (await approvals.find("t.both", 3)).status == RequestStatus.PENDING  # type: ignore[union-attr]
    await approvals.approve((await _card_of(request.id, p["zhao"])).id, p["zhao"])
    assert (await approvals.find("t.both", 3)).status == RequestStatus.APPROVED  # type: ignore[union-attr]


async def test_two_approvers_clicking_at_once_count_once(db: str, fixed_clock: FixedClock
                                                         ) -> None:
    p = await _people()
    approvals.register_flow("t.any", [{"steps": [{"approvers": {"role": "office"}}]}])
    try:
        request = await approvals.submit("t.any", 5, p["liu"], title="x", details=[])
        a = await _card_of(request.id, p["zhang"])
        b = await _card_of(request.id, p["zhao"])
        results = await asyncio.gather(approvals.approve(a.id, p["zhang"]),
                                       approvals.approve(b.id, p["zhao"]),
                                       return_exceptions=True)
    finally:
        approvals.unregister_flow("t.any")
    assert sum(isinstance(r, StaleAction) for r in results) == 1
    assert await ApprovalDecision.filter(step__request_id=request.id).count() == 1
    approved = await ApprovalAssignee.filter(step__request_id=request.id, verdict="approved")
    assert len(approved) == 1


async def test_decision_table_refuses_a_second_decision_of_a_step(
        db: str, fixed_clock: FixedClock) -> None:
    p = await _people()
    request = await approvals.submit("t.two", 8, p["liu"], title="x", details=[])
    step = await ApprovalStep.get(request_id=request.id, status=StepStatus.ACTIVE)
    await ApprovalDecision.create(step=step, outcome="approved", decided_by=p["chen"],
                                  decided_at=fixed_clock.now())
    with pytest.raises(IntegrityError):
        await ApprovalDecision.create(step=step, outcome="rejected", decided_by=p["chen"],
                                      decided_at=fixed_clock.now())


async def test_audit_records_cannot_be_changed_or_deleted(db: str, fixed_clock: FixedClock
                                                          ) -> None:
    p = await _people()
    await approvals.submit("t.two", 11, p["liu"], title="x", details=[])
    action = await ApprovalAction.first()
    assert action is not None
    conn = connections.get("default")
    for sql in ("UPDATE approval_action SET comment = 'x'", "DELETE FROM approval_action"):
        with pytest.raises((IntegrityError, OperationalError, Exception)) as error:
            await conn.execute_script(sql)
        assert "append-only" in str(error.value)
    assert await ApprovalAction.all().count() == 1


async def test_rejection_needs_a_reason_and_urging_is_rate_limited(
        db: str, fixed_clock: FixedClock) -> None:
    p = await _people()
    request = await approvals.submit("t.two", 12, p["liu"], title="x", details=[])
    card = await _card_of(request.id, p["chen"])
    with pytest.raises(InvalidInput):
        await approvals.reject(card.id, p["chen"], "  ")
    assert await approvals.urge(request.id, p["liu"]) == 1
    with pytest.raises(Conflict) as error:
        await approvals.urge(request.id, p["liu"])
    assert error.value.code == "approvals.error.urge_too_soon"
    fixed_clock.advance(timedelta(minutes=61))
    assert await approvals.urge(request.id, p["liu"]) == 1
    await approvals.reject(card.id, p["chen"], "预算不足")
    assert OUTCOMES[-1][:2] == (12, "rejected")


async def test_huge_details_and_amounts_are_bounded_or_refused(db: str, fixed_clock: FixedClock
                                                                ) -> None:
    p = await _people()
    request = await approvals.submit("t.two", 13, p["liu"], title="长" * 500,
                                     details=[("k", "v" * 10_000)] * 50)
    assert len(request.title) == 200
    assert len(request.details) == 12 and len(request.details[0][1]) == 150
    for amount in (Decimal("-1"), Decimal("1e15")):
        with pytest.raises(InvalidInput):
            await approvals.submit("purchase", 14, p["liu"], title="x", details=[],
                                   amount=amount)
    with pytest.raises(InvalidInput):
        await approvals.submit("t.two", 15, p["liu"], title="   ", details=[])
