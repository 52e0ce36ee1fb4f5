"""Scheduled-job runs: each (job, period) is claimed once in the database, whoever runs it."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.exceptions import IntegrityError

from models.core import JobRun
from services import clock


async def claim_period(job: str, period: str, owner: str = "") -> JobRun | None:
    """Claim the job's period; None when another replica or an earlier run already has it."""
    try:
        return await JobRun.create(job=job, period=period, started_at=clock.now(), owner=owner)
    except IntegrityError:
        return None


async def finish(run: JobRun, status: str = "ok", detail: str = "") -> None:
    run.status, run.detail, run.finished_at = status, detail[:2000], clock.now()
    await run.save(update_fields=["status", "detail", "finished_at"])


async def last_runs(job: str, limit: int = 1) -> Sequence[JobRun]:
    return await JobRun.filter(job=job).order_by("-started_at").limit(limit)
