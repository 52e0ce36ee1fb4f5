"""Supplies in the reports: requests handled, items issued, purchases; to sign for; low stock."""

from __future__ import annotations

from datetime import datetime

from models.core import Staff
from models.supplies import RequestStatus, SupplyRequest
from services.reports import Item, Period, mine, office, section, todo
from services.supplies.ledgers import supply_figures
from services.supplies.requests import mine as my_supply_requests
from services.supplies.requests import waiting_issue
from services.supplies.stock import below_safety

OPEN = (RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.ISSUED)


@section("supplies", ("requests_handled", "items_issued", "purchases", "stock_in_value"),
         order=30)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Supply requests handled, items issued, purchases made and stock-in value."""
    found = await supply_figures(start, end)
    return {key: float(found[key]) for key in ("requests_handled", "items_issued",
                                                "purchases", "stock_in_value")}


def _request_item(request: SupplyRequest, *, with_sign: bool) -> Item:
    button = ("reports.btn.sign", "sup", "sign", str(request.id)) \
        if with_sign and request.status == RequestStatus.ISSUED else None
    return Item("reports.item.supply_request",
                {"id": request.id, "purpose": request.purpose, "status": request.status.value},
                button=button)


@mine("supplies", order=25)
async def my_requests(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """The person's open supply requests, those issued first (they wait for a signature)."""
    found = [r for r in await my_supply_requests(staff) if r.status in OPEN]
    found.sort(key=lambda r: r.status != RequestStatus.ISSUED)
    return [_request_item(r, with_sign=False) for r in found]


@todo("supplies", order=25)
async def to_sign(staff: Staff, now: datetime) -> list[Item]:
    """Each issued request waiting for the person's signature, with its 签收 button."""
    found = await SupplyRequest.filter(requester_id=staff.id, status=RequestStatus.ISSUED
                                       ).order_by("id")
    return [_request_item(r, with_sign=True) for r in found]


@office("supplies", order=35)
async def stock(day: Period, now: datetime) -> list[Item]:
    """Requests waiting to be issued, and every item below its safety stock."""
    items = []
    waiting = await waiting_issue()
    if waiting:
        items.append(Item("reports.item.supplies_waiting", {"n": len(waiting)}))
    for supply in await below_safety():
        items.append(Item("reports.item.low_stock", {
            "name": supply.name, "spec": supply.spec, "unit": supply.unit,
            "on_hand": f"{supply.on_hand.normalize():f}",
            "safety": f"{supply.safety_stock.normalize():f}"}))
    return items
