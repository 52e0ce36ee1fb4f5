"""Meeting notices in the chat: from a booking's card (or /huiyi) the organiser writes and
sends the notice; invitees reply on their cards; the organiser follows replies, checks people
in, exports the lists and name cards, and sends the minutes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from html import escape
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
from handlers.cards import settle
from handlers.common import Ctx, buttons, for_staff, make_ctx
from handlers.menu import Command, add_commands, shortcut_texts
from handlers.texts import t
from handlers.views import meetings as views
from handlers.wording import worded, words_for
from models.meetings import Invitation, MeetingNotice, NoticeStatus
from models.rooms import Booking
from services import clock
from services import meetings as service
from services.errors import DomainError, InvalidInput, NotAllowed, StaleAction
from services.inputs import to_int
from services.meetings import notices, replies
from services.meetings.notices import INVITE

F = views.F
#: Typed answers and files for an open meeting question come first: the organiser or invitee
#: pressed a button that asked for exactly this.
PROMPT_GROUP = -11
LISTS = ("lists", "名单")
DROP = ("remove", "删除")
MAX_MINUTES_BYTES = 20 * 1024 * 1024

add_commands(Command("huiyi"))


words = words_for()


def notice_button(booking: Booking, lang: str) -> tuple[str, str]:
    """The button a booking's card carries to write its notice (rooms shows it)."""
    return t("meetings.btn.open", lang), cb.encode(F, "open", booking.id)


async def _parts(notice: MeetingNotice) -> tuple[MeetingNotice, Booking, list[Any]]:
    fresh = await notices.get(notice.id)
    return fresh, fresh.booking, await notices.invitations(fresh.id)


async def show(ctx: Ctx, notice: MeetingNotice, *, edit: bool = False, problem: str = "") -> None:
    """The composer of a draft, the reply list of a sent notice."""
    notice, booking, invited = await _parts(notice)
    if notice.status == NoticeStatus.DRAFT:
        text, keyboard = views.composer(notice, booking, invited,
                                        await notices.files(notice.id), ctx.lang, problem)
    else:
        text, keyboard = views.status_card(notice, booking, invited, ctx.lang)
        if problem:
            text = f"⚠️ {problem}\n\n{text}"
    await _put(ctx, text, keyboard, edit=edit)


async def _put(ctx: Ctx, text: str, keyboard: InlineKeyboardMarkup | None, *, edit: bool) -> None:
    if edit:
        await ctx.edit(text, keyboard)
    else:
        await ctx.reply(text, keyboard)


async def show_picker(ctx: Ctx, notice: MeetingNotice, *, edit: bool, note: str = "") -> None:
    notice, booking, invited = await _parts(notice)
    text, keyboard = views.picker(notice, booking, invited, await notices.departments(),
                                  await notices.lists(), ctx.lang, note)
    await _put(ctx, text, keyboard, edit=edit)


def added_note(ctx: Ctx, result: notices.Added) -> str:
    parts = []
    if result.added:
        parts.append(ctx.t("meetings.added", n=len(result.added),
                           names=views.names([p.name for p in result.added], ctx.lang)))
    if result.removed:
        parts.append(ctx.t("meetings.removed", names=views.names(result.removed, ctx.lang)))
    if result.already:
        parts.append(ctx.t("meetings.already", names=views.names(result.already, ctx.lang)))
    if result.unknown:
        parts.append(ctx.t("meetings.unknown", names=views.names(result.unknown, ctx.lang)))
    return "\n".join(parts) or ctx.t("meetings.added_none")


@for_staff()
@worded(words)
async def huiyi(ctx: Ctx) -> None:
    """`/huiyi` lists my meetings to notify and the notices waiting for my reply; `/huiyi 12`
    opens booking 12's notice; `/huiyi 名单 …` keeps the lists the office invites together."""
    args = ctx.args
    first = args[0].lower() if args else ""
    if first in LISTS:
        await _lists(ctx, args[1:])
    elif to_int(first.lstrip("#")) is not None and len(args) == 1:
        await show(ctx, await notices.open_for_booking(ctx.me, int(first.lstrip("#")[:9])))
    elif args:
        await ctx.reply(ctx.t("meetings.usage"))
    else:
        await _overview(ctx)


async def _overview(ctx: Ctx) -> None:
    now = clock.now()
    mine = await notices.my_meetings(ctx.me, now)
    found = await notices.notices_of(mine)
    lines, rows = [ctx.t("meetings.mine.title")], []
    for booking in mine:
        notice = found.get(booking.id)
        state = ctx.t(f"meetings.notice.{notice.status.value}") if notice else ctx.t(
            "meetings.notice.none")
        lines.append(ctx.t("meetings.mine.line", id=booking.id, title=escape(booking.title),
                           when=views.when(booking.start_at, booking.end_at, ctx.lang),
                           room=escape(booking.room.name), state=state))
        rows.append([(ctx.t("meetings.btn.open_id", id=booking.id),
                      cb.encode(F, "open", booking.id))])
    if not mine:
        lines.append(ctx.t("meetings.mine.none"))
    waiting = await notices.waiting_reply(ctx.me, now)
    if waiting:
        lines.append("\n" + ctx.t("meetings.waiting.title", n=len(waiting)))
        for invitation in waiting:
            booking = invitation.notice.booking
            lines.append(ctx.t("meetings.waiting.line", title=escape(booking.title),
                               when=views.when(booking.start_at, booking.end_at, ctx.lang),
                               organiser=escape(invitation.notice.organiser.name)))
            rows.append([(ctx.t("meetings.btn.reply", title=booking.title[:20]),
                          cb.encode(F, "card", invitation.id))])
    await ctx.reply("\n".join(lines), buttons(rows[:30]) if rows else None)


async def _lists(ctx: Ctx, args: list[str]) -> None:
    if len(args) >= 2 and args[0].lower() in DROP:
        await notices.drop_list(ctx.me, args[1])
        await ctx.reply(ctx.t("meetings.lists.dropped", name=escape(args[1])))
        return
    if len(args) >= 2:
        saved, unknown = await notices.save_list(ctx.me, args[0], " ".join(args[1:]))
        text = ctx.t("meetings.lists.saved", name=escape(saved.name), n=len(saved.members))
        if unknown:
            text += "\n" + ctx.t("meetings.unknown", names=views.names(unknown, ctx.lang))
        await ctx.reply(text)
        return
    lines = [ctx.t("meetings.lists.title")]
    for listed in await notices.lists():
        lines.append(ctx.t("meetings.lists.line", name=escape(listed.name),
                           n=len(listed.members)))
    lines.append("\n" + ctx.t("meetings.lists.usage"))
    await ctx.reply("\n".join(lines))


# ---------------------------------------------------------------------------- buttons


@for_staff()
@worded(words)
async def on_button(ctx: Ctx) -> None:
    """Every meeting-notice button: the composer's, the organiser's and the invitee's."""
    data = await ctx.button()
    if data is None:
        return
    action, ident = data.action, data.int_id
    arg = data.extra[0] if data.extra else ""
    handler = ORGANISER.get(action) or INVITEE.get(action)
    if handler is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    answer = await handler(ctx, ident, arg)
    await ctx.answer(answer)


async def _open(ctx: Ctx, booking_id: int, arg: str) -> None:
    await show(ctx, await notices.open_for_booking(ctx.me, booking_id))


async def _managed(ctx: Ctx, notice_id: int) -> MeetingNotice:
    notice = await notices.get(notice_id)
    if not notices.may_manage(notice, ctx.me):
        raise NotAllowed("meetings.error.not_organiser")
    return notice


async def _invitees(ctx: Ctx, notice_id: int, arg: str) -> str:
    notice = await _managed(ctx, notice_id)
    if notice.status == NoticeStatus.CANCELLED:
        raise StaleAction("meetings.error.cancelled")
    await notices.ask(ctx.me, notice, "invitees")
    # A sent notice's reply list keeps itself up to date: the picker comes as a new message.
    await show_picker(ctx, notice, edit=notice.status == NoticeStatus.DRAFT)
    return ""


async def _department(ctx: Ctx, notice_id: int, arg: str) -> str:
    depts = await notices.departments()
    if to_int(arg) is None or int(arg) >= len(depts):
        raise InvalidInput("error.bad_button")
    result = await notices.add_group(ctx.me, notice_id, department=depts[int(arg)])
    await show_picker(ctx, await notices.get(notice_id), edit=True, note=added_note(ctx, result))
    return ""


async def _list(ctx: Ctx, notice_id: int, arg: str) -> str:
    result = await notices.add_group(ctx.me, notice_id, list_id=(to_int(arg) or 0))
    await show_picker(ctx, await notices.get(notice_id), edit=True, note=added_note(ctx, result))
    return ""


async def _clear(ctx: Ctx, notice_id: int, arg: str) -> str:
    notice = await notices.clear_invitees(ctx.me, notice_id)
    await show_picker(ctx, notice, edit=True)
    return ""


async def _back(ctx: Ctx, notice_id: int, arg: str) -> str:
    await notices.clear_prompt(ctx.me)
    notice = await _managed(ctx, notice_id)
    if notice.status == NoticeStatus.DRAFT:
        await show(ctx, notice, edit=True)
    else:
        invited = await notices.invitations(notice.id)
        await ctx.edit(ctx.t("meetings.picker.closed", n=len(invited)))
    return ""


def _prompt(what: str) -> Callable[[Ctx, int, str], Awaitable[str]]:
    """A button that waits for the organiser to type (agenda, note) or send files."""

    async def run(ctx: Ctx, notice_id: int, arg: str) -> str:
        notice = await _managed(ctx, notice_id)
        if notice.status == NoticeStatus.CANCELLED:
            raise StaleAction("meetings.error.cancelled")
        if what == "materials" and notice.status != NoticeStatus.DRAFT:
            raise StaleAction("meetings.error.sent_no_files")
        await notices.ask(ctx.me, notice, what)
        await ctx.context.bot.send_message(ctx.user_id, ctx.t(f"meetings.ask.{what}"))
        return ""

    return run


async def _send(ctx: Ctx, notice_id: int, arg: str) -> str:
    notice = await notices.send(ctx.me, notice_id)
    await notices.clear_prompt(ctx.me)
    invited = await notices.invitations(notice.id)
    await ctx.edit(ctx.t("meetings.sent", n=len(invited)))
    return ctx.t("meetings.sent", n=len(invited))


async def _checkin_done(ctx: Ctx, notice_id: int, arg: str) -> str:
    _, _, invited = await _parts(await _managed(ctx, notice_id))
    came = sum(1 for i in invited if i.checked_in_at)
    await ctx.edit(ctx.t("meetings.checkin.closed", came=came))
    return ""


async def _checkin_panel(ctx: Ctx, notice_id: int, arg: str) -> str:
    """The organiser's check-in panel, as its own message (the reply list stays as it is)."""
    notice, booking, invited = await _parts(await _managed(ctx, notice_id))
    text, keyboard = views.checkin_panel(notice, booking, invited, ctx.lang)
    await ctx.reply(text, keyboard)
    return ""


async def _mark(ctx: Ctx, notice_id: int, arg: str) -> str:
    invitation = await replies.mark(ctx.me, (to_int(arg) or 0))
    notice, booking, invited = await _parts(await notices.get(notice_id))
    text, keyboard = views.checkin_panel(notice, booking, invited, ctx.lang)
    await ctx.edit(text, keyboard)
    return ctx.t("meetings.marked" if invitation.checked_in_at else "meetings.unmarked")


async def _export(ctx: Ctx, notice_id: int, kind: str) -> str:
    notice, booking, invited = await _parts(await _managed(ctx, notice_id))
    if kind == "replies":
        data = await asyncio.to_thread(views.replies_xlsx, notice, booking, invited, ctx.lang)
        name = f"meeting_{booking.id}_replies.xlsx"
    elif kind == "signin":
        data = await asyncio.to_thread(views.signin_xlsx, notice, booking, invited, ctx.lang)
        name = f"meeting_{booking.id}_signin.xlsx"
    else:
        people = views.card_people(notice, invited)
        data = await asyncio.to_thread(views.name_cards_docx, booking, people, ctx.lang)
        name = f"meeting_{booking.id}_name_cards.docx"
    await ctx.context.bot.send_document(
        ctx.chat_id, InputFile(data, filename=name),
        parse_mode=ParseMode.HTML,
        caption=ctx.t(f"meetings.export.{kind}", title=escape(booking.title)))
    return ""


def _exporter(kind: str) -> Callable[[Ctx, int, str], Awaitable[str]]:
    async def run(ctx: Ctx, notice_id: int, arg: str) -> str:
        return await _export(ctx, notice_id, kind)

    return run


async def _card(ctx: Ctx, invitation_id: int, arg: str) -> str:
    """Send the invitee's card again (from /huiyi)."""
    invitation = await Invitation.get_or_none(id=invitation_id).prefetch_related(
        "staff", "delegate", "delegated_from__staff", "notice__booking__room",
        "notice__organiser")
    if invitation is None or invitation.staff_id != ctx.me.id:  # type: ignore[attr-defined]
        raise NotAllowed("meetings.error.not_your_card")
    text, keyboard = views.invitation_card(
        invitation, await notices.files(invitation.notice.id), ctx.lang)
    await ctx.reply(text, keyboard)
    return ""


async def _refresh_pressed(ctx: Ctx, invitation_id: int) -> None:
    """Show the new reply on the pressed card unless the outbox refreshes it (its own card)."""
    invitation = await Invitation.get(id=invitation_id).prefetch_related(
        "staff", "delegate", "delegated_from__staff", "notice__booking__room",
        "notice__organiser")
    text, keyboard = views.invitation_card(
        invitation, await notices.files(invitation.notice.id), ctx.lang)
    await settle(ctx, text, keyboard, kinds=(INVITE,))


async def _attend(ctx: Ctx, invitation_id: int, arg: str) -> str:
    await replies.attend(ctx.me, invitation_id)
    await _refresh_pressed(ctx, invitation_id)
    return ctx.t("meetings.replied.attend")


async def _leave(ctx: Ctx, invitation_id: int, arg: str) -> str:
    await replies.start_leave(ctx.me, invitation_id)
    await ctx.context.bot.send_message(ctx.user_id, ctx.t("meetings.ask.reason"))
    return ""


async def _delegate(ctx: Ctx, invitation_id: int, arg: str) -> str:
    candidates = await replies.delegate_candidates(ctx.me, invitation_id)
    await replies.start_delegate(ctx.me, invitation_id)
    choices = [(p.name, cb.encode(F, "dp", invitation_id, p.id)) for p in candidates]
    rows = [choices[i:i + 3] for i in range(0, len(choices), 3)]
    await ctx.context.bot.send_message(
        ctx.user_id, ctx.t("meetings.ask.delegate"),
        reply_markup=buttons(rows) if rows else None)
    return ""


async def _delegate_to(ctx: Ctx, invitation_id: int, arg: str) -> str:
    new = await replies.delegate(ctx.me, invitation_id, staff_id=(to_int(arg) or 0))
    await new.fetch_related("staff")
    await ctx.edit(ctx.t("meetings.replied.delegated", name=escape(new.staff.name)))
    return ctx.t("meetings.replied.delegated", name=new.staff.name)


async def _check_in(ctx: Ctx, invitation_id: int, arg: str) -> str:
    await replies.check_in(ctx.me, invitation_id)
    await _refresh_pressed(ctx, invitation_id)
    return ctx.t("meetings.checked_in")


ORGANISER: dict[str, Callable[[Ctx, int, str], Awaitable[Any]]] = {
    "open": _open, "inv": _invitees, "dept": _department, "list": _list, "clr": _clear,
    "back": _back, "ag": _prompt("agenda"), "pr": _prompt("preparation"),
    "mat": _prompt("materials"), "min": _prompt("minutes"), "send": _send, "ckx": _checkin_done,
    "ck": _checkin_panel, "mk": _mark, "xr": _exporter("replies"), "xs": _exporter("signin"),
    "xc": _exporter("cards"),
}
INVITEE: dict[str, Callable[[Ctx, int, str], Awaitable[Any]]] = {
    "card": _card, "at": _attend, "lv": _leave, "dg": _delegate, "dp": _delegate_to,
    "ci": _check_in,
}


# ---------------------------------------------------------------------------- typed answers


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What a meeting question asked for: names, the agenda, a note, files, a reason."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None:
        return
    message = cast(Message, ctx.message)
    text = (message.text or "").strip()
    if text and text in shortcut_texts():
        return
    prompt = await notices.prompt_of(ctx.me)
    if prompt is None:
        return
    if message.document is None and not text:
        return
    try:
        reply = await _answer(ctx, prompt, message, text)
    except DomainError as error:
        reply = words(error, ctx.lang)
    if reply:
        await ctx.reply(reply)
    raise ApplicationHandlerStop


async def _answer(ctx: Ctx, prompt: Any, message: Message, text: str) -> str:
    what = prompt.what
    notice_id = prompt.notice_id
    if what in ("reason", "delegate", "invitees", "agenda", "preparation") and not text:
        raise InvalidInput("meetings.error.text_wanted")
    if what == "reason":
        invitation = await replies.leave(ctx.me, prompt.invitation_id, text)
        return ctx.t("meetings.replied.leave", reason=escape(invitation.reason))
    if what == "delegate":
        new = await replies.delegate(ctx.me, prompt.invitation_id, name=text)
        await new.fetch_related("staff")
        return ctx.t("meetings.replied.delegated", name=escape(new.staff.name))
    if what == "invitees":
        result = await notices.add_invitees(ctx.me, notice_id, text)
        await show_picker(ctx, await notices.get(notice_id), edit=False,
                          note=added_note(ctx, result))
        return ""
    if what in ("agenda", "preparation"):
        notice = await notices.set_text(ctx.me, notice_id, what, text)
        await notices.clear_prompt(ctx.me)
        await show(ctx, notice)
        return ""
    if what == "materials":
        if message.document is None:
            await notices.clear_prompt(ctx.me)
            await show(ctx, await notices.get(notice_id))
            return ""
        document = message.document
        added = await notices.add_file(ctx.me, notice_id, document.file_id,
                                       document.file_name or "")
        return ctx.t("meetings.file_added", name=escape(added.file_name))
    if what == "minutes":
        if message.document is None:
            raise InvalidInput("meetings.error.not_docx")
        document = message.document
        if (document.file_size or 0) > MAX_MINUTES_BYTES:
            raise InvalidInput("meetings.error.too_big")
        content = bytes(await (await ctx.context.bot.get_file(document.file_id))
                        .download_as_bytearray())
        _, sent = await replies.attach_minutes(ctx.me, notice_id, document.file_id,
                                               document.file_name or "", content)
        return ctx.t("meetings.minutes.sent", n=sent)
    return ""


def booking_buttons(booking: Booking, lang: str) -> list[tuple[str, str]]:
    return [notice_button(booking, lang)]


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add /huiyi, its buttons, the reader of typed answers, and the booking card's button."""
    settings = application.bot_data.get("settings")
    if settings is not None:
        service.configure(remind_minutes=getattr(settings, "meetings_reminder_minutes", 30),
                          nudge_hours=getattr(settings, "meetings_nudge_hours", 4.0),
                          tz=settings.timezone)
    application.bot_data.setdefault("commands", {})["huiyi"] = huiyi
    # Rooms offers each feature's buttons on a new booking's card.
    application.bot_data.setdefault("booking_card_buttons", []).append(booking_buttons)
    application.add_handler(CommandHandler("huiyi", huiyi))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern(F)))
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & ((filters.TEXT & ~filters.COMMAND) | filters.Document.ALL),
        on_message), group=PROMPT_GROUP)

