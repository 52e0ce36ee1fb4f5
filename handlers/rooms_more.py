"""Schedules (/rooms), my bookings (/mybookings), usage (/roomstats) and room management."""

from __future__ import annotations

import html
import io
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, InputFile
from telegram.ext import Application, CommandHandler

from handlers import callback as cb
from handlers import rooms_charts
from handlers import rooms_view as rv
from handlers.arguments import choose
from handlers.common import Ctx, buttons, for_staff
from handlers.texts.timeparse import render_question
from handlers.views import charts
from models.core import Role
from models.rooms import Room
from services import clock
from services.rooms import RULES, manage, schedule
from services.rooms.catalog import hhmm, list_rooms, parse_pairs, save_room
from services.timeparse import parse_time
from services.timeparse.days import read_period


def feed_base(ctx: Ctx) -> str:
    runtime = ctx.context.bot_data.get("runtime")
    settings = ctx.settings
    public = getattr(settings, "public_url", None)
    if public:
        return str(public).rstrip("/")
    port = getattr(runtime, "web_port", None) or settings.web_port
    return f"http://{settings.web_host}:{port}"


def room_line(ctx: Ctx, room: Room) -> str:
    return ctx.t(
        "rooms.admin.line", name=html.escape(room.name), building=html.escape(room.building),
        floor=f" {html.escape(room.floor)}" if room.floor else "", capacity=room.capacity,
        equipment=rv.equipment_text(room.equipment, ctx.lang), opens=hhmm(room.opens_minute),
        closes=hhmm(room.closes_minute), hours=f"{room.max_minutes / 60:g}",
        days=room.max_days_ahead,
        approval=ctx.t("rooms.admin.approval") if room.needs_approval else "",
        checkin=ctx.t("rooms.admin.checkin") if room.checkin_required else "",
        inactive="" if room.active else ctx.t("rooms.admin.inactive"),
    )


@for_staff()
async def rooms_command(ctx: Ctx) -> None:
    """`/rooms [day]` shows a day's schedule; `/rooms list|add|edit` manages the rooms."""
    args = ctx.args
    if args and args[0].lower() in ("add", "edit", "list", "help"):
        await _manage(ctx, args[0].lower(), args[1:])
        return
    now = clock.now()
    day = now.astimezone(RULES.zone).date()
    if args:
        parsed = parse_time(" ".join(args), now, tz=RULES.tz, allow_past=True,
                            prefer_future=False)
        if parsed.start is None:
            if parsed.question:  # 2月30日, 5:00 and the like: say what is wrong with the day
                await ctx.reply(render_question(parsed.question, parsed.question_params, ctx.lang))
                return
            await ctx.reply(ctx.t("rooms.admin.usage"))
            return
        day = parsed.start.astimezone(RULES.zone).date()
    rows = await schedule.day_schedule(day)
    label = rv.day_text(datetime(day.year, day.month, day.day, tzinfo=RULES.zone), ctx.lang)
    lines = [ctx.t("rooms.schedule.title", date=label)]
    office = manage.is_office(ctx.me)
    for row in rows:
        gear = f" · {rv.equipment_text(row.room.equipment, ctx.lang)}" if row.room.equipment \
            else ""
        lines.append(ctx.t("rooms.schedule.room", name=html.escape(row.room.name),
                           capacity=row.room.capacity, equipment=gear))
        if not row.bookings:
            lines.append(ctx.t("rooms.schedule.free"))
        for b in row.bookings:
            lines.append(ctx.t(
                "rooms.schedule.line", start=f"{b.start_at.astimezone(RULES.zone):%H:%M}",
                end=f"{b.end_at.astimezone(RULES.zone):%H:%M}", title=html.escape(b.title),
                who=html.escape(b.organiser.name), status=rv.status_text(b, ctx.lang)))
        if office and ctx.is_private:
            lines.append(ctx.t("rooms.schedule.feed",
                               url=f"{feed_base(ctx)}/feeds/rooms/{row.room.feed_token}.ics"))
    await ctx.reply(rv.within(lines))
    png = await rooms_charts.timeline(rows, day)
    await ctx.context.bot.send_photo(ctx.chat_id, InputFile(io.BytesIO(png),
                                                            filename=f"rooms-{day}.png"))


async def _manage(ctx: Ctx, action: str, words: list[str]) -> None:
    if action in ("list", "help"):
        rooms = await list_rooms(include_inactive=True)
        lines = [ctx.t("rooms.admin.list", n=len(rooms))] + [room_line(ctx, r) for r in rooms]
        lines.append("\n" + ctx.t("rooms.admin.usage"))
        await ctx.reply("\n".join(lines))
        return
    if not words:
        await ctx.reply(ctx.t("rooms.admin.usage"))
        return
    room, created = await save_room(ctx.me, words[0], parse_pairs(words[1:]),
                                    create=action == "add")
    key = "rooms.admin.saved_new" if created else "rooms.admin.saved"
    await ctx.reply(ctx.t(key, line=room_line(ctx, room)))


#: `/mybookings 订阅` shows the personal feed address, `/mybookings 订阅 重置` makes a new one.
FEED_WORDS = ("订阅", "日历", "feed", "ics", "calendar", "subscribe")
RESET_WORDS = ("重置", "更换", "换", "reset", "renew", "new")


def feed_request(args: list[str]) -> tuple[bool, bool]:
    """Whether the arguments ask for the feed address, and whether for a new one."""
    joined = "".join(args).lower()
    asked = any(joined.startswith(word) for word in FEED_WORDS)
    return asked, asked and any(word in joined for word in RESET_WORDS)


def person_feed_url(ctx: Ctx, token: str) -> str:
    return f"{feed_base(ctx)}/feeds/people/{token}.ics"


@for_staff()
async def mybookings(ctx: Ctx) -> None:
    """Lists upcoming bookings with change/cancel buttons (`/mybookings all` for the office).

    The personal feed address is a secret: it is shown in private only.
    """
    asked, reset = feed_request(ctx.args)
    if asked:
        await _feed(ctx, reset)
        return
    everyone = bool(ctx.args and ctx.args[0].lower() in ("all", "全部"))
    await ctx.reply(*await my_list(ctx, everyone))


async def my_list(ctx: Ctx, everyone: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    """The upcoming bookings as they are now, with a change and a cancel button each."""
    bookings = await manage.upcoming(ctx.me, clock.now(), everyone=everyone)
    if ctx.is_private:
        token = await schedule.person_feed_token(ctx.me)
        feed = ctx.t("rooms.mine.feed", url=person_feed_url(ctx, token))
    else:
        feed = ctx.t("rooms.mine.feed_in_private")
    if not bookings:
        return ctx.t("rooms.mine.empty") + "\n\n" + feed, None
    everyone = everyone and manage.is_office(ctx.me)
    lines = [ctx.t("rooms.mine.all_title" if everyone else "rooms.mine.title")]
    rows = []
    # Only whole lines that fit beside the feed link, and a button row for each one shown.
    room_left = 3900 - len(feed) - len(lines[0]) - 4
    for b in bookings:
        by = ctx.t("rooms.mine.by", name=html.escape(b.organiser.name)) if everyone else ""
        line = ctx.t("rooms.mine.line", id=b.id, when=rv.booking_when(b, ctx.lang),
                     room=html.escape(b.room.name), title=html.escape(b.title),
                     status=rv.status_text(b, ctx.lang)) + by
        room_left -= len(line) + 1
        if room_left < 0:
            lines.append("…")
            break
        lines.append(line)
        row = [(ctx.t("rooms.btn.cancel_booking", id=b.id),
                cb.encode("rooms", "cx", b.id, *(["a"] if everyone else [])))]
        if b.organiser_id == ctx.me.id:  # type: ignore[attr-defined]
            row.insert(0, (ctx.t("rooms.btn.change", id=b.id), cb.encode("rooms", "mv", b.id)))
        rows.append(row)
    lines.append("\n" + feed)
    return "\n".join(lines), buttons(rows[:30])


async def _feed(ctx: Ctx, reset: bool) -> None:
    """Show the personal feed address in private, or make a new one (anywhere)."""
    if reset:
        token = await schedule.rotate_person_feed(ctx.me)
        if ctx.is_private:
            await ctx.reply(ctx.t("rooms.feed.reset", url=person_feed_url(ctx, token)))
        else:  # the old address is dead at once; the new one is for a private chat only
            await ctx.reply(ctx.t("rooms.feed.reset_in_group"))
        return
    if not ctx.is_private:
        await ctx.reply(ctx.t("rooms.mine.feed_in_private"))
        return
    token = await schedule.person_feed_token(ctx.me)
    await ctx.reply(ctx.t("rooms.feed.show", url=person_feed_url(ctx, token)))


@for_staff(Role.OFFICE)
async def roomstats(ctx: Ctx) -> None:
    """Usage per room for this week, month or year: text, a chart and an XLSX file."""
    said = " ".join(ctx.args) or "week"
    period = choose(said, {p: f"rooms.stats.period.{p}" for p in ("week", "month", "year")})
    if period is not None:
        first, after = schedule.period_bounds(period, clock.now())
    else:  # 上月, 2026-11, 11月1日到11月15日: any period the time parser reads
        first, last = read_period(said, clock.now(), ctx.settings.timezone,
                                  code="rooms.error.bad_period")
        after = last + timedelta(days=1)
        period = f"{first.isoformat()}_{last.isoformat()}"
    usage = await schedule.usage(first, after)
    last = after - timedelta(days=1)
    lines = [ctx.t("rooms.stats.title", first=first.isoformat(), last=last.isoformat())]
    for u in usage:
        lines.append(ctx.t("rooms.stats.line", name=html.escape(u.room.name),
                           meetings=u.meetings, hours=f"{u.hours:g}",
                           rate=f"{u.utilisation:.0%}"))
    lines.append(ctx.t("rooms.stats.total", meetings=sum(u.meetings for u in usage),
                       hours=f"{sum(u.hours for u in usage):g}"))
    await ctx.reply("\n".join(lines))
    if not usage:
        return  # no room, no chart and no empty workbook: the text says it
    bot = ctx.context.bot
    png = await charts.drawn(None, rooms_charts.usage_png, usage)
    await bot.send_photo(ctx.chat_id,
                         InputFile(io.BytesIO(png), filename=f"roomstats-{period}.png"))
    xlsx = rooms_charts.usage_xlsx(usage, ctx.lang, first, last)
    await bot.send_document(ctx.chat_id, InputFile(io.BytesIO(xlsx),
                                                   filename=f"roomstats-{first}-{period}.xlsx"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.bot_data.setdefault("commands", {}).update(
        {"rooms": rooms_command, "mybookings": mybookings, "roomstats": roomstats})
    application.add_handler(CommandHandler("rooms", rooms_command))
    application.add_handler(CommandHandler("mybookings", mybookings))
    application.add_handler(CommandHandler("roomstats", roomstats))
