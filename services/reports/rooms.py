"""Meeting rooms in the reports: meetings arranged, my meetings today, every room's day, and
the meetings waiting for their 签到."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.core import Staff
from models.rooms import HOLDING, Booking, BookingStatus
from services.reports import Item, Period, mine, office, section, todo
from services.rooms import RULES
from services.rooms.schedule import day_schedule, meetings_arranged


@section("rooms", ("meetings",), order=10)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Count the meetings arranged (confirmed bookings) in the period."""
    return {"meetings": await meetings_arranged(start, end)}


def _item(code: str, booking: Booking, period: Period, **extra: object) -> Item:
    start, end = booking.start_at.astimezone(period.tz), booking.end_at.astimezone(period.tz)
    return Item(code, {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"),
                       "title": booking.title, "status": booking.status.value, **extra})


@mine("rooms", order=10)
async def my_meetings(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """List the person's bookings holding a room today."""
    bookings = await Booking.filter(
        organiser_id=staff.id, status__in=list(HOLDING), start_at__lt=day.end,
        end_at__gt=day.start,
    ).order_by("start_at").prefetch_related("room")
    return [_item("reports.item.my_meeting", b, day, room=b.room.name) for b in bookings]


@office("rooms", order=10)
async def rooms_today(day: Period, now: datetime) -> list[Item]:
    """List every room's meetings today (rooms with none are left out)."""
    items = []
    for room_day in await day_schedule(day.first):
        for booking in room_day.bookings:
            items.append(_item("reports.item.room_meeting", booking, day,
                               room=room_day.room.name, organiser=booking.organiser.name))
    return items


@todo("rooms", order=10)
async def to_check_in(staff: Staff, now: datetime) -> list[Item]:
    """The person's meetings in a room that needs 签到, from the reminder until the grace ends."""
    found = await Booking.filter(
        organiser_id=staff.id, status=BookingStatus.CONFIRMED, checked_in_at=None,
        room__checkin_required=True,
        start_at__lte=now + timedelta(minutes=RULES.reminder_minutes),
        start_at__gt=now - timedelta(minutes=RULES.checkin_grace_minutes),
    ).order_by("start_at").prefetch_related("room")
    return [Item("reports.item.room_checkin",
                 {"start": b.start_at.astimezone(RULES.zone).strftime("%H:%M"),
                  "title": b.title, "room": b.room.name},
                 button=("rooms.btn.checkin", "rooms", "in", str(b.id))) for b in found]
