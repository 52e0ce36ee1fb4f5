"""`officebot rooms import FILE`: create or update rooms from YAML, CSV or XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

from services.rooms.catalog import import_rows


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a rooms file: a YAML list (or {rooms: [...]}), a CSV or an XLSX with a header."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(data, dict):
            data = data.get("rooms", [])
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError(f"{path}: expected a list of rooms")
        return [dict(r) for r in data]
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    if suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        return [{h: v for h, v in zip(header, row, strict=False) if h}
                for row in rows[1:] if any(v is not None for v in row)]
    raise ValueError(f"{path}: use .yaml, .csv or .xlsx")


async def import_rooms(path: Path | str) -> int:
    """Import the file's rooms into the open database, all or nothing; returns how many."""
    return await import_rows(read_rows(Path(path)))


def run_import(path: Path | str) -> int:
    """Open the configured database, import, close (for the CLI)."""
    import asyncio

    from bot.db import close_db, open_db

    async def main() -> int:
        await open_db()
        try:
            return await import_rooms(path)
        finally:
            await close_db()

    return asyncio.run(main())
