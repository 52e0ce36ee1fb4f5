"""Ledger benchmark: a year of stock moves valued from the ledger, the registers and the figures.

Run: .venv/bin/python bench/bench_ledgers.py [--items 200] [--moves 60]
Writes ITEMS items with MOVES stock-ins and signed issues each, spread over 2026, in a temporary
SQLite database, then times: the stock register (库存台账) of one month and of the year, the
stock-in register of the year and its workbook, and the supplies figures of the year month by
month (what /annual computes). Prints each time and the number of moves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db import close_db, migrate, open_db  # noqa: E402
from handlers.views import supplies as views  # noqa: E402
from models.core import Role, Staff  # noqa: E402
from models.supplies import BuyMethod, MoveKind, StockIn, StockMove, SupplyItem  # noqa: E402
from services import clock  # noqa: E402
from services.clock import FixedClock  # noqa: E402
from services.supplies import ledgers  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


async def fill(items: int, moves: int) -> int:
    """Write the year's ledger directly (as the services would have left it)."""
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    start = datetime(2026, 1, 2, 1, 0, tzinfo=UTC)
    step = timedelta(days=360) / moves
    written = 0
    for n in range(items):
        item = await SupplyItem.create(name=f"物品{n}", unit=("个", "包", "支")[n % 3],
                                       unit_price=Decimal(5))
        qty = Decimal(0)
        entries, ledger = [], []
        for m in range(moves):
            at = start + step * m
            if m % 2 == 0:
                entries.append(StockIn(item=item, quantity=Decimal(10),
                                       unit_price=Decimal(5 + m % 7), method=BuyMethod.DIRECT,
                                       supplier="晨光", bought_on=at.date(), at=at, by=clerk))
        await StockIn.bulk_create(entries)
        saved = await StockIn.filter(item_id=item.id).order_by("id")
        ins = iter(saved)
        for m in range(moves):
            at = start + step * m
            if m % 2 == 0:
                entry = next(ins)
                qty += 10
                ledger.append(StockMove(item=item, kind=MoveKind.STOCK_IN, delta=Decimal(10),
                                        balance_after=qty, unit_price=entry.unit_price,
                                        ref=f"stockin:{entry.id}", at=at, by=clerk))
            else:
                qty -= 7
                ledger.append(StockMove(item=item, kind=MoveKind.ISSUE, delta=Decimal(-7),
                                        balance_after=qty, ref=f"request:{m}", at=at, by=clerk))
        await StockMove.bulk_create(ledger)
        await SupplyItem.filter(id=item.id).update(on_hand=qty)
        written += len(ledger)
    return written


async def timed(label: str, work: object) -> object:
    t0 = time.perf_counter()
    result = await work  # type: ignore[misc]
    print(f"{label}: {time.perf_counter() - t0:.3f} s")
    return result


async def main(items: int, moves: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{tmp}/bench.sqlite3"
        await migrate(url)
        await close_db()
        await open_db(url, apply_migrations=False)
        clock.set_clock(FixedClock(datetime(2026, 12, 31, 4, 0, tzinfo=UTC)))
        try:
            written = await fill(items, moves)
            print(f"{items} items, {written} stock moves over 2026")
            await timed("stock register, November", ledgers.rows(
                "stock", date(2026, 11, 1), date(2026, 11, 30), TZ))
            year = await timed("stock register, the year", ledgers.rows(
                "stock", date(2026, 1, 1), date(2026, 12, 31), TZ))
            rows = await timed("stock-in register, the year", ledgers.rows(
                "stockin", date(2026, 1, 1), date(2026, 12, 31), TZ))
            t0 = time.perf_counter()
            data = views.ledger_xlsx("stockin", rows, "zh_CN", date(2026, 1, 1),  # type: ignore[arg-type]
                                     date(2026, 12, 31))
            print(f"stock-in workbook, {len(rows)} rows: {time.perf_counter() - t0:.3f} s, "  # type: ignore[arg-type]
                  f"{len(data) // 1024} KiB")
            t0 = time.perf_counter()
            for month in range(1, 13):
                first = date(2026, month, 1)
                after = date(2026 + month // 12, month % 12 + 1, 1)
                await ledgers.supply_figures(first, after, TZ)
            await ledgers.supply_figures(date(2026, 1, 1), date(2027, 1, 1), TZ)
            print(f"supplies figures, 12 months and the year (/annual): "
                  f"{time.perf_counter() - t0:.3f} s")
            assert len(year) == items  # type: ignore[arg-type]
        finally:
            await close_db()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--moves", type=int, default=60)
    args = parser.parse_args()
    asyncio.run(main(args.items, args.moves))
