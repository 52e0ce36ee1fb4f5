"""Updates act once: the first handler group records each update id and stops replays."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from services.updates import claim_update

log = logging.getLogger(__name__)


async def once(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await claim_update(update.update_id):
        log.info("update %s was already processed; ignoring the replay", update.update_id)
        raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, once), group=-100)
