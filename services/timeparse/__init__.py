"""Chinese date and time expressions for room bookings: parse, resolve, ask back when unsure.

Pure and I/O-free apart from ``main_parse_time`` (JSON lines in, JSON lines out). The
conventions are in docs/timeparse.md; questions are codes, worded by handlers/texts/timeparse.py.

The stages, one module each:

- ``numbers``, ``lexicon``: numerals, the words and patterns;
- ``anchors``: date parts an expression starts from (12月3日, 明天, 下周三, 下个月, 明年);
- ``clock``: clock times and the half of day a part of day fixes;
- ``compose``: the grammar that finds an expression and reads its pieces, alone or as a range;
- ``offsets``, ``recur``: lengths and offsets from now, recurrences;
- ``resolve``: pieces to datetimes, or the question to ask;
- ``consumed``: the check that every word bearing on time was read, else ``unclear_part``;
- ``api``: ``parse_time`` as callers see it; ``cli``: ``officebot parse-time``.
"""

from services.timeparse.api import parse_time
from services.timeparse.cli import main_parse_time
from services.timeparse.lexicon import POD_WINDOWS
from services.timeparse.result import (
    Q_AM_OR_PM,
    Q_AMBIGUOUS_DATE,
    Q_END_BEFORE_START,
    Q_LAST_OR_NEXT,
    Q_NEED_CLOCK_TIME,
    Q_NO_SUCH_DATE,
    Q_OUT_OF_RANGE,
    Q_PAST_DATE,
    Q_UNCLEAR_PART,
    Q_VAGUE_TIME,
    Q_WEEKDAY_MISMATCH,
    TimeParse,
)

__all__ = [
    "POD_WINDOWS",
    "Q_AMBIGUOUS_DATE",
    "Q_AM_OR_PM",
    "Q_END_BEFORE_START",
    "Q_LAST_OR_NEXT",
    "Q_NEED_CLOCK_TIME",
    "Q_NO_SUCH_DATE",
    "Q_OUT_OF_RANGE",
    "Q_PAST_DATE",
    "Q_UNCLEAR_PART",
    "Q_VAGUE_TIME",
    "Q_WEEKDAY_MISMATCH",
    "TimeParse",
    "main_parse_time",
    "parse_time",
]
