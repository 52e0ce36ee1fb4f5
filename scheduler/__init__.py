"""Scheduled jobs: a table of specs, driven by one ticker that claims each period in the DB.

Why one ticker instead of an APScheduler trigger per job: every job is decided from the clock
and the `job_run` table, so a restart catches up within the grace window, several replicas
never run one period twice, and tests drive `tick(now)` with a fixed clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

JobFunc = Callable[[datetime], Awaitable[str | None]]


@dataclass(frozen=True)
class JobSpec:
    """One job: a sweep (`every`) or a daily/weekly run at a local time (`at`)."""

    name: str
    func: JobFunc
    #: Run once per interval (sweeps that drive reminders and escalations from DB state).
    every: timedelta | None = None
    #: Local time "HH:MM", or the name of a setting holding it.
    at: str | None = None
    workdays_only: bool = False
    #: 0 = Monday; set for a weekly job.
    weekday: int | None = None
    #: A process down at the scheduled time still runs it if it starts within this window.
    grace: timedelta = timedelta(hours=3)


JOBS: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    JOBS[spec.name] = spec
    return spec


def job(name: str, **options: object) -> Callable[[JobFunc], JobFunc]:
    """Register the decorated coroutine `func(now) -> detail` as a scheduled job."""

    def wrap(func: JobFunc) -> JobFunc:
        register(JobSpec(name=name, func=func, **options))  # type: ignore[arg-type]
        return func

    return wrap


def load_all() -> None:
    """Import every job module of this package so their jobs register."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if info.name != "runner":
            importlib.import_module(f"{__name__}.{info.name}")


#: The settings of the ticking process, for jobs that need a setting (the time zone).
_settings: object | None = None


def use_settings(settings: object) -> None:
    """Remember the process settings for the jobs (the ticker calls this)."""
    global _settings
    _settings = settings


def current_settings() -> object | None:
    return _settings
