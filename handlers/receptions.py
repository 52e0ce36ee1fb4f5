"""Official receptions in the chat: /reception plans one, /receptions lists and exports them."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, cast

from telegram import InlineKeyboardMarkup, InputFile, Message, Update
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
from handlers import receptions_lists
from handlers.common import Ctx, buttons, for_staff, make_ctx
from handlers.menu import Command, add_commands, shortcut_texts
from handlers.texts.timeparse import render_question
from handlers.views import receptions as views
from models.core import Role
from models.receptions import Reception, ReceptionStatus
from services import receptions as service
from services.errors import DomainError, InvalidInput, NotAllowed, StaleAction
from services.inputs import to_int
from services.receptions import meals

F = "rcp"
ROLES = (Role.OFFICE, Role.LEADER)
MAX_FILE = 2 * 1024 * 1024
#: Handler group of the typed answers: after an approval's reason prompt (-10), before the
#: features' free-text readers (-5, 0), so an open question gets its answer first.
ANSWER_GROUP = -8

add_commands(
    Command("reception", frozenset(ROLES), "private", shortcut="receptions.kb"),
    Command("receptions", frozenset(ROLES), "both"),
    Command("yongcan", frozenset(ROLES), "both"),
)


def _rules(ctx: Ctx) -> service.Rules:
    return service.Rules.from_settings(ctx.settings)


def _tz(ctx: Ctx) -> str:
    return str(getattr(ctx.settings, "timezone", "Asia/Shanghai"))


def worded(func: Callable[[Ctx], Awaitable[None]]) -> Callable[[Ctx], Awaitable[None]]:
    """Word this feature's domain errors (with their statuses and breaches) for the user."""

    @functools.wraps(func)
    async def run(ctx: Ctx) -> None:
        try:
            await func(ctx)
        except DomainError as error:
            await ctx.say(error_words(ctx, error), alert=True)

    return run


def error_words(ctx: Ctx, error: DomainError) -> str:
    """Word a domain error, with the rule breaches or the time question it carries."""
    params = dict(error.params)
    if "status" in params:
        params["status_text"] = views.status_text(str(params["status"]), ctx.lang)
    if error.code == "receptions.error.time_ask":
        return render_question(str(params["question"]), params.get("question_params", {}),
                               ctx.lang)
    text = ctx.t(error.code, **params)
    if isinstance(error, service.ChecksFailed):
        text += "\n" + views.breach_lines(params["breaches"], ctx.lang)
    return text


async def question(ctx: Ctx, reception: Reception, prefix: str = "") -> None:
    """Ask the plan's open question (with the leader or room buttons), or show the card."""
    step = reception.step
    if step is None:
        await show_card(ctx, reception, prefix=prefix)
        return
    keyboard: InlineKeyboardMarkup | None = None
    if step == "leader":
        leaders = await service.leaders()
        text = ctx.t("receptions.q.leader" if leaders else "receptions.q.leader_none")
        if leaders:
            keyboard = buttons([[(p.name, cb.encode(F, "leader", reception.id, p.id))]
                                for p in leaders[:10]])
    elif step == "room":
        rooms = await service.free_rooms(reception)
        when = views.when_text(reception, views.OFFICE_TZ)
        text = ctx.t("receptions.q.room" if rooms else "receptions.q.room_none_free", when=when)
        rows = [[(name, cb.encode(F, "room", reception.id, room_id))] for room_id, name in
                rooms[:12]]
        rows.append([(ctx.t("receptions.btn.no_room"), cb.encode(F, "room", reception.id, 0))])
        keyboard = buttons(rows)
    else:
        text = ctx.t(f"receptions.q.{step}", limit=_rules(ctx).max_guests)
    await ctx.reply(f"{prefix}\n\n{text}".strip() if prefix else text, keyboard)


def card_keyboard(ctx: Ctx, reception: Reception) -> InlineKeyboardMarkup | None:
    """The card's buttons for what may be done in this status."""
    rid = reception.id
    b = {
        "submit": (ctx.t("receptions.btn.submit"), cb.encode(F, "submit", rid)),
        "edit": (ctx.t("receptions.btn.edit"), cb.encode(F, "edit", rid)),
        "cancel": (ctx.t("receptions.btn.cancel"), cb.encode(F, "cancel", rid)),
        "complete": (ctx.t("receptions.btn.complete"), cb.encode(F, "complete", rid)),
        "form": (ctx.t("receptions.btn.form"), cb.encode(F, "form", rid)),
    }
    rows = {
        ReceptionStatus.DRAFT: [["submit", "edit"], ["cancel"]],
        ReceptionStatus.REJECTED: [["submit", "edit"], ["cancel"]],
        ReceptionStatus.WITHDRAWN: [["submit", "edit"], ["cancel"]],
        ReceptionStatus.SUBMITTED: [["form", "cancel"]],
        ReceptionStatus.APPROVED: [["complete", "form"], ["cancel"]],
        ReceptionStatus.COMPLETED: [["form"]],
    }.get(reception.status, [])
    return buttons([[b[name] for name in row] for row in rows]) if rows else None


async def card_text(ctx: Ctx, reception: Reception) -> str:
    fresh = await service.get(reception.id)
    breaches = service.checks(fresh, _rules(ctx)) if fresh.status in service.EDITABLE else None
    return views.card(fresh, ctx.lang, host=fresh.host_leader,  # type: ignore[arg-type]
                      planner=fresh.created_by, breaches=breaches)  # type: ignore[arg-type]


async def show_card(ctx: Ctx, reception: Reception, *, prefix: str = "",
                    edit: bool = False) -> None:
    """Show the plan's card with its checks and buttons (a new message, or the pressed one)."""
    text = await card_text(ctx, reception)
    text = f"{prefix}\n\n{text}" if prefix else text
    if edit:
        await ctx.edit(text, card_keyboard(ctx, reception))
    else:
        await ctx.reply(text, card_keyboard(ctx, reception))


@for_staff(*ROLES, private_only=True)
@worded
async def reception_command(ctx: Ctx) -> None:
    """Starts or resumes a plan; `/reception ID` shows one reception's card."""
    if ctx.args:
        number = to_int(ctx.args[0].lstrip("#"))
        if number is None:
            raise InvalidInput("receptions.error.not_found", id=ctx.args[0][:12])
        await show_card(ctx, await service.get(number))
        return
    reception = await service.start_or_resume(ctx.me)
    resumed = bool(reception.unit) or reception.start is not None
    key = "receptions.resumed" if resumed else "receptions.started"
    await question(ctx, reception, prefix=ctx.t(key, id=reception.id))


@for_staff(*ROLES)
@worded
async def yongcan(ctx: Ctx) -> None:
    """`/yongcan 12月3日 市发改委 6人 陪同3人 工作餐 标准150`: records an ordinary official
    meal in one line (checked against the reception rules; a breach is refused)."""
    line = " ".join(ctx.args)
    if not line.strip():
        await ctx.reply(ctx.t("receptions.meal.usage"))
        return
    meal = await meals.record(ctx.me, line, _rules(ctx), _tz(ctx))
    held = meal.held_at.astimezone(views.OFFICE_TZ)
    total = await service.year_meals(held.year, _tz(ctx))
    await ctx.reply(ctx.t("receptions.meal.done", id=meal.id, day=held.date().isoformat(),
                          unit=meal.unit, guests=meal.guest_diners, staff=meal.staff_diners,
                          kind=meal.kind, standard=meals.yuan(meal.standard),
                          cost=meals.yuan(meal.cost), year=held.year,
                          year_meals=total))


async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reads a typed answer, photo or file for the open question; other messages pass on."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        return
    current = await service.open_question(ctx.me)
    if current is None:
        return
    try:
        given = await _given(ctx, current)
        reception = await service.answer(ctx.me, given, rules=_rules(ctx), tz=_tz(ctx))
    except DomainError as error:
        # Say what was wrong and ask the same question again: nothing entered is lost.
        retry = await service.get(current.id)
        words = error_words(ctx, error)
        if retry.step == "complete":
            await ctx.reply(f"{words}\n\n{ctx.t('receptions.q.complete')}")
        elif retry.step is not None:
            await question(ctx, retry, prefix=words)
        else:
            await ctx.reply(words)
        raise ApplicationHandlerStop from None
    if reception.status == ReceptionStatus.COMPLETED:
        await _completed(ctx, reception)
    else:
        await question(ctx, reception)
    raise ApplicationHandlerStop


async def _given(ctx: Ctx, current: Reception) -> service.Answer:
    message = cast(Message, ctx.message)
    if message.photo:
        return service.Answer(text=message.caption or "", file_id=message.photo[-1].file_id)
    if message.document is not None:
        doc = message.document
        if current.step == "guests":
            if (doc.file_size or 0) > MAX_FILE:
                raise InvalidInput("receptions.error.file_too_big")
            data = bytes(await (await ctx.context.bot.get_file(doc.file_id))
                         .download_as_bytearray())
            return service.Answer(file_name=doc.file_name or "", content=data,
                                  file_id=doc.file_id)
        return service.Answer(text=message.caption or "", file_id=doc.file_id,
                              file_name=doc.file_name or "")
    return service.Answer(text=message.text or "")


async def _completed(ctx: Ctx, reception: Reception) -> None:
    assert reception.start is not None
    year = reception.start.astimezone(views.OFFICE_TZ).year
    total = await service.year_meals(year, _tz(ctx))
    lines = [ctx.t("receptions.completed", id=reception.id, meals=reception.actual_meals,
                   year=year, year_meals=total)]
    diffs = service.differences(reception)
    if diffs:
        lines.append(ctx.t("receptions.completed.diffs"))
        lines += [ctx.t("receptions.completed.diff", label=ctx.t(f"receptions.f.{name}"),
                        planned=planned, actual=actual) for name, planned, actual in diffs]
    else:
        lines.append(ctx.t("receptions.completed.same"))
    warnings = service.actual_breaches(reception, _rules(ctx))
    if warnings:
        lines.append(ctx.t("receptions.completed.warn"))
        lines.append(views.breach_lines(warnings, ctx.lang))
    await show_card(ctx, reception, prefix="\n".join(lines))


@for_staff(*ROLES)
@worded
async def on_button(ctx: Ctx) -> None:
    """Handles the plan's buttons: leader, room, submit, edit, cancel, complete, form, lists."""
    data = await ctx.button()
    if data is None:
        return
    action, rid = data.action, data.int_id
    if action in ("ledger", "month"):
        await receptions_lists.list_button(ctx, action, rid, data.extra)
        await ctx.answer()
        return
    reception = await service.get(rid)
    if action not in ("form", "show") and not service.may_change(ctx.me, reception):
        raise NotAllowed("receptions.error.not_yours")
    handler = BUTTONS.get(action)
    if handler is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await handler(ctx, reception, data.extra)
    await ctx.answer()


async def _leader(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    leader_id = (to_int(extra[0]) or 0) if extra else 0
    updated = await service.choose_leader(ctx.me, reception.id, leader_id)
    await ctx.edit(f"{ctx.t('receptions.q.leader')}\n→ {views.escape(updated.host_leader.name)}")  # type: ignore[union-attr]
    await question(ctx, updated)


async def _room(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    room_id = (to_int(extra[0]) or 0) if extra else 0
    updated = await service.choose_room(ctx.me, reception.id, room_id or None)
    chosen = ctx.t("receptions.room_booked", room=views.escape(updated.room_name)) \
        if updated.room_name else ctx.t("receptions.btn.no_room")
    await ctx.edit(chosen)
    await question(ctx, updated)


async def _submit(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    try:
        submitted = await service.submit(ctx.me, reception.id, _rules(ctx), _tz(ctx))
    except service.ChecksFailed as error:
        # The breaches are too long for an alert: they go in a message under the card.
        await ctx.reply(error_words(ctx, error))
        return
    await show_card(ctx, submitted, edit=True)
    await ctx.reply(ctx.t("receptions.submitted", id=submitted.id))


async def _edit(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    if extra:
        updated = await service.edit(ctx.me, reception.id, extra[0])
        # the card pressed stops being live: the plan's card after the answer is the one to use
        await ctx.edit(await card_text(ctx, reception) + "\n\n" + ctx.t(
            "receptions.edit.editing", field=ctx.t(f"receptions.f.{extra[0]}")))
        await question(ctx, updated)
        return
    if reception.status not in service.EDITABLE:
        raise StaleAction("receptions.error.not_editable", status=reception.status.value)
    rows, row = [], []
    for step in service.STEPS:
        row.append((ctx.t(f"receptions.f.{step}"), cb.encode(F, "edit", reception.id, step)))
        if len(row) == 3:
            rows.append(row)
            row = []
    rows.append([*row, (ctx.t("receptions.btn.back"), cb.encode(F, "show", reception.id))])
    await ctx.edit(await card_text(ctx, reception) + "\n\n" + ctx.t("receptions.edit.choose"),
                   buttons(rows))


async def _show(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    await show_card(ctx, reception, edit=True)


async def _cancel(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    if reception.status in (ReceptionStatus.CANCELLED, ReceptionStatus.COMPLETED):
        raise StaleAction("receptions.error.not_editable", status=reception.status.value)
    await ctx.edit(
        ctx.t("receptions.cancel.confirm", id=reception.id, unit=views.escape(reception.unit)),
        buttons([[(ctx.t("receptions.btn.cancel_confirm"), cb.encode(F, "cancelok", reception.id)),
                  (ctx.t("receptions.btn.back"), cb.encode(F, "show", reception.id))]]),
    )


async def _cancel_ok(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    room = reception.room_name
    cancelled = await service.cancel(ctx.me, reception.id)
    released = ctx.t("receptions.cancelled.room", room=views.escape(room)) if room else ""
    await ctx.edit(ctx.t("receptions.cancelled", id=cancelled.id, room=released))


async def _complete(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    await service.ask_actuals(ctx.me, reception.id)
    await ctx.reply(ctx.t("receptions.q.complete"))


async def _form(ctx: Ctx, reception: Reception, extra: tuple[str, ...]) -> None:
    name, data = await service.export_form(reception.id, _tz(ctx))
    await ctx.context.bot.send_document(
        ctx.chat_id, InputFile(data, filename=name),
        parse_mode=ParseMode.HTML, caption=ctx.t("receptions.form.caption", id=reception.id),
    )


BUTTONS: dict[str, Any] = {
    "leader": _leader, "room": _room, "submit": _submit, "edit": _edit, "show": _show,
    "cancel": _cancel, "cancelok": _cancel_ok, "complete": _complete, "form": _form,
}  # fmt: skip


def _answer_filter() -> filters.BaseFilter:
    shortcuts = list(shortcut_texts())
    typed = filters.TEXT & ~filters.COMMAND
    if shortcuts:
        typed = typed & ~filters.Text(shortcuts)
    return filters.ChatType.PRIVATE & (typed | filters.PHOTO | filters.Document.ALL)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the reception commands, the answer reader and the buttons."""
    settings = application.bot_data.get("settings")
    if settings is not None:
        views.set_zone(settings.timezone)
    commands = application.bot_data.setdefault("commands", {})
    lists = receptions_lists.receptions_command
    commands.update({"reception": reception_command, "receptions": lists, "yongcan": yongcan})
    application.add_handler(CommandHandler("reception", reception_command))
    application.add_handler(CommandHandler("yongcan", yongcan))
    application.add_handler(CommandHandler("receptions", lists))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern(F)))
    # Answers to an open question come before any feature's free-text reading; a message
    # with no open question passes on untouched.
    application.add_handler(MessageHandler(_answer_filter(), on_answer), group=ANSWER_GROUP)
