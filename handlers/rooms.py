"""Booking a room in the chat: /book guided or in one line, the card's buttons, typed answers."""

from __future__ import annotations

import html

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
from handlers import rooms_view as rv
from handlers.common import Ctx, buttons, for_staff, make_ctx
from handlers.menu import Command, add_commands, shortcut_texts
from handlers.routing import open_drafts
from models.core import Role
from models.rooms import BookingDraft, DraftStep, Room
from services import clock
from services import rooms as rooms_service
from services.errors import Conflict, DomainError
from services.inputs import normalize, to_date, to_int
from services.rooms import booking as bk
from services.rooms import manage

add_commands(
    Command("book", shortcut="rooms.kb"),
    Command("rooms"),
    Command("mybookings"),
    Command("roomstats", frozenset({Role.ADMIN, Role.OFFICE})),
)
#: Text groups: after the features' own free text (group 0), so a typed title never hides them.
TEXT_GROUP = 1
#: Before every feature's open dialog: a sentence that plainly books a room is not their answer.
PLAIN_GROUP = -100


async def show(ctx: Ctx, draft: BookingDraft, *, new: bool = False) -> None:
    """Render the draft's card: edit the pressed card, or send a new one."""
    text, keyboard = rv.card(await bk.view(draft, ctx.me), ctx.lang)
    if ctx.query is not None and not new:
        await ctx.edit(text, keyboard)
    else:
        await ctx.reply(text, keyboard)


@for_staff()
async def book(ctx: Ctx) -> None:
    """Starts the guided booking, or reads `/book 明天下午3点到5点 3号会议室 项目评审`."""
    if ctx.args:
        draft = await bk.from_text(ctx.me, ctx.chat_id, " ".join(ctx.args), command=True)
    else:
        draft = await bk.begin(ctx.me, ctx.chat_id)
    assert draft is not None
    await show(ctx, draft, new=True)


@for_staff()
async def card_button(ctx: Ctx) -> None:
    """Applies one press on a booking card (only the person whose card it is may press)."""
    data = await ctx.button()
    if data is None:
        return
    action, draft_id, extra = data.action, data.int_id, data.extra
    if action == "of":
        await offered(ctx)
        return
    if action in ("cx", "mv", "in", "c1", "cs", "cy", "cn"):
        await booking_button(ctx, action, draft_id, everyone=extra[:1] == ("a",))
        return
    try:
        if action == "ok":
            await confirm(ctx, draft_id)
            return
        draft = await _apply(ctx, action, draft_id, extra)
    except Conflict:
        raise
    if draft is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    if draft.step == DraftStep.DROPPED:
        await ctx.edit(ctx.t("rooms.dropped"))
    else:
        await show(ctx, draft)
    await ctx.answer()


async def _apply(ctx: Ctx, action: str, draft_id: int, extra: tuple[str, ...]
                 ) -> BookingDraft | None:
    me = ctx.me
    arg = extra[0] if extra else ""
    number = to_int(arg)
    if action == "d" and to_date(arg) is not None:
        return await bk.choose_day(draft_id, me, to_date(arg))  # type: ignore[arg-type]
    if action == "s" and number is not None:
        return await bk.choose_start(draft_id, me, number)
    if action == "l" and number is not None:
        return await bk.choose_length(draft_id, me, number)
    if action == "p" and number is not None:
        return await bk.set_attendees(draft_id, me, number)
    if action == "e" and arg:
        return await bk.toggle_equipment(draft_id, me, arg)
    if action == "f":
        return await bk.needs_done(draft_id, me)
    if action == "r" and number is not None:
        return await bk.choose_room(draft_id, me, number)
    if action == "t" and number is not None and len(extra) > 1 and to_int(extra[1]) is not None:
        return await bk.choose_slot(draft_id, me, number, to_int(extra[1]))  # type: ignore[arg-type]
    if action == "h":
        return await bk.choose_half(draft_id, me, arg)
    if action == "y" and arg:
        return await bk.choose_answer(draft_id, me, arg)
    if action == "dt":
        return await bk.default_title(draft_id, me)
    if action == "bd":
        return await bk.back_to(draft_id, me, DraftStep.DAY)
    if action == "cr":
        return await bk.back_to(draft_id, me, DraftStep.ROOM)
    if action == "x":
        return await bk.drop(draft_id, me)
    return None


async def confirm(ctx: Ctx, draft_id: int) -> None:
    """Books; a slot taken meanwhile turns the card into the alternatives."""
    try:
        result = await bk.confirm(draft_id, ctx.me)
    except Conflict as error:
        draft = await BookingDraft.get(id=draft_id)
        await show(ctx, draft)
        await ctx.fail(error)
        return
    room = result.room or await Room.get(id=result.bookings[0].room_id)  # type: ignore[attr-defined]
    text = rv.done_text(result.bookings, result.skipped, result.changed, room, ctx.lang)
    # Other features' buttons for the new booking (a meeting notice), when they are installed.
    extra = [b for make in ctx.context.bot_data.get("booking_card_buttons", [])
             for b in make(result.bookings[0], ctx.lang)]
    await ctx.edit(text, buttons([extra]) if extra else None)
    await ctx.answer(text[:200])


async def booking_button(ctx: Ctx, action: str, booking_id: int, *, everyone: bool = False
                         ) -> None:
    """Cancel (after a confirmation), change or check in to an existing booking. Pressed on the
    /mybookings list, the list itself asks and then shows the bookings as they are now."""
    from handlers.rooms_more import my_list

    now = clock.now()
    if action == "in":
        await manage.check_in(ctx.me, booking_id, now)
        await ctx.answer(ctx.t("rooms.checked_in"), alert=True)
        return
    booking = await manage.get_booking(booking_id)
    own = booking.organiser_id == ctx.me.id  # type: ignore[attr-defined]
    scope = ["a"] if everyone else []
    if action == "mv":
        draft = await manage.begin_change(ctx.me, booking_id, ctx.chat_id)
        await show(ctx, draft, new=True)
        await ctx.answer()
        return
    if action == "cn":  # 不取消: the list comes back as it is
        await ctx.edit(*await my_list(ctx, everyone))
        await ctx.answer(ctx.t("rooms.cancel_kept", id=booking_id))
        return
    if not own:
        draft = await manage.begin_cancel_with_reason(ctx.me, booking_id, ctx.chat_id)
        await ctx.ask(ctx.t("rooms.ask.reason", id=booking_id))
        await ctx.answer()
        return
    keep = (ctx.t("rooms.btn.keep_booking"), cb.encode("rooms", "cn", booking_id, *scope))
    what = {"id": booking_id, "when": rv.booking_when(booking, ctx.lang),
            "title": html.escape(booking.title), "room": html.escape(booking.room.name)}
    later = await manage.later_in_series(booking) if action == "cx" else 0
    if later:
        # one occurrence of a weekly meeting, or the rest of the series? Ask, cancel nothing yet
        await ctx.edit(
            ctx.t("rooms.ask.series_cancel", later=later, **what),
            buttons([[(ctx.t("rooms.btn.cancel_one", id=booking_id),
                       cb.encode("rooms", "c1", booking_id, *scope))],
                     [(ctx.t("rooms.btn.cancel_series", n=later + 1),
                       cb.encode("rooms", "cs", booking_id, *scope))], [keep]]))
        await ctx.answer()
        return
    if action == "cx":  # one tap cannot be undone: ask first
        await ctx.edit(ctx.t("rooms.ask.cancel_confirm", **what),
                       buttons([[(ctx.t("rooms.btn.cancel_confirm"),
                                  cb.encode("rooms", "cy", booking_id, *scope)), keep]]))
        await ctx.answer()
        return
    if action == "cs":
        gone = await manage.cancel_series_from(ctx.me, booking_id, now)
        text = ctx.t("rooms.cancelled_series_ok", n=len(gone),
                     room=html.escape(gone[0].room.name),
                     when=rv.booking_when(gone[0], ctx.lang))
    else:
        cancelled = await manage.cancel(ctx.me, booking_id, "", now)
        text = ctx.t("rooms.cancelled_ok", id=cancelled.id,
                     room=html.escape(cancelled.room.name),
                     when=rv.booking_when(cancelled, ctx.lang))
    listing, keyboard = await my_list(ctx, everyone)
    await ctx.edit(text + "\n\n" + listing, keyboard)
    await ctx.answer(text[:200])


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text: the answer an open booking card waits for, or a booking said in a sentence."""
    ctx = await make_ctx(update, context)
    text = ctx.text.strip()
    if ctx.staff is None or not text or text in shortcut_texts():
        return
    try:
        waiting = await bk.open_text_draft(ctx.me, ctx.chat_id)
        if waiting is not None:
            await _typed_answer(ctx, waiting, text)
            return
        picking = await bk.open_picking_draft(ctx.me, ctx.chat_id)
        if picking is not None and bk.booking_intent(text) != "book":
            # a time typed while the card offers days and times (a new booking, a change)
            draft = await bk.typed_time(picking.id, ctx.me, text)
            if draft is not None:
                await show(ctx, draft, new=True)
                return
        await said_booking(ctx, text)
    except DomainError as error:
        await ctx.fail(error)


async def plainly_a_booking(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sentence that plainly books a room (a time of day and a room or a booking word) is a
    booking, whatever other dialog is open: that one is named once and kept."""
    message = update.effective_message
    if message is None or message.reply_to_message is not None:
        return  # an answer to a question the bot asked goes to that question
    ctx = await make_ctx(update, context)
    text = ctx.text.strip()
    if ctx.staff is None or bk.booking_intent(text) != "book" or not bk.says_clock_time(text):
        return
    kept = await open_drafts(ctx.me)
    try:
        await said_booking(ctx, text)
    except DomainError as error:
        await ctx.fail(error)
    for key in kept:
        await ctx.reply(ctx.t("talk.draft_kept", draft=ctx.t(key)))
    raise ApplicationHandlerStop


async def said_booking(ctx: Ctx, text: str) -> bool:
    """A booking said in a sentence starts one; talk about a meeting is offered one; True when
    the bot answered."""
    intent = bk.booking_intent(text)
    if intent == "ask" and bk.says_time(text):
        message = ctx.message
        await ctx.reply(ctx.t("rooms.offer"),
                        buttons([[(ctx.t("rooms.btn.offer"), cb.encode("rooms", "of", 0))]]),
                        reply_to_message_id=message.message_id if message else None)
        return True
    if intent != "book":
        return False
    draft = await bk.from_text(ctx.me, ctx.chat_id, text, command=False)
    if draft is None and not bk.asks_for_room(text):
        return False  # 会议室钥匙在我这儿: about a room, no time, no request
    if draft is None:  # 我想订个会议室: the guided booking
        draft = await bk.begin(ctx.me, ctx.chat_id)
    await show(ctx, draft, new=True)
    return True


async def offered(ctx: Ctx) -> None:
    """“预订会议室” under the offer: a booking from the sentence the offer answered."""
    message = ctx.query.message if ctx.query else None
    said = message.reply_to_message if isinstance(message, Message) else None
    text = normalize(said.text or "") if said is not None else ""
    draft = await bk.from_text(ctx.me, ctx.chat_id, text, command=True) if text.strip() else None
    if draft is None:
        draft = await bk.begin(ctx.me, ctx.chat_id)
    await ctx.edit(ctx.t("rooms.offer"))  # the question is answered: its button goes
    await show(ctx, draft, new=True)
    await ctx.answer()


async def _typed_answer(ctx: Ctx, draft: BookingDraft, text: str) -> None:
    if draft.step == DraftStep.REASON:
        booking = await manage.reason_given(draft.id, ctx.me, text, clock.now())
        await ctx.reply(ctx.t("rooms.cancelled_ok", id=booking.id,
                              room=html.escape(booking.room.name),
                              when=rv.booking_when(booking, ctx.lang)))
        return
    if draft.step == DraftStep.ASK:
        draft = await bk.answer(draft.id, ctx.me, text)
    else:
        draft = await bk.set_title(draft.id, ctx.me, text)
    await show(ctx, draft, new=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    from handlers import rooms_more

    settings = application.bot_data.get("settings")
    if settings is not None:
        rooms_service.configure(
            tz=settings.timezone,
            reminder_minutes=getattr(settings, "rooms_reminder_minutes", 15),
            checkin_grace_minutes=getattr(settings, "rooms_checkin_grace_minutes", 10),
            recurrence_horizon_days=getattr(settings, "rooms_recurrence_horizon_days", 180),
        )
    application.bot_data.setdefault("commands", {}).update({"book": book})
    application.add_handler(CommandHandler("book", book))
    application.add_handler(CallbackQueryHandler(card_button, pattern=cb.pattern("rooms")))
    rooms_more.register(application)
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND, text_message), group=TEXT_GROUP
    )
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND, plainly_a_booking), group=PLAIN_GROUP
    )
