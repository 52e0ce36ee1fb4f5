"""Meeting jobs: remind those who have not replied (once), and those attending before the start."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services.meetings import sweep


@job("meetings.reminders", every=timedelta(minutes=1))
async def reminders(now: datetime) -> str:
    """Queue the due reply reminders and the reminders before meetings."""
    nudged = await sweep.nudge(now)
    reminded = await sweep.remind(now)
    return f"nudged {nudged}, reminded {reminded}"
