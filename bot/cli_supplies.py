"""`officebot supplies import FILE`: create or update catalogue items from CSV or XLSX."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from handlers.texts import t
from services.errors import DomainError
from services.supplies.catalogue import import_rows

#: Column headings people use (Chinese or English) -> the row key import_rows reads.
HEADINGS = {
    "类别": "category", "分类": "category", "category": "category",
    "名称": "name", "物品名称": "name", "物品": "name", "name": "name",
    "规格": "spec", "规格型号": "spec", "spec": "spec", "specification": "spec",
    "单位": "unit", "计量单位": "unit", "unit": "unit",
    "库存": "stock", "数量": "stock", "期初库存": "stock", "stock": "stock",
    "安全库存": "safety", "safety": "safety", "safety stock": "safety",
    "存放位置": "location", "位置": "location", "location": "location",
    "单价": "price", "price": "price", "unit price": "price",
    "限领": "limit", "每人每月限领": "limit", "limit": "limit",
}


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The file's rows keyed by import_rows' names (unknown columns are ignored)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:  # Excel on Chinese Windows saves CSV as GBK
            text = raw.decode("gbk")
        table = list(csv.reader(io.StringIO(text)))
    elif suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True, data_only=True).active
        table = [list(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
    else:
        raise ValueError(f"{path}: use .csv or .xlsx")
    if not table:
        return []
    keys = [HEADINGS.get(str(h or "").strip().lower()) for h in table[0]]
    if "name" not in keys:
        raise ValueError(f"{path}: the first row needs a 名称 (name) column")
    return [{k: v for k, v in zip(keys, row, strict=False) if k}
            for row in table[1:] if any(v not in (None, "") for v in row)]


async def import_into_open_db(path: Path | str) -> int:
    """Import the file into the database already open, all or nothing; how many items."""
    try:
        return await import_rows(read_rows(Path(path)))
    except DomainError as error:
        params = dict(error.params)
        if "detail" in params:
            params["detail"] = t(str(params["detail"]), "zh_CN")
        raise ValueError(t(error.code, "zh_CN", **params)) from error


def import_catalogue(path: Path | str) -> int:
    """Open the configured database, import the catalogue file, close; how many items."""
    from bot.db import close_db, open_db

    async def main() -> int:
        await open_db()
        try:
            return await import_into_open_db(path)
        finally:
            await close_db()

    return asyncio.run(main())
