"""/xinxi: information pieces (submit with files, the office's decisions, 批示), the quarter's
ranking with its chart, the scoring rules; and the pieces' buttons."""

from __future__ import annotations

from html import escape

from telegram.constants import ParseMode

from handlers.callback import ButtonData, encode
from handlers.common import Ctx, buttons
from handlers.publicity.common import (
    HELP_WORDS,
    OFFICE,
    OFFICE_AND_LEADERS,
    number,
    pressed_outbox_card,
    require,
    rest,
    send_file,
    show,
    split_word,
    today,
)
from handlers.views import charts
from handlers.views import publicity as views
from models.publicity import InfoPiece, InfoStatus
from services.errors import InvalidInput, NotAllowed
from services.publicity import info, parse, scoring

SUBMIT = {"报送", "投稿", "新建", "submit", "new"}
RANK = {"排名", "排行", "ranking", "rank"}
WAITING = {"待处理", "待审", "waiting"}
USE, GIVE_BACK = {"采用", "use"}, {"退回", "return"}
INSTRUCT, RULES = {"批示", "instruct"}, {"规则", "rules"}


async def show_draft(ctx: Ctx, piece: InfoPiece, *, edit: bool = False) -> None:
    text, keyboard = views.draft_piece_card(piece, await info.attachments(piece.id), ctx.lang)
    await show(ctx, text, keyboard, edit=edit)


async def xinxi(ctx: Ctx) -> None:
    """My pieces, or a sub-command; a multi-line text is a new piece."""
    text = rest(ctx)
    word, tail = split_word(text)
    if not text:
        await _overview(ctx)
    elif word in HELP_WORDS:
        await ctx.reply(ctx.t("publicity.xinxi.usage"))
    elif word in SUBMIT:
        await _start(ctx, tail)
    elif word in RANK:
        await _ranking(ctx, tail)
    elif word in WAITING:
        require(ctx, *OFFICE)
        await _waiting(ctx)
    elif word in USE:
        piece_id, level = _id_and_rest(tail)
        found = parse.INFO_LEVEL_WORDS.get(level.strip().lower())
        if found is None:
            raise InvalidInput("publicity.error.use_usage")
        await info.use(ctx.me, piece_id, found)
        await _reply_card(ctx, piece_id)
    elif word in GIVE_BACK:
        piece_id, reason = _id_and_rest(tail)
        await info.give_back(ctx.me, piece_id, reason)
        await _reply_card(ctx, piece_id)
    elif word in INSTRUCT:
        piece_id, note = _id_and_rest(tail)
        await info.instruct(ctx.me, piece_id, note)
        await _reply_card(ctx, piece_id)
    elif word in RULES:
        await _rules(ctx, tail)
    elif number(word) is not None and not tail:
        await _show_piece(ctx, number(word) or 0)
    elif "\n" in text:  # a title and its text typed straight after the command
        await _start(ctx, text)
    else:
        await ctx.reply(ctx.t("publicity.xinxi.usage"))


async def _start(ctx: Ctx, text: str) -> None:
    if not ctx.is_private:
        await ctx.say(ctx.t("error.private_only"))
        return
    await show_draft(ctx, await info.start(ctx.me, ctx.chat_id, text))


def _id_and_rest(text: str) -> tuple[int, str]:
    word, tail = split_word(text)
    found = number(word)
    if found is None:
        raise InvalidInput("publicity.error.piece_usage")
    return found, tail


async def _overview(ctx: Ctx) -> None:
    lines = [ctx.t("publicity.xinxi.mine_title")]
    mine = await info.mine(ctx.me)
    lines += views.my_pieces(mine, ctx.lang) or [ctx.t("publicity.xinxi.mine_none")]
    rows = []
    if ctx.me.role in OFFICE:
        waiting = await info.waiting()
        lines.append("")
        lines.append(ctx.t("publicity.xinxi.waiting_n", n=len(waiting)))
        if waiting:
            rows.append([(ctx.t("publicity.btn.waiting", n=len(waiting)),
                          encode("pub", "iwait", 0))])
    standing = await info.standing(ctx.me.id, today())
    if standing is not None:
        lines.append(ctx.t("publicity.xinxi.my_points", points=views.points(standing.points),
                           used=standing.used))
    lines.append("")
    lines.append(ctx.t("publicity.xinxi.usage"))
    await ctx.reply("\n".join(lines), buttons(rows) if rows else None)


async def _show_piece(ctx: Ctx, piece_id: int) -> None:
    piece = await info.get(piece_id)
    if piece.author_id != ctx.me.id:  # type: ignore[attr-defined]
        require(ctx, *OFFICE_AND_LEADERS)
    if piece.status == InfoStatus.DRAFT:
        await show_draft(ctx, piece)
        return
    await _reply_card(ctx, piece.id)


async def _reply_card(ctx: Ctx, piece_id: int) -> None:
    rendered = await views.piece_card(piece_id, ctx.lang)
    keyboard = rendered.keyboard if ctx.me.role in OFFICE_AND_LEADERS else None
    await ctx.reply(rendered.text, keyboard)


async def _waiting(ctx: Ctx) -> None:
    waiting = await info.waiting()
    if not waiting:
        await ctx.reply(ctx.t("publicity.xinxi.waiting_none"))
        return
    lines = [ctx.t("publicity.xinxi.waiting_title", n=len(waiting))]
    rows = []
    for piece in waiting[:20]:
        lines.append(ctx.t("publicity.xinxi.waiting_line", id=piece.id,
                           title=views.short(piece.title, 40), name=escape(piece.author.name),
                           at=views.when(piece.submitted_at)))
        rows.append([(ctx.t("publicity.btn.open_n", id=piece.id), encode("pub", "icard",
                                                                         piece.id))])
    await ctx.reply("\n".join(lines), buttons(rows))


async def _ranking(ctx: Ctx, tail: str) -> None:
    year, quarter = parse.quarter_of_text(tail, today())
    found = await info.ranking(year, quarter)
    await ctx.reply(views.ranking_text(found, ctx.lang))
    if found.correspondents:
        png = await charts.drawn(None, views.ranking_png, found, ctx.lang)
        await ctx.context.bot.send_photo(
            ctx.chat_id, png, parse_mode=ParseMode.HTML,
            caption=ctx.t("publicity.chart.caption", year=year, quarter=quarter))


async def _rules(ctx: Ctx, tail: str) -> None:
    word, value = split_word(tail)
    lines = []
    if word:
        key, new = await scoring.change(ctx.me, word, value)
        lines.append(ctx.t("publicity.rules.changed", rule=ctx.t(f"publicity.rule.{key}"),
                           value=views.points(new)))
    lines += [views.rules_text(await scoring.current(), ctx.lang), "",
              ctx.t("publicity.rules.usage")]
    await ctx.reply("\n".join(lines))


# ---------------------------------------------------------------------------- buttons


async def on_submit(ctx: Ctx, data: ButtonData) -> None:
    piece = await info.submit(ctx.me, data.int_id)
    await ctx.edit(ctx.t("publicity.info.submitted", id=piece.id, title=escape(piece.title)))
    await ctx.answer()


async def on_cancel(ctx: Ctx, data: ButtonData) -> None:
    piece = await info.cancel(ctx.me, data.int_id)
    await ctx.edit(ctx.t("publicity.info.cancelled", id=piece.id))
    await ctx.answer()


async def _refresh(ctx: Ctx, piece_id: int) -> None:
    """Show the new state on a card shown by a command (the outbox edits the cards it sent)."""
    if not await pressed_outbox_card(ctx, info.card_key(piece_id)):
        rendered = await views.piece_card(piece_id, ctx.lang)
        await ctx.edit(rendered.text, rendered.keyboard)


async def on_use(ctx: Ctx, data: ButtonData) -> None:
    level = parse.INFO_LEVEL_WORDS.get(data.extra[0] if data.extra else "")
    if level is None:
        raise InvalidInput("error.bad_button")
    piece = await info.use(ctx.me, data.int_id, level)
    await _refresh(ctx, piece.id)
    await ctx.answer(ctx.t("publicity.info.use_done", id=piece.id,
                           level=views.ilevel_name(level, ctx.lang)))


async def on_return(ctx: Ctx, data: ButtonData) -> None:
    piece = await info.ask_reason(ctx.me, data.int_id, ctx.chat_id)
    await ctx.ask(ctx.t("publicity.info.ask_reason", id=piece.id, name=escape(ctx.me.name),
                          title=views.short(piece.title, 40)))
    await ctx.answer()


async def on_instruct(ctx: Ctx, data: ButtonData) -> None:
    piece = await info.instruct(ctx.me, data.int_id)
    await _refresh(ctx, piece.id)
    await ctx.answer(ctx.t("publicity.info.instruct_done", id=piece.id))


async def on_files(ctx: Ctx, data: ButtonData) -> None:
    require(ctx, *OFFICE_AND_LEADERS)
    for stored in await info.attachments((await info.get(data.int_id)).id):
        await send_file(ctx, stored.name, bytes(stored.content),
                        ctx.t("publicity.info.file_caption", id=data.int_id))
    await ctx.answer()


async def on_copy(ctx: Ctx, data: ButtonData) -> None:
    await show_draft(ctx, await info.copy_returned(ctx.me, data.int_id, ctx.chat_id))
    await ctx.answer()


async def on_card(ctx: Ctx, data: ButtonData) -> None:
    require(ctx, *OFFICE_AND_LEADERS)
    await _reply_card(ctx, (await info.get(data.int_id)).id)
    await ctx.answer()


async def on_waiting(ctx: Ctx, data: ButtonData) -> None:
    if ctx.me.role not in OFFICE:
        raise NotAllowed(role=ctx.t(f"role.{ctx.me.role.value}"))
    await _waiting(ctx)
    await ctx.answer()


BUTTONS = {"isub": on_submit, "icancel": on_cancel, "iuse": on_use, "iret": on_return,
           "iins": on_instruct, "ifiles": on_files, "icopy": on_copy, "icard": on_card,
           "iwait": on_waiting}
