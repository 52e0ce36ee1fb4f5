"""Random sequences of stock operations keep the ledger, the quantities on hand and the
reservations of issues not yet signed for in step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.core import Role, Staff
from models.supplies import (
    BuyMethod,
    MoveKind,
    RequestStatus,
    StockMove,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from services import clock
from services.errors import Conflict, InvalidInput
from services.supplies import requests, stock
from services.supplies.stock import Count, StockInForm
from tests.unit.fresh_db import run_on_fresh_db

ITEMS = 3


@dataclass(frozen=True)
class Op:
    kind: str
    item: int
    qty: int


ops = st.lists(
    st.builds(Op, st.sampled_from(["in", "issue", "take", "correct", "hand_out", "sign",
                                   "withdraw"]),
              st.integers(0, ITEMS - 1), st.integers(-3, 12) | st.integers(1, 4)),
    min_size=1, max_size=25,
)


async def _check(sequence: list[Op]) -> None:
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    worker = await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF)
    items = [await SupplyItem.create(name=f"物品{i}", unit="个", safety_stock=3)
             for i in range(ITEMS)]
    expected = {item.id: Decimal(0) for item in items}
    entries: dict[int, list[tuple[int, Decimal]]] = {item.id: [] for item in items}
    # Issues handed out and not yet signed for, oldest first: (request id, quantity).
    unsigned: dict[int, list[tuple[int, Decimal]]] = {item.id: [] for item in items}
    for op in sequence:
        item = items[op.item]
        if op.kind in ("sign", "withdraw"):
            # Sign for (or take back) one of the open issues, whichever item it is of.
            open_ = [i for i in items if unsigned[i.id]]
            if not open_:
                continue
            item = open_[op.qty % len(open_)]
        qty = Decimal(op.qty)
        held = sum((q for _, q in unsigned[item.id]), Decimal(0))
        try:
            if op.kind == "in":
                entry = await stock.stock_in(clerk, StockInForm(
                    item.id, qty, Decimal("2.5"), "晨光", BuyMethod.DIRECT, [],
                    date(2026, 11, 20)))
                entries[item.id].append((entry.id, qty))
            elif op.kind == "issue":
                await stock.move(item.id, -qty, MoveKind.ISSUE, ref="prop", by=clerk)
            elif op.kind == "take":
                await stock.stock_take(clerk, [Count(item.id, qty, "盘点差异")])
            elif op.kind == "correct" and entries[item.id]:
                entry_id, _ = entries[item.id][-1]
                await stock.correct_stock_in(clerk, entry_id, qty, "更正")
            elif op.kind == "hand_out" and qty > 0:
                request = await _approved(worker, item, qty)
                await requests.issue(clerk, request.id)
                unsigned[item.id].append((request.id, qty))
            elif op.kind == "sign":
                request_id, signed = unsigned[item.id].pop(0)
                await requests.sign(worker, request_id)
                qty = signed
            elif op.kind == "withdraw":
                await requests.withdraw_issue(clerk, unsigned[item.id].pop()[0])
            else:
                continue
        except (Conflict, InvalidInput):
            # Refused operations change nothing; the model refuses exactly the same ones.
            assert _model_refuses(op, expected[item.id], held, entries[item.id]), op
            continue
        assert not _model_refuses(op, expected[item.id], held, entries[item.id]), op
        expected[item.id] = _model_apply(op, qty, expected[item.id], held)
        if op.kind == "correct":
            entry_id, was = entries[item.id][-1]
            entries[item.id][-1] = (entry_id, was + qty)
    for item in items:
        fresh = await SupplyItem.get(id=item.id)
        assert fresh.on_hand >= 0 and fresh.reserved >= 0
        assert stock.available(fresh) >= 0
        assert fresh.on_hand == expected[item.id]
        assert fresh.on_hand == await stock.ledger_balance(item.id)
        assert fresh.reserved == sum((q for _, q in unsigned[item.id]), Decimal(0))
        assert fresh.reserved == await _issued_unsigned(item.id)
        last = await StockMove.filter(item_id=item.id).order_by("-id").first()
        assert last is None or last.balance_after == fresh.on_hand


async def _approved(worker: Staff, item: SupplyItem, qty: Decimal) -> SupplyRequest:
    request = await SupplyRequest.create(requester=worker, purpose="会议",
                                         status=RequestStatus.APPROVED,
                                         created_at=clock.now(), submitted_at=clock.now())
    await SupplyRequestLine.create(request=request, item=item, quantity=qty)
    return request


async def _issued_unsigned(item_id: int) -> Decimal:
    """What the database says was issued and not yet signed for."""
    total = Decimal(0)
    for value in await SupplyRequestLine.filter(
            item_id=item_id, request__status=RequestStatus.ISSUED).values_list("issued",
                                                                               flat=True):
        total += Decimal(str(value or 0))
    return total


def _model_refuses(op: Op, on_hand: Decimal, held: Decimal,
                   entries: list[tuple[int, Decimal]]) -> bool:
    """What a correct store refuses: nothing may take stock that is reserved for an issue."""
    qty = Decimal(op.qty)
    free = on_hand - held
    if op.kind == "in":
        return qty <= 0
    if op.kind in ("issue", "hand_out"):
        return qty <= 0 or free - qty < 0
    if op.kind == "take":
        return qty < 0
    if op.kind in ("sign", "withdraw"):
        return False
    return qty == 0 or entries[-1][1] + qty < 0 or free + qty < 0


def _model_apply(op: Op, qty: Decimal, on_hand: Decimal, held: Decimal) -> Decimal:
    """The stock on hand after op: a hand-out or a withdrawal moves nothing, 签收 moves what
    was handed out (qty)."""
    if op.kind == "take":
        return qty + held  # the count is of the shelf: reserved stock stays on the books
    if op.kind in ("hand_out", "withdraw"):
        return on_hand
    return on_hand + (-qty if op.kind in ("issue", "sign") else qty)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
def test_random_operations_keep_stock_equal_to_the_sum_of_entries(
    migrated_template: str, tmp_path: Path, sequence: list[Op]
) -> None:
    run_on_fresh_db(migrated_template, tmp_path, datetime(2026, 11, 26, 2, 0, tzinfo=UTC),
                    lambda: _check(sequence))
