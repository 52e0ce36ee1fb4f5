"""Scheduled-job runs: each (job, period) is claimed once in the database, whoever runs it.

A run is leased to its owner, who renews the lease by a heartbeat while the job works; a run
still `running` past its lease lost its owner (killed) and is taken over by the next tick and
completed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.core import JobRun
from services import clock, leases

RUNNING = "running"
#: Used when a caller gives no lease (tools, old callers).
DEFAULT_LEASE = timedelta(seconds=30)


def _orphaned() -> Q:
    now = clock.now()
    return Q(status=RUNNING) & (Q(lease_until__lt=now) | Q(lease_until__isnull=True))


async def is_settled(job: str, period: str) -> bool:
    """True when the period has a finished run or one whose owner still lives."""
    run = await JobRun.get_or_none(job=job, period=period)
    if run is None:
        return False
    if run.status != RUNNING:
        return True
    return not (run.lease_until is None or run.lease_until < clock.now()
                or leases.is_dead_here(run.owner))


async def claim_period(job: str, period: str, owner: str = "",
                       lease: timedelta = DEFAULT_LEASE) -> JobRun | None:
    """Claim the job's period; None when another replica or an earlier run already has it.

    A run whose owner is gone (its lease ran out, or its process on this host is dead) is
    taken over: the run is ours and the job runs again to completion.
    """
    now = clock.now()
    try:
        return await JobRun.create(job=job, period=period, started_at=now, owner=owner,
                                   lease_until=now + lease)
    except IntegrityError:
        pass
    run = await JobRun.get_or_none(job=job, period=period)
    if run is None or run.status != RUNNING:
        return None
    orphan = _orphaned()
    if leases.is_dead_here(run.owner):
        orphan = Q(status=RUNNING)
    previous = run.owner
    won = await JobRun.filter(Q(id=run.id, owner=previous) & orphan).update(
        owner=owner, lease_until=now + lease,
        detail=f"taken over from {previous}"[:2000])
    if not won:
        return None
    return await JobRun.get(id=run.id)


async def renew(run: JobRun, lease: timedelta) -> bool:
    """The heartbeat: False when the run is no longer ours."""
    return bool(await JobRun.filter(id=run.id, owner=run.owner, status=RUNNING).update(
        lease_until=clock.now() + lease))


async def finish(run: JobRun, status: str = "ok", detail: str = "") -> None:
    run.status, run.detail, run.finished_at = status, detail[:2000], clock.now()
    run.lease_until = None
    await JobRun.filter(id=run.id, owner=run.owner).update(
        status=run.status, detail=run.detail, finished_at=run.finished_at, lease_until=None)


async def last_runs(job: str, limit: int = 1) -> Sequence[JobRun]:
    return await JobRun.filter(job=job).order_by("-started_at").limit(limit)
