"""The ledgers' rows for any period, and the figures the reports read.

A period is local days [start, end]; an entry belongs to the period it was written in (its `at`),
so a closed period's ledger never changes afterwards. Four ledgers:

- stockin (入库登记台账): the entries, with what each cost, the supplier and the purchase;
- issue (领用签收台账): each line issued, with its value once signed for;
- stock (库存台账): per item 期初 / 入库 / 出库 / 期末 in quantity and money;
- purchase (采购台账): the purchases, with their supplier and what was put into stock.

Quantities are never added across units: the workbook gives them per unit, and money or a count
of lines for the whole.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.supplies import (
    MoveKind,
    Purchase,
    PurchaseStatus,
    RequestStatus,
    StockIn,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from services.supplies.purchases import lines_of as purchase_lines
from services.supplies.purchases import summary as purchase_summary
from services.supplies.valuation import ZERO, ValuedMove, entry_amount, valued_ledger

KINDS = ("stockin", "issue", "stock", "purchase")
Row = dict[str, Any]


def span(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """An inclusive range of local days as aware datetimes [from, to)."""
    return (datetime.combine(start, time(), tz),
            datetime.combine(end + timedelta(days=1), time(), tz))


async def rows(kind: str, start: date, end: date, tz: ZoneInfo) -> list[Row]:
    """The rows of one ledger for the local days start..end."""
    lo, hi = span(start, end, tz)
    if kind == "stockin":
        return await _stockin(lo, hi)
    if kind == "issue":
        return await _issue(lo, hi)
    if kind == "stock":
        return await stock_register(lo, hi)
    if kind == "purchase":
        return await _purchase(lo, hi)
    raise ValueError(kind)


async def _stockin(start: datetime, end: datetime) -> list[Row]:
    found = []
    for e in await StockIn.filter(at__gte=start, at__lt=end).order_by("at", "id").prefetch_related(
            "item", "by"):
        found.append({
            "id": e.id, "at": e.at, "date": e.bought_on, "category": e.item.category,
            "name": e.item.name, "spec": e.item.spec, "unit": e.item.unit, "qty": e.quantity,
            "price": e.unit_price, "amount": entry_amount(e), "supplier": e.supplier,
            "method": e.method.value, "purchase": e.purchase_id or None,
            "quotes": "、".join(f"{q['supplier']} {q['price']}" for q in e.quotes),
            "corrects": e.corrects_id or None,  # type: ignore[attr-defined]
            "by": e.by.name if e.by else "", "note": e.note,
        })
    return found


async def _issue(start: datetime, end: datetime) -> list[Row]:
    lines = await SupplyRequestLine.filter(
        request__issued_at__gte=start, request__issued_at__lt=end,
        request__status__in=[RequestStatus.ISSUED, RequestStatus.SIGNED],
    ).order_by("request_id", "id").prefetch_related(
        "item", "request", "request__requester", "request__issued_by")
    # What each signed line took off the books: its ISSUE move, by request and item.
    signed = {line.item_id for line in lines  # type: ignore[attr-defined]
              if line.request.status == RequestStatus.SIGNED}
    values: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for item_id, moves in (await valued_ledger(signed)).items() if signed else ():
        for move in moves:
            if move.kind == MoveKind.ISSUE:
                values[(move.ref, item_id)] -= move.value
    found = []
    for line in lines:
        request: SupplyRequest = line.request
        value = values.get((f"request:{request.id}", line.item.id)) \
            if request.status == RequestStatus.SIGNED and line.issued else None
        found.append({
            "id": request.id, "requester": request.requester.name,
            "dept": request.requester.department, "name": line.item.name,
            "spec": line.item.spec, "unit": line.item.unit, "asked": line.quantity,
            "issued": line.issued or Decimal(0), "value": value,
            "issued_at": request.issued_at,
            "issued_by": request.issued_by.name if request.issued_by else "",
            "signed_at": request.signed_at, "purpose": request.purpose,
            "reason": request.partial_reason,
        })
    return found


def _sums(moves: list[ValuedMove]) -> tuple[Decimal, Decimal]:
    return (sum((m.qty for m in moves), ZERO), sum((m.value for m in moves), ZERO))


async def stock_register(start: datetime, end: datetime) -> list[Row]:
    """Per item: 期初 (before start), 入库 and 出库 (in the period) and 期末 (before end).

    入库 counts stock-ins with their corrections, opening stock and stock-take surpluses; 出库
    counts what was signed for and stock-take losses. 期末 = 期初 + 入库 − 出库 in quantity and
    in money, by construction: each move is in exactly one of the three.
    """
    ledger = await valued_ledger(until=end)
    found = []
    for item in await SupplyItem.all().order_by("category", "name", "spec"):
        moves = ledger.get(item.id, [])
        before = [m for m in moves if m.at < start]
        during = [m for m in moves if m.at >= start]
        opening_qty, opening_value = _sums(before)
        in_qty, in_value = _sums([m for m in during if m.inward])
        out_qty, out_value = _sums([m for m in during if not m.inward])
        if not item.active and not moves:
            continue
        closing_qty = opening_qty + in_qty + out_qty
        found.append({
            "item_id": item.id, "category": item.category, "name": item.name,
            "spec": item.spec, "unit": item.unit,
            "opening_qty": opening_qty, "opening_value": opening_value,
            "in_qty": in_qty, "in_value": in_value,
            "out_qty": -out_qty, "out_value": -out_value,
            "closing_qty": closing_qty, "closing_value": opening_value + in_value + out_value,
            "safety": item.safety_stock, "location": item.location,
            "low": item.safety_stock > 0 and closing_qty < item.safety_stock,
        })
    return found


async def _purchase(start: datetime, end: datetime) -> list[Row]:
    found = []
    purchases = await Purchase.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=PurchaseStatus.DRAFT).order_by("id").prefetch_related("requester")
    received: dict[int, Decimal] = defaultdict(Decimal)
    for entry in await StockIn.filter(purchase_id__in=[p.id for p in purchases]):
        received[entry.purchase_id] += entry_amount(entry)  # type: ignore[index]
    for p in purchases:
        found.append({
            "id": p.id, "created_at": p.created_at,
            "requester": p.requester.name if p.requester else "",
            "items": purchase_summary(await purchase_lines(p.id)), "amount": p.amount,
            "method": p.method.value, "supplier": p.supplier,
            "quotes": "、".join(f"{q['supplier']} {q['price']}" for q in p.quotes),
            "status": p.status.value, "decided_at": p.decided_at, "received_at": p.received_at,
            "received": received[p.id] if p.status == PurchaseStatus.RECEIVED else None,
        })
    return found


async def supply_figures(start: datetime | date, end: datetime | date,
                         tz: ZoneInfo | None = None) -> dict[str, Any]:
    """Requests handled, lines issued and their value, stock-in value, purchases in [start, end).

    Nothing here adds quantities of different units: lines are counted, stock is valued.
    """
    zone = tz or ZoneInfo("Asia/Shanghai")
    lo = start if isinstance(start, datetime) else datetime.combine(start, time(), zone)
    hi = end if isinstance(end, datetime) else datetime.combine(end, time(), zone)
    handled = await SupplyRequest.filter(issued_at__gte=lo, issued_at__lt=hi).count()
    lines = await SupplyRequestLine.filter(
        request__issued_at__gte=lo, request__issued_at__lt=hi,
        request__status__in=[RequestStatus.ISSUED, RequestStatus.SIGNED], issued__gt=0).count()
    stock_in_value = issued_value = ZERO
    for moves in (await valued_ledger(until=hi)).values():
        for move in moves:
            if move.at < lo:
                continue
            if move.kind == MoveKind.STOCK_IN:
                stock_in_value += move.value
            elif move.kind == MoveKind.ISSUE:
                issued_value -= move.value
    purchases = await Purchase.filter(created_at__gte=lo, created_at__lt=hi).exclude(
        status=PurchaseStatus.DRAFT)
    return {
        "requests_handled": handled,
        "lines_issued": lines,
        "issued_value": issued_value,
        "stock_in_value": stock_in_value,
        "purchases": len(purchases),
        "purchases_approved": sum(p.status in (PurchaseStatus.APPROVED, PurchaseStatus.RECEIVED)
                                  for p in purchases),
        "purchase_amount": sum((p.amount for p in purchases), Decimal(0)),
    }
