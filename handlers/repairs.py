"""Repairs in the chat: /baoxiu reports (or a photo sent to the bot), the office assigns, the
handler works and closes, the reporter rates; /baoxiu lists open ones and exports the ledger."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
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
from handlers.views import repairs as views
from handlers.wording import worded, words_for
from models.core import Role
from models.repairs import Repair, RepairStatus
from services import clock
from services import repairs as service
from services.errors import DomainError, InvalidInput, NotAllowed, StaleAction
from services.inputs import INT_MAX, to_int
from services.repairs import ledger, places, work
from services.staff import OFFICE_ROLES, require_role
from services.supplies.parse import period as ledger_period

F = views.F
#: Typed answers and photos: after the seal prompts (-9) and the receptions' answers (-8),
#: before the supplies drafts (-6) and the opinion forwards (-5), so a forwarded photo of a
#: fault becomes a report.
PROMPT_GROUP = -7
#: Who registers incoming documents from a photo; their photos without a word of a fault are
#: left to the documents feature.
DOCUMENT_CLERKS = frozenset({Role.OFFICE, Role.ADMIN})
FAULT_WORDS = re.compile(r"坏|修|漏|不亮|故障|堵|裂|断|异响|跳闸|停电|没水|没电|失灵|卡住")
LEDGER = ("ledger", "台账")
PLACES = ("places", "地点")
COMPANIES = ("companies", "单位", "维修单位")
ADD, REMOVE = ("add", "添加", "新增"), ("remove", "删除", "停用")
RATE = ("rate", "评分", "评价")
ASSIGN = ("assign", "派给", "派单", "指派")
CANCEL = ("cancel", "取消", "撤销")

add_commands(Command("baoxiu", shortcut="repairs.kb"))


words = words_for("repairs.status")


async def show_draft(ctx: Ctx, repair: Repair, *, problem: str = "", edit: bool = False,
                     building: str | None = None) -> None:
    current = await views.fresh(repair.id)
    assert current is not None
    spots = await places.in_building(building) if building else None
    text, keyboard = views.draft_card(current, ctx.lang, buildings=await places.buildings(),
                                      spots=spots, problem=problem)
    if edit:
        await ctx.edit(text, keyboard)
    else:
        await ctx.reply(text, keyboard)


async def show_card(ctx: Ctx, repair_id: int, *, edit: bool = False, prefix: str = "") -> None:
    repair = await work.get(repair_id)
    await work.check_one_of(repair, ctx.me)
    text = views.card_text(repair, ctx.lang, await work.history(repair.id))
    text = f"{prefix}\n\n{text}" if prefix else text
    keyboard = views.keyboard_for(repair, ctx.me, ctx.lang)
    if edit:
        await ctx.edit(text, keyboard)
    else:
        await ctx.reply(text, keyboard)


@for_staff()
@worded(words)
async def baoxiu(ctx: Ctx) -> None:
    """`/baoxiu 3号楼 2楼 会议室投影仪不亮` reports; `/baoxiu` lists open repairs; `/baoxiu 12`
    opens one; ledger, places and companies are kept by the office."""
    args = ctx.args
    first = args[0].lower() if args else ""
    parts = ctx.text.split(maxsplit=1)
    rest = parts[1] if args and len(parts) > 1 else ""
    if not args:
        await _list(ctx)
    elif first in LEDGER:
        await _ledger(ctx, " ".join(args[1:]))
    elif first in PLACES:
        await _places(ctx, args[1:])
    elif first in COMPANIES:
        await _companies(ctx, args[1:])
    elif to_int(first) is not None:
        await _one(ctx, int(first[:9]), args[1:])
    elif not ctx.is_private:
        await ctx.reply(ctx.t("repairs.private_only"))
    else:
        repair = await work.report(ctx.me, rest)
        await show_draft(ctx, repair)


async def _list(ctx: Ctx) -> None:
    found = await work.open_for(ctx.me)
    if not found:
        await ctx.reply(ctx.t("repairs.list.empty"))
        return
    now = clock.now()
    lines = [ctx.t("repairs.list.title", n=len(found))]
    for r in found:
        lines.append(ctx.t(
            "repairs.list.line", id=r.id, icon=views.URGENCY_ICON[r.urgency],
            place=escape(views.place_of(r)), fault=escape(r.description),
            status=views.status_text(r.status, ctx.lang),
            handler=escape(views.worker_name(r)) or "—",
            late=ctx.t("repairs.list.late") if views.was_late(r, now) and
            r.status != RepairStatus.DONE else ""))
    rows = [[(f"#{r.id}", cb.encode(F, "card", r.id)) for r in found[i:i + 5]]
            for i in range(0, min(len(found), 20), 5)]
    await ctx.reply("\n".join(lines), buttons(rows))


async def _one(ctx: Ctx, repair_id: int, args: list[str]) -> None:
    if not args:
        await show_card(ctx, repair_id)
        return
    action, text = args[0].lower(), " ".join(args[1:])
    if action in RATE:
        numbers = text.split(maxsplit=1)
        if not numbers or to_int(numbers[0].rstrip("分星"), low=-INT_MAX) is None:
            raise InvalidInput("repairs.error.bad_rating", value=numbers[0][:8] if numbers
                               else "")
        rating = to_int(numbers[0].rstrip("分星"), low=-INT_MAX) or 0
        await work.confirm(ctx.me, repair_id, rating, numbers[1] if len(numbers) > 1 else "")
        await show_card(ctx, repair_id, prefix=ctx.t("repairs.rated", id=repair_id, n=rating))
    elif action in ASSIGN:
        repair = await work.assign_by_name(ctx.me, repair_id, text)
        await show_card(ctx, repair.id, prefix=ctx.t("repairs.assigned", id=repair.id))
    elif action in CANCEL:
        repair = await work.cancel(ctx.me, repair_id, text)
        await ctx.reply(ctx.t("repairs.cancelled", id=repair.id))
    else:
        await ctx.reply(ctx.t("repairs.usage"))


async def _ledger(ctx: Ctx, text: str) -> None:
    require_role(ctx.me, *OFFICE_ROLES)
    today = clock.now().astimezone(service.RULES.tz).date()
    start, end = ledger_period(text or "今年", today)
    rows = await ledger.ledger_rows(start, end, service.RULES.tz)
    data = await asyncio.to_thread(views.ledger_xlsx, rows, ctx.lang, start, end)
    total = sum(float(r.cost or 0) for r in rows)
    await ctx.context.bot.send_document(
        ctx.chat_id, InputFile(data, filename=f"repair_ledger_{start}_{end}.xlsx"),
        parse_mode=ParseMode.HTML,
        caption=ctx.t("repairs.ledger.caption", start=start.isoformat(), end=end.isoformat(),
                      n=len(rows), cost=views.money(Decimal(str(total)))))


async def _places(ctx: Ctx, args: list[str]) -> None:
    action = args[0].lower() if args else ""
    if action in ADD and len(args) >= 2:
        place, created = await places.save_place(ctx.me, args[1], " ".join(args[2:]))
        key = "repairs.places.added" if created else "repairs.places.back"
        await ctx.reply(ctx.t(key, name=escape(place.name)))
        return
    if action in REMOVE and len(args) >= 2:
        place = await places.remove_place(ctx.me, " ".join(args[1:]))
        await ctx.reply(ctx.t("repairs.places.removed", name=escape(place.name)))
        return
    listed = await places.places()
    lines = [ctx.t("repairs.places.title", n=len(listed))]
    for building in await places.buildings():
        spots = [p.spot or ctx.t("repairs.whole_building") for p in listed
                 if p.building == building]
        lines.append(f"• <b>{escape(building)}</b>：" + "、".join(escape(s) for s in spots))
    lines.append("\n" + ctx.t("repairs.places.usage"))
    await ctx.reply("\n".join(lines))


async def _companies(ctx: Ctx, args: list[str]) -> None:
    action = args[0].lower() if args else ""
    if action in ADD and len(args) >= 2:
        company, created = await places.save_company(
            ctx.me, args[1], args[2] if len(args) > 2 else "", args[3] if len(args) > 3 else "")
        key = "repairs.companies.added" if created else "repairs.companies.saved"
        await ctx.reply(ctx.t(key, name=escape(company.name)))
        return
    listed = await places.companies()
    lines = [ctx.t("repairs.companies.title", n=len(listed))]
    lines += [ctx.t("repairs.companies.line", name=escape(c.name), contact=escape(c.contact),
                    phone=escape(c.phone)) for c in listed]
    lines.append("\n" + ctx.t("repairs.companies.usage"))
    await ctx.reply("\n".join(lines))


@for_staff()
@worded(words)
async def on_button(ctx: Ctx) -> None:
    """Every repairs button: the draft's, the office's, the handler's and the reporter's."""
    data = await ctx.button()
    if data is None:
        return
    action, rid = data.action, data.int_id
    arg = data.extra[0] if data.extra else ""
    me = ctx.me
    if action in DRAFT_ACTIONS:
        await DRAFT_ACTIONS[action](ctx, rid, arg)
    elif action in PROMPTS:
        repair = await work.ask(me, rid, PROMPTS[action])
        # Typed answers are read in the private chat, whether the card was in a group or not.
        await ctx.context.bot.send_message(
            ctx.user_id, ctx.t(f"repairs.prompt.{PROMPTS[action]}", id=repair.id,
                               threshold=views.money(service.RULES.threshold)))
        if not ctx.is_private:
            await ctx.answer(ctx.t("repairs.prompt.in_private"))
            return
    elif action == "as":
        repair = await work.get(rid)
        if not work.is_office(me):
            raise NotAllowed("repairs.error.office_only")
        people, companies = await work.handler_candidates()
        await ctx.edit("\n".join(views.summary(repair, ctx.lang)) + "\n\n"
                       + ctx.t("repairs.ask.assign_to"),
                       views.assign_keyboard(repair, people, companies, ctx.lang))
    elif action in ("ast", "asc") and to_int(arg) is not None:
        kind = {"ast": "staff_id", "asc": "company_id"}[action]
        repair = await work.assign(me, rid, **{kind: int(arg[:9])})
        await ctx.answer(ctx.t("repairs.assigned", id=repair.id))
        await _office_card(ctx, rid)
        return
    elif action == "ac":
        await work.accept(me, rid)
        await ctx.answer(ctx.t("repairs.accepted", id=rid))
        await _job_card(ctx, rid)
        return
    elif action == "rt":
        rating = to_int(arg, low=-INT_MAX) or 0
        await work.confirm(me, rid, rating)
        current = await work.get(rid)
        await settle(ctx, "\n".join(views.summary(current, ctx.lang,
                                                  title_key="repairs.card.confirm_title")),
                     kinds=(work.CONFIRM,))
        await ctx.answer(ctx.t("repairs.rated", id=rid, n=rating))
        return
    elif action == "card":
        await show_card(ctx, rid, edit=False)
    else:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await ctx.answer()


async def _office_card(ctx: Ctx, repair_id: int) -> None:
    current = await work.get(repair_id)
    text = "\n".join(views.summary(current, ctx.lang, title_key="repairs.card.new_title"))
    await settle(ctx, text, views.office_keyboard(current, ctx.lang), kinds=(work.NEW,))


async def _job_card(ctx: Ctx, repair_id: int) -> None:
    current = await work.get(repair_id)
    text = "\n".join(views.summary(current, ctx.lang, title_key="repairs.card.job_title"))
    await settle(ctx, text, views.job_keyboard(current, ctx.lang), kinds=(work.JOB,))


async def _building(ctx: Ctx, rid: int, arg: str) -> None:
    repair = await work.get(rid)
    if repair.reporter_id != ctx.me.id:  # type: ignore[attr-defined]
        raise NotAllowed("repairs.error.not_reporter")
    names = await places.buildings()
    if to_int(arg) is None or int(arg) >= len(names):
        raise StaleAction()
    await show_draft(ctx, repair, edit=True, building=names[int(arg)])


async def _place(ctx: Ctx, rid: int, arg: str) -> None:
    repair = await work.choose_place(ctx.me, rid, (to_int(arg) or 0))
    await show_draft(ctx, repair, edit=True)


async def _buildings(ctx: Ctx, rid: int, arg: str) -> None:
    repair = await work.get(rid)
    if repair.reporter_id != ctx.me.id:  # type: ignore[attr-defined]
        raise NotAllowed("repairs.error.not_reporter")
    await show_draft(ctx, repair, edit=True)


async def _urgency(ctx: Ctx, rid: int, arg: str) -> None:
    repair = await work.submit(ctx.me, rid, arg)
    current = await work.get(repair.id)
    await ctx.edit(ctx.t("repairs.reported", id=repair.id, due=views.when(repair.due_at))
                   + "\n\n" + "\n".join(views.summary(current, ctx.lang)))


async def _discard(ctx: Ctx, rid: int, arg: str) -> None:
    await work.discard(ctx.me, rid)
    await ctx.edit(ctx.t("repairs.discarded"))


DRAFT_ACTIONS: dict[str, Callable[[Ctx, int, str], Awaitable[None]]] = {
    "bld": _building, "plc": _place, "pb": _buildings, "urg": _urgency, "x": _discard,
}
#: Buttons that ask the presser to type something next.
PROMPTS = {"pg": "progress", "es": "estimate", "dn": "done", "dc": "decline", "ro": "reopen",
           "cx": "cancel", "asn": "assign"}


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer to a repairs question, or a photo sent to the bot (a fault report)."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        return
    message = cast(Message, ctx.message)
    text = (message.text or "").strip()
    if text and text in shortcut_texts():
        return
    prompt = await work.prompt_of(ctx.me)
    try:
        if message.photo and prompt is not None and prompt.what in work.WORK_PROMPTS:
            # The handler's photo of the work goes with the repair they are writing about.
            repair = await work.work_photo(ctx.me, prompt, message.photo[-1].file_id,
                                           message.caption or "")
            await ctx.reply(ctx.t("repairs.answered.photo", id=repair.id))
            raise ApplicationHandlerStop
        if message.photo and prompt is None and ctx.me.role in DOCUMENT_CLERKS \
                and not FAULT_WORDS.search(message.caption or ""):
            return  # the office's photo of a paper is an incoming document (handlers.documents)
        if message.photo:
            repair = await work.add_photo(ctx.me, message.photo[-1].file_id,
                                          message.caption or "")
            await show_draft(ctx, repair)
            raise ApplicationHandlerStop
        if prompt is None or not text:
            return
        repair = await work.answer(ctx.me, prompt, text)
    except DomainError as error:
        await _say_problem(ctx, words(error, ctx.lang))
        raise ApplicationHandlerStop from None
    if repair.status == RepairStatus.DRAFT:
        await show_draft(ctx, repair)
        raise ApplicationHandlerStop
    key = f"repairs.answered.{prompt.what}"
    if prompt.what in ("done", "estimate") and repair.status == RepairStatus.APPROVAL:
        key = "repairs.answered.approval"
    await ctx.reply(ctx.t(key, id=repair.id, status=views.status_text(repair.status, ctx.lang),
                          threshold=views.money(service.RULES.threshold)))
    raise ApplicationHandlerStop


async def _say_problem(ctx: Ctx, problem: str) -> None:
    """Show what was wrong on the draft card (nothing entered is lost), or as a reply."""
    waiting = await work.prompt_of(ctx.me)
    draft = None
    if waiting is not None:
        draft = await Repair.get_or_none(id=waiting.repair_id,  # type: ignore[attr-defined]
                                         status=RepairStatus.DRAFT)
    if draft is not None:
        await show_draft(ctx, draft, problem=problem)
    else:
        await ctx.reply(problem)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /baoxiu, its buttons and the reader of typed answers and photos."""
    settings = application.bot_data.get("settings")
    if settings is not None:
        service.configure(
            threshold=getattr(settings, "repairs_approval_threshold", 2000.0),
            urgent_hours=getattr(settings, "repairs_urgent_hours", 2.0),
            normal_workdays=getattr(settings, "repairs_normal_workdays", 1),
            low_workdays=getattr(settings, "repairs_low_workdays", 3), tz=settings.timezone)
    application.bot_data.setdefault("commands", {})["baoxiu"] = baoxiu
    application.add_handler(CommandHandler("baoxiu", baoxiu))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern(F)))
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO),
        on_message), group=PROMPT_GROUP)
