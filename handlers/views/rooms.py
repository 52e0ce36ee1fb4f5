"""Views of room events: reminders with check-in, releases, cancellations, approval outcomes."""

from __future__ import annotations

import html
from typing import Any

from handlers import callback as cb
from handlers.common import buttons
from handlers.rooms_view import booking_when
from handlers.texts import t
from handlers.views import Rendered, view
from models.rooms import Booking, BookingStatus
from services.rooms import RULES


async def _booking(payload: dict[str, Any]) -> Booking | None:
    return await Booking.get_or_none(id=int(payload["booking_id"])).prefetch_related(
        "room", "organiser")


def _params(b: Booking, lang: str) -> dict[str, Any]:
    return {"room": html.escape(b.room.name), "when": booking_when(b, lang),
            "title": html.escape(b.title), "who": html.escape(b.organiser.name),
            "grace": RULES.checkin_grace_minutes}


@view("rooms.reminder")
async def reminder(payload: dict[str, Any], lang: str) -> Rendered:
    b = await _booking(payload)
    if b is None:
        return Rendered(t("rooms.error.booking_gone", lang))
    text = t("rooms.reminder", lang, **_params(b, lang))
    if b.room.checkin_required and b.status == BookingStatus.CONFIRMED and not b.checked_in_at:
        text += "\n" + t("rooms.reminder.checkin", lang, **_params(b, lang))
        return Rendered(text, buttons([[(t("rooms.btn.checkin", lang),
                                         cb.encode("rooms", "in", b.id))]]))
    return Rendered(text)


async def _simple(key: str, payload: dict[str, Any], lang: str, **extra: Any) -> Rendered:
    b = await _booking(payload)
    if b is None:
        return Rendered(t("rooms.error.booking_gone", lang))
    return Rendered(t(key, lang, **_params(b, lang), **extra))


@view("rooms.released")
async def released(payload: dict[str, Any], lang: str) -> Rendered:
    return await _simple("rooms.released", payload, lang)


@view("rooms.freed")
async def freed(payload: dict[str, Any], lang: str) -> Rendered:
    return await _simple("rooms.freed", payload, lang)


@view("rooms.cancelled")
async def cancelled(payload: dict[str, Any], lang: str) -> Rendered:
    return await _simple("rooms.cancelled_by", payload, lang,
                         by=html.escape(str(payload.get("by", ""))),
                         reason=html.escape(str(payload.get("reason", ""))))


@view("rooms.decided")
async def decided(payload: dict[str, Any], lang: str) -> Rendered:
    outcome = str(payload.get("outcome", "rejected"))
    if outcome not in ("approved", "rejected", "withdrawn"):
        outcome = "rejected"
    return await _simple(f"rooms.decided.{outcome}", payload, lang)


@view("rooms.approval_request")
async def approval_request(payload: dict[str, Any], lang: str) -> Rendered:
    return await _simple("rooms.approval_request", payload, lang)
