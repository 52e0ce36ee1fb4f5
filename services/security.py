"""The bot's own secrets, and unexpected errors grouped so that admins hear of each kind calmly."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.security import BotSecret, ErrorReport
from services import clock, outbox

WEBHOOK = "webhook"
#: The same kind of error is reported at most once in this window.
REPORT_WINDOW = timedelta(minutes=10)


async def shared_secret(name: str) -> str:
    """The secret of that name, made on first use and then the same for every replica."""
    found = await BotSecret.get_or_none(name=name)
    if found is not None:
        return found.value
    # 32 bytes, in the characters Telegram allows in a secret token (A-Z a-z 0-9 _ -).
    value = secrets.token_urlsafe(32)
    try:
        await BotSecret.create(name=name, value=value, created_at=clock.now())
    except IntegrityError:  # another replica made it first: use theirs
        return (await BotSecret.get(name=name)).value
    return value


async def webhook_secret(configured: str | None) -> str:
    """The webhook's secret token: the configured one, or one the bot made and keeps."""
    return configured if configured else await shared_secret(WEBHOOK)


@dataclass(frozen=True)
class ErrorSeen:
    """What to do about one occurrence: tell the admins now (with how many), or only count it."""

    report: bool
    count: int
    key: str


async def error_seen(signature: str, summary: str) -> ErrorSeen:
    """Count an occurrence; report when the kind is new or its window has passed."""
    now = clock.now()
    if not await ErrorReport.exists(signature=signature):
        try:
            await ErrorReport.create(signature=signature, summary=summary[:300],
                                     first_at=now, last_at=now)
        except IntegrityError:  # the same error in another update or replica, just now
            pass
    async with in_transaction():
        row = await ErrorReport.filter(signature=signature).select_for_update().get()
        row.total += 1
        row.pending += 1
        row.last_at = now
        due = row.reported_at is None or now - row.reported_at >= REPORT_WINDOW
        count = row.pending
        if due:
            row.reported_at, row.pending = now, 0
        await row.save()
    key = f"error:{signature}:{int(now.timestamp())}"
    return ErrorSeen(due, count, key)


async def report_error(signature: str, summary: str, payload: dict[str, object]) -> bool:
    """Queue the admins' report of an unexpected error unless the same kind was just reported."""
    seen = await error_seen(signature, summary)
    if not seen.report:
        return False
    await outbox.emit_to_admins("core.error_report", {**payload, "count": seen.count}, seen.key)
    return True
