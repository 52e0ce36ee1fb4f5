"""Internal codes that must never reach people (issue 17): what the leak checks look for.

Used by the e2e sandbox (every message the bot shows in every end-to-end test) and by
tests/unit/test_no_codes.py (every text of the catalogues, every view, in both languages).
"""

from __future__ import annotations

import enum
import functools
import importlib
import pkgutil
import re

import models

#: A recurrence rule (FREQ=WEEKLY;BYDAY=MO), an exception's class name, a traceback.
_TECHNICAL = re.compile(
    r"FREQ=|BYDAY=|RRULE|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|Traceback|[：:]\s*None\b|（None）"
)
#: A code in full-width brackets or after a full-width colon (the Chinese texts' places for
#: a name): （staff）, （cancelled）, 状态：pending; a snake_case code anywhere in brackets.
_SNAKE = re.compile(r"[（(]\s*[a-z]+(?:_[a-z]+)+\s*[)）]")


@functools.cache
def codes() -> frozenset[str]:
    """Every value of every enum of the models (roles, statuses, kinds), plus approval kinds."""
    found: set[str] = {"purchase", "supply_request", "room_booking", "reception"}
    for info in pkgutil.iter_modules(models.__path__):
        if info.name == "migrations":
            continue
        module = importlib.import_module(f"models.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum):
                found |= {str(member.value) for member in value
                          if re.fullmatch(r"[a-z_]{3,}", str(member.value))}
    return frozenset(found)


@functools.cache
def _named() -> re.Pattern[str]:
    words = "|".join(sorted(codes(), key=len, reverse=True))
    return re.compile(rf"（\s*(?:{words})\s*）|：\s*(?:{words})(?![A-Za-z_])")


#: The admins' report of an unexpected error names the error's type on purpose: it is what
#: they pass on to whoever maintains the bot.
_ADMIN_ERROR_REPORT = ("⚠️ 处理出错：", "⚠️ Error while handling")


def leaks(text: str) -> list[str]:
    """The internal codes a text shows people (empty when there is none)."""
    if text.startswith(_ADMIN_ERROR_REPORT):
        return []
    return [m.group(0) for pattern in (_TECHNICAL, _SNAKE, _named())
            for m in pattern.finditer(text)]
