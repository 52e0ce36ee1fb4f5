"""The one error handler: log with context, apologise in plain words, tell the admins."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import lang_of
from handlers.texts import t
from services import outbox
from services.staff import find_staff

log = logging.getLogger("officebot.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs first, then answers the user and queues a report for the admins."""
    error = context.error
    log.error("error while handling %s", update, exc_info=error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    chat = update.effective_chat
    staff = None
    try:
        staff = await find_staff(user.id) if user else None
    except Exception:  # the database may be what failed
        log.exception("could not look up the user while reporting an error")
    lang = lang_of(staff, context)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t("error.unexpected", lang)[:200], show_alert=True)
        elif chat is not None:
            await context.bot.send_message(chat.id, t("error.unexpected", lang))
    except Exception:
        log.exception("could not tell the user about the error")
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    try:
        await outbox.emit_to_admins(
            "core.error_report",
            {
                "error": summary[:300],
                "user": (staff.name if staff else (user.full_name if user else "")),
                "chat": chat.id if chat else None,
                "update_id": update.update_id,
            },
            f"error:{update.update_id}",
        )
    except Exception:
        log.exception("could not queue the error report")
