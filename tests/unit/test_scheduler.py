"""The scheduler with a fixed clock: one run per period, catch-up, workdays, /jobs data."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from models.core import JobRun
from scheduler import JOBS, JobSpec, register, runner
from services import jobs

SH = ZoneInfo("Asia/Shanghai")
SETTINGS = SimpleNamespace(timezone="Asia/Shanghai", test_report_time="08:30")


@pytest.fixture
def only_test_jobs() -> Iterator[list[datetime]]:
    """Replace the job table with test jobs that record when they ran."""
    saved = dict(JOBS)
    JOBS.clear()
    calls: list[datetime] = []

    async def record(now: datetime) -> str:
        calls.append(now)
        await asyncio.sleep(0.01)  # let the other replicas interleave
        return f"run {len(calls)}"

    register(JobSpec("test.daily", record, at="test_report_time", workdays_only=True))
    yield calls
    JOBS.clear()
    JOBS.update(saved)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)  # type: ignore[misc]


async def test_three_replicas_ticking_together_run_the_job_once_per_period(
    db: str, only_test_jobs: list[datetime]
) -> None:
    now = at(2026, 11, 26, 8, 30, 5)
    results = await asyncio.gather(
        *(runner.tick(SETTINGS, now + timedelta(seconds=i), owner=f"replica-{i}")
          for i in range(3))
    )
    assert sorted(len(r) for r in results) == [0, 0, 1]
    assert len(only_test_jobs) == 1
    runs = await JobRun.filter(job="test.daily")
    assert [(r.period, r.status, r.detail) for r in runs] == [("2026-11-26", "ok", "run 1")]
    # Later ticks of the same day, by any replica, do nothing; the next workday runs again.
    for i in range(3):
        assert await runner.tick(SETTINGS, at(2026, 11, 26, 9, 0), owner=f"replica-{i}") == []
    assert await runner.tick(SETTINGS, at(2026, 11, 27, 8, 31), owner="replica-2") == [
        "test.daily"
    ]
    assert len(only_test_jobs) == 2


async def test_concurrent_claims_of_one_period_let_exactly_one_through(db: str) -> None:
    claims = await asyncio.gather(
        *(jobs.claim_period("test.race", "2026-11-26", f"replica-{i}") for i in range(3))
    )
    assert sum(c is not None for c in claims) == 1
    assert await JobRun.filter(job="test.race").count() == 1


async def test_nothing_runs_before_the_time(db: str, only_test_jobs: list[datetime]) -> None:
    assert await runner.tick(SETTINGS, at(2026, 11, 26, 8, 29)) == []
    assert only_test_jobs == [] and await JobRun.all().count() == 0


async def test_restart_within_the_grace_window_catches_up(
    db: str, only_test_jobs: list[datetime]
) -> None:
    # Down from 08:00 to 10:45: the 08:30 run still happens when the process comes back.
    assert await runner.tick(SETTINGS, at(2026, 11, 26, 10, 45)) == ["test.daily"]
    run = await JobRun.get(job="test.daily")
    assert (run.period, run.status) == ("2026-11-26", "ok")


async def test_restart_beyond_the_grace_window_skips_and_records_the_missed_run(
    db: str, only_test_jobs: list[datetime]
) -> None:
    assert await runner.tick(SETTINGS, at(2026, 11, 26, 11, 31)) == []
    assert only_test_jobs == []
    run = await JobRun.get(job="test.daily")
    assert (run.period, run.status) == ("2026-11-26", "skipped")
    assert "missed 2026-11-26 08:30" in run.detail
    # Recorded once, not at every tick.
    await runner.tick(SETTINGS, at(2026, 11, 26, 12, 0))
    assert await JobRun.filter(job="test.daily").count() == 1


async def test_workday_job_skips_national_day_and_runs_on_the_adjusted_weekend_days(
    db: str, only_test_jobs: list[datetime]
) -> None:
    days = {
        (2026, 9, 19): False,  # Saturday
        (2026, 9, 20): True,  # Sunday made a workday (调休) for National Day
        (2026, 10, 1): False,  # National Day, a Thursday
        (2026, 10, 5): False,  # Monday inside the holiday
        (2026, 10, 9): True,  # Friday after the holiday
        (2026, 10, 10): True,  # Saturday made a workday
        (2026, 10, 11): False,  # an ordinary Sunday
    }
    for (y, m, d), expected in days.items():
        ran = await runner.tick(SETTINGS, at(y, m, d, 9, 0))
        assert (ran == ["test.daily"]) is expected, (y, m, d)
    assert [c.date().isoformat() for c in only_test_jobs] == [
        "2026-09-20", "2026-10-09", "2026-10-10"
    ]
    spec = JOBS["test.daily"]
    assert runner.next_run(spec, at(2026, 9, 30, 9, 0), SH, SETTINGS) == at(2026, 10, 8, 8, 30)
    assert runner.next_run(spec, at(2026, 9, 19, 9, 0), SH, SETTINGS) == at(2026, 9, 20, 8, 30)


async def test_weekly_workday_job_moves_off_a_monday_holiday(db: str) -> None:
    async def noop(now: datetime) -> None:
        return None

    spec = JobSpec("test.weekly", noop, at="08:30", weekday=0, workdays_only=True)
    # Monday 2026-10-05 is inside the National Day holiday: the first workday is Thursday 10-08.
    assert runner.scheduled_at(spec, at(2026, 10, 6, 12, 0), SH, SETTINGS) == at(
        2026, 10, 8, 8, 30
    )
    assert runner.next_run(spec, at(2026, 10, 1, 0, 0), SH, SETTINGS) == at(2026, 10, 8, 8, 30)
    assert runner.next_run(spec, at(2026, 11, 26, 0, 0), SH, SETTINGS) == at(2026, 11, 30, 8, 30)
    assert runner.period_key(spec, at(2026, 10, 8, 8, 30), SH) == "2026-W41"


async def test_failing_job_is_recorded_with_its_error_and_others_still_run(
    db: str, only_test_jobs: list[datetime]
) -> None:
    async def broken(now: datetime) -> None:
        raise RuntimeError("ledger unavailable")

    register(JobSpec("test.broken", broken, every=timedelta(minutes=1)))
    ran = await runner.tick(SETTINGS, at(2026, 11, 26, 8, 30))
    assert sorted(ran) == ["test.broken", "test.daily"]
    broken_run = await JobRun.get(job="test.broken")
    assert broken_run.status == "error" and "ledger unavailable" in broken_run.detail


async def test_overview_lists_next_and_last_run(db: str, only_test_jobs: list[datetime]) -> None:
    await runner.tick(SETTINGS, at(2026, 11, 26, 8, 30))
    [status] = await runner.overview(SETTINGS, at(2026, 11, 26, 9, 0))
    assert status.name == "test.daily"
    assert status.next_run == at(2026, 11, 27, 8, 30)
    assert status.last is not None and status.last.status == "ok"


LEASED = SimpleNamespace(timezone="Asia/Shanghai", test_report_time="08:30",
                         lease_seconds=0.5, heartbeat_seconds=0.1)


async def test_a_run_whose_owner_died_is_taken_over_and_completed_once(
    db: str, only_test_jobs: list[datetime]
) -> None:
    from services import clock

    now = at(2026, 11, 26, 8, 30, 5)
    # A replica on another host claimed the period and was killed mid-run: its lease ran out.
    await JobRun.create(job="test.daily", period="2026-11-26", started_at=now,
                        owner="gone-host:7:abc:jobs:1",
                        lease_until=clock.now() - timedelta(seconds=1))
    assert await runner.tick(LEASED, now + timedelta(minutes=1), owner="replica-2") == [
        "test.daily"]
    for i in range(3):
        assert await runner.tick(LEASED, now + timedelta(minutes=2), owner=f"replica-{i}") == []
    run = await JobRun.get(job="test.daily")
    assert (run.status, run.owner, len(only_test_jobs)) == ("ok", "replica-2", 1)
    assert run.detail == "run 1" and run.lease_until is None


async def test_a_living_owners_long_run_is_never_taken_over(db: str) -> None:
    saved = dict(JOBS)
    JOBS.clear()
    calls: list[datetime] = []

    async def slow(now: datetime) -> str:
        calls.append(now)
        await asyncio.sleep(1.5)  # three leases long: only the heartbeat keeps it
        return "done"

    register(JobSpec("test.slow", slow, at="test_report_time"))
    try:
        now = at(2026, 11, 26, 8, 30, 5)
        first = asyncio.create_task(runner.tick(LEASED, now, owner="replica-0"))
        for i in range(1, 8):
            await asyncio.sleep(0.2)
            assert await runner.tick(LEASED, now, owner=f"replica-{i}") == []
        assert await first == ["test.slow"]
    finally:
        JOBS.clear()
        JOBS.update(saved)
    assert len(calls) == 1
    assert (await JobRun.get(job="test.slow")).status == "ok"
