"""Repair jobs: chase overdue repairs by their urgency."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services.repairs import work


@job("repairs.chase", every=timedelta(minutes=5))
async def chase(now: datetime) -> str:
    """Remind the handler (the office while unassigned) and the office group of late repairs."""
    return f"{await work.chase(now)} chased"
