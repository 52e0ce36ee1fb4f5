"""Demo receptions: one upcoming plan awaiting approval and one completed reception."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from models.core import Role, Staff
from models.receptions import Reception, ReceptionMeal, ReceptionStatus
from services import clock
from services.errors import Conflict
from services.receptions import ports


async def seed_demo() -> None:
    """Create the two demo receptions once (idempotent by unit)."""
    planner = await Staff.filter(role=Role.OFFICE, active=True).order_by("id").first()
    leader = await Staff.filter(role=Role.LEADER, active=True).order_by("id").first()
    if planner is None or leader is None:
        return
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    if not await Reception.filter(unit="市生态环境局").exists():
        start = now - timedelta(days=12)
        done = await Reception.create(
            status=ReceptionStatus.COMPLETED, created_by=planner, host_leader=leader,
            start=start, end=start + timedelta(hours=3), unit="市生态环境局",
            letter_no="市环函〔2026〕45号", guest_count=3, head_name="周明", head_title="副局长",
            guests=[["周明", "副局长"], ["吴婷", "科长"], ["郑浩", "科员"]],
            purpose="调研园区危废处置工作", accompany=["张秘书"],
            itinerary=[["09:30", "园区展厅"], ["10:30", "危废处置中心"]], room_decided=True,
            meals=1, guest_diners=3, staff_diners=2, meal_standard=Decimal(120),
            accommodation="", actual_guests=3, actual_meals=1, actual_guest_diners=3,
            actual_staff_diners=2, costs=[["餐费", "560.00"]], cost_total=Decimal(560),
            submitted_at=start - timedelta(days=3), decided_at=start - timedelta(days=2),
            completed_at=start + timedelta(hours=4), completed_by=planner,
            created_at=start - timedelta(days=4), updated_at=start + timedelta(hours=4),
        )
        await ReceptionMeal.create(reception=done, held_at=start, guest_diners=3,
                                   staff_diners=2, cost=Decimal(560))
    if not await Reception.filter(unit="省工业和信息化厅").exists():
        start = (now + timedelta(days=6)).replace(hour=1)
        upcoming = await Reception.create(
            status=ReceptionStatus.DRAFT, created_by=planner, host_leader=leader,
            start=start, end=start + timedelta(hours=2, minutes=30), unit="省工业和信息化厅",
            letter_no="省工信函〔2026〕88号", guest_count=4, head_name="林波",
            head_title="处长", guests=[["林波", "处长"], ["何静", "副处长"], ["许亮", "主任科员"],
                                     ["高远", "科员"]],
            purpose="考察园区绿色制造示范项目", accompany=["张秘书", "刘工"],
            itinerary=[["09:00", "园区展厅"], ["10:00", "光伏示范车间"]], room_decided=True,
            meals=1, guest_diners=4, staff_diners=3, meal_standard=Decimal(120),
            accommodation="", created_at=now, updated_at=now,
        )
        upcoming.status = ReceptionStatus.SUBMITTED
        upcoming.submitted_at = now
        try:
            upcoming.approval_request_id = await ports.submit_for_approval(planner, upcoming)
        except Conflict:  # the approvals engine is not installed: the plan waits as submitted
            upcoming.approval_request_id = None
        await upcoming.save()
