"""Repairs in the reports: reported, done, cost, overdue, rating; open ones; what waits for me."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from models.core import Staff
from models.repairs import OPEN, Repair, RepairStatus
from services.repairs.ledger import repair_figures, was_late
from services.reports import Item, Period, none_when_idle, office, section, todo


@section("repairs", ("reported", "completed", "cost", "overdue", "rating"), order=45,
         variant=none_when_idle)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Faults reported, repairs done and their cost, repairs that ran late, average rating."""
    return await repair_figures(start, end)


def _item(repair: Repair) -> Item:
    return Item("reports.item.repair", {
        "id": repair.id, "place": repair.place.name if repair.place else repair.unknown_place,
        "fault": repair.description, "status": repair.status.value},
        button=("reports.btn.open", "rp", "card", str(repair.id)))


@todo("repairs", order=50)
async def mine(staff: Staff, now: datetime) -> list[Item]:
    """Repairs assigned to me not yet done, and my reports waiting for my confirmation."""
    found = await Repair.filter(
        Q(handler_id=staff.id, status__in=[RepairStatus.ASSIGNED, RepairStatus.IN_PROGRESS])
        | Q(reporter_id=staff.id, status=RepairStatus.DONE),
    ).order_by("due_at", "id").prefetch_related("place")
    return [_item(r) for r in found]


@office("repairs", order=50)
async def open_repairs(day: Period, now: datetime) -> list[Item]:
    """How many repairs are open and late, and each one still waiting to be assigned."""
    found = await Repair.filter(status__in=list(OPEN)).order_by("due_at").prefetch_related(
        "place")
    if not found:
        return []
    late = sum(1 for r in found if was_late(r, now))
    items = [Item("reports.item.repairs_open", {"n": len(found), "late": late})]
    items += [_item(r) for r in found if r.status == RepairStatus.REPORTED]
    return items
