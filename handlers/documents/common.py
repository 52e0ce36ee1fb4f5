"""What the documents edge shares: wording errors, sending files, the command's rest of line."""

from __future__ import annotations

import html
from typing import Any

from telegram import InputFile, Message
from telegram.constants import ParseMode

from handlers.callback import CallbackData
from handlers.common import Ctx
from handlers.texts import has
from handlers.views import Rendered
from services.errors import DomainError, InvalidInput

F = "doc"
#: Where an error's status is worded (a task's, a document's, an outgoing document's).
OWN_STATUS = {"documents.error.task_moved": "documents.task_status.",
              "documents.error.doc_moved": "documents.status.",
              "documents.error.out_moved": "documents.out.status."}
STATUS_PREFIXES = ("documents.status.", "documents.task_status.", "documents.out.status.",
                   "documents.slip.status.", "approvals.status.")


def button_id(data: CallbackData) -> int:
    """The record a button is about (a forged or damaged button is refused)."""
    if data.int_id is None:
        raise InvalidInput("error.bad_button")
    return data.int_id


def button_extra(data: CallbackData, index: int = 0) -> int:
    """A number the button carries after its id (a choice, a person)."""
    number = data.extra_int(index)
    if number is None:
        raise InvalidInput("error.bad_button")
    return number


def button_choice(data: CallbackData, count: int) -> int:
    """Which of `count` offered choices the button names."""
    index = button_extra(data)
    if index >= count:
        raise InvalidInput("error.bad_button")
    return index


def rest(ctx: Ctx) -> str:
    """The command's text after the command word, as typed."""
    text = ctx.text.strip()
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def words(ctx: Ctx, error: DomainError) -> str:
    """A domain error in the user's words (user text escaped, statuses looked up)."""
    params = {k: html.escape(v) if isinstance(v, str) else v for k, v in error.params.items()}
    if "status" in params:
        params["status_text"] = str(params["status"])
        own = OWN_STATUS.get(error.code)
        for prefix in ((own,) if own else STATUS_PREFIXES):
            key = f"{prefix}{params['status']}"
            if has(key):
                params["status_text"] = ctx.t(key)
                break
    return ctx.t(error.code, **params)


async def show(ctx: Ctx, rendered: Rendered, *, edit: bool = False) -> Message | None:
    """Reply with a rendered card (or put it in place of the pressed one)."""
    if edit and ctx.query is not None:
        await ctx.edit(rendered.text, rendered.keyboard)  # type: ignore[arg-type]
        return None
    if rendered.document is not None:
        name, data = rendered.document
        document: Any = data if isinstance(data, str) else InputFile(data, filename=name)
        return await ctx.context.bot.send_document(
            ctx.chat_id, document, caption=rendered.text[:1024] or None,
            parse_mode=ParseMode.HTML, reply_markup=rendered.keyboard)
    if rendered.photo is not None:
        return await ctx.context.bot.send_photo(
            ctx.chat_id, rendered.photo, caption=rendered.text[:1024] or None,
            parse_mode=ParseMode.HTML, reply_markup=rendered.keyboard)
    return await ctx.reply(rendered.text, rendered.keyboard)  # type: ignore[arg-type]


async def send_xlsx(ctx: Ctx, name: str, data: bytes, caption: str) -> None:
    await ctx.context.bot.send_document(ctx.chat_id, InputFile(data, filename=name),
                                        caption=caption, parse_mode=ParseMode.HTML)
