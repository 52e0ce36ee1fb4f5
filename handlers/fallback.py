"""The last word on a message: nothing a person says to the bot goes unanswered.

A command no feature knows (/foo) is named back with /help; a private message from a registered
person that no feature answered gets a short hint of what the bot understands; a stranger hears
how to join. Runs after every feature's group, so a feature that answered (or stopped the
update) is never doubled.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from handlers.common import make_ctx, was_replied
from handlers.routing import ADDRESSED

#: After the features' groups, before the last word on buttons (errors.LAST_GROUP).
FALLBACK_GROUP = 900


def _known_commands(application: Application) -> set[str]:  # type: ignore[type-arg]
    known: set[str] = set()
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                known |= set(handler.commands)
    return known


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have: say so, and where the list is."""
    message = update.effective_message
    if message is None or was_replied(context):
        return
    word = (message.text or "").split(maxsplit=1)[0] if message.text else ""
    name, _, to_bot = word[1:].partition("@")
    if to_bot and to_bot.lower() != (context.bot.username or "").lower():
        return  # another bot's command in a group
    if name.lower() in _known_commands(context.application):
        return
    ctx = await make_ctx(update, context)
    await ctx.reply(ctx.t("error.unknown_command", command="/" + name[:32]))


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message no feature answered: a hint of what the bot understands."""
    if was_replied(context):
        return
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        await ctx.reply(ctx.t("error.not_registered"))
        return
    await ctx.reply(ctx.t("talk.not_understood"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(
        MessageHandler(filters.COMMAND & ADDRESSED, unknown_command), group=FALLBACK_GROUP)
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, unanswered),
        group=FALLBACK_GROUP)
