"""What every handler shares: who is asking, in which language, replies, and domain errors."""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, cast

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.callback import ButtonData, decode
from handlers.texts import DEFAULT_LANG, t
from models.core import Role, Staff
from services.errors import DomainError, NotAllowed
from services.staff import find_staff

log = logging.getLogger(__name__)
Keyboard = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


@dataclass
class Ctx:
    """One incoming update, resolved to the staff member and language it concerns."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    staff: Staff | None
    lang: str

    @property
    def chat_id(self) -> int:
        return cast(int, self.update.effective_chat and self.update.effective_chat.id)

    @property
    def user_id(self) -> int:
        return cast(int, self.update.effective_user and self.update.effective_user.id)

    @property
    def is_private(self) -> bool:
        chat = self.update.effective_chat
        return chat is not None and chat.type == "private"

    @property
    def message(self) -> Message | None:
        return self.update.effective_message

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    @property
    def args(self) -> list[str]:
        return list(self.context.args or [])

    @property
    def text(self) -> str:
        msg = self.update.effective_message
        return (msg.text or msg.caption or "") if msg else ""

    @property
    def me(self) -> Staff:
        """The staff member (handlers behind `for_staff` always have one)."""
        return cast(Staff, self.staff)

    @property
    def settings(self) -> Any:
        return self.context.bot_data.get("settings")

    def t(self, key: str, /, **params: Any) -> str:
        return t(key, self.lang, **params)

    async def reply(self, text: str, keyboard: Keyboard = None, **kwargs: Any) -> Message:
        """Answer in the chat the update came from."""
        return await self.context.bot.send_message(
            self.chat_id, text, reply_markup=keyboard, parse_mode=ParseMode.HTML, **kwargs
        )

    async def button(self) -> ButtonData | None:
        """The pressed button's data (with an id); None once the presser heard it is not valid."""
        data = decode(self.query.data if self.query else None)
        if data is None or data.int_id is None:
            await self.answer(self.t("error.bad_button"), alert=True)
            return None
        return ButtonData(data.feature, data.action, data.id, data.extra)

    async def answer(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the pressed button (a toast, or an alert box)."""
        if self.query is not None:
            await self.query.answer(text, show_alert=alert)

    async def edit(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Replace the pressed card's text and buttons; an identical edit is not an error."""
        if self.query is None or self.query.message is None:
            await self.reply(text, keyboard)
            return
        try:
            await self.query.edit_message_text(
                text, reply_markup=keyboard, parse_mode=ParseMode.HTML
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise

    async def fail(self, error: DomainError) -> None:
        """Tell the user, in their language, what rule stopped them and what to do."""
        await self.say(error_text(error, self.lang), alert=True)

    async def say(self, text: str, alert: bool = False) -> None:
        """Answer a button press with an alert, or a message with a reply."""
        if self.query is not None:
            await self.answer(plain(text)[:200], alert=alert)
        else:
            await self.reply(text)


def plain(text: str) -> str:
    """Drop the HTML tags and entities of a reply, for a button's alert box (plain text)."""
    return html.unescape(re.sub(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>", "", text))


def error_text(error: DomainError, lang: str) -> str:
    """Word a domain error as an HTML reply (what the user typed is escaped)."""
    params = {k: html.escape(v) if isinstance(v, str) else v for k, v in error.params.items()}
    if "reason" in params:
        params["reason_text"] = t(f"invite.reason.{params['reason']}", lang)
    return t(error.code, lang, **params)


def lang_of(staff: Staff | None, context: ContextTypes.DEFAULT_TYPE) -> str:
    if staff is not None and staff.lang:
        return staff.lang
    settings = context.bot_data.get("settings")
    return getattr(settings, "locale", DEFAULT_LANG)


async def make_ctx(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Ctx:
    user = update.effective_user
    staff = await find_staff(user.id) if user is not None else None
    return Ctx(update, context, staff, lang_of(staff, context))


Handler = Callable[[Ctx], Awaitable[Any]]
PTBHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


def for_staff(*roles: Role, private_only: bool = False, group_only: bool = False) -> Callable[
    [Handler], PTBHandler
]:
    """Let only registered staff (of these roles, admins always) through; word domain errors."""

    def wrap(func: Handler) -> PTBHandler:
        @functools.wraps(func)
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
            ctx = await make_ctx(update, context)
            if ctx.staff is None:
                await ctx.say(ctx.t("error.not_registered"), alert=True)
                return None
            if roles and ctx.staff.role != Role.ADMIN and ctx.staff.role not in roles:
                await ctx.fail(NotAllowed(role=ctx.t(f"role.{ctx.staff.role.value}")))
                return None
            if private_only and not ctx.is_private:
                await ctx.say(ctx.t("error.private_only"), alert=True)
                return None
            if group_only and ctx.is_private:
                await ctx.say(ctx.t("error.group_only"), alert=True)
                return None
            try:
                return await func(ctx)
            except DomainError as error:
                await ctx.fail(error)
                return None

        return handler

    return wrap


def buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Build an inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )
