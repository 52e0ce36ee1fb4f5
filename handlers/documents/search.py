"""/wenjian: find documents by words, this month's, or the overdue ones; results as buttons."""

from __future__ import annotations

import html

from handlers import callback as cb
from handlers.common import Ctx, buttons, for_staff
from handlers.documents.common import F, rest
from handlers.views import documents as views
from services.documents import common, search

MONTH_WORDS = ("本月", "this-month", "month")
OVERDUE_WORDS = ("逾期", "overdue", "超期")
#: Which button opens which kind of record.
OPEN_ACTION = {"in": "show", "out": "out", "slip": "sshow"}


def _button(hit: search.Hit, lang: str) -> list[tuple[str, str]]:
    return [(views.hit_label(hit.kind, hit.number, hit.title, hit.colour, lang),
             cb.encode(F, OPEN_ACTION[hit.kind], hit.id))]


def _line(ctx: Ctx, hit: search.Hit) -> str:
    return ctx.t("documents.search.line", icon=views.icon(hit.colour),
                 number=hit.number or ctx.t(f"documents.kind.{hit.kind}"),
                 title=html.escape(hit.title), detail=html.escape(hit.detail),
                 day=hit.on.isoformat() if hit.on else "")


@for_staff()
async def wenjian(ctx: Ctx) -> None:
    """Searches number, 文号, sender and title; `本月` lists this month, `逾期` the overdue."""
    query = rest(ctx)
    if not query:
        await ctx.reply(ctx.t("documents.search.usage"))
        return
    if query in MONTH_WORDS:
        hits, total = await search.this_month(ctx.me)
        title = ctx.t("documents.search.month", n=total)
    elif query in OVERDUE_WORDS:
        found = await search.overdue(ctx.me)
        if not found:
            await ctx.reply(ctx.t("documents.search.no_overdue"))
            return
        lines = [ctx.t("documents.search.overdue", n=len(found))]
        rows = []
        for hit, task in found:
            days = (common.today() - task.due_on).days
            lines.append(ctx.t("documents.search.overdue_line", number=hit.number,
                               title=html.escape(hit.title),
                               department=html.escape(task.department),
                               person=html.escape(task.staff.name), due=task.due_on.isoformat(),
                               n=days))
            rows.append([(views.hit_label(hit.kind, hit.number, hit.title, hit.colour,
                                          ctx.lang), cb.encode(F, "task", task.id))])
        await ctx.reply("\n".join(lines)[:4000], buttons(rows[:30]))
        return
    else:
        hits, total = await search.search(ctx.me, query)
        title = ctx.t("documents.search.found", n=total, words=html.escape(query[:40]))
    if not hits:
        await ctx.reply(ctx.t("documents.search.none", words=html.escape(query[:40])))
        return
    lines = [title, *(_line(ctx, h) for h in hits)]
    if total > len(hits):
        lines.append(ctx.t("documents.search.more", shown=len(hits)))
    await ctx.reply("\n".join(lines)[:4000], buttons([_button(h, ctx.lang) for h in hits]))
