"""Repair services on a real database: places, costs, deadlines, guards, approval, chasing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError, OperationalError

from models.approvals import ApprovalRequest
from models.core import Role, Staff
from models.repairs import Repair, RepairCompany, RepairStatus, Urgency
from services import approvals, clock
from services.clock import FixedClock
from services.errors import InvalidInput, NotAllowed, StaleAction
from services.repairs import places, work
from services.repairs.demo import seed_demo
from services.repairs.ledger import repair_figures

TZ = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def rules() -> Iterator[None]:
    work.configure()
    yield
    work.configure()


async def _people() -> tuple[Staff, Staff, Staff]:
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE,
                               department="党政办")
    reporter = await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF,
                                  department="规划建设局")
    fixer = await Staff.create(tg_user_id=1007, name="孙师傅", role=Role.STAFF,
                               department="后勤服务中心")
    await seed_demo()
    return clerk, reporter, fixer


async def test_a_report_finds_the_longest_listed_place_whatever_the_spacing(db: str) -> None:
    await seed_demo()
    found = await places.find_in("3号楼 2楼 会议室投影仪不亮")
    assert found.place is not None and found.place.name == "3号楼 2楼会议室"
    assert found.rest == "投影仪不亮"
    building = await places.find_in("3号楼 5楼厕所漏水")
    assert building.place is not None and building.place.name == "3号楼"
    assert building.rest == "5楼厕所漏水"
    # 13号楼 is not 3号楼, and an unknown building is kept to say so.
    unknown = await places.find_in("13号楼 电梯停了")
    assert unknown.place is None and unknown.unknown == "13号楼" and unknown.rest == "电梯停了"


def test_costs_are_read_as_people_write_them() -> None:
    assert work.read_amount("更换投影仪灯泡 费用350元") == (Decimal("350.00"), "更换投影仪灯泡")
    assert work.read_amount("更换灯泡 350") == (Decimal("350.00"), "更换灯泡")
    assert work.read_amount("更换3号灯泡，花了1,200元") == (Decimal("1200.00"), "更换3号灯泡")
    assert work.read_amount("更换线路 费用3.5万元")[0] == Decimal("35000.00")
    assert work.read_amount("更换2个灯泡") == (None, "更换2个灯泡")
    with pytest.raises(InvalidInput):
        work.read_amount("退款 费用-50元")
    with pytest.raises(InvalidInput):
        work.read_amount("费用999999999元")


def test_deadlines_follow_the_urgency_and_the_office_calendar(rules: None) -> None:
    thursday = local(26, 10)
    assert work.due_after(thursday, Urgency.URGENT) == local(26, 12)
    assert work.due_after(thursday, Urgency.NORMAL) == local(27, 10)
    assert work.due_after(thursday, Urgency.LOW) == local(1, 10, month=12)
    # Friday late afternoon: what is left of Friday, then Monday.
    assert work.due_after(local(27, 16), Urgency.NORMAL) == local(30, 16)
    # Reported on Saturday: the workday starts on Monday morning.
    assert work.due_after(local(28, 15), Urgency.NORMAL) == local(30, 17, 30)
    assert work.due_after(thursday, Urgency.NORMAL).tzinfo == UTC


async def test_the_database_refuses_a_bad_rating_or_two_handlers(db: str) -> None:
    _, reporter, fixer = await _people()
    repair = await Repair.create(reporter=reporter, description="灯不亮",
                                 created_at=clock.now())
    with pytest.raises((IntegrityError, OperationalError)):
        await Repair.filter(id=repair.id).update(rating=9)
    company = await RepairCompany.first()
    with pytest.raises((IntegrityError, OperationalError)):
        await Repair.filter(id=repair.id).update(handler_id=fixer.id, company_id=company.id)  # type: ignore[union-attr]
    with pytest.raises((IntegrityError, OperationalError)):
        await Repair.filter(id=repair.id).update(cost=Decimal("-1"))


async def _reported(reporter: Staff, text: str, urgency: str = "normal") -> Repair:
    repair = await work.report(reporter, text)
    return await work.submit(reporter, repair.id, urgency)


async def test_deadlines_are_stored_in_utc_so_the_chase_finds_them(
        db: str, fixed_clock: FixedClock, rules: None) -> None:
    _, reporter, _ = await _people()
    repair = await _reported(reporter, "1号楼 1楼大厅 自动门卡住")
    _, rows = await connections.get("default").execute_query(
        "SELECT due_at FROM repair WHERE id = " + str(repair.id))
    assert str(rows[0]["due_at"]).startswith("2026-11-27") and "+08" not in str(rows[0]["due_at"])
    assert await work.chase(local(27, 9, 59).astimezone(UTC)) == 0
    assert await work.chase(local(27, 10, 1).astimezone(UTC)) == 1
    # The same tick twice chases once; the next comes a workday later.
    assert await work.chase(local(27, 10, 1).astimezone(UTC)) == 0
    assert await work.chase(local(28, 12).astimezone(UTC)) == 0
    assert await work.chase(local(30, 10, 2).astimezone(UTC)) == 1


async def test_an_estimate_above_the_threshold_is_approved_before_the_work_goes_on(
        db: str, fixed_clock: FixedClock, rules: None) -> None:
    clerk, reporter, fixer = await _people()
    approvals.on_outcome(work.KIND, work.on_outcome)
    repair = await _reported(reporter, "3号楼 3楼机房 空调漏水")
    await work.assign(clerk, repair.id, staff_id=fixer.id)
    with pytest.raises(NotAllowed):
        await work.accept(reporter, repair.id)
    await work.accept(fixer, repair.id)
    repair = await work.estimate(fixer, repair.id, "更换压缩机 报价4800元")
    assert repair.status == RepairStatus.APPROVAL
    approval = await ApprovalRequest.get(kind="repair_cost", subject_id=repair.id)
    with pytest.raises(StaleAction):
        await work.finish(fixer, repair.id, "更换压缩机 费用4800元")
    card = (await approvals.pending_for(clerk))[-1]
    await approvals.approve(card.id, clerk)
    repair = await Repair.get(id=repair.id)
    assert repair.status == RepairStatus.IN_PROGRESS and repair.approved_amount == Decimal(
        "4800.00") and approval.amount == Decimal("4800.00")
    # Within the approved amount the work closes without another approval.
    repair = await work.finish(fixer, repair.id, "更换压缩机 费用4650元")
    assert repair.status == RepairStatus.DONE
    assert await ApprovalRequest.filter(kind="repair_cost").count() == 1
    with pytest.raises(InvalidInput):
        await work.confirm(reporter, repair.id, 0)
    with pytest.raises(NotAllowed):
        await work.confirm(fixer, repair.id, 5)
    await work.confirm(reporter, repair.id, 5, "很及时")
    figures = await repair_figures(clock.now() - timedelta(days=1),
                                   clock.now() + timedelta(days=1))
    assert figures == {"reported": 1, "completed": 1, "cost": 4650.0, "overdue": 0,
                       "rating": 5.0}


async def test_a_refused_cost_sends_the_work_back_without_closing_it(
        db: str, fixed_clock: FixedClock, rules: None) -> None:
    clerk, reporter, fixer = await _people()
    approvals.on_outcome(work.KIND, work.on_outcome)
    repair = await _reported(reporter, "园区 停车场 道闸不抬杆", "urgent")
    await work.assign(clerk, repair.id, staff_id=fixer.id)
    await work.accept(fixer, repair.id)
    repair = await work.finish(fixer, repair.id, "更换道闸电机 费用2600元")
    assert repair.status == RepairStatus.APPROVAL and repair.cost == Decimal("2600.00")
    card = (await approvals.pending_for(clerk))[-1]
    await approvals.reject(card.id, clerk, "先比价")
    repair = await Repair.get(id=repair.id)
    assert repair.status == RepairStatus.IN_PROGRESS and repair.cost is None
    assert repair.done_at is None
