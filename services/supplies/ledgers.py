"""The ledgers' rows for any period, and the figures the reports read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.supplies import (
    Purchase,
    PurchaseStatus,
    RequestStatus,
    StockIn,
    StockMove,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from services.supplies.purchases import lines_of as purchase_lines
from services.supplies.purchases import summary as purchase_summary

KINDS = ("stockin", "issue", "stock", "purchase")
Row = dict[str, Any]


def span(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """An inclusive range of local days as aware datetimes [from, to)."""
    return (datetime.combine(start, time(), tz),
            datetime.combine(end + timedelta(days=1), time(), tz))


async def rows(kind: str, start: date, end: date, tz: ZoneInfo) -> list[Row]:
    """The rows of one ledger for the local days start..end."""
    if kind == "stockin":
        return await _stockin(start, end)
    if kind == "issue":
        return await _issue(*span(start, end, tz))
    if kind == "stock":
        return await _stock(span(start, end, tz)[1])
    if kind == "purchase":
        return await _purchase(*span(start, end, tz))
    raise ValueError(kind)


async def _stockin(start: date, end: date) -> list[Row]:
    found = []
    for e in await StockIn.filter(bought_on__gte=start, bought_on__lte=end).order_by(
            "bought_on", "id").prefetch_related("item", "by"):
        found.append({
            "id": e.id, "date": e.bought_on, "category": e.item.category, "name": e.item.name,
            "spec": e.item.spec, "unit": e.item.unit, "qty": e.quantity,
            "price": e.unit_price, "amount": (e.quantity * e.unit_price).quantize(Decimal("0.01")),
            "supplier": e.supplier, "method": e.method.value,
            "quotes": "、".join(f"{q['supplier']} {q['price']}" for q in e.quotes),
            "corrects": e.corrects_id or "",  # type: ignore[attr-defined]
            "by": e.by.name if e.by else "", "note": e.note,
        })
    return found


async def _issue(start: datetime, end: datetime) -> list[Row]:
    found = []
    for line in await SupplyRequestLine.filter(
        request__issued_at__gte=start, request__issued_at__lt=end,
        request__status__in=[RequestStatus.ISSUED, RequestStatus.SIGNED],
    ).order_by("request_id", "id").prefetch_related(
            "item", "request", "request__requester", "request__issued_by"):
        request: SupplyRequest = line.request
        found.append({
            "id": request.id, "requester": request.requester.name,
            "dept": request.requester.department, "name": line.item.name,
            "spec": line.item.spec, "unit": line.item.unit, "asked": line.quantity,
            "issued": line.issued or Decimal(0), "issued_at": request.issued_at,
            "issued_by": request.issued_by.name if request.issued_by else "",
            "signed_at": request.signed_at, "purpose": request.purpose,
            "reason": request.partial_reason,
        })
    return found


async def _stock(until: datetime) -> list[Row]:
    """Stock on hand at the end of the period (the sum of entries up to then) with its value."""
    found = []
    for item in await SupplyItem.filter(active=True).order_by("category", "name", "spec"):
        qty = sum((Decimal(str(d)) for d in await StockMove.filter(
            item_id=item.id, at__lt=until).values_list("delta", flat=True)), Decimal(0))
        found.append({
            "category": item.category, "name": item.name, "spec": item.spec,
            "unit": item.unit, "qty": qty, "price": item.unit_price,
            "value": (qty * item.unit_price).quantize(Decimal("0.01")),
            "safety": item.safety_stock, "location": item.location,
            "low": item.safety_stock > 0 and qty < item.safety_stock,
        })
    return found


async def _purchase(start: datetime, end: datetime) -> list[Row]:
    found = []
    for p in await Purchase.filter(created_at__gte=start, created_at__lt=end).exclude(
            status=PurchaseStatus.DRAFT).order_by("id").prefetch_related("requester"):
        found.append({
            "id": p.id, "created_at": p.created_at,
            "requester": p.requester.name if p.requester else "",
            "items": purchase_summary(await purchase_lines(p.id)), "amount": p.amount,
            "method": p.method.value, "supplier": p.supplier,
            "quotes": "、".join(f"{q['supplier']} {q['price']}" for q in p.quotes),
            "status": p.status.value, "decided_at": p.decided_at, "received_at": p.received_at,
        })
    return found


async def supply_figures(start: datetime | date, end: datetime | date,
                         tz: ZoneInfo | None = None) -> dict[str, Any]:
    """Requests handled, items issued, stock-in value and purchases in [start, end)."""
    zone = tz or ZoneInfo("Asia/Shanghai")
    lo = start if isinstance(start, datetime) else datetime.combine(start, time(), zone)
    hi = end if isinstance(end, datetime) else datetime.combine(end, time(), zone)
    handled = await SupplyRequest.filter(issued_at__gte=lo, issued_at__lt=hi).count()
    issued = Decimal(0)
    for value in await SupplyRequestLine.filter(
            request__issued_at__gte=lo, request__issued_at__lt=hi).values_list("issued",
                                                                               flat=True):
        issued += Decimal(str(value or 0))
    stock_in_value = Decimal(0)
    for qty, price in await StockIn.filter(at__gte=lo, at__lt=hi).values_list(
            "quantity", "unit_price"):
        stock_in_value += Decimal(str(qty)) * Decimal(str(price))
    purchases = await Purchase.filter(created_at__gte=lo, created_at__lt=hi).exclude(
        status=PurchaseStatus.DRAFT)
    return {
        "requests_handled": handled,
        "items_issued": issued,
        "stock_in_value": stock_in_value.quantize(Decimal("0.01")),
        "purchases": len(purchases),
        "purchases_approved": sum(p.status in (PurchaseStatus.APPROVED, PurchaseStatus.RECEIVED)
                                  for p in purchases),
        "purchase_amount": sum((p.amount for p in purchases), Decimal(0)),
    }
