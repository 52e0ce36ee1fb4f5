"""Random sequences of stock operations keep the ledger and the quantities on hand in step."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import close_db, open_db
from models.core import Role, Staff
from models.supplies import BuyMethod, MoveKind, StockMove, SupplyItem
from services import clock
from services.clock import FixedClock, SystemClock
from services.errors import Conflict, InvalidInput
from services.supplies import stock
from services.supplies.stock import Count, StockInForm
from tests.conftest import _truncate_postgres, using_postgres

ITEMS = 3
_run = itertools.count()


@dataclass(frozen=True)
class Op:
    kind: str
    item: int
    qty: int


ops = st.lists(
    st.builds(Op, st.sampled_from(["in", "issue", "take", "correct"]),
              st.integers(0, ITEMS - 1), st.integers(-3, 12)),
    min_size=1, max_size=25,
)


async def _scenario(url: str, sequence: list[Op]) -> None:
    await open_db(url, apply_migrations=False)
    try:
        if using_postgres():
            await _truncate_postgres()
        await _check(sequence)
    finally:
        await close_db()


async def _check(sequence: list[Op]) -> None:
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    items = [await SupplyItem.create(name=f"物品{i}", unit="个", safety_stock=3)
             for i in range(ITEMS)]
    expected = {item.id: Decimal(0) for item in items}
    entries: dict[int, list[tuple[int, Decimal]]] = {item.id: [] for item in items}
    for op in sequence:
        item = items[op.item]
        qty = Decimal(op.qty)
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
            else:
                continue
        except (Conflict, InvalidInput):
            # Refused operations change nothing; the model refuses exactly the same ones.
            assert _model_refuses(op, expected[item.id], entries[item.id]), op
            continue
        assert not _model_refuses(op, expected[item.id], entries[item.id]), op
        expected[item.id] = _model_apply(op, expected[item.id])
        if op.kind == "correct":
            entry_id, was = entries[item.id][-1]
            entries[item.id][-1] = (entry_id, was + qty)
    for item in items:
        fresh = await SupplyItem.get(id=item.id)
        assert fresh.on_hand >= 0
        assert fresh.on_hand == expected[item.id]
        assert fresh.on_hand == await stock.ledger_balance(item.id)
        last = await StockMove.filter(item_id=item.id).order_by("-id").first()
        assert last is None or last.balance_after == fresh.on_hand


def _model_refuses(op: Op, on_hand: Decimal, entries: list[tuple[int, Decimal]]) -> bool:
    qty = Decimal(op.qty)
    if op.kind == "in":
        return qty <= 0
    if op.kind == "issue":
        return qty <= 0 or on_hand - qty < 0
    if op.kind == "take":
        return qty < 0
    return qty == 0 or entries[-1][1] + qty < 0 or on_hand + qty < 0


def _model_apply(op: Op, on_hand: Decimal) -> Decimal:
    qty = Decimal(op.qty)
    if op.kind == "take":
        return qty
    return on_hand + (-qty if op.kind == "issue" else qty)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
def test_random_operations_keep_stock_equal_to_the_sum_of_entries(
    migrated_template: str, tmp_path: Path, sequence: list[Op]
) -> None:
    if using_postgres():
        url = migrated_template
    else:
        target = tmp_path / f"prop{next(_run)}.sqlite3"
        shutil.copy(migrated_template, target)
        url = f"sqlite://{target}"
    clock.set_clock(FixedClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC)))
    try:
        asyncio.run(_scenario(url, sequence))
    finally:
        clock.set_clock(SystemClock())
