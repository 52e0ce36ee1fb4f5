"""What the stock is worth: every stock move valued in money (moving weighted average).

The ledger of moves is replayed per item in the order it was written. Money comes in at what was
paid (a stock-in entry's amount, a correction at its entry's price, an opening stock at its
price, a stock-take surplus at the average cost); it goes out at the average cost of what is on
hand, and the last unit out takes the whole remaining value, so a stock of 0 is worth 0 and the
values of an item's moves always add up to the value of its stock. Nothing is stored: the
figures follow from the append-only ledger, for any period, including moves written before this
existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from models.supplies import MoveKind, StockIn, StockMove, SupplyItem
from services.inputs import to_int

CENT = Decimal("0.01")
ZERO = Decimal(0)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def entry_amount(entry: StockIn | Entry) -> Decimal:
    """What a stock-in entry cost: its amount, or quantity x unit price for older entries."""
    if entry.amount is not None:
        return Decimal(str(entry.amount))
    return money(Decimal(str(entry.quantity)) * Decimal(str(entry.unit_price)))


@dataclass(frozen=True)
class ValuedMove:
    """One ledger entry with the money it moved and what the item held after it."""

    id: int
    item_id: int
    kind: MoveKind
    qty: Decimal
    value: Decimal
    at: datetime
    ref: str
    qty_after: Decimal
    value_after: Decimal

    @property
    def inward(self) -> bool:
        """Counted as 入库: stock-ins and their corrections, opening stock and surpluses."""
        return self.kind == MoveKind.STOCK_IN or (
            self.kind in (MoveKind.OPENING, MoveKind.ADJUST) and self.qty > 0)


@dataclass(frozen=True)
class Move:
    """A ledger row as the replay reads it (plain values: a year of rows is read quickly)."""

    id: int
    item_id: int
    kind: MoveKind
    delta: Decimal
    unit_price: Decimal | None
    ref: str
    at: datetime


@dataclass(frozen=True)
class Entry:
    """What a stock-in entry paid."""

    quantity: Decimal
    unit_price: Decimal
    amount: Decimal | None


def value_moves(moves: Iterable[Move], entries: dict[int, Entry],
                fallback_price: Decimal) -> list[ValuedMove]:
    """Value one item's moves, given in the order they were written."""
    qty, value = ZERO, ZERO
    last_price: Decimal | None = None
    valued = []
    for move in moves:
        delta = move.delta
        entry = entries.get(_entry_id(move.ref)) if move.kind == MoveKind.STOCK_IN else None
        price = entry.unit_price if entry is not None else move.unit_price
        if delta > 0:
            if entry is not None and delta == entry.quantity:
                amount = entry_amount(entry)
            elif move.kind == MoveKind.ADJUST and qty > 0:
                amount = money(value * delta / qty)
            else:
                amount = money(delta * (price if price is not None and move.kind != MoveKind.ADJUST
                                        else last_price if last_price is not None
                                        else fallback_price))
            if move.kind in (MoveKind.STOCK_IN, MoveKind.OPENING) and price is not None:
                last_price = price
        elif qty + delta == 0:
            amount = -value  # the last unit out takes what is left
        elif move.kind == MoveKind.STOCK_IN and price is not None:
            amount = max(money(delta * price), -value)  # a correction, at its entry's price
        else:
            amount = -money(value * -delta / qty)
        qty, value = qty + delta, value + amount
        valued.append(ValuedMove(move.id, move.item_id, move.kind, delta, amount, move.at,
                                 move.ref, qty, value))
    return valued


def _entry_id(ref: str) -> int:
    kind, _, number = ref.partition(":")
    return (to_int(number) or 0) if kind == "stockin" else 0


def _decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


async def valued_ledger(item_ids: Iterable[int] | None = None,
                        until: datetime | None = None) -> dict[int, list[ValuedMove]]:
    """Every item's valued moves (written before `until`, when given), oldest first."""
    query = StockMove.all()
    items = SupplyItem.all()
    if item_ids is not None:
        ids = list(item_ids)
        query, items = query.filter(item_id__in=ids), items.filter(id__in=ids)
    by_item: dict[int, list[Move]] = {}
    wanted: set[int] = set()
    for id_, item_id, kind, delta, price, ref, at in await query.order_by("id").values_list(
            "id", "item_id", "kind", "delta", "unit_price", "ref", "at"):
        move = Move(int(id_), int(item_id), MoveKind(kind), _decimal(delta),
                    None if price is None else _decimal(price), ref, at)
        by_item.setdefault(move.item_id, []).append(move)
        if move.kind == MoveKind.STOCK_IN:
            wanted.add(_entry_id(ref))
    wanted.discard(0)
    entries = {int(id_): Entry(_decimal(qty), _decimal(price),
                               None if amount is None else _decimal(amount))
               for id_, qty, price, amount in await StockIn.filter(
                   id__in=list(wanted)).values_list("id", "quantity", "unit_price", "amount")
               } if wanted else {}
    prices = dict(await items.values_list("id", "unit_price"))
    result = {}
    for item_id, item_moves in by_item.items():
        valued = value_moves(item_moves, entries, _decimal(prices.get(item_id) or 0))
        result[item_id] = [v for v in valued if until is None or v.at < until]
    return result
