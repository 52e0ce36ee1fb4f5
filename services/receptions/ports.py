"""The seams to the rooms service and the approvals engine (the only places that call them)."""

from __future__ import annotations

import importlib
import json
from datetime import datetime
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from models.core import Staff
from models.receptions import Reception
from services import clock
from services.errors import Conflict

#: The approvals engine's request type for receptions (公务接待审批单).
APPROVAL_KIND = "reception"


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _rooms() -> tuple[ModuleType, ModuleType, ModuleType]:
    booking = _module("services.rooms.booking")
    manage = _module("services.rooms.manage")
    catalog = _module("services.rooms.catalog")
    if booking is None or manage is None or catalog is None:
        raise Conflict("receptions.error.rooms_unavailable")
    return booking, manage, catalog


async def free_rooms(staff: Staff, start: datetime, end: datetime,
                     attendees: int) -> list[tuple[int, str]]:
    """Return (room id, name) of the rooms this person may book, free from start to end."""
    try:
        booking, _, _ = _rooms()
    except Conflict:
        return []
    found = await booking.free_rooms(staff, start, end, attendees, [])
    # A room that needs its own approval is left out: the reception's approval is the one.
    return [(room.id, room.name) for room in found if not room.needs_approval]


async def book_room(staff: Staff, room_id: int, start: datetime, end: datetime, *, title: str,
                    attendees: int) -> tuple[int, str]:
    """Book the room for the reception; the rooms' guard refuses an overlap (Conflict)."""
    from models.rooms import Booking, BookingStatus, Room

    _, _, catalog = _rooms()
    room = await Room.get_or_none(id=room_id, active=True)
    if room is None or room.needs_approval:
        raise Conflict("receptions.error.room_gone")
    catalog.check_rules(room, staff, start, end, clock.now(), attendees)
    try:
        async with in_transaction():
            if await Booking.filter(room_id=room.id, status__in=[BookingStatus.PENDING,
                                    BookingStatus.CONFIRMED], start_at__lt=end,
                                    end_at__gt=start).exists():
                raise IntegrityError("overlap")
            booking = await Booking.create(room=room, organiser=staff, title=title,
                                           start_at=start, end_at=end, attendees=attendees,
                                           status=BookingStatus.CONFIRMED)
    except (IntegrityError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and "overlap" not in str(exc):
            raise
        raise Conflict("receptions.error.room_taken", room=room.name) from None
    return booking.id, room.name


async def release_room(staff: Staff, booking_id: int) -> None:
    """Cancel the reception's booking (the reception was cancelled or moved)."""
    from models.rooms import Booking, BookingStatus

    _, manage, _ = _rooms()
    booking = await Booking.get_or_none(id=booking_id)
    if booking is None or booking.status not in (BookingStatus.PENDING,
                                                 BookingStatus.CONFIRMED):
        return
    if booking.end_at <= clock.now():
        return  # already over: nothing left to free
    owner = await Staff.get(id=booking.organiser_id)  # type: ignore[attr-defined]
    actor = owner if owner.active else staff
    await manage.cancel(actor, booking_id, "公务接待取消或改期", clock.now())


def _approvals() -> Any:
    module = _module("services.approvals")
    if module is None or not hasattr(module, "submit"):
        raise Conflict("receptions.error.approvals_unavailable")
    return module


async def submit_for_approval(staff: Staff, reception: Reception,
                              tz: str = "Asia/Shanghai") -> int:
    """Open the approval request (inside the caller's transaction); return its id."""
    from services.receptions.complete import planned_cost
    from services.receptions.export import when

    approvals = _approvals()
    host = await Staff.get_or_none(id=reception.host_leader_id)  # type: ignore[attr-defined]
    meals = reception.meals or 0
    request = await approvals.submit(
        APPROVAL_KIND,
        reception.id,
        staff,
        title=reception.unit,
        details=[
            ("receptions.f.time", when(reception, ZoneInfo(tz))),
            ("receptions.f.unit", reception.unit),
            ("receptions.f.letter", reception.letter_no or "📎"),
            ("receptions.f.guest_count", str(reception.guest_count)),
            ("receptions.f.head", f"{reception.head_name} {reception.head_title}"),
            ("receptions.f.purpose", reception.purpose),
            ("receptions.f.leader", host.name if host else ""),
            ("receptions.f.room", reception.room_name or "—"),
            # data, worded by the receptions view (DETAIL_WORDS) in the approver's language
            ("receptions.f.meals", json.dumps(
                {"meals": meals, "guests": reception.guest_diners,
                 "staff": reception.staff_diners, "standard": str(reception.meal_standard),
                 "cost": str(planned_cost(reception))} if meals else {"meals": 0})),
        ],
    )
    return int(request.id)


async def withdraw_approval(staff: Staff, reception_id: int) -> None:
    """Withdraw the pending approval request of a cancelled reception."""
    approvals = _approvals()
    await approvals.withdraw(APPROVAL_KIND, reception_id, staff)


async def decision_comment(request: Any) -> str:
    """Return the comment of the request's last recorded action (a rejection's reason)."""
    request_id = getattr(request, "id", None)
    if request_id is None:
        return ""
    actions = await _approvals().history(int(request_id))
    comments = [a.comment for a in actions if getattr(a, "comment", "")]
    return str(comments[-1]) if comments else ""


def on_outcome(handler: Any) -> bool:
    """Register the handler of approval outcomes; False when the engine is not installed."""
    module = _module("services.approvals")
    if module is None or not hasattr(module, "on_outcome"):
        return False
    module.on_outcome(APPROVAL_KIND, handler, tells_requester=True)
    return True
