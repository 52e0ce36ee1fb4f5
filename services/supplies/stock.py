"""Stock moves: every change of a quantity on hand is one StockMove, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

from tortoise.transactions import in_transaction

from models.core import ChatPurpose, Staff
from models.supplies import (
    BuyMethod,
    MoveKind,
    Purchase,
    PurchaseLine,
    PurchaseStatus,
    StockIn,
    StockMove,
    StockTake,
    StockTakeLine,
    SupplyItem,
)
from services import clock, outbox
from services.errors import Conflict, InvalidInput, NotFound
from services.inputs import clean_name
from services.staff import require_role
from services.supplies import parse
from services.supplies.catalogue import OFFICE, check_qty

LOW_STOCK = "supplies.low_stock"
DIGEST = "supplies.digest"


async def move(item_id: int, delta: Decimal, kind: MoveKind, *, ref: str, by: Staff | None,
               reason: str = "", unit_price: Decimal | None = None,
               released: Decimal = Decimal(0)) -> StockMove:
    """Change an item's stock by delta and write its ledger entry; released is the part of an
    issue that was reserved for it (signed for now). Refuses taking what is not available."""
    if delta == 0 or (kind == MoveKind.ISSUE and delta > 0):
        raise InvalidInput("supplies.error.qty_zero" if delta == 0
                           else "supplies.error.qty_negative", item=f"#{item_id}")
    async with in_transaction():
        item = await _locked(item_id)
        before = available(item)
        on_hand, reserved = item.on_hand + delta, item.reserved - released
        if on_hand - reserved < 0 or reserved < 0:
            raise Conflict("supplies.error.short", item=item.name, unit=item.unit,
                           on_hand=_n(before), wanted=_n(-delta - released))
        item.on_hand, item.reserved = on_hand, reserved
        if unit_price is not None and delta > 0:
            item.unit_price = unit_price
        await item.save(update_fields=["on_hand", "reserved", "unit_price"])
        entry = await StockMove.create(
            item=item, kind=kind, delta=delta, balance_after=on_hand, unit_price=unit_price,
            ref=ref[:32], reason=reason[:200], at=clock.now(), by=by,
        )
        await _check_safety(item, before, f"{item.id}:{entry.id}")
    return entry


async def reserve(item_id: int, qty: Decimal, *, ref: str) -> SupplyItem:
    """Hold qty of an item for an issue not yet signed for (refuses more than is available)."""
    async with in_transaction():
        item = await _locked(item_id)
        before = available(item)
        if qty > before:
            raise Conflict("supplies.error.short", item=item.name, unit=item.unit,
                           on_hand=_n(before), wanted=_n(qty))
        item.reserved += qty
        await item.save(update_fields=["reserved"])
        await _check_safety(item, before, f"{item.id}:{ref}")
    return item


async def release(item_id: int, qty: Decimal) -> SupplyItem:
    """Give back a reservation of an issue withdrawn before it was signed for."""
    async with in_transaction():
        item = await _locked(item_id)
        item.reserved -= qty
        await item.save(update_fields=["reserved"])
    return item


def available(item: SupplyItem) -> Decimal:
    """What is on the shelf: stock on hand less what was issued but not yet signed for."""
    return Decimal(item.on_hand) - Decimal(item.reserved)


async def _locked(item_id: int) -> SupplyItem:
    item = await SupplyItem.filter(id=item_id).select_for_update().first()
    if item is None:
        raise NotFound("supplies.error.item_gone", id=item_id)
    return item


async def _check_safety(item: SupplyItem, before: Decimal, key: str) -> None:
    """The safety level is about the shelf: an issue crosses it, its 签收 later does not."""
    after = available(item)
    if item.safety_stock > 0 and before >= item.safety_stock > after:
        await _crossed_safety(item, key)


def _n(value: Decimal) -> str:
    """A quantity as people write it: 5, not 5.00."""
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


async def _crossed_safety(item: SupplyItem, key: str) -> None:
    """Tell the office group once per crossing and draft a purchase of the item."""
    draft = await _draft_purchase(item)
    await outbox.emit_to_purpose(
        ChatPurpose.OFFICE, LOW_STOCK,
        {"item_id": item.id, "on_hand": str(item.on_hand), "reserved": str(item.reserved),
         "available": str(available(item)), "safety": str(item.safety_stock),
         "purchase_id": draft.id if draft else None},
        f"supplies.low:{key}",
    )


async def _draft_purchase(item: SupplyItem) -> Purchase | None:
    """A draft purchase for an item below its level, unless one is already open for it."""
    open_ = await PurchaseLine.filter(
        item_id=item.id,
        purchase__status__in=[PurchaseStatus.DRAFT, PurchaseStatus.PENDING,
                              PurchaseStatus.APPROVED],
    ).exists()
    if open_:
        return None
    qty = (item.safety_stock * 2 - available(item)).to_integral_value(ROUND_CEILING)
    qty = max(qty, Decimal(1))
    purchase = await Purchase.create(
        status=PurchaseStatus.DRAFT, method=BuyMethod.DIRECT, amount=qty * item.unit_price,
        estimated=True, from_low_stock=True, created_at=clock.now(),
    )
    await PurchaseLine.create(purchase=purchase, item=item, quantity=qty,
                              unit_price=item.unit_price)
    return purchase


@dataclass
class StockInForm:
    """What a stock-in entry says (parsed from the chat or given by a purchase)."""

    item_id: int
    quantity: Decimal
    unit_price: Decimal
    supplier: str
    method: BuyMethod
    quotes: list[dict[str, str]]
    bought_on: date
    note: str = ""
    purchase_id: int | None = None
    #: What the entry cost in all, when it is not quantity x unit price (a purchase line).
    amount: Decimal | None = None


def check_buying(method: BuyMethod, supplier: str, quotes: list[dict[str, str]],
                 from_purchase: bool = False) -> None:
    """A price comparison needs three quotes; a tender or direct purchase names its supplier.

    An entry from a purchase names its supplier: the quotes stay on the purchase.
    """
    if from_purchase:
        if not supplier:
            raise InvalidInput("supplies.error.supplier_missing")
        return
    if method == BuyMethod.COMPARISON and len(quotes) < 3:
        raise InvalidInput("supplies.error.three_quotes", n=len(quotes))
    if method != BuyMethod.COMPARISON and not supplier:
        raise InvalidInput("supplies.error.supplier_missing")


async def stock_in(actor: Staff, form: StockInForm) -> StockIn:
    """Record one stock-in entry and move the stock up (office staff)."""
    require_role(actor, *OFFICE)
    async with in_transaction():
        item = await SupplyItem.get_or_none(id=form.item_id)
        if item is None:
            raise NotFound("supplies.error.item_gone", id=form.item_id)
        qty = check_qty(item, form.quantity)
        check_buying(form.method, form.supplier, form.quotes, form.purchase_id is not None)
        supplier = form.supplier or (form.quotes[0]["supplier"] if form.quotes else "")
        supplier = clean_name(supplier, "supplier") if supplier.strip() else ""
        entry = await StockIn.create(
            item=item, quantity=qty, unit_price=form.unit_price, amount=form.amount,
            supplier=supplier[:64],
            method=form.method, quotes=form.quotes, bought_on=form.bought_on,
            note=form.note[:200], purchase_id=form.purchase_id, at=clock.now(), by=actor,
        )
        await move(item.id, qty, MoveKind.STOCK_IN, ref=f"stockin:{entry.id}", by=actor,
                   unit_price=form.unit_price)
    return entry


async def correct_stock_in(actor: Staff, entry_id: int, delta: Decimal, reason: str) -> StockIn:
    """Correct an entry by a new one of +/- delta pointing at it (entries are never edited)."""
    require_role(actor, *OFFICE)
    if not reason.strip():
        raise InvalidInput("supplies.error.reason_missing")
    async with in_transaction():
        original = await StockIn.get_or_none(id=entry_id) if entry_id <= parse.MAX_ID else None
        if original is None:
            raise NotFound("supplies.error.entry_gone", id=entry_id)
        item = await SupplyItem.get(id=original.item_id)  # type: ignore[attr-defined]
        if delta == 0:
            raise InvalidInput("supplies.error.qty_zero", item=item.name)
        check_qty(item, abs(delta))
        corrected = sum([e.quantity for e in await StockIn.filter(corrects_id=entry_id)],
                        original.quantity)
        if corrected + delta < 0:
            raise InvalidInput("supplies.error.correct_below_zero", id=entry_id,
                               qty=_n(corrected))
        entry = await StockIn.create(
            item=item, quantity=delta, unit_price=original.unit_price,
            supplier=original.supplier, method=original.method, quotes=original.quotes,
            bought_on=original.bought_on, corrects=original, note=reason.strip()[:200],
            at=clock.now(), by=actor,
        )
        await move(item.id, delta, MoveKind.STOCK_IN, ref=f"stockin:{entry.id}", by=actor,
                   reason=reason.strip())
    return entry


@dataclass
class Count:
    """One counted item of a stock-take."""

    item_id: int
    counted: Decimal
    reason: str = ""


async def stock_take(actor: Staff, counts: list[Count]) -> tuple[StockTake, list[StockTakeLine]]:
    """Record counted quantities; each difference needs a reason and becomes an adjustment.

    A count is of the shelf: what was issued but not yet signed for has left it, so the count is
    compared with the available quantity (on hand less reserved) and the reservation stands.
    """
    require_role(actor, *OFFICE)
    if not counts:
        raise InvalidInput("supplies.error.no_items")
    if len({c.item_id for c in counts}) != len(counts):
        raise InvalidInput("supplies.error.item_twice")
    async with in_transaction():
        items = {i.id: i for i in await SupplyItem.filter(
            id__in=[c.item_id for c in counts]).select_for_update()}
        missing = []
        for count in counts:
            item = items[count.item_id]
            check_qty(item, count.counted, allow_zero=True)
            if count.counted != available(item) and not count.reason.strip():
                missing.append(f"{item.name}（{_n(available(item))}→{_n(count.counted)}）")
        if missing:
            raise InvalidInput("supplies.error.take_reason", items="、".join(missing))
        take = await StockTake.create(by=actor, at=clock.now())
        lines = []
        for count in counts:
            item = items[count.item_id]
            shelf = available(item)
            lines.append(await StockTakeLine.create(
                take=take, item=item, expected=shelf, counted=count.counted,
                reason=count.reason.strip()[:200],
            ))
            if count.counted != shelf:
                await move(item.id, count.counted - shelf, MoveKind.ADJUST,
                           ref=f"take:{take.id}", by=actor, reason=count.reason.strip())
    return take, lines


async def below_safety() -> list[SupplyItem]:
    every = await SupplyItem.filter(active=True).order_by("category", "name")
    return [i for i in every if i.safety_stock > 0 and available(i) < i.safety_stock]


async def low_stock_digest(now: Any, tz: Any) -> int:
    """Queue today's list of items below their level to the office group; how many items."""
    low = await below_safety()
    if not low:
        return 0
    day = now.astimezone(tz).date().isoformat()
    await outbox.emit_to_purpose(ChatPurpose.OFFICE, DIGEST, {"day": day},
                                 f"supplies.digest:{day}")
    return len(low)


async def ledger_balance(item_id: int) -> Decimal:
    """The sum of an item's entries (equals its quantity on hand)."""
    total = Decimal(0)
    for delta in await StockMove.filter(item_id=item_id).values_list("delta", flat=True):
        total += Decimal(str(delta))
    return total
