"""Room jobs: reminders before meetings and releasing rooms nobody checked in to."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services.rooms import manage


@job("rooms.reminders", every=timedelta(minutes=1))
async def reminders(now: datetime) -> str | None:
    """Sweeps the bookings: due reminders out, unchecked rooms released."""
    return await manage.sweep(now)
