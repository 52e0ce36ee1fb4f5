"""Who the bot listens to in a group: commands, @mentions of the bot and replies to its messages.

Office groups are full of people talking to each other ("明天的会改到3点，大家注意"). The bot
must not read that chatter as a request. One rule, applied once after every feature has added its
handlers: every message handler (everything but the command handlers) also needs the message to be
addressed to the bot when it comes from a group. Private chats are always addressed to the bot.
This is Telegram's own privacy mode, kept whatever the bot's privacy setting at @BotFather says.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Message, MessageEntity
from telegram.ext import Application, MessageHandler, filters

from models.core import Staff


def bot_mention(username: str | None) -> re.Pattern[str] | None:
    """The @mention of the bot in a text (case does not matter, as in Telegram)."""
    if not username:
        return None
    return re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)


def addressed(message: Message) -> bool:
    """Whether a message is for the bot: private, a reply to the bot, or naming the bot."""
    if message.chat.type == "private":
        return True
    bot = message.get_bot()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    for entity in (*(message.entities or ()), *(message.caption_entities or ())):
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return True
    mention = bot_mention(bot.username)
    text = message.text or message.caption or ""
    return bool(mention and mention.search(text))


class _Addressed(filters.MessageFilter):
    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return addressed(message)


#: Messages the bot may act on (private ones, and group ones addressed to it).
ADDRESSED = _Addressed(name="ADDRESSED")


def without_mention(text: str, username: str | None) -> str:
    """The text with the bot's @mention taken out (what the person asks of it)."""
    mention = bot_mention(username)
    return mention.sub(" ", text).strip() if mention else text


def guard_groups(application: Application) -> None:  # type: ignore[type-arg]
    """Make every message handler (commands excepted) act in groups only when addressed."""
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, MessageHandler):
                handler.filters = ADDRESSED & handler.filters


#: Each feature's open dialog that listens to typed text: `probe(staff) -> text key or None`.
#: A message plainly meant for another feature goes there, and the open dialog is named once.
DraftProbe = Callable[[Staff], Awaitable[str | None]]
DRAFT_PROBES: list[DraftProbe] = []


def add_draft_probe(probe: DraftProbe) -> None:
    if probe not in DRAFT_PROBES:
        DRAFT_PROBES.append(probe)


async def open_drafts(staff: Staff) -> list[str]:
    """The text keys naming the person's open dialogs (a supply request being written…)."""
    found = []
    for probe in DRAFT_PROBES:
        key = await probe(staff)
        if key:
            found.append(key)
    return found
