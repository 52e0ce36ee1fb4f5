"""Supplies jobs: the daily list of items below their safety stock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler import current_settings, job
from services.supplies import stock


@job("supplies.low_stock_digest", at="supplies_digest_time")
async def low_stock_digest(now: datetime) -> str:
    """Queue today's digest of items below their level to the office group."""
    zone = getattr(current_settings(), "timezone", "Asia/Shanghai")
    count = await stock.low_stock_digest(now, ZoneInfo(zone))
    return f"{count} below safety stock"
