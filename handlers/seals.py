"""Seal use in the chat: /yongyin drafts a request, the custodian's 已用印, the register."""

from __future__ import annotations

import asyncio
from html import escape
from typing import cast

from telegram import InputFile, Message, Update
from telegram.constants import ParseMode
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
from handlers.cards import settle
from handlers.common import Ctx, buttons, for_staff, make_ctx
from handlers.menu import Command, add_commands, shortcut_texts
from handlers.views import seals as views
from handlers.wording import worded, words_for
from models.seals import SealRequest, SealStatus
from services import clock
from services import seals as service
from services.errors import DomainError, InvalidInput, NotAllowed
from services.inputs import to_int
from services.rooms.catalog import parse_pairs
from services.seals import catalogue, requests
from services.seals import register as seal_register
from services.staff import OFFICE_ROLES, require_role
from services.supplies.parse import period as ledger_period

F = views.F
#: Typed answers and files for an open draft, and the custodian's photo: after an approval's
#: reason prompt (-10), before the receptions' answers (-8) and every free-text reader.
PROMPT_GROUP = -9
MINE = ("mine", "我的", "my")
STAMP = ("stamp", "待用印", "用印", "待盖章")
SEALS = ("seals", "印章", "seal")
REGISTER = ("register", "登记簿", "台账", "ledger")
WITHDRAW = ("withdraw", "撤回")
ADD, EDIT = ("add", "添加", "新增"), ("edit", "修改")

add_commands(Command("yongyin", where="private", shortcut="seals.kb"))


words = words_for("seals.status")


async def show_draft(ctx: Ctx, request: SealRequest, *, problem: str = "",
                     edit: bool = False) -> None:
    fresh = await SealRequest.get(id=request.id).prefetch_related("seal")
    text, keyboard = views.draft_card(fresh, await catalogue.seals(), ctx.lang, problem)
    if edit:
        await ctx.edit(text, keyboard)
    else:
        await ctx.reply(text, keyboard)


@for_staff(private_only=True)
@worded(words)
async def yongyin(ctx: Ctx) -> None:
    """`/yongyin [合同专用章 《文件》 2份 用途：…]` drafts a request; words after it list, stamp,
    keep the seals or export the register."""
    args = ctx.args
    first = args[0].lower() if args else ""
    if first in MINE:
        await _mine(ctx)
    elif first in STAMP and len(args) == 1:
        await _waiting(ctx)
    elif first in SEALS:
        await _seals(ctx, args[1:])
    elif first in REGISTER:
        await _register(ctx, " ".join(args[1:]))
    elif first in WITHDRAW and len(args) == 2 and to_int(args[1]) is not None:
        request = await requests.withdraw(ctx.me, int(args[1]))
        await ctx.reply(ctx.t("seals.withdrawn", id=request.id))
    elif to_int(first) is not None and len(args) == 1:
        await _show(ctx, int(first[:9]))
    else:
        draft = await requests.draft_for(ctx.me)
        # The text after the command word keeps the user's spacing (args would not); a
        # shortcut-keyboard tap has no args and its label is not a request.
        parts = ctx.text.split(maxsplit=1)
        rest = parts[1] if args and len(parts) > 1 else ""
        problem = ""
        if rest.strip():
            try:
                draft = await requests.add_text(ctx.me, draft.id, rest)
            except DomainError as error:
                problem = words(error, ctx.lang)
        await show_draft(ctx, draft, problem=problem)


async def _mine(ctx: Ctx) -> None:
    found = await requests.mine(ctx.me)
    if not found:
        await ctx.reply(ctx.t("seals.mine.empty"))
        return
    lines = [ctx.t("seals.mine.title")]
    for r in found:
        lines.append(ctx.t("seals.mine.line", id=r.id, seal=escape(r.seal.name if r.seal else ""),
                           document=escape(requests.document_of(r)), copies=r.copies or 0,
                           status=views.status_text(r.status, ctx.lang)))
    rows = [[(ctx.t("seals.btn.open", id=r.id), cb.encode(F, "card", r.id))]
            for r in found if r.status in requests.OPEN]
    await ctx.reply("\n".join(lines), buttons(rows) if rows else None)


async def _waiting(ctx: Ctx) -> None:
    found = await requests.waiting_stamp(ctx.me)
    if not found:
        await ctx.reply(ctx.t("seals.stamp.none"))
        return
    await ctx.reply(ctx.t("seals.stamp.waiting", n=len(found)))
    for request in found[:20]:
        fresh = await requests.get(request.id)
        await ctx.reply(ctx.t("seals.stamp.title") + "\n" + views.request_text(fresh, ctx.lang),
                        views.stamp_keyboard(fresh, ctx.lang))


async def _show(ctx: Ctx, request_id: int) -> None:
    request = await requests.get(request_id)
    own = request.requester_id == ctx.me.id  # type: ignore[attr-defined]
    keeper = request.seal is not None and requests.may_stamp(request, request.seal, ctx.me)
    if not (own or keeper or ctx.me.role in OFFICE_ROLES):
        raise NotAllowed("seals.error.not_yours")
    if request.status == SealStatus.DRAFT:
        await show_draft(ctx, request)
        return
    keyboard = views.request_keyboard(request, ctx.lang) if own else (
        views.stamp_keyboard(request, ctx.lang) if keeper else None)
    await ctx.reply(views.request_text(request, ctx.lang), keyboard)


async def _seals(ctx: Ctx, args: list[str]) -> None:
    action = args[0].lower() if args else ""
    if action in ADD + EDIT and len(args) >= 2:
        seal, created = await catalogue.save_seal(ctx.me, args[1], parse_pairs(args[2:]),
                                                  create=action in ADD)
        await seal.fetch_related("custodian")
        key = "seals.list.saved_new" if created else "seals.list.saved"
        await ctx.reply(ctx.t(key, line=views.seal_line(seal, ctx.lang)))
        return
    if action:
        await ctx.reply(ctx.t("seals.list.usage"))
        return
    office = ctx.me.role in OFFICE_ROLES
    found = await catalogue.seals(include_inactive=office)
    lines = [ctx.t("seals.list.title", n=len(found))]
    lines += [views.seal_line(s, ctx.lang) for s in found] or [ctx.t("seals.list.empty")]
    if office:
        lines.append("\n" + ctx.t("seals.list.usage"))
    await ctx.reply("\n".join(lines))


async def _register(ctx: Ctx, text: str) -> None:
    require_role(ctx.me, *OFFICE_ROLES)
    today = clock.now().astimezone(service.RULES.tz).date()
    start, end = ledger_period(text or "今年", today)
    rows = await seal_register.register_rows(start, end, service.RULES.tz)
    log = await seal_register.requests_between(start, end, service.RULES.tz)
    data = await asyncio.to_thread(views.register_xlsx, rows, log, ctx.lang, start, end)
    await ctx.context.bot.send_document(
        ctx.chat_id, InputFile(data, filename=f"seal_register_{start}_{end}.xlsx"),
        parse_mode=ParseMode.HTML,
        caption=ctx.t("seals.register.caption", start=start.isoformat(), end=end.isoformat(),
                      n=len(rows), m=len(log)))


@for_staff()
@worded(words)
async def on_button(ctx: Ctx) -> None:
    """The draft's, the requester's and the custodian's buttons."""
    data = await ctx.button()
    if data is None:
        return
    action, rid = data.action, data.int_id
    arg = data.extra[0] if data.extra else ""
    me = ctx.me
    if action in ("seal", "cp", "re", "x", "ok"):
        request = await _draft_action(ctx, action, rid, arg)
        if action == "x":
            await ctx.edit(ctx.t("seals.dropped", id=rid))
        elif action == "ok":
            fresh = await requests.get(rid)
            await ctx.edit(ctx.t("seals.submitted", id=rid) + "\n\n"
                           + views.request_text(fresh, ctx.lang),
                           views.request_keyboard(fresh, ctx.lang))
        elif request is not None:
            await show_draft(ctx, request, edit=True)
    elif action == "st":
        request = await requests.check_stampable(me, rid)
        await ctx.edit(ctx.t("seals.stamp.title") + "\n" + views.request_text(request, ctx.lang)
                       + "\n\n" + ctx.t("seals.stamp.count"), views.count_keyboard(request,
                                                                                   ctx.lang))
    elif action == "n" and to_int(arg) is not None:
        stamped = await requests.stamp(me, rid, int(arg[:6]))
        fresh = await requests.get(stamped.id)
        await settle(ctx, ctx.t("seals.stamp.title") + "\n" + views.request_text(fresh, ctx.lang)
                     + "\n\n" + ctx.t("seals.stamp.photo"), views.stamp_keyboard(fresh, ctx.lang),
                     kinds=(requests.CARD,))
        await ctx.answer(ctx.t("seals.stamp.done", no=fresh.register_no))
        return
    elif action == "np":
        request = await requests.no_photo(me, rid)
        fresh = await requests.get(request.id)
        await ctx.edit(ctx.t("seals.stamp.title") + "\n" + views.request_text(fresh, ctx.lang))
    elif action == "wd":
        request = await requests.withdraw(me, rid)
        await ctx.edit(views.request_text(request, ctx.lang))
        await ctx.answer(ctx.t("seals.withdrawn", id=rid))
        return
    elif action == "card":
        request = await requests.get(rid)
        own = request.requester_id == me.id  # type: ignore[attr-defined]
        if not own and not requests.may_stamp(request, request.seal, me):
            raise NotAllowed("seals.error.not_yours")
        keyboard = views.request_keyboard(request, ctx.lang) if own else \
            views.stamp_keyboard(request, ctx.lang)
        title = "" if own else ctx.t("seals.stamp.title") + "\n"
        await ctx.edit(title + views.request_text(request, ctx.lang), keyboard)
    else:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await ctx.answer()


async def _draft_action(ctx: Ctx, action: str, rid: int, arg: str) -> SealRequest | None:
    me = ctx.me
    if action == "seal" and to_int(arg) is not None:
        return await requests.choose_seal(me, rid, int(arg))
    if action == "cp" and to_int(arg) is not None:
        return await requests.set_copies(me, rid, int(arg))
    if action == "re" and arg in requests.FIELDS:
        return await requests.retype(me, rid, arg)
    if action == "x":
        return await requests.drop(me, rid)
    if action == "ok":
        return await requests.submit(me, rid)
    raise InvalidInput("error.bad_button")


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A draft's typed answer or file, or the custodian's photo of the stamped pages."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        return
    message = cast(Message, ctx.message)
    image = message.photo[-1].file_id if message.photo else None
    if image and await requests.photo_wanted(ctx.me) is not None:
        request = await requests.add_photo(ctx.me, image)
        assert request is not None
        await ctx.reply(ctx.t("seals.stamp.photo_saved", id=request.id, no=request.register_no))
        raise ApplicationHandlerStop
    draft = await requests.open_draft(ctx.me)
    text = (message.text or "").strip()
    if draft is None or (text and text in shortcut_texts()):
        return
    problem = ""
    try:
        if message.document is not None or image:
            name = message.document.file_name if message.document else ctx.t("seals.photo_name")
            file_id = message.document.file_id if message.document else cast(str, image)
            draft = await requests.attach_file(ctx.me, draft.id, file_id, name or "")
            if message.caption:
                draft = await requests.add_text(ctx.me, draft.id, message.caption)
        elif text:
            draft = await requests.add_text(ctx.me, draft.id, text)
        else:
            return
    except DomainError as error:
        problem = words(error, ctx.lang)
    await show_draft(ctx, draft, problem=problem)
    raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /yongyin, its buttons and the reader of typed answers and photos."""
    settings = application.bot_data.get("settings")
    if settings is not None:
        service.configure(lapse_days=getattr(settings, "seals_lapse_days", 7),
                          tz=settings.timezone)
    # The flows file was read by the approvals' registration: follow every seal chain in it.
    service.register_outcomes()
    application.bot_data.setdefault("commands", {})["yongyin"] = yongyin
    application.add_handler(CommandHandler("yongyin", yongyin))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern(F)))
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO
                                    | filters.Document.ALL),
        on_message), group=PROMPT_GROUP)
