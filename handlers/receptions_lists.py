"""Reception lists in the chat: /receptions (upcoming, by unit, date or month) and the exports."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode

from handlers import callback as cb
from handlers.common import Ctx, buttons, for_staff
from handlers.views import receptions as views
from models.core import Role
from models.receptions import Reception
from services import clock
from services import receptions as service
from services.errors import InvalidInput
from services.inputs import to_int

F = "rcp"
ROLES = (Role.OFFICE, Role.LEADER)


def _tz(ctx: Ctx) -> str:
    return str(getattr(ctx.settings, "timezone", "Asia/Shanghai"))


def _this_month(ctx: Ctx) -> tuple[int, int]:
    local = clock.now().astimezone(views.OFFICE_TZ)
    return local.year, local.month


async def list_button(ctx: Ctx, action: str, year: int, extra: tuple[str, ...]) -> None:
    """Show a month's receptions, or send its list or the year's ledger as XLSX."""
    month = (to_int(extra[0], high=12) or 0) if extra else 0
    if not 2000 <= year <= 2100 or not 0 <= month <= 12:
        raise InvalidInput("error.bad_button")
    if action == "month":
        start, end = service.month_span(year, month or 1, views.OFFICE_TZ)
        found = await service.between(start, end)
        await ctx.reply(_list_text(ctx, ctx.t("receptions.list.month", year=year,
                                               month=month or 1, n=len(found)), found),
                        _list_keyboard(ctx))
        return
    name, data, count = await service.export_ledger(year, month or None, _tz(ctx))
    title = ctx.t("receptions.ledger.month", year=year, month=month) if month else ctx.t(
        "receptions.ledger.year", year=year)
    await ctx.context.bot.send_document(
        ctx.chat_id, InputFile(data, filename=name),
        parse_mode=ParseMode.HTML,
        caption=ctx.t("receptions.ledger.caption", title=title, n=count),
    )


def _list_text(ctx: Ctx, title: str, found: list[Reception]) -> str:
    lines = [title]
    lines += [views.list_line(r, ctx.lang) for r in found] or [ctx.t("receptions.list.empty")]
    lines.append("\n" + ctx.t("receptions.list.footer"))
    return "\n".join(lines)


def _list_keyboard(ctx: Ctx) -> InlineKeyboardMarkup:
    year, month = _this_month(ctx)
    return buttons([
        [(ctx.t("receptions.btn.month"), cb.encode(F, "month", year, month))],
        [(ctx.t("receptions.btn.export_month"), cb.encode(F, "ledger", year, month)),
         (ctx.t("receptions.btn.export_year"), cb.encode(F, "ledger", year, 0))],
    ])


@for_staff(*ROLES)
async def receptions_command(ctx: Ctx) -> None:
    """Lists upcoming receptions; `/receptions TEXT` finds by unit, date or month."""
    title, found = await _find(ctx, " ".join(ctx.args).strip())
    await ctx.reply(_list_text(ctx, title, found), _list_keyboard(ctx))


async def _find(ctx: Ctx, query: str) -> tuple[str, list[Reception]]:
    if not query:
        found = await service.upcoming()
        return ctx.t("receptions.list.upcoming", n=len(found)), found
    _, found = await service.search(query, _tz(ctx))
    return ctx.t("receptions.list.found", query=views.escape(query[:40]), n=len(found)), found
