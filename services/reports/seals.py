"""Seal use in the reports: requests, stamps, copies, lapses; what waits for the custodian."""

from __future__ import annotations

from datetime import datetime

from models.core import Staff
from models.seals import SealRequest, SealStatus
from services.reports import Item, Period, mine, none_when_idle, section, todo
from services.seals.register import seal_figures
from services.seals.requests import document_of, waiting_stamp


@section("seals", ("requests", "stamps", "copies", "lapsed"), order=40,
         variant=none_when_idle)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Seal requests submitted, stamps entered in the register, copies stamped, lapses."""
    return await seal_figures(start, end)


def _item(code: str, request: SealRequest, **button: str) -> Item:
    return Item(code, {"id": request.id, "seal": request.seal.name,
                       "document": document_of(request), "status": request.status.value},
                button=("reports.btn.open", "sl", "card", str(request.id)) if button else None)


@todo("seals", order=45)
async def to_stamp(staff: Staff, now: datetime) -> list[Item]:
    """Approved requests waiting for this custodian's stamp."""
    return [_item("reports.item.seal_to_stamp", r, open="1") for r in await waiting_stamp(staff)]


@mine("seals", order=45)
async def my_requests(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """The person's seal requests in approval or waiting for the stamp."""
    found = await SealRequest.filter(
        requester_id=staff.id, status__in=[SealStatus.PENDING, SealStatus.APPROVED],
    ).order_by("id").prefetch_related("seal")
    return [_item("reports.item.my_seal", r) for r in found]
