"""What every handler shares: who is asking, in which language, replies, and domain errors."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, cast

from telegram import (
    CallbackQuery,
    ForceReply,
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
from handlers.routing import without_mention
from handlers.texts import DEFAULT_LANG, has, plain, t
from models.core import Role, Staff
from services.errors import DomainError, NotAllowed
from services.inputs import normalize
from services.staff import find_staff

log = logging.getLogger(__name__)
ROLE_CODES = {role.value for role in Role}
Keyboard = InlineKeyboardMarkup | ReplyKeyboardMarkup | ForceReply | None


#: Telegram's words for a card whose text cannot be replaced.
_UNEDITABLE = ("no text in the message", "message to edit not found", "message can't be edited")


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
        """The command's words, through the input boundary (empty words dropped)."""
        words = (normalize(a, multiline=False).strip() for a in self.context.args or [])
        return [w for w in words if w]

    @property
    def text(self) -> str:
        """What the person typed, through the input boundary (services.inputs.normalize)."""
        msg = self.update.effective_message
        said = normalize((msg.text or msg.caption or "") if msg else "")
        if msg is not None and msg.chat.type != "private":
            said = without_mention(said, self.context.bot.username)
        return said

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
        mark_answered(self.context)
        return await self.context.bot.send_message(
            self.chat_id, text, reply_markup=keyboard, parse_mode=ParseMode.HTML, **kwargs
        )

    async def ask(self, text: str, keyboard: Keyboard = None) -> Message:
        """Ask for typed text. In a group the bot reads only replies to itself, so the question
        opens a reply (ForceReply) where no buttons go with it."""
        if self.is_private or keyboard is not None:
            return await self.reply(text, keyboard)
        return await self.reply(text, ForceReply(selective=True))

    async def button(self) -> ButtonData | None:
        """The pressed button's data (with an id); None once the presser heard it is not valid."""
        data = decode(self.query.data if self.query else None)
        if data is None or data.int_id is None:
            await self.answer(self.t("error.bad_button"), alert=True)
            return None
        return ButtonData(data.feature, data.action, data.id, data.extra)

    async def answer(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the pressed button (a toast, or an alert box: plain text, 200 characters)."""
        mark_answered(self.context)
        if self.query is not None:
            await answer_query(self.query, text, alert)

    async def edit(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Replace the pressed card's text and buttons; an identical edit is not an error."""
        if self.query is None or self.query.message is None:
            await self.reply(text, keyboard)
            return
        mark_answered(self.context)
        if _shows_already(self.query.message, text, keyboard):
            return  # Telegram refuses an edit that changes nothing
        if getattr(self.query.message, "text", None) is None:
            # A button on a photo or a file (no text to replace): answered with a new message.
            await self.reply(text, keyboard)
            return
        try:
            await self.query.edit_message_text(
                text, reply_markup=keyboard, parse_mode=ParseMode.HTML
            )
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return
            if not any(cause in reason for cause in _UNEDITABLE):
                raise
            # A card Telegram no longer lets us edit: the answer comes as a new message
            # instead of being lost.
            await self.reply(text, keyboard)

    async def fail(self, error: DomainError) -> None:
        """Tell the user, in their language, what rule stopped them and what to do."""
        await self.say(error_text(error, self.lang), alert=True)

    async def say(self, text: str, alert: bool = False) -> None:
        """Answer a button press with an alert, or a message with a reply."""
        if self.query is not None:
            await self.answer(plain(text)[:200], alert=alert)
        else:
            await self.reply(text)


def mark_answered(context: object) -> None:
    """Note that the bot answered the update this context belongs to (PTB gives every handler
    of one update the same context), so the last word does not answer it again."""
    if hasattr(context, "__dict__"):
        context.__dict__["answered"] = True


def was_replied(context: object) -> bool:
    return bool(getattr(context, "__dict__", {}).get("answered"))


async def settle_prompt(ctx: Ctx, message_id: int, text: str) -> None:
    """A question the person answered by typing: it says so, and its buttons (取消) go."""
    try:
        await ctx.context.bot.edit_message_text(text, chat_id=ctx.chat_id, message_id=message_id,
                                                parse_mode=ParseMode.HTML)
    except BadRequest as exc:  # gone, or already so: nothing is left to take back
        log.info("could not settle prompt %s: %s", message_id, exc)


def _shows_already(message: object, text: str, keyboard: InlineKeyboardMarkup | None) -> bool:
    """True when the card already shows this text and these buttons."""
    if not isinstance(message, Message):
        return False
    shown = (message.text or message.caption or "").strip()
    if shown != plain(text).strip():
        return False  # most edits change the text: no need to turn two keyboards into dicts
    current = message.reply_markup.to_dict() if message.reply_markup else None
    wanted = keyboard.to_dict() if keyboard and keyboard.inline_keyboard else None
    return (current or None) == wanted


#: Button presses answered in this process (newest last): each press is answered exactly once.
_ANSWERED: dict[str, None] = {}
_ANSWERED_KEEP = 10_000


def was_answered(query: CallbackQuery) -> bool:
    return query.id in _ANSWERED


async def answer_query(query: CallbackQuery, text: str | None = None, alert: bool = False
                       ) -> None:
    """Answer a button press once; a second answer of the same press is dropped (Telegram
    refuses it, and the person has already seen the first)."""
    if query.id in _ANSWERED:
        return
    _ANSWERED[query.id] = None
    if len(_ANSWERED) > _ANSWERED_KEEP:
        del _ANSWERED[next(iter(_ANSWERED))]
    await query.answer(plain(text)[:200] if text else None, show_alert=alert)


def error_text(error: DomainError, lang: str) -> str:
    """Word a domain error as an HTML reply (t() escapes what the user typed)."""
    params = dict(error.params)
    if isinstance(params.get("field"), str) and has(f"field.{params['field']}"):
        params["field"] = t(f"field.{params['field']}", lang)
    if params.get("role") in ROLE_CODES:
        # Services name roles by code; people read the role's name in their language.
        params["role"] = t(f"role.{params['role']}", lang)
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
    """Build an inline keyboard from rows of (label, callback data); labels are plain text."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(html.unescape(label), callback_data=data) for label, data in row]
         for row in rows]
    )
