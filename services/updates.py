"""Updates handled once: a replayed Telegram update finds its id recorded and does nothing."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.core import ProcessedUpdate


async def already_processed(update_id: int) -> bool:
    return await ProcessedUpdate.filter(update_id=update_id).exists()


async def record_processed(update_id: int) -> None:
    """Record the update as processed (a second record of the same id is ignored)."""
    try:
        await ProcessedUpdate.create(update_id=update_id)
    except IntegrityError:
        pass
