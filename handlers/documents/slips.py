"""督查督办 in the chat: /duban lists open slips by colour and department, new slips, 专报."""

from __future__ import annotations

import asyncio
import html

from handlers import callback as cb
from handlers.common import Ctx, buttons, for_staff
from handlers.documents.common import F, button_choice, button_extra, button_id, rest, show
from handlers.views import Rendered
from handlers.views import documents as views
from models.core import Role
from models.documents import Prompt, SlipSource, SupervisionSlip
from services.documents import bulletin, common, slips
from services.errors import InvalidInput, NotAllowed
from services.inputs import to_int

NEW_WORDS = ("新建", "new", "登记")
BULLETIN_WORDS = ("专报", "bulletin", "督查专报")
SOURCES = tuple(SlipSource)
MAX_LISTED = 40


@for_staff()
async def duban(ctx: Ctx) -> None:
    """Lists open slips by colour and department; `新建`, `专报`, a department, or a number."""
    line = rest(ctx)
    if line in NEW_WORDS:
        common.require_office(ctx.me)
        rows = [[(ctx.t(f"documents.slip.source.{s.value}"), cb.encode(F, "snew", 0, i))]
                for i, s in enumerate(SOURCES)]
        await ctx.reply(ctx.t("documents.slip.choose_source"), buttons(rows))
        return
    if line in BULLETIN_WORDS:
        if ctx.me.role not in (Role.ADMIN, Role.OFFICE, Role.LEADER):
            raise NotAllowed("documents.error.office_only")
        found = await bulletin.issue_for(common.today())
        figures = await bulletin.figures()
        data = await asyncio.to_thread(bulletin.docx, found, figures)
        await show(ctx, Rendered(views.bulletin_caption(found, figures, ctx.lang),
                                 document=(bulletin.file_name(found), data)))
        return
    if to_int(line, high=99999) is not None:
        slip = await SupervisionSlip.filter(year=common.today().year, seq=int(line)).first()
        if slip is None:
            raise InvalidInput("documents.error.no_slip", id=line)
        await _require_seen(ctx, slip)
        await show(ctx, await views.slip_card(slip.id, ctx.me, ctx.lang))
        return
    department = line or None
    if ctx.me.role not in (Role.ADMIN, Role.OFFICE, Role.LEADER):
        department = ctx.me.department or "-"
    elif department is not None and department not in await common.departments():
        raise InvalidInput("documents.error.unknown_department", department=department[:20],
                           known="、".join(await common.departments()) or "—")
    await _listing(ctx, department)


async def _listing(ctx: Ctx, department: str | None) -> None:
    found = await slips.open_list(department)
    if not found:
        await ctx.reply(ctx.t("documents.slip.none"))
        return
    lines = [ctx.t("documents.slip.list_title", n=len(found),
                   where=html.escape(department) if department else ctx.t("documents.slip.all"))]
    rows: list[list[tuple[str, str]]] = []
    for colour in slips.ORDER:
        group = [s for s in found if s.colour == colour]
        if not group:
            continue
        lines.append("\n" + ctx.t(f"documents.slip.group.{colour}", icon=views.icon(colour),
                                  n=len(group)))
        by_department: dict[str, list[slips.OpenSlip]] = {}
        for item in group:
            lead = item.departments[0] if item.departments else "—"
            by_department.setdefault(lead, []).append(item)
        for name, items in sorted(by_department.items()):
            lines.append(ctx.t("documents.slip.department", department=html.escape(name)))
            for item in items:
                number = common.slip_no(item.slip.year, item.slip.seq)
                left = item.days_left
                when = "" if left is None else (
                    ctx.t("documents.slip.late", n=-left) if left < 0
                    else ctx.t("documents.slip.left", n=left))
                lines.append(ctx.t("documents.slip.item", number=number,
                                   matter=html.escape(item.slip.matter),
                                   co=html.escape("、".join(item.departments[1:])),
                                   when=when))
                if len(rows) < MAX_LISTED:
                    rows.append([(views.hit_label("slip", number, item.slip.matter, colour,
                                                  ctx.lang),
                                  cb.encode(F, "sshow", item.slip.id))])
    await ctx.reply("\n".join(lines)[:4000], buttons(rows) if rows else None)


async def _require_seen(ctx: Ctx, slip: SupervisionSlip) -> None:
    if ctx.me.role in (Role.ADMIN, Role.OFFICE, Role.LEADER):
        return
    tasks = await slips.assignments_of(slip.id)
    if not any(t.staff_id == ctx.me.id or t.department == ctx.me.department  # type: ignore[attr-defined]
               for t in tasks):
        raise NotAllowed("documents.error.not_yours")


async def ask(ctx: Ctx, slip: SupervisionSlip, step: str, *, editing: bool = False) -> None:
    await common.ask(ctx.me, f"slip.{step}", slip.id, {"editing": editing})
    keyboard = None
    if step == "leader":
        from services.documents import incoming

        leaders = await incoming.leaders()
        keyboard = buttons([[(p.name, cb.encode(F, "slead", slip.id, p.id))]
                            for p in leaders[:12]]) if leaders else None
    known = "、".join(await common.departments()) or "—"
    await ctx.reply(ctx.t(f"documents.q.slip.{step}", known=html.escape(known)), keyboard)


async def next_step(ctx: Ctx, slip: SupervisionSlip) -> None:
    step = slips.missing(slip)
    if step is None:
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.slip_card(slip.id, ctx.me, ctx.lang,
                                              ctx.t("documents.slip.check")))
        return
    await ask(ctx, slip, step)


async def answer(ctx: Ctx, prompt: Prompt, text: str) -> None:
    step = prompt.action.split(".", 1)[1]
    slip = await slips.answer(ctx.me, prompt.target, step, text)
    if prompt.data.get("editing"):
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.slip_card(slip.id, ctx.me, ctx.lang))
        return
    await next_step(ctx, slip)


async def on_new(ctx: Ctx, data: cb.CallbackData) -> None:
    index = button_choice(data, len(SOURCES))
    slip = await slips.start(ctx.me, SOURCES[index])
    await ctx.edit(ctx.t("documents.slip.choose_source") + "\n→ "
                   + ctx.t(f"documents.slip.source.{SOURCES[index].value}"))
    await next_step(ctx, slip)
    await ctx.answer()


async def on_from_document(ctx: Ctx, data: cb.CallbackData) -> None:
    slip = await slips.from_document(ctx.me, button_id(data))
    await next_step(ctx, slip)
    await ctx.answer()


async def on_show(ctx: Ctx, data: cb.CallbackData) -> None:
    slip = await slips.get(button_id(data))
    await _require_seen(ctx, slip)
    await show(ctx, await views.slip_card(slip.id, ctx.me, ctx.lang))
    await ctx.answer()


async def on_open(ctx: Ctx, data: cb.CallbackData) -> None:
    slip = await slips.open_slip(ctx.me, button_id(data))
    await common.drop_prompt(ctx.me)
    await show(ctx, await views.slip_card(slip.id, ctx.me, ctx.lang, ctx.t(
        "documents.slip.opened", number=common.slip_no(slip.year, slip.seq))), edit=True)
    await ctx.answer()


async def on_edit(ctx: Ctx, data: cb.CallbackData) -> None:
    slip = await slips.get(button_id(data))
    common.require_office(ctx.me)
    if data.extra:
        if data.extra[0] not in slips.EDITABLE:
            raise InvalidInput("error.bad_button")
        await ask(ctx, slip, data.extra[0], editing=True)
        await ctx.answer()
        return
    rows = [[(ctx.t(f"documents.f.slip_{s}"), cb.encode(F, "sedit", slip.id, s))
             for s in slips.EDITABLE[:3]],
            [(ctx.t(f"documents.f.slip_{s}"), cb.encode(F, "sedit", slip.id, s))
             for s in slips.EDITABLE[3:]]]
    await ctx.reply(ctx.t("documents.edit.choose"), buttons(rows))
    await ctx.answer()


async def on_leader(ctx: Ctx, data: cb.CallbackData) -> None:
    leader = button_extra(data)
    slip = await slips.set_leader(ctx.me, button_id(data), leader or None)
    await common.drop_prompt(ctx.me)
    await show(ctx, await views.slip_card(slip.id, ctx.me, ctx.lang), edit=True)
    await ctx.answer()


async def on_drop(ctx: Ctx, data: cb.CallbackData) -> None:
    await slips.cancel_draft(ctx.me, button_id(data))
    await common.drop_prompt(ctx.me)
    await ctx.edit(ctx.t("documents.slip.dropped"))
    await ctx.answer()



ACTIONS = {
    "snew": on_new, "slip": on_from_document, "sshow": on_show, "sopen": on_open,
    "sedit": on_edit, "slead": on_leader, "sdrop": on_drop,
}  # fmt: skip
