"""Updates act once: an update is recorded as processed only after its handlers ran.

Recording after (not before) means a crash mid-way leaves the update unrecorded, so Telegram's
redelivery (webhook unanswered, or polling offset not yet confirmed) acts on it again rather
than dropping it; a replay of an update that completed finds its record and does nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application

from handlers.boundary import clean_update
from services.updates import already_processed, record_processed

log = logging.getLogger(__name__)


class OnceApplication(Application):  # type: ignore[type-arg]
    """A PTB Application that skips updates already processed and records the ones it ran."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._in_flight: set[int] = set()

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        update = clean_update(update, self.bot)
        update_id = update.update_id
        if update_id in self._in_flight or await already_processed(update_id):
            log.info("update %s was already processed; ignoring the replay", update_id)
            return
        self._in_flight.add(update_id)
        try:
            await super().process_update(update)
            await record_processed(update_id)
        finally:
            self._in_flight.discard(update_id)

    async def process_stored(self, update: Update) -> None:
        """An update claimed from the inbox: cleaned when stored, never stored once processed,
        and recorded as processed with its row's removal (services.updates.finish)."""
        await super().process_update(update)
