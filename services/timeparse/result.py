"""What a parse gives back: the public result, the question codes, and the internal hit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

Q_AM_OR_PM = "am_or_pm"
Q_PAST_DATE = "past_date"
Q_NEED_CLOCK_TIME = "need_clock_time"
Q_AMBIGUOUS_DATE = "ambiguous_date"
Q_WEEKDAY_MISMATCH = "weekday_mismatch"
Q_LAST_OR_NEXT = "last_or_next"
Q_VAGUE_TIME = "vague_time"
Q_NO_SUCH_DATE = "no_such_date"
Q_UNCLEAR_PART = "unclear_part"
Q_END_BEFORE_START = "end_before_start"
Q_OUT_OF_RANGE = "out_of_range"

#: Questions whose readings disagree so much that no start or end is given with them.
NO_TIMES = frozenset(
    {
        Q_NO_SUCH_DATE, Q_AM_OR_PM, Q_AMBIGUOUS_DATE, Q_WEEKDAY_MISMATCH, Q_LAST_OR_NEXT,
        Q_VAGUE_TIME, Q_UNCLEAR_PART, Q_END_BEFORE_START,
    }
)  # fmt: skip


@dataclass(frozen=True)
class TimeParse:
    """Hold what a text says about time, or the question to ask back."""

    status: str  # "ok" | "ask" | "none"
    start: datetime | None = None
    end: datetime | None = None
    grain: str | None = None  # "minute" | "hour" | "day" | "week" | "month" | "year"
    duration: timedelta | None = None
    recurrence: str | None = None
    workdays_only: bool = False
    deadline: bool = False
    question: str | None = None
    question_params: Mapping[str, Any] = field(default_factory=dict)
    span: tuple[int, int] | None = None
    rest: str = ""
    part: str | None = None  # the part of day when start/end are its window (no clock time)


class Ask(Exception):
    """Carry a question out of resolution."""

    def __init__(self, code: str, params: dict[str, Any]) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Hit:
    """Collect the result of one matched expression."""

    begin: int
    stop: int
    start: datetime | None = None
    end: datetime | None = None
    grain: str | None = None
    duration: timedelta | None = None
    recurrence: str | None = None
    workdays_only: bool = False
    deadline: bool = False
    question: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    part: str | None = None  # a part of day with no clock time: start/end are its window
