"""发文 in the chat: /fawen drafts, the 核稿 and 签发 cards, 作废, the register."""

from __future__ import annotations

import html

from telegram import Message

from handlers import callback as cb
from handlers.common import Ctx, buttons, for_staff
from handlers.documents.common import F, button_choice, button_id, rest, send_xlsx, show
from handlers.documents.incoming import on_return
from handlers.views import documents as views
from models.documents import OutgoingDocument, Prompt
from services import approvals
from services.documents import common, outgoing, parsing, registers
from services.errors import InvalidInput, NotAllowed, StaleAction

REGISTER_WORDS = ("登记簿", "register", "台账")


@for_staff(private_only=True)
async def fawen(ctx: Ctx) -> None:
    """Starts a 发文 (`/fawen 通知 关于…的通知`), or `/fawen 登记簿 [本月|2026]` for the office."""
    line = rest(ctx)
    first = line.split(maxsplit=1)[0] if line else ""
    if first in REGISTER_WORDS:
        common.require_office(ctx.me)
        name, data, count = await registers.outgoing_register(line[len(first):].strip())
        await send_xlsx(ctx, name, data, ctx.t("documents.register.out", n=count))
        return
    document = await outgoing.start(ctx.me, line)
    await next_step(ctx, document, file_asked=False)


async def next_step(ctx: Ctx, document: OutgoingDocument, *, file_asked: bool) -> None:
    """Ask what the draft still lacks, or show its card."""
    step = outgoing.missing(document, file_asked)
    if step is None:
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang,
                                                  ctx.t("documents.out.check")))
        return
    await ask(ctx, document, step)


async def ask(ctx: Ctx, document: OutgoingDocument, step: str) -> None:
    await common.ask(ctx.me, f"out.{step}", document.id)
    keyboard = None
    if step == "type":
        types = outgoing.TYPES
        keyboard = buttons([[(name, cb.encode(F, "otype", document.id, i))
                             for i, name in enumerate(types[j:j + 5], start=j)]
                            for j in range(0, len(types), 5)])
    elif step == "file":
        keyboard = buttons([[(ctx.t("documents.btn.no_file"),
                              cb.encode(F, "onofile", document.id))]])
    elif step == "prefix":
        keyboard = buttons([[(p, cb.encode(F, "oprefix", document.id, i))]
                            for i, p in enumerate(common.POLICY.prefixes)])
    await ctx.reply(ctx.t(f"documents.q.out.{step}"), keyboard)


async def answer(ctx: Ctx, prompt: Prompt, text: str, message: Message) -> None:
    """A typed answer (or the draft file) for a 发文 question, or a reason to void one."""
    name = prompt.action.split(".", 1)[1]
    if name == "void":
        document = await outgoing.void(ctx.me, prompt.target, text)
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang,
                                                  ctx.t("documents.out.void_done")))
        return
    if message.document is not None or message.photo:
        if name != "file":
            raise InvalidInput("documents.error.text_expected")
        if message.photo:
            file_id, file_name, kind = message.photo[-1].file_id, "", "photo"
        else:
            doc = message.document
            assert doc is not None
            kind = parsing.file_kind(doc.file_name or "", doc.mime_type) or ""
            if not kind:
                raise InvalidInput("documents.error.not_document",
                                   name=(doc.file_name or "?")[:60])
            file_id, file_name = doc.file_id, doc.file_name or ""
        document = await outgoing.attach(ctx.me, prompt.target, file_id, file_name, kind)
        await next_step(ctx, document, file_asked=True)
        return
    editing = bool(prompt.data.get("editing"))
    document = await outgoing.answer(ctx.me, prompt.target, name, text)
    if editing:
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang))
        return
    await next_step(ctx, document, file_asked=name == "file")


async def on_show(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await outgoing.get(button_id(data))
    if not outgoing.may_edit(ctx.me, document) and ctx.me.role.value != "leader":
        raise NotAllowed("documents.error.not_drafter")
    await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang))
    await ctx.answer()


async def on_type(ctx: Ctx, data: cb.CallbackData) -> None:
    index = button_choice(data, len(outgoing.TYPES))
    prompt = await common.open_prompt(ctx.me)
    editing = prompt is not None and prompt.target == button_id(data) and bool(
        prompt.data.get("editing"))
    document = await outgoing.answer(ctx.me, button_id(data), "type", outgoing.TYPES[index])
    await ctx.edit(ctx.t("documents.q.out.type") + f"\n→ {outgoing.TYPES[index]}")
    if editing:
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang))
    else:
        await next_step(ctx, document, file_asked=False)
    await ctx.answer()


async def on_prefix(ctx: Ctx, data: cb.CallbackData) -> None:
    prefix = common.POLICY.prefixes[button_choice(data, len(common.POLICY.prefixes))]
    document = await outgoing.answer(ctx.me, button_id(data), "prefix", prefix)
    await common.drop_prompt(ctx.me)
    await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang), edit=True)
    await ctx.answer()


async def on_no_file(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await outgoing.get(button_id(data))
    if not outgoing.may_edit(ctx.me, document):
        raise NotAllowed("documents.error.not_drafter")
    await ctx.edit(ctx.t("documents.q.out.file") + "\n→ " + ctx.t("documents.btn.no_file"))
    await next_step(ctx, document, file_asked=True)
    await ctx.answer()


async def on_edit(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await outgoing.get(button_id(data))
    if not outgoing.may_edit(ctx.me, document):
        raise NotAllowed("documents.error.not_drafter")
    if document.status not in outgoing.EDITABLE_STATUSES:
        raise StaleAction("documents.error.out_moved", status=document.status.value)
    if data.extra:
        step = data.extra[0]
        if step not in outgoing.EDITABLE:
            raise InvalidInput("error.bad_button")
        await ask_again(ctx, document, step)
        await ctx.answer()
        return
    steps = [s for s in outgoing.EDITABLE if s != "prefix" or len(common.POLICY.prefixes) > 1]
    rows = [[(ctx.t(f"documents.f.out_{s}"), cb.encode(F, "oedit", document.id, s))
             for s in steps]]
    await ctx.reply(ctx.t("documents.edit.choose"), buttons(rows))
    await ctx.answer()


async def ask_again(ctx: Ctx, document: OutgoingDocument, step: str) -> None:
    """Ask one question again, keeping the edit mark (back to the card afterwards)."""
    await ask(ctx, document, step)
    prompt = await common.open_prompt(ctx.me)
    if prompt is not None:
        await common.update_prompt(prompt, {"editing": True})


async def on_submit(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await outgoing.submit(ctx.me, button_id(data))
    await common.drop_prompt(ctx.me)
    await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang,
                                              ctx.t("documents.out.submitted")), edit=True)
    await ctx.answer()


async def on_withdraw(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await outgoing.withdraw(ctx.me, button_id(data))
    await show(ctx, await views.outgoing_card(document.id, ctx.me, ctx.lang,
                                              ctx.t("documents.out.withdrawn")), edit=True)
    await ctx.answer()


async def on_void(ctx: Ctx, data: cb.CallbackData) -> None:
    common.require_office(ctx.me)
    document = await outgoing.get(button_id(data))
    await common.ask(ctx.me, "out.void", document.id)
    await ctx.reply(ctx.t("documents.q.out.void", number=outgoing.number_of(document)))
    await ctx.answer()


async def on_file(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await outgoing.get(button_id(data))
    if not outgoing.may_edit(ctx.me, document) and ctx.me.role.value != "leader":
        raise NotAllowed("documents.error.not_drafter")
    await _send_file(ctx, document)
    await ctx.answer()


async def _send_file(ctx: Ctx, document: OutgoingDocument) -> None:
    if not document.file_id:
        raise InvalidInput("documents.error.no_file")
    caption = ctx.t("documents.out.file_caption", title=html.escape(document.title[:200]))
    await show(ctx, views.file_rendered(document.file_id, document.file_name,
                                        document.file_kind, caption))


async def on_approve(ctx: Ctx, data: cb.CallbackData) -> None:
    """核稿通过 or 签发 (the number is taken with the last)."""
    state = await approvals.card(button_id(data))
    if state is None or state.request.kind != outgoing.KIND:
        raise StaleAction("documents.error.no_card")
    await approvals.approve(button_id(data), ctx.me)
    document = await outgoing.get(state.request.subject_id)
    number = outgoing.number_of(document)
    await ctx.answer(ctx.t("documents.out.signed_toast", number=number) if number
                     else ctx.t("documents.out.checked_toast"))


async def on_card_file(ctx: Ctx, data: cb.CallbackData) -> None:
    state = await approvals.card(button_id(data))
    if state is None or state.request.kind != outgoing.KIND:
        raise StaleAction("documents.error.no_card")
    if ctx.me.id not in (state.assignee.approver_id, state.assignee.acting_id):  # type: ignore[attr-defined]
        raise NotAllowed("approvals.error.not_yours")
    await _send_file(ctx, await outgoing.get(state.request.subject_id))
    await ctx.answer()



ACTIONS = {
    "out": on_show, "otype": on_type, "oprefix": on_prefix, "onofile": on_no_file,
    "oedit": on_edit, "osub": on_submit, "owd": on_withdraw, "ovoid": on_void,
    "ofile": on_file, "ook": on_approve, "ono": on_return, "oafile": on_card_file,
}  # fmt: skip
