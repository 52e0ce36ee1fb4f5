"""After booking: my bookings, cancelling, changing the time, check-in, reminders and release."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.core import ChatPurpose, Role, Staff
from models.rooms import HOLDING, Booking, BookingDraft, BookingStatus, DraftStep
from services import outbox
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.rooms import booking as booking_service
from services.rooms import hooks
from services.rooms.booking import utc
from services.rooms.catalog import RULES
from services.staff import OFFICE_ROLES


def is_office(staff: Staff) -> bool:
    return staff.role in OFFICE_ROLES


async def upcoming(staff: Staff, now: datetime, *, everyone: bool = False,
                   limit: int = 20) -> list[Booking]:
    """Bookings not yet over that hold a room: the person's own, or everyone's for the office."""
    query = Booking.filter(status__in=list(HOLDING), end_at__gt=utc(now))
    if not (everyone and is_office(staff)):
        query = query.filter(organiser_id=staff.id)
    return list(await query.order_by("start_at").limit(limit).prefetch_related("room",
                                                                                "organiser"))


async def get_booking(booking_id: int) -> Booking:
    found = await Booking.get_or_none(id=booking_id).prefetch_related("room", "organiser")
    if found is None:
        raise NotFound("rooms.error.booking_gone")
    return found


async def _may_change(actor: Staff, booking: Booking) -> bool:
    own = booking.organiser_id == actor.id  # type: ignore[attr-defined]
    if not own and not is_office(actor):
        raise NotAllowed("rooms.error.not_yours")
    if booking.status not in HOLDING:
        raise StaleAction("rooms.error.booking_gone")
    return own


async def cancel(actor: Staff, booking_id: int, reason: str, now: datetime) -> Booking:
    """Cancel a booking: the organiser their own, the office anyone's with a reason."""
    reason = " ".join(reason.split())[:255]
    async with in_transaction():
        booking = await Booking.filter(id=booking_id).select_for_update().first()
        if booking is None:
            raise NotFound("rooms.error.booking_gone")
        own = await _may_change(actor, booking)
        if not own and not reason:
            raise InvalidInput("rooms.error.reason_needed")
        if booking.end_at <= now:
            raise StaleAction("rooms.error.booking_over")
        booking.status = BookingStatus.CANCELLED
        booking.reason = reason
        booking.sequence += 1
        await booking.save()
        await hooks.booking_changed(booking, "cancelled")
        if not own:
            organiser = await Staff.get(id=booking.organiser_id)  # type: ignore[attr-defined]
            await outbox.emit_to_staff(
                organiser, "rooms.cancelled",
                {"booking_id": booking.id, "by": actor.name, "reason": reason},
                f"rooms.cancelled:{booking.id}")
        await BookingDraft.filter(target_id=booking.id, step__in=[
            DraftStep.REASON, DraftStep.DAY, DraftStep.START, DraftStep.LENGTH,
            DraftStep.CONFIRM]).update(step=DraftStep.DROPPED)
    await booking.fetch_related("room", "organiser")
    return booking


async def later_in_series(booking: Booking) -> int:
    """How many occurrences of the booking's series still hold the room after this one."""
    if booking.series_id is None:  # type: ignore[attr-defined]
        return 0
    return await Booking.filter(series_id=booking.series_id,  # type: ignore[attr-defined]
                                status__in=list(HOLDING), start_at__gt=booking.start_at).count()


async def cancel_series_from(actor: Staff, booking_id: int, now: datetime) -> list[Booking]:
    """The organiser cancels an occurrence of a recurring booking and every later one.

    One transaction: the occurrences are locked and cancelled together, so a double press or
    a change made meanwhile finds them gone rather than half cancelled.
    """
    async with in_transaction():
        first = await Booking.filter(id=booking_id).select_for_update().first()
        if first is None:
            raise NotFound("rooms.error.booking_gone")
        if not await _may_change(actor, first):
            raise NotAllowed("rooms.error.not_yours")
        if first.end_at <= now:
            raise StaleAction("rooms.error.booking_over")
        query = Booking.filter(id=first.id)
        if first.series_id is not None:  # type: ignore[attr-defined]
            query = Booking.filter(series_id=first.series_id,  # type: ignore[attr-defined]
                                   status__in=list(HOLDING), start_at__gte=first.start_at)
        gone = list(await query.select_for_update().order_by("start_at"))
        for booking in gone:
            booking.status = BookingStatus.CANCELLED
            booking.sequence += 1
            await booking.save(update_fields=["status", "sequence"])
            await hooks.booking_changed(booking, "cancelled")
        await BookingDraft.filter(target_id__in=[b.id for b in gone], step__in=[
            DraftStep.REASON, DraftStep.DAY, DraftStep.START, DraftStep.LENGTH,
            DraftStep.CONFIRM]).update(step=DraftStep.DROPPED)
    for booking in gone:
        await booking.fetch_related("room", "organiser")
    return gone


async def begin_cancel_with_reason(actor: Staff, booking_id: int, chat_id: int) -> BookingDraft:
    """The office cancels someone else's booking: wait for the reason typed next."""
    booking = await get_booking(booking_id)
    await _may_change(actor, booking)
    draft = await booking_service.begin(actor, chat_id, target=booking)
    draft.step = DraftStep.REASON
    await draft.save()
    return draft


async def begin_change(actor: Staff, booking_id: int, chat_id: int) -> BookingDraft:
    """Start choosing a new time for a booking (same room, same title)."""
    booking = await get_booking(booking_id)
    own = await _may_change(actor, booking)
    if not own:
        raise NotAllowed("rooms.error.not_yours")
    return await booking_service.begin(actor, chat_id, target=booking)


async def reason_given(draft_id: int, actor: Staff, reason: str, now: datetime) -> Booking:
    draft = await BookingDraft.get_or_none(id=draft_id)
    if draft is None or draft.staff_id != actor.id or draft.step != DraftStep.REASON:  # type: ignore[attr-defined]
        raise StaleAction()
    if not reason.strip():
        raise InvalidInput("rooms.error.reason_needed")
    booking = await cancel(actor, draft.target_id, reason, now)  # type: ignore[attr-defined]
    await BookingDraft.filter(id=draft_id).update(step=DraftStep.DONE, booking_id=booking.id)
    return booking


async def check_in(actor: Staff, booking_id: int, now: datetime) -> Booking:
    """Record that the meeting started; possible from the reminder until the grace runs out."""
    async with in_transaction():
        booking = await Booking.filter(id=booking_id).select_for_update().first()
        if booking is None:
            raise NotFound("rooms.error.booking_gone")
        if booking.organiser_id != actor.id and not is_office(actor):  # type: ignore[attr-defined]
            raise NotAllowed("rooms.error.not_yours")
        if booking.status == BookingStatus.RELEASED:
            raise StaleAction("rooms.error.released")
        if booking.status != BookingStatus.CONFIRMED:
            raise StaleAction("rooms.error.booking_gone")
        if booking.checked_in_at is not None:
            return booking
        opens = booking.start_at - timedelta(minutes=RULES.reminder_minutes)
        if now < opens:
            raise InvalidInput("rooms.error.checkin_early",
                               at=opens.astimezone(RULES.zone).strftime("%H:%M"))
        booking.checked_in_at = now
        await booking.save(update_fields=["checked_in_at", "updated_at"])
    return booking


async def sweep(now: datetime) -> str:
    """Queue due reminders and release rooms nobody checked in to (idempotent by dedup keys)."""
    reminded = released = 0
    soon = now + timedelta(minutes=RULES.reminder_minutes)
    for booking in await Booking.filter(status=BookingStatus.CONFIRMED, start_at__gt=utc(now),
                                        start_at__lte=utc(soon)).prefetch_related("room",
                                                                             "organiser"):
        row = await outbox.emit_to_staff(
            booking.organiser, "rooms.reminder", {"booking_id": booking.id},
            f"rooms.reminder:{booking.id}:{booking.sequence}")
        reminded += row is not None
    late = now - timedelta(minutes=RULES.checkin_grace_minutes)
    for booking in await Booking.filter(status=BookingStatus.CONFIRMED, checked_in_at=None,
                                        room__checkin_required=True, start_at__lte=utc(late),
                                        end_at__gt=utc(now)):
        async with in_transaction():
            locked = await Booking.filter(id=booking.id).select_for_update().first()
            if locked is None or locked.status != BookingStatus.CONFIRMED or (
                    locked.checked_in_at is not None):
                continue
            locked.status = BookingStatus.RELEASED
            locked.sequence += 1
            await locked.save()
            organiser = await Staff.get(id=locked.organiser_id)  # type: ignore[attr-defined]
            payload = {"booking_id": locked.id}
            await outbox.emit_to_staff(organiser, "rooms.released", payload,
                                       f"rooms.released:{locked.id}")
            await outbox.emit_to_purpose(ChatPurpose.OFFICE, "rooms.freed", payload,
                                         f"rooms.freed:{locked.id}")
            released += 1
    return f"reminded {reminded}, released {released}"


def can_cancel_others(staff: Staff) -> bool:
    return staff.role in (Role.ADMIN, Role.OFFICE)
