"""Opinion jobs: poll the feeds, escalate unacknowledged alerts, send the daily report."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services.opinion import config, handling, report, sources


@job("opinion.poll", every=timedelta(minutes=1))
async def poll_feeds(now: datetime) -> str:
    """Poll every feed whose interval has passed."""
    fetcher = config.fetcher()
    if fetcher is None:
        return "no feed fetcher configured"
    results = await sources.poll_due(fetcher, now)
    failed = [r.source for r in results if not r.ok]
    new = sum(r.new_items for r in results)
    return f"{len(results)} polled, {new} new items, failed: {', '.join(failed) or 'none'}"


@job("opinion.escalate", every=timedelta(minutes=5))
async def escalate(now: datetime) -> str:
    """Send again, and to the leaders, alerts nobody acknowledged in time."""
    return f"{await handling.escalate_due(now)} escalated"


@job("opinion.daily_report", at="opinion_report_time")
async def daily_report(now: datetime) -> str:
    """Send the day's opinion report (a zero report when nothing negative was found)."""
    return await report.send_daily_report(now)
