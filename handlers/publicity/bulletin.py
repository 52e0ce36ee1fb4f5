"""/canyue: the 参阅 bulletin (past issues, tagging items, the editing card, 签发) and its
buttons."""

from __future__ import annotations

import re
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
from models.publicity import Bulletin
from services.errors import InvalidInput
from services.publicity import bulletin
from services.publicity.records import MAX_ID

EDIT = {"编辑", "edit", "本期"}
ADD = {"加", "添加", "加入", "收入", "add"}
UNIT = {"单位", "unit"}
FROM_OPINION, FROM_LEDGER = {"舆情", "yq", "opinion"}, {"报道", "report", "宣传"}
_ISSUE = re.compile(r"^(?:([0-9]{4})\s*年?\s*)?第?\s*([0-9]{1,4})\s*期?$")


async def editing(ctx: Ctx, *, edit: bool = False, issue: Bulletin | None = None) -> None:
    """The draft issue with its items in order and the editing buttons."""
    issue = issue or await bulletin.draft()
    items = await bulletin.items(issue.id)
    issued = await bulletin.issues(limit=1)
    year = today().year
    last = issued[0].number if issued and issued[0].year == year else 0
    text, keyboard = views.editing_card(issue, items, (last or 0) + 1, ctx.lang)
    await show(ctx, text, keyboard, edit=edit)


async def canyue(ctx: Ctx) -> None:
    """Past issues, or a sub-command: 编辑, 加 …, an issue's number, 单位."""
    text = rest(ctx)
    word, tail = split_word(text)
    if not text:
        await _issues(ctx)
    elif word in HELP_WORDS:
        await ctx.reply(ctx.t("publicity.canyue.usage"))
    elif word in EDIT:
        await editing(ctx)
    elif word in ADD:
        await _add(ctx, tail)
    elif word in UNIT:
        name = await bulletin.set_unit(ctx.me, tail)
        await ctx.reply(ctx.t("publicity.bulletin.unit_set", name=escape(name)))
    elif _ISSUE.match(text.replace(" ", "")):
        match = _ISSUE.match(text.replace(" ", ""))
        assert match is not None
        year = int(match[1]) if match[1] else today().year
        await _send_issue(ctx, (await bulletin.issue_by_number(year, int(match[2]))).id)
    else:
        await ctx.reply(ctx.t("publicity.canyue.usage"))


async def _issues(ctx: Ctx) -> None:
    draft = await Bulletin.get_or_none(draft_slot=1)
    waiting = len(await bulletin.items(draft.id)) if draft is not None else 0
    text, keyboard = views.issues_list(await bulletin.issues(), waiting, ctx.lang)
    await ctx.reply(text, keyboard)


async def _add(ctx: Ctx, tail: str) -> None:
    require(ctx, *OFFICE)
    word, rest_of = split_word(tail)
    asked = False
    if word in FROM_OPINION and number(rest_of) is not None:
        item = await bulletin.add_opinion(ctx.me, number(rest_of) or 0)
    elif word in FROM_LEDGER and number(rest_of) is not None:
        item = await bulletin.add_report(ctx.me, number(rest_of) or 0)
    elif not tail:
        raise InvalidInput("publicity.error.item_empty")
    else:
        item, asked = await bulletin.add_text(ctx.me, tail, ctx.chat_id)
    count = len(await bulletin.items(item.bulletin_id))  # type: ignore[attr-defined]
    lines = [ctx.t("publicity.bulletin.added", title=views.short(item.title, 60),
                   source=escape(item.source or "—"), n=count)]
    if asked:
        lines.append(ctx.t("publicity.bulletin.ask_title"))
    await ctx.reply("\n".join(lines), buttons([[(ctx.t("publicity.btn.edit"),
                                                 encode("pub", "bedit", 0))]]))


async def _send_issue(ctx: Ctx, bulletin_id: int) -> None:
    rendered = await views.issue_rendered(bulletin_id, ctx.lang)
    assert rendered.document is not None
    await send_file(ctx, rendered.document[0], rendered.document[1], rendered.text)


# ---------------------------------------------------------------------------- buttons


async def on_up(ctx: Ctx, data: ButtonData) -> None:
    await editing(ctx, edit=True, issue=await bulletin.move(ctx.me, data.int_id, -1))
    await ctx.answer()


async def on_down(ctx: Ctx, data: ButtonData) -> None:
    await editing(ctx, edit=True, issue=await bulletin.move(ctx.me, data.int_id, 1))
    await ctx.answer()


async def on_drop(ctx: Ctx, data: ButtonData) -> None:
    await editing(ctx, edit=True, issue=await bulletin.drop(ctx.me, data.int_id))
    await ctx.answer(ctx.t("publicity.bulletin.dropped"))


async def on_note(ctx: Ctx, data: ButtonData) -> None:
    issue = await bulletin.ask_note(ctx.me, data.int_id, ctx.chat_id)
    current = escape(issue.editor_note) if issue.editor_note else "—"
    await ctx.ask(ctx.t("publicity.bulletin.ask_note", name=escape(ctx.me.name),
                          current=current))
    await ctx.answer()


async def on_sign(ctx: Ctx, data: ButtonData) -> None:
    issue = await bulletin.sign_off(ctx.me, data.int_id)
    await ctx.edit(ctx.t("publicity.bulletin.signed", name=views.issue_name(issue, ctx.lang)))
    await _send_issue(ctx, issue.id)
    await ctx.answer()


async def on_refresh(ctx: Ctx, data: ButtonData) -> None:
    found = await Bulletin.get_or_none(id=data.int_id) if 0 < data.int_id <= MAX_ID else None
    if found is not None and found.status.value == "issued":
        await ctx.answer(ctx.t("publicity.error.bulletin_issued", year=found.year,
                               number=found.number), alert=True)
        return
    await editing(ctx, edit=True)
    await ctx.answer()


async def on_file(ctx: Ctx, data: ButtonData) -> None:
    await _send_issue(ctx, data.int_id)
    await ctx.answer()


async def on_edit(ctx: Ctx, data: ButtonData) -> None:
    await editing(ctx)
    await ctx.answer()


BUTTONS = {"bup": on_up, "bdn": on_down, "bdrop": on_drop, "bnote": on_note, "bsign": on_sign,
           "bref": on_refresh, "bfile": on_file, "bedit": on_edit}
