"""The daily report (a person's own, or the office's) and the to-do list, from the providers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from models.core import ChatPurpose, Role, Staff
from services import outbox
from services.reports import MINE, OFFICE, TODO, Item, Period, ensure_loaded
from services.staff import purposes_of, staff_with_role

log = logging.getLogger(__name__)
Block = tuple[str, list[Item]]


async def _collect(providers: dict[str, tuple[int, Any]],
                   call: Callable[[Any], Awaitable[list[Item]]]) -> list[Block]:
    ensure_loaded()
    blocks = []
    for name, (_, func) in sorted(providers.items(), key=lambda kv: (kv[1][0], kv[0])):
        try:
            items = await call(func)
        except Exception:
            log.exception("report provider %s failed", name)
            continue
        blocks.append((name, items))
    return blocks


async def mine(staff: Staff, day: date, now: datetime, tz: ZoneInfo) -> list[Block]:
    """What the day holds for this person, feature by feature."""
    period = Period.of("day", day, tz)
    return await _collect(MINE, lambda func: func(staff, period, now))


async def office(day: date, now: datetime, tz: ZoneInfo) -> list[Block]:
    """What the day holds for the office, feature by feature."""
    period = Period.of("day", day, tz)
    return await _collect(OFFICE, lambda func: func(period, now))


async def todo(staff: Staff, now: datetime) -> list[Block]:
    """Everything waiting for this person, feature by feature (empty features left out)."""
    blocks = await _collect(TODO, lambda func: func(staff, now))
    return [(name, items) for name, items in blocks if items]


async def office_scope(chat_id: int) -> bool:
    """True when the chat is a group bound for the office or the leaders."""
    return bool(set(await purposes_of(chat_id)) & {ChatPurpose.OFFICE, ChatPurpose.LEADERS})


async def push_daily(now: datetime, tz: ZoneInfo) -> str:
    """Queue today's report for the office group and each leader (once a day each)."""
    day = now.astimezone(tz).date().isoformat()
    group = await outbox.emit_to_purpose(
        ChatPurpose.OFFICE, "reports.daily", {"scope": "office", "day": day, "tz": tz.key},
        f"reports:daily:{day}",
    )
    leaders = 0
    for leader in await staff_with_role(Role.LEADER):
        row = await outbox.emit_to_staff(
            leader, "reports.daily", {"scope": "mine", "staff_id": leader.id, "day": day,
                     "tz": tz.key},
            f"reports:daily:{day}",
        )
        leaders += row is not None
    return f"{day}: office group {'queued' if group else 'not queued'}, {leaders} leaders"


async def push_weekly(now: datetime, tz: ZoneInfo) -> str:
    """Queue last week's report with its chart for the office group and each leader."""
    last_week = Period.of("week", now.astimezone(tz).date(), tz).previous()
    first = last_week.first.isoformat()
    payload = {"kind": "week", "first": first, "tz": tz.key}
    group = await outbox.emit_to_purpose(ChatPurpose.OFFICE, "reports.period", payload,
                                         f"reports:weekly:{first}")
    leaders = 0
    for leader in await staff_with_role(Role.LEADER):
        leaders += await outbox.emit_to_staff(leader, "reports.period", payload,
                                              f"reports:weekly:{first}") is not None
    state = "queued" if group else "not queued"
    return f"week of {first}: office group {state}, {leaders} leaders"
