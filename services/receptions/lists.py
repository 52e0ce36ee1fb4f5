"""Finding receptions (upcoming, a month, by unit or date) and the figures for the reports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.receptions import OfficialMeal, Reception, ReceptionMeal, ReceptionStatus
from services import clock
from services.errors import InvalidInput
from services.receptions import parsing
from services.timeparse import parse_time

LIVE = (ReceptionStatus.SUBMITTED, ReceptionStatus.APPROVED)
#: Statuses that appear in the lists and ledgers (drafts and cancelled plans do not).
LISTED = (ReceptionStatus.SUBMITTED, ReceptionStatus.APPROVED, ReceptionStatus.REJECTED,
          ReceptionStatus.COMPLETED)
LIMIT = 30


async def upcoming(now: datetime | None = None) -> list[Reception]:
    """Return receptions yet to come that are awaiting approval or approved."""
    now = now or clock.now()
    return list(
        await Reception.filter(status__in=LIVE, end__gt=now)
        .order_by("start").limit(LIMIT).prefetch_related("host_leader")
    )


def month_span(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the month as [start, end) instants in the office's zone."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return datetime.combine(first, time(), tz), datetime.combine(following, time(), tz)


def year_span(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the year as [start, end) instants in the office's zone."""
    return datetime.combine(date(year, 1, 1), time(), tz), datetime.combine(
        date(year + 1, 1, 1), time(), tz
    )


async def between(start: datetime, end: datetime) -> list[Reception]:
    """Return listed receptions starting in [start, end), earliest first."""
    return list(
        await Reception.filter(status__in=LISTED, start__gte=start, start__lt=end)
        .order_by("start").prefetch_related("host_leader")
    )


async def search(query: str, tz: str) -> tuple[str, list[Reception]]:
    """Search by a date or month ("12月3日", "2026-12") or else by the visiting unit's name."""
    text = parsing.normalise(query)
    if not text:
        raise InvalidInput("receptions.error.empty")
    zone = ZoneInfo(tz)
    parsed = parse_time(text, clock.now(), tz=tz, allow_past=True, prefer_future=False)
    if parsed.status == "ok" and parsed.start is not None and not parsed.rest:
        start = parsed.start
        if parsed.grain in ("minute", "hour", "day"):
            day = start.astimezone(zone).date()
            begin = datetime.combine(day, time(), zone)
            return "day", await between(begin, begin + timedelta(days=1))
        end = parsed.end or start + timedelta(days=1)
        if parsed.grain == "month":
            local = start.astimezone(zone)
            begin, end = month_span(local.year, local.month, zone)
            return "month", await between(begin, end)
        return "span", await between(start, end)
    if len(text) > 64:
        raise InvalidInput("error.too_long", limit=64)
    found = await Reception.filter(status__in=LISTED, unit__icontains=text).order_by(
        "-start").limit(LIMIT).prefetch_related("host_leader")
    return "unit", list(found)


async def reception_figures(start: datetime, end: datetime, *,
                            tz: str = "Asia/Shanghai") -> dict[str, Any]:
    """Figures for the reports over [start, end): receptions held, guests, meals, ratio, cost."""
    held = await Reception.filter(
        status=ReceptionStatus.COMPLETED, start__gte=start, start__lt=end
    ).order_by("start")
    # The receptions' meals and the ordinary official meals recorded in one line (/yongcan).
    meals: list[ReceptionMeal | OfficialMeal] = [
        *await ReceptionMeal.filter(held_at__gte=start, held_at__lt=end),
        *await OfficialMeal.filter(held_at__gte=start, held_at__lt=end)]
    guest_diners = sum(m.guest_diners for m in meals)
    staff_diners = sum(m.staff_diners for m in meals)
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for reception in held:
        assert reception.start is not None
        by_month[reception.start.astimezone(ZoneInfo(tz)).strftime("%Y-%m")] += (
            Decimal(reception.cost_total)
        )
    planned = await Reception.filter(status__in=LIVE, start__gte=start, start__lt=end).count()
    return {
        "receptions": len(held),
        "planned": planned,
        "guests": sum(r.actual_guests or 0 for r in held),
        "official_meals": len(meals),
        "guest_diners": guest_diners,
        "accompanying_diners": staff_diners,
        "accompanying_ratio": round(staff_diners / guest_diners, 3) if guest_diners else 0.0,
        "cost": sum((Decimal(r.cost_total) for r in held), Decimal(0)),
        "cost_by_month": dict(sorted(by_month.items())),
    }


async def year_meals(year: int, tz: str = "Asia/Shanghai") -> int:
    """Return how many official meals were recorded in the year (the receptions' meals and
    the ordinary ones recorded with /yongcan)."""
    start, end = year_span(year, ZoneInfo(tz))
    return (await ReceptionMeal.filter(held_at__gte=start, held_at__lt=end).count()
            + await OfficialMeal.filter(held_at__gte=start, held_at__lt=end).count())
