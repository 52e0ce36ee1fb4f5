"""Supplies in the reports: requests handled, lines issued and their value, purchases; what waits
to be signed for, issued, submitted or received; low stock."""

from __future__ import annotations

from datetime import datetime

from models.core import Role, Staff
from models.supplies import (
    Purchase,
    PurchaseStatus,
    RequestStatus,
    SupplyRequest,
    SupplyRequestLine,
)
from services.reports import Item, Period, mine, office, section, todo
from services.supplies.ledgers import supply_figures
from services.supplies.purchases import lines_of as purchase_lines
from services.supplies.purchases import summary as purchase_summary
from services.supplies.requests import lines_of, summary, waiting_issue
from services.supplies.requests import mine as my_supply_requests
from services.supplies.stock import _n as _qty
from services.supplies.stock import available, below_safety

OPEN = (RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.ISSUED)
METRICS = ("requests_handled", "lines_issued", "issued_value", "purchases", "stock_in_value")


@section("supplies", METRICS, order=30)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Requests handled, item lines issued and their value, purchases and stock-in value.

    Never a sum of quantities: 2 packs and 5 pens are two lines and their value in yuan.
    """
    found = await supply_figures(start, end)
    return {key: float(found[key]) for key in METRICS}


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
async def waiting_for_me(staff: Staff, now: datetime) -> list[Item]:
    """What of supplies waits for the person: issues to sign for and an unsent draft; for the
    office also requests to issue, drafted purchases to submit and approved ones to receive."""
    items = [_request_item(r, with_sign=True) for r in await SupplyRequest.filter(
        requester_id=staff.id, status=RequestStatus.ISSUED).order_by("id")]
    draft = await SupplyRequest.filter(requester_id=staff.id, status=RequestStatus.DRAFT).first()
    if draft is not None and await SupplyRequestLine.filter(request_id=draft.id).exists():
        items.append(Item("reports.item.supply_draft",
                          {"id": draft.id, "items": summary(await lines_of(draft.id))},
                          command="supply"))
    if staff.role != Role.OFFICE:
        return items
    for request in await waiting_issue():
        items.append(Item("reports.item.supply_to_issue",
                          {"id": request.id, "requester": request.requester.name,
                           "items": summary(await lines_of(request.id))},
                          button=("reports.btn.issue", "sup", "issue", str(request.id))))
    for purchase in await Purchase.filter(
            status__in=[PurchaseStatus.DRAFT, PurchaseStatus.APPROVED]).order_by("id"):
        drafted = purchase.status == PurchaseStatus.DRAFT
        items.append(Item(
            "reports.item.purchase_draft" if drafted else "reports.item.purchase_to_receive",
            {"id": purchase.id, "items": purchase_summary(await purchase_lines(purchase.id)),
             "amount": f"{purchase.amount:,.2f}"},
            button=("reports.btn.submit_purchase", "sup", "psub", str(purchase.id)) if drafted
            else ("reports.btn.receive", "sup", "recv", str(purchase.id))))
    return items


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
            "on_hand": _qty(supply.on_hand), "reserved": _qty(supply.reserved),
            "available": _qty(available(supply)), "safety": _qty(supply.safety_stock)}))
    return items
