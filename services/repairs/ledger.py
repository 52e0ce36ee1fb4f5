"""The repair ledger (维修台账) of a period, and the figures the reports show."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from models.repairs import OPEN, Repair, RepairStatus
from services import clock


async def ledger_rows(start: date, end: date, tz: ZoneInfo) -> list[Repair]:
    """Every repair reported in [start, end] (local days), oldest first."""
    first = datetime.combine(start, time(0), tz)
    after = datetime.combine(end + timedelta(days=1), time(0), tz)
    return list(await Repair.filter(reported_at__gte=first, reported_at__lt=after)
                .order_by("reported_at", "id")
                .prefetch_related("place", "reporter", "handler", "company"))


def was_late(repair: Repair, now: datetime) -> bool:
    """Finished after its limit, or still open past it."""
    if repair.due_at is None:
        return False
    return (repair.done_at or now) > repair.due_at


def hours_taken(repair: Repair) -> float | None:
    if repair.reported_at is None or repair.done_at is None:
        return None
    return round((repair.done_at - repair.reported_at).total_seconds() / 3600, 1)


async def repair_figures(start: datetime, end: datetime) -> dict[str, float]:
    """Repairs reported, finished, their cost, how many ran late, and the average rating."""
    reported = await Repair.filter(reported_at__gte=start, reported_at__lt=end).count()
    finished = await Repair.filter(
        done_at__gte=start, done_at__lt=end,
        status__in=[RepairStatus.DONE, RepairStatus.CONFIRMED])
    cost = sum((r.cost or Decimal(0) for r in finished), Decimal(0))
    late = await Repair.filter(due_at__gte=start, due_at__lt=end).filter(
        Q(done_at=None, status__in=list(OPEN)) | Q(done_at__not_isnull=True)
    ).exclude(status=RepairStatus.CANCELLED)
    rated = [r.rating for r in finished if r.rating]
    return {"reported": reported, "completed": len(finished), "cost": float(cost),
            "overdue": sum(1 for r in late if was_late(r, min(end, clock.now()))),
            "rating": round(sum(rated) / len(rated), 1) if rated else 0.0}
