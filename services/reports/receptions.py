"""Official receptions in the reports: receptions held, guests, meals, cost; today and tomorrow."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.receptions.lists import between, reception_figures
from services.reports import Item, Period, office, section


@section("receptions", ("receptions", "guests", "official_meals", "cost"), order=20)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Receptions completed, guests received, official meals and their cost in the period."""
    found = await reception_figures(start, end)
    return {key: float(found[key]) for key in ("receptions", "guests", "official_meals", "cost")}


@office("receptions", order=20)
async def receptions_soon(day: Period, now: datetime) -> list[Item]:
    """List the receptions of today and tomorrow."""
    items = []
    for reception in await between(day.start, day.end + timedelta(days=1)):
        assert reception.start is not None
        local = reception.start.astimezone(day.tz)
        items.append(Item(
            "reports.item.reception",
            {"when": "today" if local.date() == day.first else "tomorrow",
             "time": local.strftime("%H:%M"), "unit": reception.unit,
             "guests": reception.guest_count or 0, "status": reception.status.value},
            button=("reports.btn.open", "rcp", "show", str(reception.id)),
        ))
    return items
