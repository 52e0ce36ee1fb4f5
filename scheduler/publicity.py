"""Publicity jobs: chasing drafting deadlines (and finishing interrupted 签发), and the quarter's
ranking pushed to the office group on the quarter's last workday."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services.publicity import bulletin, config, drafting, info


@job("publicity.chase", every=timedelta(minutes=5))
async def chase(now: datetime) -> str:
    """Remind drafters the workday before and on the deadline's day (in working hours), tell
    them and the assigner once when it passed; archive issues a crash left unrendered."""
    counts = await drafting.chase(now)
    counts["archived"] = await bulletin.finish_unarchived()
    return ", ".join(f"{k}={v}" for k, v in counts.items())


@job("publicity.ranking", at="16:30", workdays_only=True)
async def push_ranking(now: datetime) -> str:
    """On the quarter's last workday, push its ranking and chart to the office group (once)."""
    return await info.push_ranking(now.astimezone(config.tz()).date())
