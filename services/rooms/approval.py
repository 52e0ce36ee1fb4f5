"""Restricted rooms: a booking awaiting approval holds its slot until the outcome arrives.

The approvals engine (`services.approvals`) decides; without it the booking stays pending and
the office group is told, so someone can settle it by hand.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from models.core import ChatPurpose, Staff
from models.rooms import Booking, BookingStatus, Room
from services import outbox
from services.rooms import hooks

log = logging.getLogger(__name__)
KIND = "room_booking"


def _engine() -> Any | None:
    try:
        module = importlib.import_module("services.approvals")
    except ImportError:
        return None
    return module if hasattr(module, "submit") else None


async def submit(booking: Booking, staff: Staff, room: Room, series: int = 1) -> None:
    """Ask for approval inside the booking's transaction."""
    engine = _engine()
    from services.rooms.catalog import RULES

    start, end = booking.start_at.astimezone(RULES.zone), booking.end_at.astimezone(RULES.zone)
    details = [("rooms.field.room", room.name),
               ("rooms.field.time", f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}")]
    if booking.attendees:  # a head count nobody gave is not “人数：0”
        details.append(("rooms.field.attendees", str(booking.attendees)))
    if series > 1:
        details.append(("rooms.field.occurrences", str(series)))
    if engine is not None:
        await engine.submit(KIND, booking.id, staff, title=booking.title, details=details)
        return
    await outbox.emit_to_purpose(ChatPurpose.OFFICE, "rooms.approval_request",
                                 {"booking_id": booking.id}, f"rooms.approval:{booking.id}")


async def on_outcome(subject_id: int, outcome: str, request: Any = None) -> None:
    """Confirm or release a pending booking (and its series) by the approval's outcome."""
    booking = await Booking.get_or_none(id=subject_id)
    if booking is None or booking.status != BookingStatus.PENDING:
        return
    query = Booking.filter(status=BookingStatus.PENDING)
    query = (query.filter(series_id=booking.series_id) if booking.series_id  # type: ignore[attr-defined]
             else query.filter(id=booking.id))
    status = BookingStatus.CONFIRMED if outcome == "approved" else (
        BookingStatus.REJECTED if outcome == "rejected" else BookingStatus.CANCELLED)
    ids = list(await query.values_list("id", flat=True))
    for one in await Booking.filter(id__in=ids):
        one.status = status
        one.sequence += 1
        await one.save(update_fields=["status", "sequence", "updated_at"])
        if status != BookingStatus.CONFIRMED:
            await hooks.booking_changed(one, "cancelled")
    organiser = await Staff.get(id=booking.organiser_id)  # type: ignore[attr-defined]
    await outbox.emit_to_staff(organiser, "rooms.decided",
                               {"booking_id": booking.id, "outcome": outcome, "count": len(ids)},
                               f"rooms.decided:{booking.id}")


def register_with_engine() -> bool:
    engine = _engine()
    if engine is None or not hasattr(engine, "on_outcome"):
        return False
    engine.on_outcome(KIND, on_outcome, tells_requester=True)
    return True
