"""Document jobs: chase deadlines in office hours, push Friday's supervision bulletin."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import current_settings, job
from services import documents


@job("documents.chase", every=timedelta(minutes=15))
async def chase(now: datetime) -> str:
    """Chase yellow and red tasks (each level once a day, in office hours only)."""
    documents.configure(current_settings())
    counts = await documents.chasing.chase(now)
    return ", ".join(f"{k}={v}" for k, v in counts.items())


@job("documents.bulletin", at="documents_bulletin_time", weekday=4, workdays_only=True)
async def bulletin(now: datetime) -> str:
    """Queue this week's 督查专报 for the leaders' group (Friday afternoon)."""
    documents.configure(current_settings())
    return await documents.bulletin.push(now)
