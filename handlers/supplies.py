"""Supplies in the chat: /supply drafts, issue and 签收 buttons, /stock, /stockin, /purchase,
/stocktake, /issue and /ledger."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from html import escape

from telegram import InputFile
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
from handlers.arguments import choose
from handlers.cards import settle
from handlers.common import Ctx, buttons, error_text, for_staff, make_ctx
from handlers.menu import Command, add_commands, shortcut_texts
from handlers.routing import add_draft_probe
from handlers.views import supplies as views
from models.core import Role, Staff
from models.supplies import StockIn, SupplyItem, SupplyRequest
from services import clock
from services.errors import DomainError, InvalidInput
from services.inputs import to_int
from services.supplies import catalogue, ledgers, parse, purchases, requests, stock

OFFICE = (Role.OFFICE,)
#: Plain messages reach an open draft after other features' prompts, before free text.
DRAFT_GROUP = -6
PICKS = 6
CORRECT_WORDS = ("更正", "fix", "correct")
WITHDRAW_WORDS = ("撤回", "withdraw")
RECEIVE_WORDS = ("入库", "receive")
#: Errors of 一键入库 that ask for something to be typed (line costs, the supplier).
ASK_CODES = ("supplies.error.prices_needed", "supplies.error.prices_and_supplier_needed",
             "supplies.error.receive_supplier")
#: Room left under Telegram's 4,096 characters for the "more not shown" line.
TEXT_LIMIT = 3900
MAX_LISTED = 100_000

add_commands(
    Command("supply", where="private", shortcut="supplies.kb"),
    Command("stock"),
    Command("stockin", frozenset(OFFICE), "private"),
    Command("purchase", frozenset(OFFICE), "private"),
    Command("stocktake", frozenset(OFFICE), "private"),
    Command("issue", frozenset(OFFICE)),
    Command("ledger", frozenset(OFFICE)),
)


def _today(ctx: Ctx) -> object:
    return clock.now().astimezone(ctx.settings.tz).date()


def _rest(ctx: Ctx) -> str:
    """The command's text after the command word (keeps the user's punctuation)."""
    text = ctx.text.strip()
    return text.split(maxsplit=1)[1].strip() if " " in text or "\n" in text else ""


async def _draft_card(ctx: Ctx, draft: SupplyRequest) -> tuple[str, object]:
    lines = await requests.lines_of(draft.id)
    chosen = {ln.item.id for ln in lines}
    picks = [i for i in await catalogue.items()
             if stock.available(i) > 0 and i.id not in chosen][:PICKS]
    return views.draft_card(draft, lines, picks, ctx.lang)


@for_staff(private_only=True)
async def supply(ctx: Ctx) -> None:
    """Opens (or continues) the person's draft request; text after /supply is added to it."""
    draft = await requests.draft_for(ctx.me)
    rest = _rest(ctx)
    if rest:
        draft = await requests.add_text(ctx.me, draft.id, rest)
    await ctx.reply(*await _draft_card(ctx, draft))  # type: ignore[arg-type]


async def draft_text(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reads a plain message into the person's listening draft (others pass on)."""
    ctx = await make_ctx(update, context)  # type: ignore[arg-type]
    if ctx.staff is None or ctx.text.strip() in shortcut_texts():
        return
    draft = await requests.listening_draft(ctx.me)
    if draft is None:
        return
    try:
        draft = await requests.add_text(ctx.me, draft.id, ctx.text)
    except DomainError as error:
        await ctx.fail(error)
    else:
        await ctx.reply(*await _draft_card(ctx, draft))  # type: ignore[arg-type]
    raise ApplicationHandlerStop


@for_staff()
async def on_button(ctx: Ctx) -> None:
    """Every supplies button: add, submit, clear, cancel, issue, part, sign, psub, recv."""
    data = await ctx.button()
    if data is None:
        return
    action, key = data.action, data.int_id
    if action == "add" and data.extra_int(0) is not None:
        draft = await requests.add_item(ctx.me, key, data.extra_int(0))  # type: ignore[arg-type]
        await ctx.edit(*await _draft_card(ctx, draft))  # type: ignore[arg-type]
    elif action == "clr":
        draft = await requests.clear(ctx.me, key)
        await ctx.edit(*await _draft_card(ctx, draft))  # type: ignore[arg-type]
    elif action == "sub":
        request = await requests.submit(ctx.me, key, ctx.settings.tz)
        lines = await requests.lines_of(request.id)
        await ctx.edit(ctx.t("supplies.submitted", id=request.id,
                             items=escape(requests.summary(lines)),
                             purpose=escape(request.purpose)),
                       views.cancel_keyboard(request, ctx.lang))
        message = ctx.query.message if ctx.query is not None else None
        if message is not None:  # edited by the outbox when the request is decided
            await requests.remember_card(request.id, message.chat.id, message.message_id)
    elif action == "cancel":
        try:
            request = await requests.cancel(ctx.me, key)
        except DomainError as error:
            if error.code == "supplies.error.cannot_cancel":
                # decided meanwhile: the card shows where it stands, its 撤回 button goes
                # (the outbox's refresh does it for a card it keeps)
                await settle(ctx, ctx.t("supplies.card.now", id=key,
                                        status=error.params["status"]),
                             kinds=(requests.REQUEST_CARD,))
            raise
        await settle(ctx, ctx.t("supplies.cancelled", id=request.id),
                     kinds=(requests.REQUEST_CARD,))
    elif action == "issue":
        # The card is edited through the outbox (it may sit in the group or elsewhere).
        request = await requests.issue(ctx.me, key)
        requester = await request.requester  # type: ignore[misc]
        await ctx.answer(ctx.t("supplies.issued", id=request.id, name=requester.name))
        return
    elif action == "part":
        await ctx.answer(ctx.t("supplies.part_hint", id=key).replace("<code>", "")
                         .replace("</code>", ""), alert=True)
        return
    elif action == "sign":
        request = await requests.sign(ctx.me, key)
        await ctx.edit(await views.request_text(request, ctx.lang))
        await ctx.answer(ctx.t("supplies.signed", id=request.id))
        return
    elif action == "psub":
        purchase = await purchases.submit_draft(ctx.me, key)
        await ctx.edit(await views.purchase_text(purchase, ctx.lang))
    elif action == "recv":
        try:
            purchase = await purchases.receive(ctx.me, key, _today(ctx))  # type: ignore[arg-type]
        except InvalidInput as error:
            if error.code not in ASK_CODES:
                raise
            # What is missing needs typing: ask in the chat, where the answer can be written.
            await ctx.reply(error_text(error, ctx.lang))
            await ctx.answer(ctx.t("supplies.receive.asked"))
            return
        await ctx.answer(ctx.t("supplies.received", id=purchase.id))
        return
    else:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await ctx.answer()


@for_staff(*OFFICE)
async def issue_command(ctx: Ctx) -> None:
    """Lists requests waiting to be issued, issues part (/issue 12 A4纸 1包 原因 …) or takes back
    an issue not yet signed for (/issue 12 撤回)."""
    rest = _rest(ctx)
    if not rest:
        waiting = await requests.waiting_issue()
        if not waiting:
            await ctx.reply(ctx.t("supplies.issue.none"))
            return
        lines = [ctx.t("supplies.issue.title")]
        for request in waiting:
            lines.append(ctx.t("supplies.issue.line", id=request.id,
                               requester=escape(request.requester.name),
                               items=escape(requests.summary(
                                   await requests.lines_of(request.id)))))
        await ctx.reply("\n".join([*lines, "", ctx.t("supplies.issue.usage")]),
                        buttons([[(f"#{r.id} " + ctx.t("supplies.btn.issue_all"),
                                   cb.encode("sup", "issue", r.id))] for r in waiting[:10]]))
        return
    number, _, text = rest.lstrip("#").partition(" ")
    if to_int(number, high=10**30) is None or not text.strip():
        raise InvalidInput("supplies.error.bad_issue")
    if text.strip().lower() in WITHDRAW_WORDS:
        request = await requests.withdraw_issue(ctx.me, int(number))
        await ctx.reply(ctx.t("supplies.issue_withdrawn", id=request.id) + "\n\n"
                        + await views.request_text(request, ctx.lang))
        return
    head, fields = parse.fields_of(text)
    partial: dict[int, Decimal] = {}
    for line in parse.item_lines(head):
        partial[(await catalogue.find(line.name)).id] = line.qty
    request = await requests.issue(ctx.me, int(number), partial, fields.get("reason", ""))
    requester = await request.requester  # type: ignore[misc]
    await ctx.reply(ctx.t("supplies.issued", id=request.id, name=escape(requester.name)) + "\n\n"
                    + await views.request_text(request, ctx.lang))


@for_staff()
async def stock_command(ctx: Ctx) -> None:
    """Shows stock on hand (searchable); office staff add and change items here too."""
    rest = _rest(ctx)
    word, _, tail = rest.partition(" ")
    if word.lower() in ("add", "新增") and tail:
        item = await catalogue.add_item(ctx.me, tail)
        await ctx.reply(ctx.t("supplies.stock.added", name=escape(item.name),
                              unit=escape(item.unit)))
        return
    if word.lower() in ("set", "修改") and tail:
        item = await catalogue.edit_item(ctx.me, tail)
        await ctx.reply(ctx.t("supplies.stock.changed", name=escape(item.name)))
        return
    found = await catalogue.search(rest, limit=MAX_LISTED)
    if not found:
        await ctx.reply(ctx.t("supplies.stock.none", q=escape(rest)))
        return
    tail = (ctx.t("supplies.stock.office_help")
            if ctx.is_private and ctx.me.role in (Role.OFFICE, Role.ADMIN) else "")
    await ctx.reply(_fit(ctx, [ctx.t("supplies.stock.title", n=len(found))],
                         views.stock_lines(found, ctx.lang), tail))


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji may count two)."""
    return len(text.encode("utf-16-le")) // 2


def _fit(ctx: Ctx, head: list[str], lines: list[str], tail: str = "") -> str:
    """Whole lines up to Telegram's 4,096 characters, then how many more were left out."""
    budget = TEXT_LIMIT - _units("\n".join(head)) - _units(tail) - 2
    shown: list[str] = []
    for line in lines:
        if _units(line) + 1 > budget:
            shown.append(ctx.t("supplies.stock.more", n=len(lines) - len(shown)))
            break
        shown.append(line)
        budget -= _units(line) + 1
    return "\n".join([*head, *shown, *([tail] if tail else [])])


@for_staff(*OFFICE, private_only=True)
async def stockin_command(ctx: Ctx) -> None:
    """Records a stock-in entry, or a correction entry: /stockin 更正 5 -2 原因 …."""
    rest = _rest(ctx)
    if not rest:
        await ctx.reply(ctx.t("supplies.stockin.usage"))
        return
    word, _, tail = rest.partition(" ")
    if word.lower() in CORRECT_WORDS:
        head, fields = parse.fields_of(tail)
        parts = head.lstrip("#").split()
        if len(parts) != 2 or to_int(parts[0], high=10**30) is None:
            await ctx.reply(ctx.t("supplies.stockin.usage"))
            return
        entry = await stock.correct_stock_in(ctx.me, int(parts[0]), parse.number(parts[1]),
                                             fields.get("reason", ""))
        await _stockin_done(ctx, entry, "supplies.stockin.corrected")
        return
    head, fields = parse.fields_of(rest)
    lines = parse.item_lines(head)
    if len(lines) != 1:
        await ctx.reply(ctx.t("supplies.stockin.usage"))
        return
    item = await catalogue.find(lines[0].name)
    if "price" not in fields:
        raise InvalidInput("supplies.error.bad_price", value="∅")
    form = stock.StockInForm(
        item_id=item.id, quantity=lines[0].qty, unit_price=parse.price_of(fields["price"]),
        supplier=fields.get("supplier", "")[:64],
        method=parse.method(fields.get("method", "直接采购")),
        quotes=parse.quotes(fields.get("quotes", "")),
        bought_on=parse.day(fields.get("date", "今天"), _today(ctx)),  # type: ignore[arg-type]
        note=fields.get("note", ""),
    )
    await _stockin_done(ctx, await stock.stock_in(ctx.me, form), "supplies.stockin.done")


async def _stockin_done(ctx: Ctx, entry: StockIn, key: str) -> None:
    item = await SupplyItem.get(id=entry.item_id)  # type: ignore[attr-defined]
    await ctx.reply(ctx.t(key, id=entry.id, of=entry.corrects_id,  # type: ignore[attr-defined]
                          name=escape(item.name), qty=views.qty(entry.quantity),
                          unit=escape(item.unit), price=views.money(entry.unit_price),
                          method=ctx.t(f"supplies.method.{entry.method.value}"),
                          supplier=escape(entry.supplier), date=entry.bought_on.isoformat(),
                          stock=views.qty(item.on_hand)))


@for_staff(*OFFICE, private_only=True)
async def purchase_command(ctx: Ctx) -> None:
    """Creates a purchase and submits it to the approval chain its amount calls for."""
    rest = _rest(ctx)
    if not rest:
        await ctx.reply(ctx.t("supplies.purchase.usage"))
        return
    number, _, tail = rest.lstrip("#").partition(" ")
    word, _, prices = tail.strip().partition(" ")
    if to_int(number) is not None and word.lower() in RECEIVE_WORDS:
        head, fields = parse.fields_of(prices)
        purchase = await purchases.receive(ctx.me, int(number), _today(ctx),  # type: ignore[arg-type]
                                           head, fields.get("supplier", ""))
        await ctx.reply(ctx.t("supplies.received", id=purchase.id) + "\n\n"
                        + await views.purchase_text(purchase, ctx.lang))
        return
    purchase = await purchases.create(ctx.me, rest)
    await ctx.reply(ctx.t("supplies.purchase.submitted", id=purchase.id,
                          items=escape(purchases.summary(await purchases.lines_of(purchase.id))),
                          amount=views.money(purchase.amount)))


@for_staff(*OFFICE, private_only=True)
async def stocktake_command(ctx: Ctx) -> None:
    """Records counted quantities: /stocktake A4纸 38 原因 受潮；中性笔 120."""
    rest = _rest(ctx)
    if not rest:
        every = await catalogue.items()
        await ctx.reply(_fit(ctx, [ctx.t("supplies.take.usage"), "", ctx.t("supplies.take.book")],
                             views.stock_lines(every, ctx.lang)))
        return
    counts: list[stock.Count] = []
    for piece in rest.replace("；", ";").replace("\n", ";").split(";"):
        if not piece.strip():
            continue
        head, fields = parse.fields_of(piece)
        for line in parse.item_lines(head):
            item = await catalogue.find(line.name)
            counts.append(stock.Count(item.id, line.qty, fields.get("reason", "")))
    take, lines = await stock.stock_take(ctx.me, counts)
    diffs = [ln for ln in lines if ln.counted != ln.expected]
    text = [ctx.t("supplies.take.done", id=take.id, n=len(lines), d=len(diffs))]
    for diff in diffs:
        item = await SupplyItem.get(id=diff.item_id)  # type: ignore[attr-defined]
        text.append(ctx.t("supplies.take.diff", name=escape(item.name),
                          expected=views.qty(diff.expected), counted=views.qty(diff.counted),
                          reason=escape(diff.reason)))
    if not diffs:
        text.append(ctx.t("supplies.take.same"))
    await ctx.reply("\n".join(text))


@for_staff(*OFFICE)
async def ledger_command(ctx: Ctx) -> None:
    """Sends a ledger as XLSX: /ledger stockin|issue|stock|purchase [period]."""
    args = ctx.args
    kind = choose(args[0], {k: [f"supplies.ledger.kind.{k}", f"supplies.ledger.{k}"]
                            for k in ledgers.KINDS}) if args else None
    if kind is None:
        await ctx.reply(ctx.t("supplies.ledger.usage"))
        return
    start, end = parse.period(" ".join(args[1:]), _today(ctx))  # type: ignore[arg-type]
    rows = await ledgers.rows(kind, start, end, ctx.settings.tz)
    # A year's ledger takes a while to write: off the event loop, so others are not kept waiting.
    data = await asyncio.to_thread(views.ledger_xlsx, kind, rows, ctx.lang, start, end)
    title = ctx.t(f"supplies.ledger.{kind}")
    await ctx.context.bot.send_document(
        ctx.chat_id,
        InputFile(data, filename=f"{kind}_{start.isoformat()}_{end.isoformat()}.xlsx"),
        parse_mode=ParseMode.HTML,
        caption=ctx.t("supplies.ledger.caption", title=title, start=start.isoformat(),
                      end=end.isoformat(), n=len(rows)),
    )


async def _open_draft(staff: Staff) -> str | None:
    return "supplies.draft_name" if await requests.listening_draft(staff) is not None else None


def register(application: Application) -> None:  # type: ignore[type-arg]
    settings = application.bot_data.get("settings")
    if settings is not None:
        views.ZONE = settings.tz
    commands = {"supply": supply, "stock": stock_command, "stockin": stockin_command,
                "purchase": purchase_command, "stocktake": stocktake_command,
                "issue": issue_command, "ledger": ledger_command}
    application.bot_data.setdefault("commands", {}).update(commands)
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern("sup")))
    add_draft_probe(_open_draft)
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, draft_text),
        group=DRAFT_GROUP,
    )

