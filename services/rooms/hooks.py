"""Booking changes other features follow (a meeting notice is sent again when its booking moves).

Rooms knows nothing of those features: they register a listener here, and the booking services
call `booking_changed` inside the transaction of the change, so what a listener writes (outbox
rows) commits or rolls back with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from models.rooms import Booking


@dataclass(frozen=True)
class Before:
    """Where and when the booking was before it moved."""

    start_at: datetime
    end_at: datetime
    room_id: int


#: what: "moved" (time or room changed, `before` given) or "cancelled".
Listener = Callable[[Booking, str, Before | None], Awaitable[None]]
_LISTENERS: list[Listener] = []


def on_booking_change(listener: Listener) -> None:
    """Call `listener(booking, what, before)` whenever a booking moves or is cancelled."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def before_of(booking: Booking) -> Before:
    return Before(booking.start_at, booking.end_at, booking.room_id)  # type: ignore[attr-defined]


async def booking_changed(booking: Booking, what: str, before: Before | None = None) -> None:
    for listener in _LISTENERS:
        await listener(booking, what, before)
