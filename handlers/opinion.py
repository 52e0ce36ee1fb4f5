"""The opinion duty officer in the chat: /yq, alert buttons, handling notes, forwards."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    InputFile,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginUser,
    Update,
)
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
from handlers.common import Ctx, buttons, for_staff, make_ctx
from handlers.menu import Command, add_commands, shortcut_texts
from handlers.views import charts
from handlers.views.opinion import (
    card_keyboard,
    card_text,
    export_xlsx,
    fetch_problem,
    level_text,
    reason_text,
    report_text,
    trend_png,
)
from models.core import Role
from models.opinion import SourceKind, TermKind
from services import clock
from services.errors import DomainError, InvalidInput
from services.inputs import to_int
from services.opinion import config, entry, handling, pipeline, report, sources, terms

ROLES = (Role.OFFICE, Role.LEADER)
add_commands(Command("yq", frozenset({Role.OFFICE, Role.LEADER, Role.ADMIN}), "both",
                     shortcut="opinion.kb"))
TODAY, WEEK = {"today", "今日", "日报", "今天"}, {"week", "本周", "周报"}
EXPORT, TERMS, SOURCES = {"export", "导出"}, {"terms", "关注词"}, {"sources", "来源"}
HELP = {"help", "帮助", "?"}
ADD, REMOVE = {"add", "添加", "增加"}, {"remove", "del", "delete", "删除"}
CANCEL = {"取消", "cancel"}
ENTER = {"录入", "报送", "上报", "enter", "report"}


@for_staff(*ROLES)
async def yq(ctx: Ctx) -> None:
    """Lists open items, or runs a /yq sub-command, or records the text as an item."""
    args = ctx.args
    word = args[0].lower() if args else ""
    if not args:
        await _open_list(ctx)
    elif word in HELP:
        await ctx.reply(ctx.t("opinion.usage"))
    elif to_int(word.lstrip("#"), high=10**20) is not None and len(args) == 1:
        await _show_case(ctx, int(word.lstrip("#")))
    elif word in TODAY or word in WEEK:
        await _report(ctx, daily=word in TODAY)
    elif word in EXPORT:
        await _export(ctx, args[1:])
    elif word in TERMS:
        await _terms(ctx, args[1:])
    elif word in SOURCES:
        await _sources(ctx)
    elif word in ENTER:
        await _enter(ctx, _rest_of(_rest_of(ctx.text)))
    else:
        await _manual(ctx, _rest_of(ctx.text))


async def _enter(ctx: Ctx, text: str) -> None:
    """/yq 录入 opens the entry dialog; /yq 录入 TEXT records TEXT at once."""
    if text.strip():
        await _manual(ctx, text)
        return
    await entry.open_entry(ctx.me, ctx.chat_id)
    await ctx.ask(ctx.t("opinion.entry.ask", name=html.escape(ctx.me.name)))


def _rest_of(text: str) -> str:
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def _open_list(ctx: Ctx) -> None:
    cases = await handling.open_cases()
    if not cases:
        await ctx.reply(ctx.t("opinion.open.none"))
        return
    lines = [ctx.t("opinion.open.title", n=len(cases))]
    for d in cases:
        assignee = ctx.t("opinion.open.assignee", name=html.escape(d["assignee"])) \
            if d["assignee"] else ""
        lines.append(ctx.t("opinion.open.line", id=d["id"], level=level_text(d["level"], ctx.lang),
                           title=html.escape(d["title"][:50]), source=html.escape(d["source"]),
                           status=ctx.t(f"opinion.status.{d['status']}"), assignee=assignee))
    lines.append("\n" + ctx.t("opinion.open.footer"))
    await ctx.reply("\n".join(lines))


async def _show_case(ctx: Ctx, case_id: int) -> None:
    d = await handling.case_details(case_id)
    if d is None:
        raise InvalidInput("opinion.error.case_unknown", id=case_id)
    keyboard = card_keyboard(d["id"], ctx.lang) if d["open"] else None
    await ctx.reply(card_text(d, ctx.lang), keyboard)


async def _report(ctx: Ctx, daily: bool) -> None:
    tz = config.get().tz
    now = clock.now()
    today = now.astimezone(tz).date()
    first = today if daily else today - timedelta(days=today.weekday())
    data = await report.summary(report.day_start(first, tz),
                                report.day_start(today + timedelta(days=1), tz))
    data["daily"] = daily
    title = ctx.t("opinion.daily.title", day=today.isoformat()) if daily else ctx.t(
        "opinion.week.title", start=first.isoformat(), end=today.isoformat())
    await ctx.reply(report_text(data, ctx.lang, title))
    rows = await report.trend(today, 7 if daily else 30, tz)
    png = await charts.drawn(None, trend_png, rows, ctx.lang)
    await ctx.context.bot.send_photo(ctx.chat_id, png,
                                     parse_mode=ParseMode.HTML,
                                     caption=ctx.t("opinion.chart.title", n=len(rows)))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("opinion.error.bad_date", value=text) from None


async def _export(ctx: Ctx, args: list[str]) -> None:
    tz = config.get().tz
    today = clock.now().astimezone(tz).date()
    first = _day(args[0]) if args else today - timedelta(days=89)
    last = _day(args[1]) if len(args) > 1 else today
    if last < first or last.year > 2100 or first.year < 2000:
        raise InvalidInput("opinion.error.bad_range", start=first, end=last)
    cases = await handling.history(report.day_start(first, tz),
                                   report.day_start(last + timedelta(days=1), tz))
    if not cases:
        await ctx.reply(ctx.t("opinion.export.none", start=first, end=last))
        return
    name = f"opinion-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    await ctx.context.bot.send_document(
        ctx.chat_id, InputFile(export_xlsx(cases, ctx.lang, first, last), filename=name),
        caption=ctx.t("opinion.export.caption", start=first, end=last, n=len(cases)),
        parse_mode=ParseMode.HTML,
    )


async def _terms(ctx: Ctx, args: list[str]) -> None:
    if args and args[0].lower() in ADD:
        if len(args) < 3:
            raise InvalidInput("opinion.error.term_missing")
        kind = terms.parse_kind(args[1])
        added, existing = await terms.add_terms(ctx.me, kind, args[2:])
        lines = []
        if added:
            lines.append(ctx.t("opinion.terms.added", kind=ctx.t(f"opinion.kind.{kind.value}"),
                               words=html.escape("、".join(added))))
        if existing:
            lines.append(ctx.t("opinion.terms.existing", words=html.escape("、".join(existing))))
        await ctx.reply("\n".join(lines))
        return
    if args and args[0].lower() in REMOVE:
        if len(args) < 2:
            raise InvalidInput("opinion.error.term_missing")
        for word in args[1:]:
            await terms.remove_term(ctx.me, word)
        await ctx.reply(ctx.t("opinion.terms.removed", word=html.escape("、".join(args[1:]))))
        return
    found = await terms.list_terms()
    lines = [ctx.t("opinion.terms.title")]
    for kind in TermKind:
        words = "、".join(found[kind]) or ctx.t("opinion.terms.empty")
        lines.append(f"<b>{ctx.t(f'opinion.kind.{kind.value}')}</b>：{html.escape(words)}")
    lines.append("\n" + ctx.t("opinion.terms.usage"))
    await ctx.reply("\n".join(lines))


async def _sources(ctx: Ctx) -> None:
    found = await sources.list_sources()
    if not found:
        await ctx.reply(ctx.t("opinion.sources.none"))
        return
    lines = [ctx.t("opinion.sources.title", n=len(found))]
    for s in found:
        if s.kind != SourceKind.FEED:
            lines.append(ctx.t(f"opinion.sources.kind.{s.kind.value}", name=html.escape(s.name)))
            continue
        if not s.enabled:
            state = ctx.t("opinion.sources.disabled")
        elif s.failures:
            state = ctx.t("opinion.sources.failing", n=s.failures,
                          error=fetch_problem(s.last_error or "", ctx.lang))
        else:
            state = ctx.t("opinion.sources.ok" if s.last_ok_at else "opinion.sources.never")
        lines.append(ctx.t("opinion.sources.line", name=html.escape(s.name),
                           interval=s.interval_minutes, state=state))
    await ctx.reply("\n".join(lines))


async def _manual(ctx: Ctx, text: str, source_name: str = "", external_id: str | None = None,
                  url: str = "") -> None:
    """Record an item staff sent by hand and say what the pipeline made of it."""
    candidate = pipeline.manual_candidate(text, source_name, url,
                                          fallback_source=ctx.t("opinion.reason.none"))
    candidate.external_id = external_id
    result = (await pipeline.ingest([candidate], via=SourceKind.MANUAL, added_by=ctx.me,
                                    vouched=True))[0]
    await ctx.reply(_manual_reply(ctx, result), _to_ledger_button(ctx, result))


# Publicity (issue 15): positive news about the park goes into the media-report ledger with one
# tap; the publicity feature owns the button's callback (pub:yq:<item id>).
def _to_ledger_button(ctx: Ctx, r: pipeline.ItemResult) -> InlineKeyboardMarkup | None:
    if r.item_id is None or r.status != "created" or r.neg or r.sentiment != "positive":
        return None
    if ctx.me.role not in (Role.OFFICE, Role.ADMIN):
        return None
    return buttons([[(ctx.t("publicity.btn.to_ledger"), cb.encode("pub", "yq", r.item_id))]])


def _manual_reply(ctx: Ctx, r: pipeline.ItemResult) -> str:
    if r.status == "duplicate":
        return ctx.t("opinion.manual.dup")
    if r.neg and r.case_opened:
        return ctx.t("opinion.manual.neg", item=r.item_id, level=level_text(r.level, ctx.lang),
                     reason=reason_text(r.reasons, ctx.lang))
    if r.case_id is not None:
        return ctx.t("opinion.manual.neg_joined", case=r.case_id, n=r.cluster_size)
    return ctx.t("opinion.manual.ok", item=r.item_id,
                 sentiment=ctx.t(f"opinion.sentiment.{r.sentiment}"))


@for_staff()
async def on_button(ctx: Ctx) -> None:
    """Acts on an alert card's buttons: 知悉, 确认负面, 指派处置, 已处置, 误报."""
    data = await ctx.button()
    if data is None:
        return
    case_id, action = data.int_id, data.action
    if action == "ack":
        done = await handling.acknowledge(ctx.me, case_id)
        await _refresh(ctx, case_id)
        await ctx.answer(ctx.t("opinion.ack.done" if done else "opinion.ack.already"))
    elif action == "ok":
        done = await handling.confirm(ctx.me, case_id)
        await _refresh(ctx, case_id)
        await ctx.answer(ctx.t("opinion.confirm.done" if done else "opinion.confirm.already"))
    elif action == "fa":  # 误报 closes a complaint: ask why first (the answer confirms it)
        await handling.request_note(ctx.me, case_id, ctx.chat_id, purpose="false_alarm")
        await ctx.ask(ctx.t("opinion.false_alarm.ask", name=html.escape(ctx.me.name),
                            id=case_id))
        await ctx.answer(ctx.t("opinion.note.asked"))
    elif action == "fu":
        case = await handling.undo_false_alarm(ctx.me, case_id)
        await ctx.edit(ctx.t("opinion.false_alarm.undone", id=case.id,
                             status=ctx.t(f"opinion.status.{case.status.value}")))
        await ctx.answer(ctx.t("opinion.false_alarm.undone_short", id=case.id))
    elif action == "as":
        await _pick_person(ctx, case_id)
    elif action == "to" and len(data.extra) == 2 and data.extra_int(0) is not None:
        if data.extra[1] != str(ctx.user_id):
            await ctx.answer(ctx.t("error.not_your_button"), alert=True)
            return
        person = await handling.assign(ctx.me, case_id, int(data.extra[0]))
        await ctx.edit(ctx.t("opinion.picked", id=case_id, name=html.escape(person.name)))
        await ctx.answer(ctx.t("opinion.assign.done", name=person.name))
    elif action == "dn":
        await handling.request_note(ctx.me, case_id, ctx.chat_id)
        await ctx.ask(ctx.t("opinion.note.ask", name=html.escape(ctx.me.name), id=case_id))
        await ctx.answer(ctx.t("opinion.note.asked"))
    else:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)


async def _pick_person(ctx: Ctx, case_id: int) -> None:
    await handling.check_can_act(ctx.me, case_id)
    people = await handling.assignable_staff()
    rows = [[(f"{p.name}" + (f"（{p.department}）" if p.department else ""),
              cb.encode("yq", "to", case_id, p.id, ctx.user_id)) for p in people[i:i + 2]]
            for i in range(0, len(people), 2)]
    await ctx.reply(ctx.t("opinion.pick", id=case_id), buttons(rows))
    await ctx.answer()


async def _refresh(ctx: Ctx, case_id: int) -> None:
    """Show the new state on a card shown by /yq N (the outbox edits the cards it sent)."""
    message = ctx.query.message if ctx.query else None
    if message is None or await handling.is_alert_card(ctx.chat_id, message.message_id):
        return
    keyboard = getattr(message, "reply_markup", None)
    if keyboard is None or len(keyboard.inline_keyboard) == 1:
        return  # the assignee's private card keeps its own wording
    d = await handling.case_details(case_id)
    if d is not None:
        await ctx.edit(card_text(d, ctx.lang), card_keyboard(case_id, ctx.lang)
                       if d["open"] else None)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Takes a person's next message as the handling note they were asked for."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None or ctx.text.strip() in shortcut_texts():
        return
    asked = await handling.pending_note(ctx.me, ctx.chat_id)
    if asked is None:
        if await entry.pending_entry(ctx.me, ctx.chat_id) is not None:
            await _take_entry(ctx)
        return
    try:
        if ctx.text.strip().lower() in CANCEL:
            await handling.cancel_note(ctx.me, ctx.chat_id)
            await ctx.reply(ctx.t("opinion.false_alarm.kept" if asked.purpose == "false_alarm"
                                  else "opinion.note.cancelled"))
        elif asked.purpose == "false_alarm":
            case = await handling.take_note(ctx.me, ctx.chat_id, ctx.text)
            if case is not None:
                await ctx.reply(ctx.t("opinion.false_alarm.done_reason", id=case.id),
                                buttons([[(ctx.t("opinion.btn.undo_false_alarm"),
                                           cb.encode("yq", "fu", case.id))]]))
        else:
            case = await handling.take_note(ctx.me, ctx.chat_id, ctx.text)
            if case is not None:
                await ctx.reply(ctx.t("opinion.note.saved", id=case.id,
                                      status=ctx.t(f"opinion.status.{case.status.value}")))
    except DomainError as error:
        await ctx.fail(error)
    raise ApplicationHandlerStop


async def _take_entry(ctx: Ctx) -> None:
    """The message the entry dialog waited for: record it (or cancel); a bad one is refused
    and the dialog keeps waiting."""
    try:
        if ctx.text.strip().lower() in CANCEL:
            await entry.cancel_entry(ctx.me, ctx.chat_id)
            await ctx.reply(ctx.t("opinion.entry.cancelled"))
        else:
            result = await entry.take_entry(ctx.me, ctx.chat_id, ctx.text,
                                            fallback_source=ctx.t("opinion.reason.none"))
            if result is not None:
                await ctx.reply(_manual_reply(ctx, result))
    except DomainError as error:
        await ctx.fail(error)
    raise ApplicationHandlerStop


def _origin(update: Update) -> tuple[str, str | None]:
    """Where a forwarded message came from: a name, and an id when the origin has one."""
    message = update.effective_message
    origin = message.forward_origin if message else None
    if isinstance(origin, MessageOriginChannel):
        return origin.chat.title or "", f"tg:{origin.chat.id}:{origin.message_id}"
    if isinstance(origin, MessageOriginChat):
        return origin.sender_chat.title or "", None
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.full_name, None
    name = getattr(origin, "sender_user_name", "") if origin else ""
    return str(name or ""), None


async def on_forward(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message office staff forward to the bot in private becomes an opinion item."""
    ctx = await make_ctx(update, context)
    if ctx.staff is None or ctx.staff.role not in (Role.OFFICE, Role.ADMIN):
        return  # someone else's forward may be for another feature
    source_name, external_id = _origin(update)
    message = update.effective_message
    url = ""
    if message is not None:
        links = [e.url for e in (message.entities or message.caption_entities or ())
                 if e.type == "text_link" and e.url]
        url = links[0] if links else ""
    try:
        if not ctx.text.strip():
            await ctx.reply(ctx.t("opinion.forward.empty"))
        else:
            await _manual(ctx, ctx.text, source_name, external_id, url)
    except DomainError as error:
        await ctx.fail(error)
    raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.bot_data.setdefault("commands", {})["yq"] = yq
    settings: Any = application.bot_data.get("settings")
    if settings is not None:
        configure_from(settings)
    application.add_handler(CommandHandler("yq", yq))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern("yq")))
    # Before the features' free-text readers: a note or a forward must not be read as anything
    # else; other messages pass through untouched.
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.FORWARDED,
                                           on_forward), group=-5)
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED,
                                           on_text), group=-5)


def configure_from(settings: Any) -> None:
    """Install the duty officer's settings (the feed fetcher is given by the bot's wiring)."""
    config.configure(config.OpinionConfig(
        tz=settings.tz,
        quiet_start=config.parse_clock(settings.opinion_quiet_start),
        quiet_end=config.parse_clock(settings.opinion_quiet_end),
        ack_minutes=settings.opinion_ack_minutes,
        max_escalations=settings.opinion_max_escalations,
        spread_sources=settings.opinion_spread_sources,
        cluster_similarity=settings.opinion_cluster_similarity,
        cluster_days=settings.opinion_cluster_days,
        incident_days=settings.opinion_incident_days,
        model_path=settings.data_dir / "opinion-model.joblib",
        default_interval_minutes=settings.opinion_poll_minutes,
        fetch_timeout=settings.opinion_fetch_timeout,
    ))
