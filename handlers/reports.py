"""Reports in the chat: /daily, /weekly, /monthly, /annual (files, in the background), /todo."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import callback as cb
from handlers.common import Ctx, for_staff
from handlers.menu import Command, add_commands
from handlers.texts import t
from handlers.views import charts
from handlers.views import reports as views
from models.core import Role
from services import clock, outbox, workdays
from services.reports import Period, parse_year
from services.reports import daily as daily_service
from services.reports.annual import annual_figures, year_period
from services.reports.figures import compare, year_in_numbers

log = logging.getLogger(__name__)
MANAGERS = (Role.OFFICE, Role.LEADER)
EVERYONE = frozenset(Role)
OFFICE_ROLES = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER})
#: Seconds between two progress edits of one export (Telegram paces edits in groups).
PROGRESS_EVERY = 1.0
#: Exports running in this process: (chat, year). Only guards against double requests.
_running: set[tuple[int, int]] = set()

add_commands(
    Command("daily", EVERYONE, "both", shortcut="reports.kb.daily"),
    Command("todo", EVERYONE, "private", shortcut="reports.kb.todo"),
    Command("weekly", OFFICE_ROLES, "both"),
    Command("monthly", OFFICE_ROLES, "both"),
    Command("annual", OFFICE_ROLES, "both"),
)


def _tz(ctx: Ctx) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


@for_staff()
async def daily(ctx: Ctx) -> None:
    """Shows my day in a private chat, the office's day in the office or leaders' group."""
    tz, now = _tz(ctx), clock.now()
    day = now.astimezone(tz).date()
    if ctx.is_private:
        blocks = await daily_service.mine(ctx.me, day, now, tz)
        rendered = views.render_daily("mine", blocks, day, ctx.lang, name=ctx.me.name,
                                      workday=workdays.is_workday(day))
    elif await daily_service.office_scope(ctx.chat_id):
        blocks = await daily_service.office(day, now, tz)
        rendered = views.render_daily("office", blocks, day, ctx.lang,
                                      workday=workdays.is_workday(day))
    else:
        await ctx.reply(ctx.t("reports.daily.group_unbound"))
        return
    await ctx.reply(rendered.text, rendered.keyboard)


@for_staff(private_only=True)
async def todo(ctx: Ctx) -> None:
    """Lists everything waiting for me across the features, each with its button."""
    rendered = views.render_todo(await daily_service.todo(ctx.me, clock.now()), ctx.lang)
    await ctx.reply(rendered.text, rendered.keyboard)


async def _period(ctx: Ctx, kind: str) -> None:
    tz = _tz(ctx)
    period = Period.of(kind, clock.now().astimezone(tz).date(), tz)
    if ctx.args:
        if ctx.args[0].strip() not in ("上", "上一期", "上周", "上月", "last", "prev"):
            command = "weekly" if kind == "week" else "monthly"
            await ctx.reply(ctx.t("reports.period.usage", command=command))
            return
        period = period.previous()
    comparison = await compare(period)
    await ctx.reply(views.render_period(comparison, ctx.lang).text)
    if comparison.changes:
        png = await charts.drawn(None, views.chart_png, comparison, ctx.lang)
        await ctx.context.bot.send_photo(
            ctx.chat_id, png, parse_mode=ParseMode.HTML, caption=ctx.t(
                "reports.chart.caption", kind=ctx.t(f"reports.period.{kind}"),
                first=period.first.isoformat(), last=period.last.isoformat()))


@for_staff(*MANAGERS)
async def weekly(ctx: Ctx) -> None:
    """This week's figures against last week's, and the chart (/weekly 上 for last week)."""
    await _period(ctx, "week")


@for_staff(*MANAGERS)
async def monthly(ctx: Ctx) -> None:
    """This month's figures against last month's, and the chart (/monthly 上 for last month)."""
    await _period(ctx, "month")


@for_staff(*MANAGERS)
async def annual(ctx: Ctx) -> None:
    """Starts the year in numbers in the background; a progress message follows it."""
    today = clock.now().astimezone(_tz(ctx)).date()
    year = parse_year(" ".join(ctx.args) if ctx.args else None, today)
    key = (ctx.chat_id, year)
    if key in _running:
        await ctx.reply(ctx.t("reports.annual.busy", year=year))
        return
    _running.add(key)
    try:
        message = await ctx.reply(ctx.t("reports.annual.progress", year=year, done=0, total=13,
                                        step="…"))
    except Exception:
        _running.discard(key)
        raise
    ctx.context.application.create_task(
        _annual_export(ctx, year, message.message_id), update=ctx.update,
        name=f"annual-{ctx.chat_id}-{year}",
    )


async def _annual_export(ctx: Ctx, year: int, message_id: int) -> None:
    """Count the year month by month (editing the progress message), then send the files."""
    bot, chat_id, lang = ctx.context.bot, ctx.chat_id, ctx.lang
    last_edit = 0.0

    async def progress(done: int, total: int, step: str) -> None:
        nonlocal last_edit
        if done < total and time.monotonic() - last_edit < PROGRESS_EVERY:
            return
        last_edit = time.monotonic()
        await _edit(bot, chat_id, message_id,
                    t("reports.annual.progress", lang, year=year, done=done, total=total,
                      step=step))

    try:
        data = await year_in_numbers(year, _tz(ctx), progress)
        figures = await annual_figures(data, year_period(year, _tz(ctx)))
        docx = await asyncio.to_thread(views.annual_docx, data, lang, figures)
        xlsx = await asyncio.to_thread(views.annual_xlsx, data, lang, figures)
        await _edit(bot, chat_id, message_id,
                    t("reports.annual.done", lang, year=year) + "\n\n"
                    + views.annual_sentence(data, lang))
        await bot.send_message(chat_id, views.summary_text(year, figures, lang),
                               parse_mode=ParseMode.HTML)
        await bot.send_document(chat_id, InputFile(docx, filename=f"{year}年工作数字.docx"),
                                parse_mode=ParseMode.HTML,
                                caption=t("reports.annual.docx_caption", lang, year=year))
        await bot.send_document(chat_id, InputFile(xlsx, filename=f"{year}年工作数字.xlsx"),
                                parse_mode=ParseMode.HTML,
                                caption=t("reports.annual.xlsx_caption", lang, year=year))
    except Exception as exc:
        log.exception("annual export %s failed", year)
        await _edit(bot, chat_id, message_id, t("reports.annual.failed", lang, year=year))
        await outbox.emit_to_admins(
            "core.error_report",
            {"error": f"annual {year}: {type(exc).__name__}: {exc}"[:300],
             "user": ctx.me.name, "chat": chat_id, "update_id": ctx.update.update_id},
            f"error:annual:{ctx.update.update_id}",
        )
    finally:
        _running.discard((chat_id, year))


async def _edit(bot: Any, chat_id: int, message_id: int, text: str) -> None:
    try:
        await bot.edit_message_text(text[:4096], chat_id=chat_id, message_id=message_id,
                                    parse_mode=ParseMode.HTML)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    except TelegramError:
        log.warning("could not edit the progress message", exc_info=True)


@for_staff()
async def on_button(ctx: Ctx) -> None:
    """Opens what a to-do button points at: a feature's command, or the calendar how-to."""
    data = cb.decode(ctx.query.data if ctx.query else None)
    if data is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    if data.action == "cal":
        await ctx.answer(ctx.t("reports.calendar.howto"), alert=True)
        return
    command = ctx.context.bot_data.get("commands", {}).get(data.id) if data.action == "cmd" \
        else None
    if command is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await ctx.answer()
    ctx.context.args = []
    await command(ctx.update, ctx.context)


def register(application: Application) -> None:  # type: ignore[type-arg]
    commands = {"daily": daily, "todo": todo, "weekly": weekly, "monthly": monthly,
                "annual": annual}
    application.bot_data.setdefault("commands", {}).update(commands)
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern("reports")))
