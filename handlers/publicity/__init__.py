"""Publicity in the chat: /xuanchuan (media reports), /xinxi (information pieces), /wengao
(drafting tasks), /canyue (the 参阅 bulletin); their buttons; answers to the questions they
ask (read from the next message in that chat) and the files people send them."""

from __future__ import annotations

from typing import Any, cast

from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from handlers import callback as cb
from handlers.common import Ctx, for_staff, make_ctx
from handlers.menu import EVERYONE, Command, add_commands, shortcut_texts
from handlers.publicity import bulletin as bulletin_edge
from handlers.publicity import drafting as drafting_edge
from handlers.publicity import info as info_edge
from handlers.publicity import media as media_edge
from handlers.publicity.common import OFFICE_AND_LEADERS
from handlers.views import publicity as views
from models.core import Role
from services.errors import DomainError, InvalidInput
from services.publicity import bulletin, config, drafting, files, info, media, prompts

#: Answers to this feature's questions, in a group of its own (one handler per group runs).
ANSWER_GROUP = -13
ROLES = frozenset({Role.OFFICE, Role.LEADER})

add_commands(
    Command("xuanchuan", ROLES, "both"),
    Command("xinxi", EVERYONE, "both"),
    Command("wengao", EVERYONE, "both"),
    Command("canyue", ROLES, "both"),
)

BUTTONS: dict[str, Any] = {**media_edge.BUTTONS, **info_edge.BUTTONS, **drafting_edge.BUTTONS,
                           **bulletin_edge.BUTTONS}


@for_staff(*OFFICE_AND_LEADERS)
async def xuanchuan(ctx: Ctx) -> None:
    """The media-report ledger."""
    await media_edge.xuanchuan(ctx)


@for_staff()
async def xinxi(ctx: Ctx) -> None:
    """Information pieces and the correspondents' ranking."""
    await info_edge.xinxi(ctx)


@for_staff()
async def wengao(ctx: Ctx) -> None:
    """Drafting tasks."""
    await drafting_edge.wengao(ctx)


@for_staff(*OFFICE_AND_LEADERS)
async def canyue(ctx: Ctx) -> None:
    """The 参阅 bulletin."""
    await bulletin_edge.canyue(ctx)


@for_staff()
async def on_button(ctx: Ctx) -> None:
    """Every publicity button; each action's service decides whether the presser may act."""
    data = await ctx.button()
    if data is None:
        return
    action = BUTTONS.get(data.action)
    if action is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await action(ctx, data)


async def _answer(ctx: Ctx, kind: str, target: int, text: str) -> None:
    """Read the message as the answer to the open question of this kind."""
    if kind == "report":
        await media_edge.show_outcome(ctx, await media.answer(ctx.me, target, text, ctx.chat_id))
    elif kind == "reason":
        piece = await info.give_back(ctx.me, target, text)
        await ctx.reply(ctx.t("publicity.info.return_done", id=piece.id,
                              title=views.short(piece.title, 40)))
    elif kind == "comment":
        version = await drafting.give_back(ctx.me, target, text)
        task = await drafting.get(version.task_id)  # type: ignore[attr-defined]
        await ctx.reply(ctx.t("publicity.task.return_done", id=task.id, n=version.number))
    elif kind == "note":
        await bulletin_edge.editing(ctx, issue=await bulletin.set_note(ctx.me, target, text))
    elif kind == "title":
        item = await bulletin.set_title(ctx.me, target, text)
        await ctx.reply(ctx.t("publicity.bulletin.title_set",
                              title=views.short(item.title, 60)))
    elif kind == "info":
        await info_edge.show_draft(ctx, await info.set_text(ctx.me, target, text))
    elif kind == "task":
        await drafting_edge.show_draft(ctx, await drafting.fill(ctx.me, target, text))
    elif kind == "upload":
        await ctx.reply(ctx.t("publicity.task.send_docx_again"))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message that answers this feature's open question in this chat (others pass on)."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None or ctx.text.strip() in shortcut_texts():
        return
    prompt = await prompts.waiting(ctx.staff, ctx.chat_id)
    if prompt is None:
        return
    try:
        if prompts.is_cancel(ctx.text):
            await prompts.done(ctx.staff)
            if prompt.kind == "report":
                await media.cancel_draft(ctx.staff, int(prompt.target_id))
            await ctx.reply(ctx.t("publicity.prompt.cancelled"))
        else:
            await _answer(ctx, prompt.kind, int(prompt.target_id), ctx.text)
    except DomainError as error:
        # The question stays open: what was typed before is kept, the user tries again.
        await ctx.fail(error)
    raise ApplicationHandlerStop


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent in private: an attachment of the open piece, or a drafter's version."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        return
    message = cast(Message, ctx.message)
    document = message.document
    if document is None:
        return
    prompt = await prompts.waiting(ctx.staff, ctx.chat_id)
    for_piece = prompt is not None and prompt.kind == "info"
    if not for_piece and not await drafting.waiting_on(ctx.staff):
        return  # not this feature's file
    try:
        if (document.file_size or 0) > files.MAX_BYTES:
            raise InvalidInput("publicity.error.file_big", name=(document.file_name or "")[:60],
                               limit=files.MAX_BYTES // (1024 * 1024))
        content = bytes(await (await context.bot.get_file(document.file_id))
                        .download_as_bytearray())
        name = document.file_name or "file"
        if for_piece and prompt is not None:
            await info.attach(ctx.staff, int(prompt.target_id), name, content)
            if message.caption:
                await info.set_text(ctx.staff, int(prompt.target_id), message.caption)
            await info_edge.show_draft(ctx, await info.get(int(prompt.target_id)))
        else:
            got = await drafting.receive(ctx.staff, ctx.chat_id, name, content)
            if got is None:
                return
            await drafting_edge.received(ctx, got)
    except DomainError as error:
        await ctx.fail(error)
    raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    settings = application.bot_data.get("settings")
    if settings is not None:
        config.configure(settings.tz)
    commands = {"xuanchuan": xuanchuan, "xinxi": xinxi, "wengao": wengao, "canyue": canyue}
    application.bot_data.setdefault("commands", {}).update(commands)
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern("pub")))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED,
                                           on_text),
                            group=ANSWER_GROUP)
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL,
                                           on_document), group=ANSWER_GROUP)
