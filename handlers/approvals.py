"""Approvals at the Telegram edge: card buttons, reasons, /pending, /myrequests, /delegate."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import callback as cb
from handlers.common import Ctx, buttons, for_staff, make_ctx, settle_prompt
from handlers.menu import Command, add_commands, shortcut_texts
from handlers.views.approvals import (
    esc,
    history_line,
    join_within,
    kind_name,
    paren,
    step_name,
    thing,
)
from models.approvals import ApprovalRequest, RequestStatus
from models.core import Role, Staff
from services import approvals, clock
from services.errors import DomainError, InvalidInput
from services.timeparse.days import read_day

log = logging.getLogger(__name__)

ADMIN = frozenset({Role.ADMIN})
OFFICE = frozenset({Role.ADMIN, Role.OFFICE})
add_commands(
    Command("pending", where="private", shortcut="approvals.kb.pending"),
    Command("myrequests", where="private"),
    Command("delegate", where="private"),
    Command("flows", OFFICE, "private"),
    Command("audit", ADMIN, "private"),
)
#: Reason prompts are read before the features' free text (group 0): a reason is never a booking.
REASON_GROUP = -10


# ---------------------------------------------------------------------------- commands


@for_staff(private_only=True)
async def pending(ctx: Ctx) -> None:
    """Sends every card waiting for me again, newest last, and a batch button per kind."""
    items = await approvals.resend_cards(ctx.me)
    if not items:
        await ctx.reply(ctx.t("approvals.pending.none"))
        return
    text = ctx.t("approvals.pending.title", n=len(items))
    if len(items) > approvals.RESEND_LIMIT:
        text += "\n" + ctx.t("approvals.pending.more", shown=approvals.RESEND_LIMIT)
    await ctx.reply(text)


@for_staff(private_only=True)
async def my_requests(ctx: Ctx) -> None:
    """Lists my latest requests with their history, and 撤回 / 催办 where they apply."""
    await ctx.reply(*await _my_page(ctx, 0))


#: Requests on one page of /myrequests (one message, with paging buttons).
MY_PAGE = 3


async def _my_page(ctx: Ctx, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of my requests, newest first, in one message: each with its history and
    its 撤回 / 催办 buttons, and buttons to the other pages."""
    requests = await approvals.my_requests(ctx.me)
    if not requests:
        return ctx.t("approvals.my.none"), None
    pages = (len(requests) + MY_PAGE - 1) // MY_PAGE
    page = min(max(page, 0), pages - 1)
    texts, rows = [ctx.t("approvals.my.title", n=len(requests))], []
    for request in requests[page * MY_PAGE:(page + 1) * MY_PAGE]:
        text, row = await _request_item(ctx, request, page)
        texts.append(text)
        if row:
            rows.append(row)
    if pages > 1:
        texts.append(ctx.t("approvals.my.page", page=page + 1, pages=pages))
        turn = []
        if page > 0:
            turn.append((ctx.t("approvals.btn.prev"), cb.encode("ap", "myp", page - 1)))
        if page < pages - 1:
            turn.append((ctx.t("approvals.btn.next"), cb.encode("ap", "myp", page + 1)))
        rows.append(turn)
    return "\n\n".join(texts)[:4000], buttons(rows) if rows else None


async def _request_item(ctx: Ctx, request: ApprovalRequest, page: int = 0
                        ) -> tuple[str, list[tuple[str, str]]]:
    waiting = ""
    if request.status == RequestStatus.PENDING:
        names = [(a.acting or a.approver).name for a in await approvals.current_approvers(request)]
        waiting = (ctx.t("approvals.my.waiting", names=esc(_list_sep(ctx).join(names)))
                   if names else "")
    lines = [history_line(a, ctx.lang) for a in (await approvals.history(request.id))[-5:]]
    text = ctx.t("approvals.my.item", thing=thing(request, ctx.lang),
                 kind=esc(kind_name(request.kind, ctx.lang)),
                 title=esc(request.title),
                 status=ctx.t(f"approvals.status.{request.status.value}"), waiting=waiting,
                 history="\n".join(lines))
    row = []
    if await approvals.can_withdraw(request):
        row.append((ctx.t("approvals.btn.withdraw_id", thing=thing(request, ctx.lang)),
                    cb.encode("ap", "wd", request.id, page)))
    if request.status == RequestStatus.PENDING:
        row.append((ctx.t("approvals.btn.urge_id", thing=thing(request, ctx.lang)),
                    cb.encode("ap", "urge", request.id)))
    return text, row


def _list_sep(ctx: Ctx) -> str:
    return ", " if ctx.lang == "en" else "、"


@for_staff(private_only=True)
async def delegate(ctx: Ctx) -> None:
    """Sets, shows or ends my delegate: /delegate 姓名 开始 结束 | /delegate off."""
    args = ctx.args
    if not args:
        current = await approvals.current_delegation(ctx.me)
        text = (ctx.t("approvals.delegate.current", name=esc(current.delegate.name),
                      start=current.starts_on.isoformat(), end=current.ends_on.isoformat())
                if current else ctx.t("approvals.delegate.none"))
        await ctx.reply(text + "\n\n" + ctx.t("approvals.delegate.usage"))
        return
    if args[0].lower() in ("off", "取消", "cancel"):
        ended = await approvals.cancel_delegation(ctx.me)
        key = "approvals.delegate.off" if ended else "approvals.delegate.off_none"
        await ctx.reply(ctx.t(key))
        return
    if len(args) != 3:
        await ctx.reply(ctx.t("approvals.delegate.usage"))
        return
    person = await approvals.find_person(args[0])
    zone = str(ctx.settings.timezone)
    starts, ends = (read_day(arg, clock.now(), zone, code="approvals.error.bad_date")
                    for arg in args[1:3])
    await approvals.set_delegation(ctx.me, person, starts, ends)
    await ctx.reply(ctx.t("approvals.delegate.done", name=esc(person.name),
                          start=starts.isoformat(), end=ends.isoformat()))


@for_staff(Role.ADMIN, private_only=True)
async def audit(ctx: Ctx) -> None:
    """Shows an approver's record to admins: /audit 姓名."""
    if not ctx.args:
        await ctx.reply(ctx.t("approvals.audit.usage"))
        return
    person = await approvals.find_person(" ".join(ctx.args))
    actions = await approvals.actions_of(person)
    if not actions:
        await ctx.reply(ctx.t("approvals.audit.none", name=esc(person.name)))
        return
    lines = [ctx.t("approvals.audit.title", name=esc(person.name), n=len(actions))]
    lines += [history_line(a, ctx.lang, with_request=True) for a in actions]
    await ctx.reply(join_within(lines))


@for_staff(Role.OFFICE, private_only=True)
async def flows(ctx: Ctx) -> None:
    """Shows each request kind's configured chains."""
    lines = [ctx.t("approvals.flows.title")]
    for kind, chains in sorted(approvals.all_flows().items()):
        lines.append(ctx.t("approvals.flows.kind", kind=esc(kind_name(kind, ctx.lang)),
                           code=esc(kind)))
        for chain in chains:
            steps = " → ".join(_describe_step(ctx, s) for s in chain.steps)
            if len(chains) == 1:
                lines.append(ctx.t("approvals.flows.chain_any", steps=steps))
            else:
                bound = (ctx.t("approvals.flows.below", amount=f"{chain.below:,.0f}")
                         if chain.below is not None else ctx.t("approvals.flows.rest"))
                lines.append(ctx.t("approvals.flows.chain", range=bound, steps=steps))
    await ctx.reply(join_within(lines))


def _describe_step(ctx: Ctx, step: approvals.flows.StepSpec) -> str:
    def who(spec: dict[str, object]) -> str:
        if "role" in spec:
            return ctx.t(f"role.{spec['role']}")
        if spec.get("dept_head"):
            return ctx.t("approvals.flows.who.dept_head")
        if spec.get("chosen"):
            return ctx.t("approvals.flows.who.chosen")
        return esc(_list_sep(ctx).join(str(p) for p in spec.get("people", [])))  # type: ignore[attr-defined]

    mode = ctx.t(f"approvals.flows.mode.{step.mode.value}")
    comma = ", " if ctx.lang == "en" else "，"
    text = esc(step_name(step.label, ctx.lang)) + paren(f"{who(step.approvers)}{comma}{mode}",
                                                       ctx.lang)
    if step.cc:
        text += ctx.t("approvals.flows.cc", who=who(step.cc))
    return text


# ---------------------------------------------------------------------------- buttons


async def _ok(ctx: Ctx, data: cb.CallbackData) -> None:
    request = await approvals.approve(_id(data), ctx.me)
    await ctx.answer(ctx.t("approvals.approved.done", thing=thing(request, ctx.lang)))


async def _no(ctx: Ctx, data: cb.CallbackData) -> None:
    request = await approvals.start_reject(_id(data), ctx.me)
    asked = await ctx.reply(ctx.t("approvals.reason.ask", thing=thing(request, ctx.lang),
                                  title=esc(request.title)),
                            buttons([[(ctx.t("approvals.btn.cancel"),
                                       cb.encode("ap", "nox", _id(data)))]]))
    await approvals.prompt_sent(ctx.me, asked.message_id)
    await ctx.answer()


async def _no_cancel(ctx: Ctx, data: cb.CallbackData) -> None:
    # An older prompt's button must not drop a newer one, nor claim to undo a rejection.
    prompt = await approvals.reason_prompt(ctx.me)
    transfer = prompt is not None and prompt.transfer_to_id is not None  # type: ignore[attr-defined]
    cancelled = await approvals.cancel_reject(ctx.me, _id(data))
    key = "approvals.transfer.cancelled" if transfer else "approvals.reason.cancelled"
    await ctx.edit(ctx.t(key if cancelled else "approvals.reason.stale"))
    await ctx.answer()


async def _pick(ctx: Ctx, data: cb.CallbackData) -> None:
    """Offers the staff to transfer to (fwd) or to add as a signer (add)."""
    assignee_id = _id(data)
    people = await approvals.transfer_candidates(assignee_id, ctx.me)
    if not people:
        await ctx.answer(ctx.t("approvals.pick.none"), alert=True)
        return
    action = "fwdto" if data.action == "fwd" else "addto"
    rows = [[(esc(p.name), cb.encode("ap", action, assignee_id, p.id)) for p in people[i:i + 3]]
            for i in range(0, len(people), 3)]
    rows.append([(ctx.t("approvals.btn.cancel"), cb.encode("ap", "pickx", assignee_id))])
    state = await approvals.card(assignee_id)
    key = "approvals.transfer.pick" if data.action == "fwd" else "approvals.signer.pick"
    await ctx.reply(ctx.t(key, thing=thing(state.request, ctx.lang) if state else ""),
                    buttons(rows))
    await ctx.answer()


async def _picked(ctx: Ctx, data: cb.CallbackData) -> None:
    if data.extra_int(0) is None:
        raise InvalidInput("error.bad_button")
    if data.action == "fwdto":
        # the reason first: the person it goes to sees who passed it on and why
        person = await approvals.start_transfer(_id(data), ctx.me, int(data.extra[0]))
        state = await approvals.card(_id(data))
        request = state.request if state is not None else None
        await ctx.edit(ctx.t("approvals.transfer.ask",
                             thing=thing(request, ctx.lang) if request else "",
                             title=esc(request.title) if request else "", name=esc(person.name)),
                       buttons([[(ctx.t("approvals.btn.cancel"),
                                  cb.encode("ap", "nox", _id(data)))]]))
        if ctx.query is not None and ctx.query.message is not None:
            await approvals.prompt_sent(ctx.me, ctx.query.message.message_id)
        await ctx.answer()
        return
    else:
        person = await approvals.add_signer(_id(data), ctx.me, int(data.extra[0]))
        note = ctx.t("approvals.signer.done", name=esc(person.name))
    await ctx.edit(note)
    await ctx.answer(note)


async def _pick_cancel(ctx: Ctx, data: cb.CallbackData) -> None:
    await ctx.edit(ctx.t("approvals.batch.cancelled"))
    await ctx.answer()


async def _withdraw(ctx: Ctx, data: cb.CallbackData) -> None:
    request = await approvals.withdraw_request(_id(data), ctx.me)
    await ctx.edit(*await _my_page(ctx, data.extra_int(0) or 0))  # the list as it is now
    await ctx.answer(ctx.t("approvals.withdraw.done", thing=thing(request, ctx.lang)))


async def _my_turn(ctx: Ctx, data: cb.CallbackData) -> None:
    await ctx.edit(*await _my_page(ctx, data.int_id or 0))
    await ctx.answer()


async def _urge(ctx: Ctx, data: cb.CallbackData) -> None:
    count = await approvals.urge(_id(data), ctx.me)
    await ctx.answer(ctx.t("approvals.urge.done", n=count))


async def _batch_offer(ctx: Ctx, data: cb.CallbackData) -> None:
    kind, upto = data.id, _extra_int(data)
    items = [i for i in await approvals.pending_for(ctx.me)
             if i.step.request.kind == kind and i.id <= upto]
    if not items:
        await ctx.edit(ctx.t("approvals.batch.nothing"))
        await ctx.answer()
        return
    listing = "\n".join(f"#{i.step.request.id} {esc(i.step.request.title)}" for i in items)
    await ctx.edit(
        ctx.t("approvals.batch.confirm", n=len(items), kind=esc(kind_name(kind, ctx.lang)),
              items=listing[:3000]),
        buttons([[(ctx.t("approvals.btn.confirm"), cb.encode("ap", "allok", kind, upto)),
                  (ctx.t("approvals.btn.cancel"), cb.encode("ap", "allno", kind))]]),
    )
    await ctx.answer()


#: Batches working in the background (kept referenced until they end).
_BATCHES: set[asyncio.Task[Any]] = set()


async def _batch_confirm(ctx: Ctx, data: cb.CallbackData) -> None:
    """Answer at once and approve in the background: a batch of 1,000 takes longer than
    Telegram waits for a button's answer; the approver is told when it is done."""
    kind, upto = data.id, _extra_int(data)
    if not await approvals.has_batch(ctx.me, kind, upto):
        await ctx.edit(ctx.t("approvals.batch.nothing"))
        await ctx.answer(ctx.t("approvals.batch.nothing"), alert=True)
        return
    note = ctx.t("approvals.batch.working")
    await ctx.edit(note)
    await ctx.answer(note)
    task = asyncio.create_task(_run_batch(ctx.me, kind, upto))
    _BATCHES.add(task)
    task.add_done_callback(_BATCHES.discard)


async def _run_batch(me: Staff, kind: str, upto: int) -> None:
    try:
        await approvals.batch_approve(me, kind, upto)
    except Exception:
        log.exception("batch approval of %s by %s failed", kind, me.id)


async def _batch_cancel(ctx: Ctx, data: cb.CallbackData) -> None:
    await ctx.edit(ctx.t("approvals.batch.cancelled"))
    await ctx.answer()


def _id(data: cb.CallbackData) -> int:
    if data.int_id is None:
        raise InvalidInput("error.bad_button")
    return data.int_id


def _extra_int(data: cb.CallbackData) -> int:
    number = data.extra_int(0)
    if number is None:
        raise InvalidInput("error.bad_button")
    return number


ACTIONS: dict[str, Callable[[Ctx, cb.CallbackData], Awaitable[None]]] = {
    "ok": _ok, "no": _no, "nox": _no_cancel, "fwd": _pick, "add": _pick, "fwdto": _picked,
    "addto": _picked, "pickx": _pick_cancel, "wd": _withdraw, "urge": _urge, "myp": _my_turn,
    "all": _batch_offer, "allok": _batch_confirm, "allno": _batch_cancel,
}


@for_staff()
async def on_button(ctx: Ctx) -> None:
    """Checks the button's shape, then lets its action decide whether the presser may act."""
    data = cb.decode(ctx.query.data if ctx.query else None)
    action = ACTIONS.get(data.action) if data is not None else None
    if data is None or action is None:
        await ctx.answer(ctx.t("error.bad_button"), alert=True)
        return
    await action(ctx, data)


async def reason_text(update: object, context: object) -> None:
    """Takes a private text as the reason of the rejection its author started, if any."""
    ctx = await make_ctx(update, context)  # type: ignore[arg-type]
    prompt = await approvals.reason_prompt(ctx.staff) if ctx.staff is not None else None
    if prompt is None:
        return
    if prompt.transfer_to_id is not None:  # type: ignore[attr-defined]
        try:
            request, person = await approvals.transfer_with_reason(ctx.me, ctx.text)
        except DomainError as error:
            await ctx.fail(error)
        else:
            # The question is settled before the answer comes: whoever reads the chat after
            # the answer sees the question closed (its 取消 button gone).
            if prompt.message_id:
                await settle_prompt(ctx, prompt.message_id, ctx.t(
                    "approvals.transfer.answered", thing=thing(request, ctx.lang),
                    name=esc(person.name)))
            await ctx.reply(ctx.t("approvals.transfer.done", name=esc(person.name)))
        raise ApplicationHandlerStop
    try:
        request = await approvals.reject_with_reason(ctx.me, ctx.text)
    except DomainError as error:
        await ctx.fail(error)
    else:
        if prompt.message_id:  # the question is answered: its 取消 button goes, first
            await settle_prompt(ctx, prompt.message_id,
                                ctx.t("approvals.reason.answered", thing=thing(request, ctx.lang)))
        await ctx.reply(ctx.t("approvals.rejected.done", thing=thing(request, ctx.lang)))
    raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    approvals.configure(application.bot_data.get("settings"))
    commands = {"pending": pending, "myrequests": my_requests, "delegate": delegate,
                "audit": audit, "flows": flows}
    application.bot_data.setdefault("commands", {}).update(commands)
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(on_button, pattern=cb.pattern("ap")))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
                       & ~filters.Text(list(shortcut_texts()) or ["\x00"]), reason_text),
        group=REASON_GROUP,
    )
