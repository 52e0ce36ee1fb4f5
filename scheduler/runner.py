"""The ticker: decides which jobs are due, claims their period, runs them, records the result."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.core import JobRun
from scheduler import JOBS, JobSpec
from services import clock, jobs, workdays

log = logging.getLogger("officebot.scheduler")
OWNER = f"{socket.gethostname()}:{os.getpid()}"


def run_time(spec: JobSpec, settings: Any) -> time | None:
    if spec.at is None:
        return None
    text = spec.at if ":" in spec.at else str(getattr(settings, spec.at))
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def period_key(spec: JobSpec, now: datetime, tz: ZoneInfo) -> str:
    local = now.astimezone(tz)
    if spec.every is not None:
        step = int(spec.every.total_seconds())
        floored = int(now.timestamp()) // step * step
        return datetime.fromtimestamp(floored, tz).strftime("%Y-%m-%dT%H:%M")
    if spec.weekday is not None:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def scheduled_at(spec: JobSpec, now: datetime, tz: ZoneInfo, settings: Any) -> datetime | None:
    """When this period's run was due (None when the job has no run in this period)."""
    at = run_time(spec, settings)
    if at is None:
        return None
    local = now.astimezone(tz)
    day = local.date()
    if spec.weekday is not None:
        day = day - timedelta(days=(day.weekday() - spec.weekday) % 7)
    if spec.workdays_only and not workdays.is_workday(day):
        return None
    return datetime.combine(day, at, tz)


def is_due(spec: JobSpec, now: datetime, tz: ZoneInfo, settings: Any) -> bool:
    if spec.every is not None:
        return True
    due = scheduled_at(spec, now, tz, settings)
    return due is not None and due <= now < due + spec.grace


def next_run(spec: JobSpec, now: datetime, tz: ZoneInfo, settings: Any) -> datetime | None:
    """The next scheduled time after now (for /jobs)."""
    if spec.every is not None:
        step = int(spec.every.total_seconds())
        return datetime.fromtimestamp((int(now.timestamp()) // step + 1) * step, tz)
    at = run_time(spec, settings)
    if at is None:
        return None
    local = now.astimezone(tz)
    for offset in range(0, 370):
        day = local.date() + timedelta(days=offset)
        if spec.weekday is not None and day.weekday() != spec.weekday:
            continue
        if spec.workdays_only and not workdays.is_workday(day):
            continue
        candidate = datetime.combine(day, at, tz)
        if candidate > now:
            return candidate
    return None


async def run_job(spec: JobSpec, now: datetime, tz: ZoneInfo) -> JobRun | None:
    """Claim this period and run the job; None when the period was already claimed."""
    run = await jobs.claim_period(spec.name, period_key(spec, now, tz), OWNER)
    if run is None:
        return None
    try:
        detail = await spec.func(now)
    except Exception as exc:
        log.exception("job %s failed", spec.name)
        await jobs.finish(run, "error", f"{type(exc).__name__}: {exc}")
    else:
        await jobs.finish(run, "ok", detail or "")
    return run


async def tick(settings: Any, now: datetime | None = None) -> list[str]:
    """Run every job that is due now; returns the names that ran in this process."""
    now = now or clock.now()
    tz = ZoneInfo(settings.timezone)
    ran = []
    for spec in list(JOBS.values()):
        if is_due(spec, now, tz, settings) and await run_job(spec, now, tz) is not None:
            ran.append(spec.name)
    return ran
