"""Reception jobs: remind the host leader and the office the day before."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services.receptions import events


@job("receptions.remind", every=timedelta(minutes=15))
async def remind(now: datetime) -> str:
    """Remind of approved receptions starting within a day (each once)."""
    return f"reminded {await events.send_reminders(now)}"
