"""Reports: a registry each feature adds its figures, daily items and to-dos to.

A feature writes a small module `services/reports/<feature>.py` that imports its own services
and registers providers with `@section`, `@mine`, `@office` and `@todo`. `load_providers()`
imports every such module; one whose feature is missing fails to import and simply adds
nothing. Providers return data (numbers, `Item`s with text codes and params), never sentences.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.core import Staff
from services.errors import InvalidInput
from services.inputs import to_int

log = logging.getLogger(__name__)

PERIOD_KINDS = ("day", "week", "month", "year")
#: Years a report may be asked for (anything else is a typo).
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    """A report period in the office's zone: [first, after) in local days."""

    kind: str
    first: date
    after: date
    tz: ZoneInfo

    @classmethod
    def of(cls, kind: str, day: date, tz: ZoneInfo) -> Period:
        """The day, ISO week, month or year holding `day`."""
        if kind == "day":
            return cls(kind, day, day + timedelta(days=1), tz)
        if kind == "week":
            first = day - timedelta(days=day.weekday())
            return cls(kind, first, first + timedelta(days=7), tz)
        if kind == "month":
            first = day.replace(day=1)
            return cls(kind, first, (first + timedelta(days=32)).replace(day=1), tz)
        if kind == "year":
            return cls(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1), tz)
        raise InvalidInput("reports.error.bad_period", value=kind)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.after, time(0), self.tz)

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    def previous(self) -> Period:
        return Period.of(self.kind, self.first - timedelta(days=1), self.tz)

    def months(self) -> list[Period]:
        """The months inside this period (a year's twelve)."""
        result, day = [], self.first
        while day < self.after:
            month = Period.of("month", day, self.tz)
            result.append(month)
            day = month.after
        return result


@dataclass(frozen=True)
class Item:
    """One line of a daily report or a to-do: a text code with its params, maybe a button.

    `button` is (label code, feature, action, id): a callback of the feature that owns the
    item. `command` instead names a command that opens it (e.g. "pending").
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    button: tuple[str, str, str, str] | None = None
    command: str | None = None


Figures = dict[str, float]
FiguresFunc = Callable[[datetime, datetime], Awaitable[Figures]]
MineFunc = Callable[[Staff, Period, datetime], Awaitable[list[Item]]]
OfficeFunc = Callable[[Period, datetime], Awaitable[list[Item]]]
TodoFunc = Callable[[Staff, datetime], Awaitable[list[Item]]]


@dataclass(frozen=True)
class Section:
    """A feature's figures over a period; `metrics` orders them in reports."""

    name: str
    func: FiguresFunc
    metrics: tuple[str, ...]
    order: int = 50
    #: Picks a wording of the annual sentence from the figures (None = the plain one).
    variant: Callable[[Figures], str | None] | None = None


SECTIONS: dict[str, Section] = {}
MINE: dict[str, tuple[int, MineFunc]] = {}
OFFICE: dict[str, tuple[int, OfficeFunc]] = {}
TODO: dict[str, tuple[int, TodoFunc]] = {}
_loaded = False


def none_when_idle(figures: Figures) -> str | None:
    """The "none" wording of a section whose figures are all zero (a blank text drops it)."""
    return "none" if not any(figures.values()) else None


def section(name: str, metrics: tuple[str, ...], order: int = 50,
            variant: Callable[[Figures], str | None] | None = None
            ) -> Callable[[FiguresFunc], FiguresFunc]:
    """Register the feature's figures `func(start, end) -> {metric: number}`."""

    def wrap(func: FiguresFunc) -> FiguresFunc:
        SECTIONS[name] = Section(name, func, metrics, order, variant)
        return func

    return wrap


def mine(name: str, order: int = 50) -> Callable[[MineFunc], MineFunc]:
    """Register what the person's own daily report shows of this feature."""

    def wrap(func: MineFunc) -> MineFunc:
        MINE[name] = (order, func)
        return func

    return wrap


def office(name: str, order: int = 50) -> Callable[[OfficeFunc], OfficeFunc]:
    """Register what the office group's daily report shows of this feature."""

    def wrap(func: OfficeFunc) -> OfficeFunc:
        OFFICE[name] = (order, func)
        return func

    return wrap


def todo(name: str, order: int = 50) -> Callable[[TodoFunc], TodoFunc]:
    """Register what of this feature waits for the person (for /todo)."""

    def wrap(func: TodoFunc) -> TodoFunc:
        TODO[name] = (order, func)
        return func

    return wrap


def load_providers() -> list[str]:
    """Import every provider module; a feature that is not installed adds nothing."""
    global _loaded
    loaded = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name in ("figures", "daily"):
            continue
        try:
            importlib.import_module(f"{__name__}.{info.name}")
        except ImportError as exc:
            log.info("report provider %s is not available: %s", info.name, exc)
            continue
        loaded.append(info.name)
    _loaded = True
    return loaded


def ensure_loaded() -> None:
    if not _loaded:
        load_providers()


def parse_year(text: str | None, today: date) -> int:
    """The year asked for: '2026', '2026年', '今年', '去年', or this year when empty."""
    if not text:
        return today.year
    word = text.strip().removesuffix("年")
    relative = {"今": 0, "本": 0, "去": -1, "上": -1, "前": -2}
    if word in relative:
        return today.year + relative[word]
    year = to_int(word, low=FIRST_YEAR, high=LAST_YEAR)
    if year is None:
        raise InvalidInput("reports.error.bad_year", value=text[:20], first=FIRST_YEAR,
                           last=today.year)
    if year > today.year:
        raise InvalidInput("reports.error.future_year", value=year, last=today.year)
    return year
