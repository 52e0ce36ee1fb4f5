"""The one error handler: log with context, apologise in plain words, tell the admins calmly.

And the last word on a button press: any press that nothing answered (a forged or outdated
shape, a feature that bailed out) gets a polite answer, so no spinner hangs.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from pathlib import Path

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from handlers.common import answer_query, lang_of, was_answered
from handlers.texts import t
from services import security
from services.staff import find_staff

log = logging.getLogger("officebot.errors")
#: The bot's own folders: where in them an error was raised tells its kind.
_OURS = ("bot", "handlers", "services", "models", "scheduler")
_ROOT = Path(__file__).resolve().parents[1]
#: Runs after every feature's group, for every button press.
LAST_GROUP = 1000


def error_signature(error: BaseException) -> str:
    """The error's kind: its type and the innermost place in the bot's own code it came from."""
    place = ""
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(_ROOT) and path.relative_to(_ROOT).parts[0] in _OURS:
            place = f"{path.relative_to(_ROOT)}:{frame.name}"
    kind = f"{type(error).__module__}.{type(error).__qualname__}:{place}"
    return hashlib.sha1(kind.encode()).hexdigest()[:20]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs first, then answers the user and reports the kind of error to the admins."""
    error = context.error
    log.error("error while handling %s", update, exc_info=error)
    if not isinstance(update, Update) or error is None:
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
            await answer_query(update.callback_query, t("error.unexpected", lang), alert=True)
        elif chat is not None:
            await context.bot.send_message(chat.id, t("error.unexpected", lang))
    except Exception:
        log.exception("could not tell the user about the error")
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    try:
        await security.report_error(error_signature(error), summary, {
            "error": summary[:300],
            "user": (staff.name if staff else (user.full_name if user else "")),
            "chat": chat.id if chat else None,
            "update_id": update.update_id,
        })
    except Exception:
        log.exception("could not queue the error report")


async def answer_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press that no feature answered: say the button is not (or no longer) valid."""
    query = update.callback_query
    if query is None or was_answered(query):
        return
    staff = await find_staff(query.from_user.id)
    await answer_query(query, t("error.bad_button", lang_of(staff, context)), alert=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(answer_unanswered), group=LAST_GROUP)
    application.add_error_handler(on_error)
