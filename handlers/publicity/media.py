"""/xuanchuan: the media-report ledger (record, look up, merge and split stories, outlets, the
XLSX ledger) and its buttons."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from html import escape

from handlers.callback import ButtonData, encode
from handlers.common import Ctx, buttons
from handlers.publicity.common import (
    HELP_WORDS,
    OFFICE,
    number,
    require,
    rest,
    send_file,
    show,
    split_word,
    today,
)
from handlers.views import publicity as views
from models.publicity import MediaReport
from services.errors import InvalidInput
from services.publicity import bulletin, media, outlets
from services.publicity.media import Asked, Recorded
from services.supplies import parse as periods

OPINION = {"舆情", "yq", "opinion"}
MERGE, SPLIT = {"合并", "merge"}, {"拆分", "split"}
REMOVE = {"撤销", "删除", "remove", "delete"}
LEDGER = {"台账", "导出", "ledger", "export"}
OUTLETS = {"媒体", "媒体名录", "outlets", "outlet"}
ADD, LEVEL = {"新增", "添加", "add"}, {"级别", "level"}


async def full_report(report_id: int) -> MediaReport:
    return await MediaReport.get(id=report_id).prefetch_related("outlet", "credit_staff")


async def show_report(ctx: Ctx, report_id: int, *, edit: bool = False,
                      title_key: str = "publicity.report.card") -> None:
    report = await full_report((await media.get_report(report_id)).id)
    story, members = await media.story_of(report)
    text, keyboard = views.report_card(report, story, members, ctx.lang, title_key=title_key)
    await show(ctx, text, keyboard, edit=edit)


async def show_outcome(ctx: Ctx, outcome: Recorded | Asked, *, edit: bool = False) -> None:
    """A recorded report's card, or the question its draft waits on."""
    if isinstance(outcome, Asked):
        text, keyboard = views.asked_card(outcome, ctx.lang, await outlets.known())
    else:
        report = await full_report(outcome.report.id)
        story, members = await media.story_of(report)
        suggestions = [(await full_report(r.id), s) for r, s in outcome.suggestions]
        text, keyboard = views.report_card(report, story, members, ctx.lang,
                                           suggestions=suggestions)
    await show(ctx, text, keyboard, edit=edit)


async def xuanchuan(ctx: Ctx) -> None:
    """The ledger this month, or a sub-command, or a report to record."""
    text = rest(ctx)
    word, tail = split_word(text)
    if not text:
        await _summary(ctx)
    elif word in HELP_WORDS:
        await ctx.reply(ctx.t("publicity.xuanchuan.usage"))
    elif number(word) is not None and not tail:
        await show_report(ctx, number(word) or 0)
    elif word in OPINION:
        await _opinion(ctx, tail)
    elif word in MERGE:
        require(ctx, *OFFICE)
        ids = [number(w) for w in tail.split()]
        if len(ids) != 2 or None in ids:
            raise InvalidInput("publicity.error.merge_usage")
        await media.merge(ctx.me, ids[0] or 0, ids[1] or 0)
        await show_report(ctx, ids[1] or 0, title_key="publicity.report.merged")
    elif word in SPLIT or word in REMOVE:
        require(ctx, *OFFICE)
        found = number(tail)
        if found is None:
            raise InvalidInput("publicity.error.id_usage", command=f"/xuanchuan {word}")
        if word in SPLIT:
            await media.split(ctx.me, found)
            await show_report(ctx, found, title_key="publicity.report.split")
        else:
            removed = await media.remove(ctx.me, found)
            await ctx.reply(ctx.t("publicity.report.removed", id=removed.id,
                                  headline=escape(removed.headline)))
    elif word in LEDGER:
        await _ledger(ctx, tail)
    elif word in OUTLETS:
        await _outlets(ctx, tail)
    else:
        require(ctx, *OFFICE)
        await show_outcome(ctx, await media.record_line(ctx.me, text, ctx.chat_id))


async def _summary(ctx: Ctx) -> None:
    day = today()
    first = day.replace(day=1)
    after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    figures = await media.figures(first, after)
    office = ctx.me.role in OFFICE
    await ctx.reply(views.ledger_summary(figures, await media.recent(8), ctx.lang,
                                         first.strftime("%Y-%m"), office))


async def _opinion(ctx: Ctx, tail: str) -> None:
    """Positive news the opinion watch collected, each with its button; or move one by id."""
    require(ctx, *OFFICE)
    found = number(tail)
    if found is not None:
        await show_outcome(ctx, await media.from_opinion(ctx.me, found, ctx.chat_id))
        return
    items = await media.positive_items()
    if not items:
        await ctx.reply(ctx.t("publicity.opinion.none"))
        return
    lines = [ctx.t("publicity.opinion.title", n=len(items))]
    rows = []
    for item in items:
        lines.append(ctx.t("publicity.opinion.line", id=item.id,
                           title=views.short(item.title or item.text, 50),
                           source=escape(item.source_name or "—")))
        rows.append([(ctx.t("publicity.btn.to_ledger_n", id=item.id),
                      encode("pub", "yq", item.id))])
    await ctx.reply("\n".join(lines), buttons(rows))


async def _ledger(ctx: Ctx, tail: str) -> None:
    start, end = periods.period(tail, today())
    reports = await media.ledger(start, end + timedelta(days=1))
    data = await asyncio.to_thread(views.ledger_xlsx, reports, ctx.lang, start, end)
    await send_file(ctx, f"宣传台账_{start.isoformat()}_{end.isoformat()}.xlsx", data,
                    ctx.t("publicity.ledger.caption", first=start.isoformat(),
                          last=end.isoformat(), n=len(reports)))


async def _outlets(ctx: Ctx, tail: str) -> None:
    word, args = split_word(tail)
    if word in ADD or word in LEVEL:
        require(ctx, *OFFICE)
        parts = args.rsplit(maxsplit=1)
        if len(parts) != 2:
            raise InvalidInput("publicity.error.outlet_usage")
        level = outlets.level_of(parts[1])
        if word in ADD:
            outlet = await outlets.add(ctx.me, parts[0], level)
            await ctx.reply(ctx.t("publicity.outlets.added", name=escape(outlet.name),
                                  level=views.level_name(level, ctx.lang)))
        else:
            outlet, changed = await outlets.set_level(ctx.me, parts[0], level)
            await ctx.reply(ctx.t("publicity.outlets.changed", name=escape(outlet.name),
                                  level=views.level_name(level, ctx.lang), n=changed))
        return
    await ctx.reply(views.outlet_list(await outlets.listing(), ctx.lang))


# ---------------------------------------------------------------------------- buttons


async def on_level(ctx: Ctx, data: ButtonData) -> None:
    if not data.extra:
        raise InvalidInput("error.bad_button")
    level = outlets.level_of(data.extra[0])
    await show_outcome(ctx, await media.choose_level(ctx.me, data.int_id, level, ctx.chat_id),
                       edit=True)
    await ctx.answer(ctx.t("publicity.outlets.remembered"))


async def on_outlet(ctx: Ctx, data: ButtonData) -> None:
    if not data.extra or number(data.extra[0]) is None:
        raise InvalidInput("error.bad_button")
    outcome = await media.choose_outlet(ctx.me, data.int_id, number(data.extra[0]) or 0,
                                        ctx.chat_id)
    await show_outcome(ctx, outcome, edit=True)
    await ctx.answer()


async def on_cancel_draft(ctx: Ctx, data: ButtonData) -> None:
    await media.cancel_draft(ctx.me, data.int_id)
    await ctx.edit(ctx.t("publicity.report.draft_cancelled"))
    await ctx.answer()


async def on_split(ctx: Ctx, data: ButtonData) -> None:
    await media.split(ctx.me, data.int_id)
    await show_report(ctx, data.int_id, edit=True, title_key="publicity.report.split")
    await ctx.answer(ctx.t("publicity.report.split_done"))


async def on_merge(ctx: Ctx, data: ButtonData) -> None:
    if not data.extra or number(data.extra[0]) is None:
        raise InvalidInput("error.bad_button")
    await media.merge(ctx.me, data.int_id, number(data.extra[0]) or 0)
    await show_report(ctx, data.int_id, edit=True, title_key="publicity.report.merged")
    await ctx.answer(ctx.t("publicity.report.merge_done"))


async def on_remove(ctx: Ctx, data: ButtonData) -> None:
    removed = await media.remove(ctx.me, data.int_id)
    await ctx.edit(ctx.t("publicity.report.removed", id=removed.id,
                         headline=escape(removed.headline)))
    await ctx.answer()


async def on_to_bulletin(ctx: Ctx, data: ButtonData) -> None:
    await bulletin.add_report(ctx.me, data.int_id)
    count = len(await bulletin.items((await bulletin.draft()).id))
    await ctx.answer(ctx.t("publicity.bulletin.added_n", n=count))


async def on_from_opinion(ctx: Ctx, data: ButtonData) -> None:
    await show_outcome(ctx, await media.from_opinion(ctx.me, data.int_id, ctx.chat_id))
    await ctx.answer()


async def on_show(ctx: Ctx, data: ButtonData) -> None:
    await show_report(ctx, data.int_id)
    await ctx.answer()


BUTTONS = {"lvl": on_level, "out": on_outlet, "rdx": on_cancel_draft, "split": on_split,
           "merge": on_merge, "rdel": on_remove, "rcy": on_to_bulletin, "yq": on_from_opinion,
           "rshow": on_show}
