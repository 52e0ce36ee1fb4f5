"""The figures of a period from every section, compared with the previous one, and the year."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from services.reports import SECTIONS, Figures, Period, Section, ensure_loaded

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], Awaitable[None]]


def sections() -> list[Section]:
    ensure_loaded()
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.name))


async def section_figures(section: Section, period: Period) -> Figures | None:
    """One section's figures; None (logged) when its feature cannot answer."""
    try:
        raw = await section.func(period.start, period.end)
    except Exception:
        log.exception("report section %s failed for %s", section.name, period)
        return None
    return {m: float(raw.get(m, 0) or 0) for m in section.metrics}


async def period_figures(period: Period) -> dict[str, Figures]:
    """Every available section's figures over the period, in report order."""
    result = {}
    for section in sections():
        found = await section_figures(section, period)
        if found is not None:
            result[section.name] = found
    return result


@dataclass(frozen=True)
class Change:
    """One metric this period and the previous one."""

    section: str
    metric: str
    current: float
    previous: float

    @property
    def delta(self) -> float:
        return self.current - self.previous

    @property
    def percent(self) -> float | None:
        return None if not self.previous else round(self.delta / self.previous * 100, 1)


@dataclass(frozen=True)
class Comparison:
    period: Period
    previous: Period
    changes: list[Change]


async def compare(period: Period) -> Comparison:
    """The period's figures beside the previous period's."""
    now_figures = await period_figures(period)
    before = period.previous()
    then_figures = await period_figures(before)
    changes = [
        Change(name, metric, value, then_figures.get(name, {}).get(metric, 0.0))
        for name, figures in now_figures.items()
        for metric, value in figures.items()
    ]
    return Comparison(period, before, changes)


@dataclass(frozen=True)
class YearInNumbers:
    """The year's figures per section, and each month's, for the annual summary."""

    year: int
    totals: dict[str, Figures]
    months: list[tuple[date, dict[str, Figures]]]
    variants: dict[str, str | None]


async def year_in_numbers(year: int, tz: ZoneInfo, progress: Progress | None = None
                          ) -> YearInNumbers:
    """Compute the year, month by month then as a whole, reporting progress as it goes."""
    period = Period.of("year", date(year, 1, 1), tz)
    months = period.months()
    steps = len(months) + 1
    by_month = []
    for index, month in enumerate(months, start=1):
        by_month.append((month.first, await period_figures(month)))
        if progress is not None:
            await progress(index, steps, month.first.isoformat())
    totals = await period_figures(period)
    if progress is not None:
        await progress(steps, steps, str(year))
    variants = {
        s.name: (s.variant(totals[s.name]) if s.variant else None)
        for s in sections() if s.name in totals
    }
    return YearInNumbers(year, totals, by_month, variants)
