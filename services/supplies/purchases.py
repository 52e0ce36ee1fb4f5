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


def choose_supplier(method: BuyMethod, supplier: str, quotes: list[dict[str, str]],
                    amount: Decimal | None) -> str:
    """Who is bought from: the one named, else in a price comparison the quote at the amount,
    else the lowest quote. A named supplier of a comparison must be one of its quotes."""
    if method != BuyMethod.COMPARISON:
        return supplier
    if supplier:
        if supplier not in {q["supplier"] for q in quotes}:
            raise InvalidInput("supplies.error.supplier_not_quoted", supplier=supplier,
                               quotes="、".join(q["supplier"] for q in quotes))
        return supplier
    at_amount = [q for q in quotes if amount is not None and Decimal(q["price"]) == amount]
    return (at_amount or sorted(quotes, key=lambda q: Decimal(q["price"])))[0]["supplier"]


def split_amounts(total: Decimal | None, typed: list[Decimal | None]
                  ) -> tuple[Decimal | None, list[Decimal | None]]:
    """The purchase amount and each line's real cost from what was typed.

    Every line priced: the amount is their sum (and must equal a typed total). A total and all
    lines but one priced: that line costs the rest. A total alone for several lines: the lines
    stay unknown and are asked for at stock-in. One line: it costs the total.
    """
    known = [a for a in typed if a is not None]
    if total is None:
        if known and len(known) < len(typed):
            raise InvalidInput("supplies.error.line_prices_partial")
        return (sum(known, Decimal(0)) if known else None), list(typed)
    if sum(known, Decimal(0)) > total or (len(known) == len(typed)
                                          and sum(known, Decimal(0)) != total):
        raise InvalidInput("supplies.error.prices_mismatch", total=str(sum(known, Decimal(0))),
                           amount=str(total))
    missing = [i for i, a in enumerate(typed) if a is None]
    amounts = list(typed)
    if len(missing) == 1:
        rest = total - sum(known, Decimal(0))
        if rest <= 0:
            raise InvalidInput("supplies.error.prices_mismatch",
                               total=str(sum(known, Decimal(0))), amount=str(total))
        amounts[missing[0]] = rest
    return total, amounts


async def create(actor: Staff, text: str) -> Purchase:
    """Create and submit a purchase from 'A4纸 20包，硒鼓 2个 金额 3000 方式 询价 报价 …'.

    A line may carry its price ('硒鼓 4个 1200元'); with none typed and no 金额 the amount is
    estimated from the catalogue (a comparison's chosen quote when there are quotes).
    """
    require_role(actor, *OFFICE)
    head, fields = parse.fields_of(text)
    found: list[tuple[SupplyItem, Decimal, Decimal | None]] = []
    for line in parse.priced_lines(head):
        item = await find(line.name)
        if any(i.id == item.id for i, _, _ in found):
            raise InvalidInput("supplies.error.item_twice")
        found.append((item, check_qty(item, line.qty), line.amount))  # type: ignore[arg-type]
    method = parse.method(fields["method"]) if "method" in fields else BuyMethod.DIRECT
    quotes = parse.quotes(fields.get("quotes", ""))
    typed_supplier = fields.get("supplier", "")
    typed_supplier = clean_name(typed_supplier, "supplier") if typed_supplier.strip() else ""
    if method == BuyMethod.COMPARISON:
        check_buying(method, "", quotes)  # its three quotes, before one is chosen
    total = parse.price_of(fields["amount"]) if "amount" in fields else None
    amount, line_amounts = split_amounts(total, [a for _, _, a in found])
    estimated = amount is None
    if amount is None and method == BuyMethod.COMPARISON and quotes:
        chosen = choose_supplier(method, typed_supplier, quotes, None)
        amount = next(Decimal(q["price"]) for q in quotes if q["supplier"] == chosen)
        estimated = False
    if amount is None:
        amount = sum((item.unit_price * qty for item, qty, _ in found), Decimal(0))
    if len(found) == 1 and not estimated:
        line_amounts = [amount]
    if amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidInput("supplies.error.amount_missing")
    supplier = choose_supplier(method, typed_supplier, quotes, amount)
    check_buying(method, supplier, quotes)
    async with in_transaction():
        purchase = await Purchase.create(
            requester=actor, method=method, amount=amount, estimated=estimated, quotes=quotes,
            supplier=supplier, note=fields.get("purpose", fields.get("note", ""))[:200],
            created_at=clock.now(),
        )
        for (item, qty, _), real in zip(found, line_amounts, strict=True):
            price = real / qty if real is not None else item.unit_price
            await PurchaseLine.create(purchase=purchase, item=item, quantity=qty,
                                      unit_price=price.quantize(parse.CENT), amount=real)
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
    if purchase.method == BuyMethod.COMPARISON and purchase.supplier:
        details.append(("supplies.detail.chosen", purchase.supplier))
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


async def missing_prices(purchase_id: int) -> list[PurchaseLine]:
    """The lines whose real cost is not known yet (asked for before stock-in)."""
    return [line for line in await lines_of(purchase_id) if line.amount is None]


def _apply_prices(purchase: Purchase, lines: list[PurchaseLine], text: str) -> None:
    """Set the lines' costs from '硒鼓 1200元，A4纸 4800元' (or with quantities)."""
    by_name = {line.item.name.lower(): line for line in lines}
    for typed in parse.priced_lines(text, need_qty=False):
        line = by_name.get(typed.head.lower()) or by_name.get(typed.name.lower())
        if line is None:
            raise InvalidInput("supplies.error.not_in_purchase", id=purchase.id,
                               item=typed.head, items=summary(lines))
        if typed.amount is None:
            raise InvalidInput("supplies.error.line_price_missing", item=line.item.name)
        line.amount = typed.amount


def _needed(purchase: Purchase, missing: list[PurchaseLine], has_supplier: bool
            ) -> InvalidInput:
    """Ask for what stock-in still lacks: line costs, the supplier, or both."""
    code = ("supplies.error.receive_supplier" if not missing else
            "supplies.error.prices_needed" if has_supplier else
            "supplies.error.prices_and_supplier_needed")
    return InvalidInput(code, id=purchase.id, amount=_n(purchase.amount),
                        estimated=purchase.estimated, items=summary(missing),
                        example="，".join(f"{line.item.name} …元" for line in missing))


async def receive(actor: Staff, purchase_id: int, today: date, prices: str = "",
                  supplier: str = "") -> Purchase:
    """Put every line of an approved purchase into stock in one step (once).

    Each line goes in at what it really cost, from the chosen supplier; the entries add up to
    the purchase's amount. Costs not known yet are taken from `prices`, else asked for.
    """
    require_role(actor, *OFFICE)
    async with in_transaction():
        purchase = await Purchase.filter(id=purchase_id).select_for_update().first() \
            if 0 < purchase_id <= parse.MAX_ID else None
        if purchase is None:
            raise NotFound("supplies.error.purchase_gone", id=purchase_id)
        if purchase.status == PurchaseStatus.RECEIVED:
            raise StaleAction("supplies.error.already_received", id=purchase_id)
        if purchase.status != PurchaseStatus.APPROVED:
            raise StaleAction("supplies.error.purchase_not_approved", id=purchase_id)
        lines = await lines_of(purchase.id)
        if prices.strip():
            _apply_prices(purchase, lines, prices)
        missing = [line for line in lines if line.amount is None]
        if len(missing) == 1 and not purchase.estimated:
            missing[0].amount = purchase.amount - sum(
                (line.amount for line in lines if line.amount is not None), Decimal(0))
            missing = [] if missing[0].amount > 0 else missing
        supplier = supplier.strip()[:64] or purchase.supplier
        if missing or not supplier:
            raise _needed(purchase, missing, bool(supplier))
        total = sum((Decimal(str(line.amount)) for line in lines), Decimal(0))
        if purchase.estimated:
            purchase.amount, purchase.estimated = total, False
        elif total != purchase.amount:
            raise InvalidInput("supplies.error.prices_mismatch", total=_n(total),
                               amount=_n(purchase.amount))
        for line in lines:
            cost = Decimal(str(line.amount))
            line.unit_price = (cost / line.quantity).quantize(parse.CENT)
            await line.save(update_fields=["amount", "unit_price"])
            await stock_in(actor, StockInForm(
                item_id=line.item.id, quantity=line.quantity, unit_price=line.unit_price,
                supplier=supplier, method=purchase.method, quotes=[], bought_on=today,
                purchase_id=purchase.id, amount=cost,
            ))
        purchase.supplier = supplier
        purchase.status, purchase.received_at = PurchaseStatus.RECEIVED, clock.now()
        await purchase.save(update_fields=["status", "received_at", "supplier", "amount",
                                           "estimated"])
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
