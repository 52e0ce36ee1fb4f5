"""Updates handled once: a replayed Telegram update finds its id taken and does nothing."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.core import ProcessedUpdate


async def claim_update(update_id: int) -> bool:
    """Record the update as processed; False when it was processed before."""
    try:
        await ProcessedUpdate.create(update_id=update_id)
    except IntegrityError:
        return False
    return True
