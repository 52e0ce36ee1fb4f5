"""Demo data: a stock of common office supplies, some near their safety level."""

from __future__ import annotations

from models.supplies import SupplyItem
from services.supplies.catalogue import import_rows

#: (category, name, spec, unit, stock, safety stock, location, unit price, monthly limit)
DEMO_ITEMS = [
    ("纸张", "A4纸", "70g 500张", "包", 40, 20, "一楼库房A柜", 25, 10),
    ("纸张", "A3纸", "70g 500张", "包", 6, 5, "一楼库房A柜", 48, None),
    ("书写", "中性笔", "0.5mm 黑", "支", 120, 50, "一楼库房B柜", 2, 20),
    ("书写", "笔记本", "A5 80页", "本", 22, 20, "一楼库房B柜", 8, 5),
    ("书写", "红色中性笔", "0.5mm 红", "支", 18, 20, "一楼库房B柜", 2, None),
    ("装订", "文件夹", "A4 单夹", "个", 35, 15, "一楼库房C柜", 6, None),
    ("装订", "订书机", "12号", "台", 5, 3, "一楼库房C柜", 28, 1),
    ("装订", "订书钉", "24/6", "盒", 30, 10, "一楼库房C柜", 3, None),
    ("耗材", "硒鼓", "HP 88A", "个", 3, 2, "二楼打印室", 360, None),
    ("耗材", "墨盒", "佳能 PG-845", "个", 2, 2, "二楼打印室", 150, None),
    ("耗材", "档案盒", "A4 5cm", "个", 60, 30, "一楼库房D柜", 5, None),
]


async def seed_demo() -> None:
    """Create the demo catalogue with its opening stock (idempotent)."""
    if await SupplyItem.exists():
        return
    await import_rows([
        {"category": c, "name": n, "spec": s, "unit": u, "stock": q, "safety": sf,
         "location": loc, "price": p, "limit": lim}
        for c, n, s, u, q, sf, loc, p, lim in DEMO_ITEMS
    ])
