"""The ticker: decides which jobs are due, claims their period, runs them, records the result."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.core import JobRun
from scheduler import JOBS, JobSpec, use_settings
from services import clock, jobs, workdays
from services.leases import worker_id

log = logging.getLogger("officebot.scheduler")
OWNER = worker_id("jobs")
#: A run's lease and heartbeat (the tick passes the settings' lease_seconds/heartbeat_seconds).
LEASE = timedelta(seconds=30)
HEARTBEAT = 10.0


def run_time(spec: JobSpec, settings: Any) -> time | None:
    """The job's local time of day (from the spec or the setting it names)."""
    if spec.at is None:
        return None
    text = spec.at if ":" in spec.at else str(getattr(settings, spec.at))
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def period_key(spec: JobSpec, now: datetime, tz: ZoneInfo) -> str:
    """The period a run at `now` belongs to: the interval, the ISO week or the local day."""
    local = now.astimezone(tz)
    if spec.every is not None:
        step = int(spec.every.total_seconds())
        floored = int(now.timestamp()) // step * step
        return datetime.fromtimestamp(floored, tz).strftime("%Y-%m-%dT%H:%M")
    if spec.weekday is not None:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def run_day(spec: JobSpec, day: date) -> date | None:
    """The day of the period holding `day` on which the job runs (None: no run this period).

    A weekly job on workdays moves to the first workday of its week on or after its weekday
    (a Monday holiday pushes the Monday report to Tuesday, or later).
    """
    if spec.weekday is not None:
        target = day - timedelta(days=day.weekday()) + timedelta(days=spec.weekday)
        if spec.workdays_only:
            while not workdays.is_workday(target):
                target += timedelta(days=1)
                if target.weekday() == 0:
                    return None
        return target
    if spec.workdays_only and not workdays.is_workday(day):
        return None
    return day


def scheduled_at(spec: JobSpec, now: datetime, tz: ZoneInfo, settings: Any) -> datetime | None:
    """When this period's run was due (None when the job has no run in this period)."""
    at = run_time(spec, settings)
    if at is None:
        return None
    day = run_day(spec, now.astimezone(tz).date())
    return None if day is None else datetime.combine(day, at, tz)


def is_due(spec: JobSpec, now: datetime, tz: ZoneInfo, settings: Any) -> bool:
    if spec.every is not None:
        return True
    due = scheduled_at(spec, now, tz, settings)
    return due is not None and due <= now < due + spec.grace


def is_missed(spec: JobSpec, now: datetime, tz: ZoneInfo, settings: Any) -> bool:
    """True when this period's run time and its grace window have both passed."""
    if spec.every is not None:
        return False
    due = scheduled_at(spec, now, tz, settings)
    return due is not None and now >= due + spec.grace


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
        if run_day(spec, day) != day:
            continue
        candidate = datetime.combine(day, at, tz)
        if candidate > now:
            return candidate
    return None


async def run_job(spec: JobSpec, now: datetime, tz: ZoneInfo, owner: str = OWNER,
                  lease: timedelta = LEASE, heartbeat: float = HEARTBEAT) -> JobRun | None:
    """Claim this period and run the job; None when the period was already claimed.

    While the job works its lease is renewed every `heartbeat` seconds, so no other replica
    takes it over; if this process dies, the next tick anywhere takes the run over.
    """
    period = period_key(spec, now, tz)
    # A cheap look first; the unique key and the conditional takeover still decide races.
    if await jobs.is_settled(spec.name, period):
        return None
    run = await jobs.claim_period(spec.name, period, owner, lease)
    if run is None:
        return None
    beat = asyncio.create_task(_heartbeat(run, lease, heartbeat))
    try:
        detail = await spec.func(now)
    except Exception as exc:
        log.exception("job %s failed", spec.name)
        await jobs.finish(run, "error", f"{type(exc).__name__}: {exc}")
    else:
        await jobs.finish(run, "ok", detail or "")
    finally:
        beat.cancel()
        await asyncio.gather(beat, return_exceptions=True)
    return run


async def _heartbeat(run: JobRun, lease: timedelta, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            if not await jobs.renew(run, lease):
                log.warning("job run %s (%s) is no longer ours", run.id, run.job)
                return
        except Exception:
            log.exception("job heartbeat failed")


async def record_missed(spec: JobSpec, now: datetime, tz: ZoneInfo, settings: Any,
                        owner: str = OWNER) -> JobRun | None:
    """Record a period whose run was missed beyond the grace window (so /jobs shows it)."""
    period = period_key(spec, now, tz)
    if await JobRun.exists(job=spec.name, period=period):
        return None
    run = await jobs.claim_period(spec.name, period, owner, LEASE)
    if run is None:
        return None
    due = scheduled_at(spec, now, tz, settings)
    when = due.strftime("%Y-%m-%d %H:%M") if due else "?"
    await jobs.finish(run, "skipped", f"missed {when}: down beyond the {spec.grace} grace window")
    log.warning("job %s missed its run at %s", spec.name, when)
    return run


async def tick(settings: Any, now: datetime | None = None, owner: str | None = None) -> list[str]:
    """Run every job that is due now; returns the names that ran in this process."""
    now = now or clock.now()
    tz = ZoneInfo(settings.timezone)
    use_settings(settings)
    ran = []
    for spec in list(JOBS.values()):
        if is_due(spec, now, tz, settings):
            lease = timedelta(seconds=getattr(settings, "lease_seconds", LEASE.total_seconds()))
            heartbeat = float(getattr(settings, "heartbeat_seconds", HEARTBEAT))
            if await run_job(spec, now, tz, owner or OWNER, lease, heartbeat) is not None:
                ran.append(spec.name)
        elif is_missed(spec, now, tz, settings):
            await record_missed(spec, now, tz, settings, owner or OWNER)
    return ran


@dataclass(frozen=True)
class JobStatus:
    """What /jobs shows of one job."""

    name: str
    next_run: datetime | None
    last: JobRun | None
    every: timedelta | None
    at: time | None
    workdays_only: bool
    weekday: int | None


async def overview(settings: Any, now: datetime | None = None) -> list[JobStatus]:
    """Each registered job with its next run and its last recorded run."""
    now = now or clock.now()
    tz = ZoneInfo(settings.timezone)
    result = []
    for spec in sorted(JOBS.values(), key=lambda s: s.name):
        last = await JobRun.filter(job=spec.name).order_by("-started_at", "-id").first()
        result.append(JobStatus(spec.name, next_run(spec, now, tz, settings), last, spec.every,
                                run_time(spec, settings), spec.workdays_only, spec.weekday))
    return result
