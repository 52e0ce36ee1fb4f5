"""The digest's button: list, in the chat, the messages a storm folded into it."""

from __future__ import annotations

import html
import inspect
import re
from typing import Any

from telegram.ext import Application, CallbackQueryHandler

from handlers import callback as cb
from handlers.common import Ctx, for_staff
from handlers.views import render
from services import outbox

_TAG = re.compile(r"<[^>]+>")
#: Lines per list message (Telegram takes 4,096 characters; a line is kept under 100).
PAGE = 30


async def _summary(kind: str, payload: dict[str, Any], lang: str) -> str:
    """The first line of the message as it would have been sent, as plain text."""
    try:
        result: Any = render(kind, payload, lang)
        if inspect.isawaitable(result):
            result = await result
        text = str(result.text)
    except Exception:
        return kind
    first = next((line for line in text.splitlines() if line.strip()), "")
    plain = html.unescape(_TAG.sub("", first)).strip()
    return plain[:97] + "…" if len(plain) > 98 else plain


@for_staff()
async def on_button(ctx: Ctx) -> None:
    data = await ctx.button()
    if data is None:
        return
    items = await outbox.digest_items(data.int_id, ctx.chat_id) if data.action == "dg" else None
    if not items:
        await ctx.answer(ctx.t("digest.list.gone"), alert=True)
        return
    await ctx.answer()
    lines = [ctx.t("digest.list.line", n=n, text=await _summary(row.kind, row.payload, ctx.lang))
             for n, row in enumerate(items, 1)]
    pages = (len(lines) + PAGE - 1) // PAGE
    for page in range(pages):
        chunk = lines[page * PAGE:(page + 1) * PAGE]
        title = ctx.t("digest.list.title", n=len(lines), page=page + 1, pages=pages)
        await ctx.reply("\n".join([title, *chunk]))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern("ob")))
