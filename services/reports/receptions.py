"""Official receptions in the reports: receptions held, guests, meals, cost; today and tomorrow;
plans to finish and receptions held waiting for their actual figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.core import Role, Staff
from models.receptions import Reception, ReceptionStatus
from services.receptions.lists import between, reception_figures
from services.reports import Item, Period, mine, office, section, todo

#: Who sees every reception of the day in their own report.
ALL_RECEPTIONS = (Role.LEADER, Role.OFFICE, Role.ADMIN)


@section("receptions", ("receptions", "guests", "official_meals", "cost"), order=20)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Receptions completed, guests received, official meals and their cost in the period."""
    found = await reception_figures(start, end)
    return {key: float(found[key]) for key in ("receptions", "guests", "official_meals", "cost")}


def _soon(reception: Reception, day: Period) -> Item:
    assert reception.start is not None
    local = reception.start.astimezone(day.tz)
    return Item(
        "reports.item.reception",
        {"when": "today" if local.date() == day.first else "tomorrow",
         "time": local.strftime("%H:%M"), "unit": reception.unit,
         "guests": reception.guest_count or 0, "status": reception.status.value},
        button=("reports.btn.open", "rcp", "show", str(reception.id)),
    )


@office("receptions", order=20)
async def receptions_soon(day: Period, now: datetime) -> list[Item]:
    """List the receptions of today and tomorrow."""
    return [_soon(r, day) for r in await between(day.start, day.end + timedelta(days=1))]


@mine("receptions", order=20)
async def my_receptions(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """Today's and tomorrow's receptions: all of them for leaders and the office, else those
    the person plans, hosts or accompanies."""
    found = await between(day.start, day.end + timedelta(days=1))
    if staff.role not in ALL_RECEPTIONS:
        found = [r for r in found if staff.id in (r.created_by_id,  # type: ignore[attr-defined]
                                                  r.host_leader_id)  # type: ignore[attr-defined]
                 or staff.name in r.accompany]
    return [_soon(r, day) for r in found]


@todo("receptions", order=20)
async def plans_waiting(staff: Staff, now: datetime) -> list[Item]:
    """The person's unfinished plans, and receptions they planned that were held and wait for
    their actual figures (实到人数, meals, cost)."""
    items = [Item("reports.item.reception_draft", {"id": r.id, "unit": r.unit or "—"},
                  button=("reports.btn.open", "rcp", "show", str(r.id)))
             for r in await Reception.filter(created_by_id=staff.id,
                                             status=ReceptionStatus.DRAFT).order_by("id")]
    for reception in await Reception.filter(created_by_id=staff.id,
                                            status=ReceptionStatus.APPROVED,
                                            start__lte=now).order_by("start"):
        items.append(Item("reports.item.reception_to_complete",
                          {"id": reception.id, "unit": reception.unit},
                          button=("receptions.btn.complete", "rcp", "complete",
                                  str(reception.id))))
    return items
