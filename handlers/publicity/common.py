"""What the publicity handlers share: the text after a command, role checks worded in the
user's language, sending stored files."""

from __future__ import annotations

import re
from datetime import date

from telegram import InlineKeyboardMarkup, InputFile, Message

from handlers.common import Ctx, plain
from models.core import Role
from services import clock
from services.errors import NotAllowed
from services.publicity import cards, config

OFFICE = (Role.OFFICE, Role.ADMIN)
OFFICE_AND_LEADERS = (Role.OFFICE, Role.LEADER, Role.ADMIN)
HELP_WORDS = ("帮助", "help", "?", "？", "用法")


def rest(ctx: Ctx) -> str:
    """The command's text after the command word (keeps line breaks)."""
    text = ctx.text.strip()
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def split_word(text: str) -> tuple[str, str]:
    """The first word (lower-case) and the rest, line breaks kept."""
    parts = text.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ""


_NUMBER = re.compile(r"[0-9]{1,9}")


def number(text: str) -> int | None:
    """'12', '#12', '＃12' -> 12 (ASCII digits, within the database's ids), else None."""
    raw = text.strip().lstrip("#＃")
    return int(raw) if _NUMBER.fullmatch(raw) else None


def today() -> date:
    return clock.now().astimezone(config.tz()).date()


def require(ctx: Ctx, *roles: Role) -> None:
    """Refuse a sub-command this role may not use (worded with the role's name)."""
    if ctx.me.role not in roles and ctx.me.role != Role.ADMIN:
        raise NotAllowed(role=ctx.t(f"role.{ctx.me.role.value}"))


async def show(ctx: Ctx, text: str, keyboard: InlineKeyboardMarkup | None, *,
               edit: bool = False) -> None:
    """Put a card in place of the pressed one, or send it as a new message."""
    if not edit:
        await ctx.reply(text, keyboard)
        return
    message = ctx.query.message if ctx.query else None
    same_markup = getattr(message, "reply_markup", None) == keyboard
    if message is not None and getattr(message, "text", None) == plain(text) and same_markup:
        return  # pressed again with nothing changed: Telegram refuses an identical edit
    await ctx.edit(text, keyboard)


async def send_file(ctx: Ctx, name: str, content: bytes, caption: str = "",
                    keyboard: object = None) -> Message:
    return await ctx.context.bot.send_document(
        ctx.chat_id, InputFile(content, filename=name), caption=caption[:1024] or None,
        parse_mode="HTML", reply_markup=keyboard)  # type: ignore[arg-type]


async def pressed_outbox_card(ctx: Ctx, key: str) -> bool:
    """True when the pressed message is a card the outbox sent under `key` (it edits those)."""
    message = ctx.query.message if ctx.query else None
    if message is None:
        return False
    return await cards.is_card(ctx.chat_id, message.message_id, key)
