"""Purchases: items, amount, method and quotes; approval by amount; received in one step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tortoise.transactions import in_transaction

from models.approvals import ApprovalRequest
from models.core import ChatPurpose, Staff
from models.supplies import BuyMethod, Purchase, PurchaseLine, PurchaseStatus, SupplyItem
from services import approvals, clock, outbox
from services.errors import InvalidInput, NotFound, StaleAction
from services.inputs import clean_name
from services.staff import require_role
from services.supplies import parse
from services.supplies.catalogue import OFFICE, check_qty, find
from services.supplies.stock import StockInForm, _n, check_buying, stock_in

KIND = "purchase"
APPROVED = "supplies.purchase_approved"
MAX_AMOUNT = Decimal("100000000")


async def lines_of(purchase_id: int) -> list[PurchaseLine]:
    return list(await PurchaseLine.filter(purchase_id=purchase_id).order_by("id")
                .prefetch_related("item"))


def summary(lines: list[PurchaseLine]) -> str:
    return "、".join(f"{ln.item.name} {_n(ln.quantity)}{ln.item.unit}" for ln in lines)


async def create(actor: Staff, text: str) -> Purchase:
    """Create and submit a purchase from 'A4纸 20包，硒鼓 2个 金额 3000 方式 询价 报价 …'."""
    require_role(actor, *OFFICE)
    head, fields = parse.fields_of(text)
    found: list[tuple[SupplyItem, Decimal]] = []
    for line in parse.item_lines(head):
        item = await find(line.name)
        if any(i.id == item.id for i, _ in found):
            raise InvalidInput("supplies.error.item_twice")
        found.append((item, check_qty(item, line.qty)))
    method = parse.method(fields["method"]) if "method" in fields else BuyMethod.DIRECT
    quotes = parse.quotes(fields.get("quotes", ""))
    supplier = fields.get("supplier", "")
    supplier = clean_name(supplier, "supplier") if supplier.strip() else ""
    check_buying(method, supplier, quotes)
    estimated = sum((item.unit_price * qty for item, qty in found), Decimal(0))
    amount = parse.price_of(fields["amount"]) if "amount" in fields else estimated
    if amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidInput("supplies.error.amount_missing")
    total_qty = sum((qty for _, qty in found), Decimal(0))
    async with in_transaction():
        purchase = await Purchase.create(
            requester=actor, method=method, amount=amount, quotes=quotes, supplier=supplier,
            note=fields.get("purpose", fields.get("note", ""))[:200], created_at=clock.now(),
        )
        for item, qty in found:
            # Spread the stated amount over the quantities when prices are unknown.
            price = item.unit_price if estimated else (amount / total_qty)
            await PurchaseLine.create(purchase=purchase, item=item, quantity=qty,
                                      unit_price=price.quantize(parse.CENT))
        await _submit(actor, purchase)
    return purchase


async def submit_draft(actor: Staff, purchase_id: int) -> Purchase:
    """Send a drafted purchase (one the low-stock alert made) into approval."""
    require_role(actor, *OFFICE)
    async with in_transaction():
        purchase = await Purchase.filter(id=purchase_id).select_for_update().first()
        if purchase is None:
            raise NotFound("supplies.error.purchase_gone", id=purchase_id)
        if purchase.status != PurchaseStatus.DRAFT:
            raise StaleAction("supplies.error.purchase_not_draft", id=purchase_id)
        if purchase.amount <= 0:
            raise InvalidInput("supplies.error.amount_missing")
        purchase.requester = actor  # type: ignore[assignment]
        await purchase.save(update_fields=["requester_id"])
        await _submit(actor, purchase)
    return purchase


async def _submit(actor: Staff, purchase: Purchase) -> None:
    lines = await lines_of(purchase.id)
    purchase.status, purchase.submitted_at = PurchaseStatus.PENDING, clock.now()
    await purchase.save(update_fields=["status", "submitted_at"])
    # The label key names the method, so the approver reads it in their own language.
    offer = ("、".join(f"{q['supplier']} {q['price']}" for q in purchase.quotes)
             if purchase.method == BuyMethod.COMPARISON else purchase.supplier or "—")
    details = [("supplies.detail.items", summary(lines)),
               (f"supplies.detail.method.{purchase.method.value}", offer)]
    if purchase.note:
        details.append(("supplies.detail.purpose", purchase.note))
    await approvals.submit(KIND, purchase.id, actor, title=summary(lines), details=details,
                           amount=purchase.amount)


async def on_outcome(subject_id: int, outcome: str, approval: ApprovalRequest) -> None:
    """An approved purchase waits to be received; a refused one is closed."""
    purchase = await Purchase.filter(id=subject_id).select_for_update().first()
    if purchase is None or purchase.status != PurchaseStatus.PENDING:
        return
    purchase.decided_at = clock.now()
    if outcome == "approved":
        purchase.status = PurchaseStatus.APPROVED
        await outbox.emit_to_purpose(ChatPurpose.OFFICE, APPROVED, {"purchase_id": purchase.id},
                                     f"supplies.purchase:{purchase.id}")
    else:
        purchase.status = (PurchaseStatus.REJECTED if outcome == "rejected"
                           else PurchaseStatus.CANCELLED)
    await purchase.save(update_fields=["status", "decided_at"])


async def receive(actor: Staff, purchase_id: int, today: date) -> Purchase:
    """Put every line of an approved purchase into stock in one step (once)."""
    require_role(actor, *OFFICE)
    async with in_transaction():
        purchase = await Purchase.filter(id=purchase_id).select_for_update().first()
        if purchase is None:
            raise NotFound("supplies.error.purchase_gone", id=purchase_id)
        if purchase.status == PurchaseStatus.RECEIVED:
            raise StaleAction("supplies.error.already_received", id=purchase_id)
        if purchase.status != PurchaseStatus.APPROVED:
            raise StaleAction("supplies.error.purchase_not_approved", id=purchase_id)
        for line in await lines_of(purchase.id):
            await stock_in(actor, StockInForm(
                item_id=line.item.id, quantity=line.quantity, unit_price=line.unit_price,
                supplier=purchase.supplier or actor.name, method=purchase.method,
                quotes=list(purchase.quotes), bought_on=today, purchase_id=purchase.id,
            ))
        purchase.status, purchase.received_at = PurchaseStatus.RECEIVED, clock.now()
        await purchase.save(update_fields=["status", "received_at"])
        await outbox.emit_to_purpose(
            ChatPurpose.OFFICE, APPROVED,
            {"purchase_id": purchase.id, "_edit_of": f"supplies.purchase:{purchase.id}@office"},
            f"supplies.received:{purchase.id}",
        )
    return purchase


async def get_purchase(purchase_id: int) -> Purchase:
    purchase = await Purchase.get_or_none(id=purchase_id)
    if purchase is None:
        raise NotFound("supplies.error.purchase_gone", id=purchase_id)
    return purchase
