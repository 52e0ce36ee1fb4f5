"""Documents and supervision at the Telegram edge: /shouwen, /fawen, /wenjian, /duban.

incoming (收文 and the leaders' cards), tasks (handling and review), outgoing (发文), slips
(督办 and the bulletin), search; every button is `doc:<action>:<id>` and lands in `on_button`.
"""

from __future__ import annotations

from typing import cast

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
from handlers.documents import incoming, outgoing, search, slips, tasks
from handlers.documents.common import F, words
from handlers.menu import Command, add_commands, shortcut_texts
from models.core import Role
from services import documents as service
from services.documents import common, parsing
from services.errors import DomainError

OFFICE = frozenset({Role.OFFICE})
#: Answers to this feature's questions, in a group of its own (one handler per group runs):
#: approvals -10, meetings -11, seals -9, receptions -8, repairs -7, supplies -6, opinion -5.
ANSWER_GROUP = -12
#: Files nobody asked for: after every feature's own questions had their chance.
UPLOAD_GROUP = 5

add_commands(
    Command("shouwen", OFFICE, "private", shortcut="documents.kb.shouwen"),
    Command("fawen", where="private"),
    Command("wenjian"),
    Command("duban"),
)

ACTIONS = {**incoming.ACTIONS, **tasks.ACTIONS, **outgoing.ACTIONS, **slips.ACTIONS}


@for_staff()
async def on_button(ctx: Ctx) -> None:
    """Checks the button's shape, then lets its action decide whether the presser may act."""
    data = cb.decode(ctx.query.data if ctx.query else None)
    action = ACTIONS.get(data.action) if data is not None else None
    if data is None or action is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    try:
        await action(ctx, data)
    except DomainError as error:
        await ctx.answer(words(ctx, error)[:200], alert=True)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message answering this person's open question (text, or a file where one is asked)."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        return
    prompt = await common.open_prompt(ctx.me)
    if prompt is None:
        return
    message = cast(Message, ctx.message)
    text = message.text or message.caption or ""
    file = _file_of(message)
    try:
        if prompt.action.startswith("in."):
            if file is not None:
                await common.drop_prompt(ctx.me)
                await _upload(ctx, message)
            else:
                await incoming.answer(ctx, prompt, text)
        elif prompt.action == "pi":
            if file is not None:
                raise DomainError("documents.error.text_expected")
            await incoming.instruction_text(ctx, prompt, text)
        elif prompt.action in ("prog", "ext", "rep"):
            await tasks.answer(ctx, prompt, text, file)
        elif prompt.action.startswith("out."):
            await outgoing.answer(ctx, prompt, text, message)
        elif prompt.action.startswith("slip."):
            if file is not None:
                raise DomainError("documents.error.text_expected")
            await slips.answer(ctx, prompt, text)
        else:
            await common.drop_prompt(ctx.me)
            return
    except DomainError as error:
        # Nothing typed before is lost: the question stays open, the user may answer again.
        await ctx.reply(words(ctx, error) + "\n" + ctx.t("documents.try_again"))
    raise ApplicationHandlerStop


def _file_of(message: Message) -> list[str] | None:
    if message.photo:
        return [message.photo[-1].file_id, "", "photo"]
    if message.document is not None:
        document = message.document
        kind = parsing.file_kind(document.file_name or "", document.mime_type) or "file"
        return [document.file_id, (document.file_name or "")[:128], kind]
    return None


async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file or photo nobody asked for: the office registers it as an incoming document."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None or ctx.staff.role not in common.OFFICE_ROLES:
        return
    await _upload(ctx, cast(Message, ctx.message))
    raise ApplicationHandlerStop


async def _upload(ctx: Ctx, message: Message) -> None:
    try:
        await incoming.on_upload(ctx, message)
    except DomainError as error:
        await ctx.reply(words(ctx, error))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the commands, the buttons, the answers to open questions and the upload reader."""
    service.configure(application.bot_data.get("settings"))
    commands = {"shouwen": incoming.shouwen, "fawen": outgoing.fawen, "wenjian": search.wenjian,
                "duban": slips.duban}
    application.bot_data.setdefault("commands", {}).update(commands)
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern(F)))
    typed = filters.TEXT & ~filters.COMMAND
    shortcuts = list(shortcut_texts())
    if shortcuts:
        typed = typed & ~filters.Text(shortcuts)
    private = filters.ChatType.PRIVATE
    application.add_handler(
        MessageHandler(private & (typed | filters.PHOTO | filters.Document.ALL), on_message),
        group=ANSWER_GROUP)
    application.add_handler(
        MessageHandler(private & (filters.PHOTO | filters.Document.ALL), on_upload),
        group=UPLOAD_GROUP)
