"""收文 in the chat: /shouwen, registering from a line or a file, 拟办, leaders' cards, 分办."""

from __future__ import annotations

import html
from typing import cast

from telegram import Message

from handlers import callback as cb
from handlers.common import Ctx, buttons, for_staff
from handlers.documents.common import F, button_extra, button_id, rest, send_xlsx, show
from handlers.views import documents as views
from models.core import Role
from models.documents import IncomingDocument, Prompt
from services import approvals
from services.documents import common, incoming, parsing, registers
from services.errors import InvalidInput, NotAllowed, StaleAction

REGISTER_WORDS = ("登记簿", "register", "台账")
#: Largest file read for its text (Telegram lets bots download up to 20 MB).
MAX_READ = 15 * 1024 * 1024


# ------------------------------------------------------------------ /shouwen


@for_staff(Role.OFFICE, private_only=True)
async def shouwen(ctx: Ctx) -> None:
    """Registers a document: guided, in one line, or `/shouwen 登记簿 [本月|2026-11]`."""
    line = rest(ctx)
    first = line.split(maxsplit=1)[0] if line else ""
    if first in REGISTER_WORDS:
        period = line[len(first):].strip()
        name, data, count = await registers.incoming_register(period)
        await send_xlsx(ctx, name, data, ctx.t("documents.register.in", n=count))
        return
    draft = await incoming.start_typed(ctx.me, line)
    if not line:
        await ctx.reply(ctx.t("documents.reg.started"))
        await ask_field(ctx, draft, "sender", guided=True)
        return
    await after_answer(ctx, draft, guided=False)


async def ask_field(ctx: Ctx, draft: IncomingDocument, field: str, *, guided: bool) -> None:
    await common.ask(ctx.me, f"in.{field}", draft.id, {"guided": guided})
    await ctx.reply(ctx.t(f"documents.q.{field}", today=common.today().isoformat()))


async def after_answer(ctx: Ctx, draft: IncomingDocument, *, guided: bool,
                       answered: str | None = None, read: bool | None = None) -> None:
    """Ask the next question of a guided registration, or show the card to confirm."""
    if guided and answered in incoming.GUIDED:
        index = incoming.GUIDED.index(answered)
        if index + 1 < len(incoming.GUIDED):
            await ask_field(ctx, draft, incoming.GUIDED[index + 1], guided=True)
            return
    await common.drop_prompt(ctx.me)
    await show(ctx, await views.document_card(draft.id, ctx.me, ctx.lang, read=read,
                                              note=ctx.t("documents.reg.check")))
    missing = incoming.missing(draft)
    if missing is not None:
        await ask_field(ctx, draft, missing, guided=False)


async def on_upload(ctx: Ctx, message: Message) -> None:
    """A file or photo sent to the bot by the office: register it (or say it is no document)."""
    if message.photo:
        upload = incoming.Upload(message.photo[-1].file_id, "", "photo",
                                 caption=message.caption or "")
    else:
        document = message.document
        assert document is not None
        kind = parsing.file_kind(document.file_name or "", document.mime_type)
        if kind is None:
            raise InvalidInput("documents.error.not_document",
                               name=(document.file_name or "?")[:60])
        content = None
        if kind in parsing.READABLE and (document.file_size or 0) <= MAX_READ:
            found = await ctx.context.bot.get_file(document.file_id)
            content = bytes(await found.download_as_bytearray())
        upload = incoming.Upload(document.file_id, document.file_name or "", kind, content,
                                 message.caption or "")
    try:
        draft, read = await incoming.start_from_file(ctx.me, upload)
    except incoming.Classified as refused:
        await _forget(ctx, message)
        await ctx.reply(ctx.t("documents.error.classified", **refused.params))
        return
    await after_answer(ctx, draft, guided=False, read=read)


async def _forget(ctx: Ctx, message: Message) -> None:
    """Take the classified file out of the chat with the bot, where that is still possible."""
    try:
        await message.delete()
    except Exception:  # too old, or already gone: the refusal still stands
        pass


async def answer(ctx: Ctx, prompt: Prompt, text: str) -> None:
    """A typed answer to a registration question or an office prompt about a document."""
    name = prompt.action.split(".", 1)[1]
    if name in incoming.EDITABLE:
        try:
            draft = await incoming.answer(ctx.me, prompt.target, name, text)
        except incoming.Classified as refused:
            await common.drop_prompt(ctx.me)
            await ctx.reply(ctx.t("documents.error.classified", **refused.params))
            return
        await after_answer(ctx, draft, guided=bool(prompt.data.get("guided")), answered=name)
    elif name == "prop":
        document = await incoming.propose(ctx.me, prompt.target, text)
        await common.drop_prompt(ctx.me)
        await _leader_picker(ctx, document, 0)
    elif name == "asg":
        await _preview_assignment(ctx, prompt, text)
    elif name == "arch":
        document = await incoming.file_away(ctx.me, prompt.target, text)
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.document_card(document.id, ctx.me, ctx.lang,
                                                  note=ctx.t("documents.filed")))
    elif name == "reply":
        document = await incoming.set_reply_no(ctx.me, prompt.target, text)
        await common.drop_prompt(ctx.me)
        await show(ctx, await views.document_card(document.id, ctx.me, ctx.lang))
    else:
        raise StaleAction("documents.error.no_question")


# ------------------------------------------------------------------ document buttons


async def on_show(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await incoming.get(button_id(data))
    await incoming.require_seen(ctx.me, document)
    await show(ctx, await views.document_card(document.id, ctx.me, ctx.lang))
    await ctx.answer()


async def on_register(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await incoming.register(ctx.me, button_id(data))
    await common.drop_prompt(ctx.me)
    number = common.incoming_no(document.year, document.seq)
    await show(ctx, await views.document_card(document.id, ctx.me, ctx.lang,
                                              note=ctx.t("documents.reg.done", number=number)),
               edit=True)
    await ctx.answer(ctx.t("documents.reg.done_short", number=number))


async def on_edit(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await incoming.get(button_id(data))
    common.require_office(ctx.me)
    if document.status.value != "draft":
        raise StaleAction("documents.error.already_registered",
                          number=common.incoming_no(document.year, document.seq))
    if data.extra:
        await ask_field(ctx, document, data.extra[0], guided=False)
        await ctx.answer()
        return
    rows, row = [], []
    for name in incoming.EDITABLE:
        row.append((ctx.t(f"documents.f.{name}"), cb.encode(F, "edit", document.id, name)))
        if len(row) == 3:
            rows.append(row)
            row = []
    rows.append([*row, (ctx.t("documents.btn.back"), cb.encode(F, "draft", document.id))])
    card = await views.document_card(document.id, ctx.me, ctx.lang)
    await ctx.edit(card.text + "\n\n" + ctx.t("documents.edit.choose"), buttons(rows))
    await ctx.answer()


async def on_draft(ctx: Ctx, data: cb.CallbackData) -> None:
    await show(ctx, await views.document_card(button_id(data), ctx.me, ctx.lang), edit=True)
    await ctx.answer()


async def on_drop(ctx: Ctx, data: cb.CallbackData) -> None:
    await incoming.cancel_draft(ctx.me, button_id(data))
    await common.drop_prompt(ctx.me)
    await ctx.edit(ctx.t("documents.reg.dropped"))
    await ctx.answer()


async def on_propose(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await incoming.get(button_id(data))
    common.require_office(ctx.me)
    if document.status.value not in ("registered", "returned"):
        raise StaleAction("documents.error.doc_moved", status=document.status.value)
    await common.ask(ctx.me, "in.prop", document.id)
    await ctx.reply(ctx.t("documents.q.prop", number=common.incoming_no(document.year,
                                                                         document.seq)))
    await ctx.answer()


async def _leader_picker(ctx: Ctx, document: IncomingDocument, mask: int, *,
                         edit: bool = False) -> None:
    """Leaders as toggles (✓ marks the chosen), then 送签; the choice lives in the buttons."""
    leaders = await incoming.leaders()
    if not leaders:
        raise InvalidInput("documents.error.no_leaders")
    rows = []
    for i, leader in enumerate(leaders[:12]):
        chosen = bool(mask >> i & 1)
        rows.append([(("✓ " if chosen else "") + leader.name,
                      cb.encode(F, "pick", document.id, mask ^ (1 << i), len(leaders)))])
    if mask:
        rows.append([(ctx.t("documents.btn.send_leaders"),
                      cb.encode(F, "send", document.id, mask, len(leaders)))])
    text = ctx.t("documents.pick.leaders", proposal=html.escape(document.proposal))
    if edit:
        await ctx.edit(text, buttons(rows))
    else:
        await ctx.reply(text, buttons(rows))


async def _chosen(data: cb.CallbackData) -> list[int]:
    mask, count = button_extra(data, 0), button_extra(data, 1)
    leaders = await incoming.leaders()
    if len(leaders) != count:
        raise StaleAction("documents.error.leaders_changed")
    return [leader.id for i, leader in enumerate(leaders[:12]) if mask >> i & 1]


async def on_pick(ctx: Ctx, data: cb.CallbackData) -> None:
    await _chosen(data)
    document = await incoming.get(button_id(data))
    common.require_office(ctx.me)
    await _leader_picker(ctx, document, button_extra(data), edit=True)
    await ctx.answer()


async def on_send(ctx: Ctx, data: cb.CallbackData) -> None:
    chosen = await _chosen(data)
    document = await incoming.send_to_leaders(ctx.me, button_id(data), chosen)
    await show(ctx, await views.document_card(document.id, ctx.me, ctx.lang,
                                              note=ctx.t("documents.sent_leaders")), edit=True)
    await ctx.answer(ctx.t("documents.sent_leaders"))


async def on_assign(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await incoming.get(button_id(data))
    common.require_office(ctx.me)
    if document.status.value not in ("registered", "signed", "returned"):
        raise StaleAction("documents.error.doc_moved", status=document.status.value)
    await common.ask(ctx.me, "in.asg", document.id)
    known = "、".join(await common.departments()) or "—"
    await ctx.reply(ctx.t("documents.q.asg", known=html.escape(known),
                          due=document.due_on.isoformat() if document.due_on else "—"))
    await ctx.answer()


async def _preview_assignment(ctx: Ctx, prompt: Prompt, text: str) -> None:
    shares, due, in_workdays = await incoming.preview_assignment(ctx.me, prompt.target, text)
    await common.update_prompt(prompt, {
        "departments": [s.department for s in shares],
        "people": [s.staff.name for s in shares],
        "due": due.isoformat(), "workdays": in_workdays})
    lines = [ctx.t("documents.asg.preview")]
    for share in shares:
        lines.append(ctx.t("documents.asg.share", department=html.escape(share.department),
                           role=ctx.t("documents.lead" if share.lead else "documents.co"),
                           who=html.escape(share.staff.name)))
    lines.append(ctx.t("documents.asg.due", due=views.due_text(due, in_workdays, ctx.lang)))
    await ctx.reply("\n".join(lines), buttons([[
        (ctx.t("documents.btn.confirm_assign"), cb.encode(F, "asgok", prompt.target))]]))


async def on_assign_ok(ctx: Ctx, data: cb.CallbackData) -> None:
    from datetime import date

    prompt = await common.open_prompt(ctx.me)
    if prompt is None or prompt.action != "in.asg" or prompt.target != button_id(data) \
            or "departments" not in prompt.data:
        raise StaleAction("documents.error.preview_gone")
    made = await incoming.assign(ctx.me, prompt.target, list(prompt.data["departments"]),
                                 list(prompt.data["people"]),
                                 date.fromisoformat(prompt.data["due"]),
                                 bool(prompt.data["workdays"]))
    await common.drop_prompt(ctx.me)
    await ctx.edit(ctx.t("documents.asg.done", n=len(made)))
    await show(ctx, await views.document_card(prompt.target, ctx.me, ctx.lang))
    await ctx.answer()


async def on_close_read(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await incoming.close_read(ctx.me, button_id(data))
    await show(ctx, await views.document_card(document.id, ctx.me, ctx.lang,
                                              note=ctx.t("documents.closed_read")), edit=True)
    await ctx.answer()


async def on_file_away(ctx: Ctx, data: cb.CallbackData) -> None:
    common.require_office(ctx.me)
    await common.ask(ctx.me, "in.arch", button_id(data))
    await ctx.reply(ctx.t("documents.q.arch"))
    await ctx.answer()


async def on_reply_no(ctx: Ctx, data: cb.CallbackData) -> None:
    common.require_office(ctx.me)
    await common.ask(ctx.me, "in.reply", button_id(data))
    await ctx.reply(ctx.t("documents.q.reply"))
    await ctx.answer()


async def on_file(ctx: Ctx, data: cb.CallbackData) -> None:
    document = await incoming.get(button_id(data))
    await incoming.require_seen(ctx.me, document)
    await send_original(ctx, document)
    await ctx.answer()


async def send_original(ctx: Ctx, document: IncomingDocument) -> None:
    if not document.file_id:
        raise InvalidInput("documents.error.no_file")
    caption = ctx.t("documents.file.caption",
                    number=common.incoming_no(document.year, document.seq) or "—",
                    title=html.escape(document.title[:200]))
    await show(ctx, views.file_rendered(document.file_id, document.file_name,
                                        document.file_kind, caption))


# ------------------------------------------------------------------ leaders' cards


async def on_read(ctx: Ctx, data: cb.CallbackData) -> None:
    """阅."""
    document = await incoming.read(ctx.me, button_id(data))
    await ctx.answer(ctx.t("documents.leader.read_done",
                           number=common.incoming_no(document.year, document.seq)))


async def on_instruct(ctx: Ctx, data: cb.CallbackData) -> None:
    """批示: the next message is the instruction."""
    document, state = await incoming.for_card(button_id(data))
    if ctx.me.id not in (state.assignee.approver_id, state.assignee.acting_id):  # type: ignore[attr-defined]
        raise NotAllowed("approvals.error.not_yours")
    if not state.actionable:
        raise StaleAction("approvals.error.already_decided")
    await approvals.cancel_reject(ctx.me)
    await common.ask(ctx.me, "pi", state.assignee.id)
    await ctx.reply(ctx.t("documents.q.pi", number=common.incoming_no(document.year,
                                                                       document.seq),
                          title=html.escape(document.title)))
    await ctx.answer()


async def instruction_text(ctx: Ctx, prompt: Prompt, text: str) -> None:
    """Shows what the instruction names (departments, people, a date) for the leader to confirm."""
    found = await incoming.proposal_for(text)
    await common.update_prompt(prompt, {"text": text.strip(), "departments":
                                        list(found.departments), "people": list(found.people),
                                        "due": found.due_on.isoformat() if found.due_on else "",
                                        "workdays": found.due_workdays})
    aid = prompt.target
    if not found.departments:
        await ctx.reply(ctx.t("documents.pi.confirm_plain", text=html.escape(text.strip())),
                        buttons([[(ctx.t("documents.btn.pi_ok"), cb.encode(F, "pino", aid))],
                                 [(ctx.t("documents.btn.pi_retype"), cb.encode(F, "pi", aid))]]))
        return
    due = views.due_text(found.due_on, found.due_workdays, ctx.lang) if found.due_on \
        else ctx.t("documents.pi.due_document")
    plan = ctx.t("documents.pi.plan", lead=html.escape(found.departments[0]),
                 co=html.escape("、".join(found.departments[1:])) or "—",
                 people=html.escape("、".join(found.people)) or "—", due=due)
    await ctx.reply(ctx.t("documents.pi.confirm", text=html.escape(text.strip()), plan=plan),
                    buttons([[(ctx.t("documents.btn.pi_assign"), cb.encode(F, "piok", aid))],
                             [(ctx.t("documents.btn.pi_only"), cb.encode(F, "pino", aid)),
                              (ctx.t("documents.btn.pi_retype"), cb.encode(F, "pi", aid))]]))


async def on_instruct_ok(ctx: Ctx, data: cb.CallbackData) -> None:
    """Confirms the instruction, with (piok) or without (pino) the departments it names."""
    from datetime import date

    prompt = await common.open_prompt(ctx.me)
    if prompt is None or prompt.action != "pi" or prompt.target != button_id(data) \
            or "text" not in prompt.data:
        raise StaleAction("documents.error.preview_gone")
    plan = None
    if data.action == "piok":
        due = prompt.data.get("due")
        plan = parsing.Handling(tuple(prompt.data["departments"]), tuple(prompt.data["people"]),
                                date.fromisoformat(due) if due else None,
                                bool(prompt.data.get("workdays")))
    document = await incoming.instruct(ctx.me, prompt.target, str(prompt.data["text"]), plan)
    await common.drop_prompt(ctx.me)
    await ctx.edit(ctx.t("documents.pi.done", number=common.incoming_no(document.year,
                                                                         document.seq)))
    await ctx.answer()


async def on_transfer(ctx: Ctx, data: cb.CallbackData) -> None:
    """转: the other leaders, as buttons."""
    people = await incoming.transfer_targets(ctx.me, button_id(data))
    if not people:
        await ctx.answer(ctx.t("documents.zhuan.none"), alert=True)
        return
    rows = [[(p.name, cb.encode(F, "zhuanto", button_id(data), p.id))] for p in people[:12]]
    await ctx.reply(ctx.t("documents.zhuan.pick"), buttons(rows))
    await ctx.answer()


async def on_transfer_to(ctx: Ctx, data: cb.CallbackData) -> None:
    if data.extra_int(0) is None:
        raise InvalidInput("error.bad_button")
    await incoming.for_card(button_id(data))
    person = await approvals.transfer(button_id(data), ctx.me, int(data.extra[0]))
    await ctx.edit(ctx.t("documents.zhuan.done", name=html.escape(person.name)))
    await ctx.answer()


async def on_return(ctx: Ctx, data: cb.CallbackData) -> None:
    """退回 (leader, reviewer, 核稿/签发): the next message is the reason."""
    request = await approvals.start_reject(button_id(data), ctx.me)
    await common.drop_prompt(ctx.me)
    await ctx.ask(ctx.t("documents.q.reason", title=html.escape(request.title)),
                    buttons([[(ctx.t("documents.btn.cancel"),
                               cb.encode("ap", "nox", button_id(data)))]]))
    await ctx.answer()


async def on_card_file(ctx: Ctx, data: cb.CallbackData) -> None:
    document, state = await incoming.for_card(button_id(data))
    if ctx.me.id not in (state.assignee.approver_id, state.assignee.acting_id) \
            and not await incoming.may_see(ctx.me, document):  # type: ignore[attr-defined]
        raise NotAllowed("documents.error.not_yours")
    await send_original(ctx, document)
    await ctx.answer()



ACTIONS = {
    "show": on_show, "reg": on_register, "edit": on_edit, "draft": on_draft, "drop": on_drop,
    "prop": on_propose, "pick": on_pick, "send": on_send, "asg": on_assign,
    "asgok": on_assign_ok, "read": on_close_read, "arch": on_file_away, "reply": on_reply_no,
    "file": on_file, "yue": on_read, "pi": on_instruct, "piok": on_instruct_ok,
    "pino": on_instruct_ok, "zhuan": on_transfer, "zhuanto": on_transfer_to, "tui": on_return,
    "afile": on_card_file,
}  # fmt: skip


def upload_message(ctx: Ctx) -> Message:
    return cast(Message, ctx.message)
