"""How documents look: cards of 收文, 发文, tasks and slips, leaders' cards, and pushed events."""

from __future__ import annotations

import asyncio
import html
from datetime import date
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import has, t
from handlers.views import Rendered, view
from handlers.views.approvals import card_view
from models.approvals import RequestStatus, Verdict
from models.core import Staff
from models.documents import (
    Assignment,
    AssignmentStatus,
    Bulletin,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    SlipStatus,
    SupervisionSlip,
)
from services import approvals
from services.documents import bulletin as bulletins
from services.documents import common, handling, incoming, outgoing, slips
from services.documents.common import incoming_no, slip_no

F = "doc"
ICONS = {common.RED: "🔴", common.YELLOW: "🟡", common.GREEN: "🟢", common.DONE: "✅"}
Rows = list[list[tuple[str, str]]]


def esc(value: object) -> str:
    return html.escape(str(value))


def icon(colour: str) -> str:
    return ICONS.get(colour, "")


def sep(lang: str) -> str:
    return "; " if lang == "en" else "；"


def comma(lang: str) -> str:
    return ", " if lang == "en" else "、"


def due_text(due: date | None, in_workdays: bool, lang: str, *, kind: str = "",
             done: bool = False) -> str:
    """The deadline with what it asks and how far it is: 2026-12-20 报送（还有3天）🟢."""
    if due is None:
        return t("documents.due.none", lang)
    day = common.today()
    what = t(f"documents.due.kind.{kind}", lang) if kind else ""
    unit = t("documents.due.workdays" if in_workdays else "documents.due.days", lang)
    if done:
        return t("documents.due.plain", lang, due=due.isoformat(), what=what)
    left = common.days_left(due, day, in_workdays)
    colour = common.colour(due, in_workdays, day)
    if left < 0:
        state = t("documents.due.late", lang, n=-left, unit=unit)
    elif left == 0:
        state = t("documents.due.today", lang)
    else:
        state = t("documents.due.left", lang, n=left, unit=unit)
    return t("documents.due.line", lang, due=due.isoformat(), what=what, state=state,
             icon=icon(colour))


def line(label: str, value: str, lang: str) -> str:
    return t("documents.card.line", lang, label=t(f"documents.f.{label}", lang), value=value)


# ------------------------------------------------------------------ 收文


def status_word(status: str, lang: str) -> str:
    return t(f"documents.status.{status}", lang)


async def document_text(document: IncomingDocument, lang: str, *, read: bool | None = None,
                        note: str = "") -> str:
    """The card of an incoming document with every register field that has a value."""
    unset = t("documents.card.unset", lang)
    if document.status == IncomingStatus.DRAFT:
        head = t("documents.card.draft", lang)
    else:
        head = t("documents.card.head", lang, number=incoming_no(document.year, document.seq),
                 status=status_word(document.status.value, lang))
    lines = [note, head] if note else [head]
    lines.append(line("sender", esc(document.sender) or unset, lang))
    lines.append(line("ref_no", esc(document.ref_no) or t("documents.card.no_ref", lang),
                      lang))
    lines.append(line("title", esc(document.title) or unset, lang))
    lines.append(t("documents.card.facts", lang, received=document.received_on.isoformat(),
                   copies=document.copies, secrecy=esc(document.secrecy),
                   urgency=esc(document.urgency) or t("documents.card.normal", lang)))
    if document.attachments:
        lines.append(line("attachments", esc(document.attachments), lang))
    done = document.status in (IncomingStatus.DONE, IncomingStatus.FILED)
    lines.append(line("due", due_text(document.due_on, document.due_workdays, lang,
                                      kind=document.due_kind, done=done), lang))
    if document.proposal:
        who = document.proposed_by.name if isinstance(document.proposed_by, Staff) else ""
        lines.append(line("proposal", f"{esc(document.proposal)}（{esc(who)}）"
                          if who else esc(document.proposal), lang))
    if document.instructions:
        lines.append(line("instructions", esc(document.instructions), lang))
    elif document.status == IncomingStatus.SIGNING and document.approval_request_id:
        lines.append(line("signing", await _signing_state(document, lang), lang))
    tasks = await incoming.assignments_of(document.id)
    if tasks:
        lines.append(line("handling", sep(lang).join(task_line(a, lang) for a in tasks), lang))
    elif document.plan_departments and document.status in (IncomingStatus.SIGNING,
                                                           IncomingStatus.SIGNED):
        lines.append(line("plan", esc(comma(lang).join(document.plan_departments)), lang))
    if document.reply_no:
        lines.append(line("reply_no", esc(document.reply_no), lang))
    if document.filed_on:
        lines.append(line("filed", f"{document.filed_on.isoformat()} {esc(document.file_no)}",
                          lang))
    if document.file_id:
        lines.append(line("file", esc(document.file_name or t("documents.card.photo", lang)),
                          lang))
    if document.status == IncomingStatus.DRAFT:
        if read is False and document.file_kind in ("pdf", "docx"):
            lines.append(t("documents.card.no_text", lang))
        elif read is False and document.file_id:
            lines.append(t("documents.card.not_read", lang))
        if document.due_on is not None and document.due_on < common.today():
            lines.append(t("documents.card.due_passed", lang))
        for twin in await incoming.duplicates(document):
            lines.append(t("documents.card.duplicate", lang, ref=esc(document.ref_no),
                           number=incoming_no(twin.year, twin.seq),
                           day=common.local(twin.registered_at).date().isoformat()
                           if twin.registered_at else "—", title=esc(twin.title)))
    return "\n".join(lines)


def task_line(task: Assignment, lang: str) -> str:
    who = task.staff.name if isinstance(task.staff, Staff) else ""
    role = t("documents.lead" if task.lead else "documents.co", lang)
    colour = handling.state(task)
    return t("documents.task_line", lang, icon=icon(colour), department=esc(task.department),
             role=role, who=esc(who), status=t(f"documents.task_status.{task.status.value}",
                                               lang))


async def _signing_state(document: IncomingDocument, lang: str) -> str:
    request = await approvals.find(incoming.KIND, document.id)
    if request is None:
        return "—"
    parts = []
    for row in await approvals.history(request.id):
        if row.action.value in ("approve", "reject", "transfer") and row.actor is not None:
            what = t(f"documents.signed_as.{row.action.value}", lang)
            parts.append(f"{esc(row.actor.name)} {what}")
    waiting = [(a.acting or a.approver).name for a in await approvals.current_approvers(request)]
    if waiting:
        parts.append(t("documents.waiting_for", lang, names=esc(comma(lang).join(waiting))))
    return sep(lang).join(parts) or "—"


def document_keyboard(document: IncomingDocument, viewer: Staff, lang: str
                      ) -> InlineKeyboardMarkup | None:
    """What the viewer may do with the document now."""
    rows: Rows = []
    did = document.id
    office = viewer.role in common.OFFICE_ROLES

    def b(key: str, action: str, *extra: object) -> tuple[str, str]:
        return t(f"documents.btn.{key}", lang), cb.encode(F, action, did, *extra)

    if document.status == IncomingStatus.DRAFT and office:
        rows = [[b("register", "reg"), b("edit", "edit")], [b("drop", "drop")]]
    elif office and document.status in (IncomingStatus.REGISTERED, IncomingStatus.RETURNED):
        rows = [[b("propose", "prop"), b("assign", "asg")], [b("close_read", "read")]]
    elif office and document.status == IncomingStatus.SIGNED:
        rows = [[b("assign", "asg"), b("to_slip", "slip")], [b("close_read", "read")]]
    elif office and document.status == IncomingStatus.HANDLING:
        rows = [[b("to_slip", "slip"), b("reply_no", "reply")]]
    elif office and document.status == IncomingStatus.DONE:
        rows = [[b("file_away", "arch"), b("reply_no", "reply")]]
    if document.file_id:
        rows.append([b("original", "file")])
    return buttons(rows) if rows else None


async def document_card(document_id: int, viewer: Staff, lang: str, *,
                        read: bool | None = None, note: str = "") -> Rendered:
    document = await incoming.get(document_id)
    return Rendered(await document_text(document, lang, read=read, note=note),
                    document_keyboard(document, viewer, lang))


@card_view(incoming.KIND)
async def leader_card(state: approvals.CardState, lang: str, note: str) -> Rendered:
    """A leader's card: the document, the 拟办意见, and 阅 / 批示 / 转 / 退回."""
    document = await incoming.get(state.request.subject_id)
    text = t("documents.leader.head", lang, number=incoming_no(document.year, document.seq))
    body = await document_text(document, lang)
    text = f"{text}\n{body.split(chr(10), 1)[1] if chr(10) in body else body}"
    if state.acting is not None:
        text += t("approvals.card.acting", lang, name=esc(state.approver.name))
    aid = state.assignee.id
    if state.actionable:
        if note:
            text = t(f"approvals.card.note.{note}", lang) + "\n" + text
        rows: Rows = [
            [(t("documents.btn.yue", lang), cb.encode(F, "yue", aid)),
             (t("documents.btn.pi", lang), cb.encode(F, "pi", aid))],
            [(t("documents.btn.zhuan", lang), cb.encode(F, "zhuan", aid)),
             (t("documents.btn.tui", lang), cb.encode(F, "tui", aid))],
        ]
        if document.file_id:
            rows.append([(t("documents.btn.original", lang), cb.encode(F, "afile", aid))])
        return Rendered(text, buttons(rows))
    return Rendered(f"{text}\n\n{_decided(state, lang)}")


def _decided(state: approvals.CardState, lang: str) -> str:
    """What became of a card: read, instructed, passed on, sent back, or closed."""
    a = state.assignee
    who = esc(state.decided_by.name if state.decided_by else "—")
    when = common.local(a.decided_at).strftime("%m-%d %H:%M") if a.decided_at else "—"
    if a.verdict == Verdict.APPROVED:
        if a.comment:
            return t("documents.leader.instructed", lang, who=who, when=when,
                     text=esc(a.comment))
        return t("documents.leader.read", lang, who=who, when=when)
    if a.verdict == Verdict.REJECTED:
        return t("documents.leader.returned", lang, who=who, when=when, reason=esc(a.comment))
    if a.verdict == Verdict.TRANSFERRED:
        return t("documents.leader.passed", lang, who=who, when=when, target=esc(a.comment))
    if state.request.status == RequestStatus.WITHDRAWN:
        return t("approvals.card.result.withdrawn", lang)
    return t("approvals.card.result.ended", lang,
             status=t(f"approvals.status.{state.request.status.value}", lang))


# ------------------------------------------------------------------ tasks


async def task_text(task: Assignment, lang: str, note: str = "") -> str:
    """The task card: what, whose part, the deadline, the instruction, the last progress."""
    lines = [note] if note else []
    if task.slip_id is not None:  # type: ignore[attr-defined]
        slip = await SupervisionSlip.get(id=task.slip_id)  # type: ignore[attr-defined]
        number, title, instruction = slip_no(slip.year, slip.seq), slip.matter, slip.source_text
    else:
        document = await IncomingDocument.get(id=task.document_id)  # type: ignore[attr-defined]
        number, title, instruction = (incoming_no(document.year, document.seq), document.title,
                                      document.instructions or document.proposal)
    staff = await Staff.get(id=task.staff_id)  # type: ignore[attr-defined]
    lines.append(t("documents.task.head", lang, number=number,
                   status=t(f"documents.task_status.{task.status.value}", lang)))
    lines.append(line("title", esc(title), lang))
    role = t("documents.lead" if task.lead else "documents.co", lang)
    lines.append(line("department", f"{esc(task.department)}（{role}）", lang))
    lines.append(line("person", esc(staff.name), lang))
    lines.append(line("due", due_text(task.due_on, task.due_workdays, lang,
                                      done=task.status == AssignmentStatus.DONE), lang))
    if task.due_on != task.first_due_on:
        lines.append(line("first_due", task.first_due_on.isoformat(), lang))
    if instruction:
        lines.append(line("instruction", esc(instruction), lang))
    others = [a for a in await Assignment.filter(
        document_id=task.document_id, slip_id=task.slip_id).exclude(id=task.id)  # type: ignore[attr-defined]
        .prefetch_related("staff")]
    if others:
        lines.append(line("others", sep(lang).join(task_line(a, lang) for a in others), lang))
    if task.progress:
        when = common.local(task.progress_at).strftime("%m-%d") if task.progress_at else ""
        lines.append(line("progress", f"{esc(task.progress)}（{when}）", lang))
    pending = await handling.pending_extension(task.id)
    if pending is not None:
        lines.append(t("documents.task.extension_pending", lang,
                       day=pending.new_due_on.isoformat()))
    if task.report_text:
        lines.append(line("report", esc(task.report_text[:300]), lang))
    return "\n".join(lines)


async def task_keyboard(task: Assignment, lang: str) -> InlineKeyboardMarkup | None:
    tid = task.id
    rows: Rows = []
    if task.status in (AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING):
        rows = [[(t("documents.btn.progress", lang), cb.encode(F, "prog", tid)),
                 (t("documents.btn.extend", lang), cb.encode(F, "ext", tid))],
                [(t("documents.btn.report", lang), cb.encode(F, "rep", tid))]]
    if await handling._document_of(task) is not None:
        document = await handling._document_of(task)
        if document is not None and document.file_id:
            rows.append([(t("documents.btn.original", lang), cb.encode(F, "tfile", tid))])
    return buttons(rows) if rows else None


async def task_card(task_id: int, lang: str, note: str = "") -> Rendered:
    task = await handling.get(task_id)
    return Rendered(await task_text(task, lang, note), await task_keyboard(task, lang))


@view("documents.task")
async def task_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    """A new task for the responsible person."""
    return await task_card(int(payload["assignment_id"]), lang,
                           t("documents.task.new", lang))


@view("documents.chase")
async def chase_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    """A chase: yellow or red, to the person, their head, or the office."""
    task = await handling.get(int(payload["assignment_id"]))
    level, colour = str(payload["level"]), str(payload["colour"])
    left = common.days_left(task.due_on, common.today(), task.due_workdays)
    note = t(f"documents.chase.{level}.{colour}", lang, icon=icon(colour),
             person=esc(task.staff.name), department=esc(task.department),
             n=abs(left), due=task.due_on.isoformat(),
             unit=t("documents.due.workdays" if task.due_workdays else "documents.due.days", lang))
    if task.status not in (AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING):
        return Rendered(f"{note}\n{t('documents.chase.settled', lang)}")
    text = await task_text(task, lang, note)
    if level == "person":
        return Rendered(text, await task_keyboard(task, lang))
    return Rendered(text)


@view("documents.office_chase")
async def office_chase(payload: dict[str, Any], lang: str) -> Rendered:
    document = await incoming.get(int(payload["document_id"]))
    colour = str(payload["colour"])
    note = t(f"documents.chase.document.{colour}", lang, icon=icon(colour),
             status=status_word(document.status.value, lang))
    clerk = await Staff.get(id=document.proposed_by_id or document.created_by_id)  # type: ignore[attr-defined]
    return await document_card(document.id, clerk, lang, note=note)


@view("documents.file")
async def file_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    """The document's own file (PDF, DOCX or photo), sent by its Telegram id."""
    document = await incoming.get(int(payload["document_id"]))
    caption = t("documents.file.caption", lang, number=incoming_no(document.year, document.seq),
                title=esc(document.title[:200]))
    return file_rendered(document.file_id, document.file_name, document.file_kind, caption)


def file_rendered(file_id: str, name: str, kind: str, caption: str) -> Rendered:
    if kind == "photo":
        return Rendered(caption, photo=file_id)
    return Rendered(caption, document=(name or "document", file_id))


async def _clerk_card(payload: dict[str, Any], lang: str, note_key: str) -> Rendered:
    """The document's card for the clerk who proposed it, under a note of what happened."""
    document = await incoming.get(int(payload["document_id"]))
    staff = await Staff.get(id=document.proposed_by_id or document.created_by_id)  # type: ignore[attr-defined]
    return await document_card(document.id, staff, lang, note=t(note_key, lang))


@view("documents.signed")
async def signed(payload: dict[str, Any], lang: str) -> Rendered:
    """Every leader has decided: the office assigns it (or makes a slip, or closes it)."""
    return await _clerk_card(payload, lang, "documents.signed")


@view("documents.returned")
async def returned(payload: dict[str, Any], lang: str) -> Rendered:
    """A leader sent it back: the office revises the proposal."""
    return await _clerk_card(payload, lang, "documents.returned")


@view("documents.assigned")
async def assigned(payload: dict[str, Any], lang: str) -> Rendered:
    """The departments the instruction named have their tasks."""
    return await _clerk_card(payload, lang, "documents.assigned")


@view("documents.closed")
async def closed(payload: dict[str, Any], lang: str) -> Rendered:
    """A document or a slip is finished: every department's report passed review."""
    if payload["what"] == "slip":
        slip = await slips.get(int(payload["id"]))
        return Rendered(t("documents.closed.slip", lang, number=slip_no(slip.year, slip.seq),
                          title=esc(slip.matter)))
    document = await incoming.get(int(payload["id"]))
    return Rendered(t("documents.closed.document", lang,
                      number=incoming_no(document.year, document.seq),
                      title=esc(document.title)))


# ------------------------------------------------------------------ review of a report


@card_view(handling.KIND_REVIEW)
async def review_card(state: approvals.CardState, lang: str, note: str) -> Rendered:
    """The office's card for a completion report: 通过 / 退回 with a reason."""
    task = await handling.get(state.request.subject_id)
    text = t("documents.review.head", lang, department=esc(task.department),
             person=esc(state.requester.name))
    text += "\n" + await task_text(task, lang)
    if task.report_files:
        text += "\n" + line("report_files", esc(comma(lang).join(
            f[1] or t("documents.card.photo", lang) for f in task.report_files)), lang)
    aid = state.assignee.id
    if state.actionable:
        if note:
            text = t(f"approvals.card.note.{note}", lang) + "\n" + text
        rows: Rows = [[(t("documents.btn.pass", lang), cb.encode(F, "pass", aid)),
                       (t("documents.btn.back_reason", lang), cb.encode(F, "back", aid))]]
        for n, found in enumerate(task.report_files[:6]):
            rows.append([(t("documents.btn.report_file", lang, name=found[1][:30] or n + 1),
                          cb.encode(F, "rfile", aid, n))])
        return Rendered(text, buttons(rows))
    a = state.assignee
    who = esc(state.decided_by.name if state.decided_by else "—")
    if a.verdict == Verdict.APPROVED:
        result = t("documents.review.passed", lang, who=who)
    elif a.verdict == Verdict.REJECTED:
        result = t("documents.review.returned", lang, who=who, reason=esc(a.comment))
    else:
        result = _decided(state, lang)
    return Rendered(f"{text}\n\n{result}")


# ------------------------------------------------------------------ 发文


def outgoing_text(document: OutgoingDocument, lang: str, note: str = "") -> str:
    number = outgoing.number_of(document)
    head = t("documents.out.head", lang, number=number or t("documents.out.unnumbered", lang),
             status=t(f"documents.out.status.{document.status.value}", lang))
    lines = [note, head] if note else [head]
    unset = t("documents.card.unset", lang)
    lines.append(line("title", esc(document.title) or unset, lang))
    lines.append(line("doc_type", esc(document.doc_type) or unset, lang))
    drafter = document.drafter.name if isinstance(document.drafter, Staff) else ""
    lines.append(line("drafter", esc(f"{drafter}（{document.department}）"
                                     if document.department else drafter), lang))
    if len(common.POLICY.prefixes) > 1 or document.prefix != common.POLICY.prefixes[0]:
        lines.append(line("prefix", esc(document.prefix), lang))
    lines.append(line("file", esc(document.file_name) if document.file_id
                      else t("documents.out.no_file", lang), lang))
    if isinstance(document.reviewer, Staff):
        lines.append(line("reviewer", esc(document.reviewer.name), lang))
    if isinstance(document.signer, Staff):
        lines.append(line("signer", esc(document.signer.name), lang))
    if document.issued_at:
        lines.append(line("issued", common.local(document.issued_at).date().isoformat(), lang))
    if document.void_reason:
        lines.append(line("void_reason", esc(document.void_reason), lang))
    return "\n".join(lines)


def outgoing_keyboard(document: OutgoingDocument, viewer: Staff, lang: str
                      ) -> InlineKeyboardMarkup | None:
    oid = document.id
    rows: Rows = []
    mine = outgoing.may_edit(viewer, document)

    def b(key: str, action: str, *extra: object) -> tuple[str, str]:
        return t(f"documents.btn.{key}", lang), cb.encode(F, action, oid, *extra)

    if mine and document.status in outgoing.EDITABLE_STATUSES:
        rows = [[b("submit", "osub"), b("edit", "oedit")]]
    elif mine and document.status == OutgoingStatus.PENDING:
        rows = [[b("withdraw", "owd")]]
    elif viewer.role in common.OFFICE_ROLES and document.status == OutgoingStatus.ISSUED:
        rows = [[b("void", "ovoid")]]
    if document.file_id:
        rows.append([b("draft_file", "ofile")])
    return buttons(rows) if rows else None


async def outgoing_card(document_id: int, viewer: Staff, lang: str, note: str = ""
                        ) -> Rendered:
    document = await outgoing.get(document_id)
    return Rendered(outgoing_text(document, lang, note),
                    outgoing_keyboard(document, viewer, lang))


@card_view(outgoing.KIND)
async def outgoing_approver_card(state: approvals.CardState, lang: str, note: str) -> Rendered:
    """核稿 or 签发: approve (the last step numbers it) or send back with a reason."""
    document = await outgoing.get(state.request.subject_id)
    step = t(state.step.label, lang) if has(state.step.label) else state.step.label
    text = t("documents.out.card", lang, step=esc(step), n=state.step_index,
             total=state.step_count) + "\n" + outgoing_text(document, lang)
    if state.acting is not None:
        text += t("approvals.card.acting", lang, name=esc(state.approver.name))
    aid = state.assignee.id
    last = state.step_index == state.step_count
    if state.actionable:
        if note:
            text = t(f"approvals.card.note.{note}", lang) + "\n" + text
        rows: Rows = [[(t("documents.btn.sign" if last else "documents.btn.checked", lang),
                        cb.encode(F, "ook", aid)),
                       (t("documents.btn.send_back", lang), cb.encode(F, "ono", aid))]]
        if document.file_id:
            rows.append([(t("documents.btn.draft_file", lang), cb.encode(F, "oafile", aid))])
        return Rendered(text, buttons(rows))
    a = state.assignee
    who = esc(state.decided_by.name if state.decided_by else "—")
    if a.verdict == Verdict.APPROVED:
        result = t("documents.out.signed" if last else "documents.out.checked", lang, who=who,
                   number=outgoing.number_of(document))
    elif a.verdict == Verdict.REJECTED:
        result = t("documents.out.sent_back", lang, who=who, reason=esc(a.comment))
    else:
        result = _decided(state, lang)
    return Rendered(f"{text}\n\n{result}")


@view("documents.issued")
async def issued(payload: dict[str, Any], lang: str) -> Rendered:
    document = await outgoing.get(int(payload["outgoing_id"]))
    return Rendered(t("documents.out.issued", lang, number=outgoing.number_of(document),
                      title=esc(document.title),
                      signer=esc(document.signer.name) if document.signer else "—"))


@view("documents.voided")
async def voided(payload: dict[str, Any], lang: str) -> Rendered:
    document = await outgoing.get(int(payload["outgoing_id"]))
    return Rendered(t("documents.out.voided", lang, number=outgoing.number_of(document),
                      title=esc(document.title), reason=esc(document.void_reason)))


# ------------------------------------------------------------------ slips


async def slip_text(slip: SupervisionSlip, lang: str, note: str = "") -> str:
    if slip.status == SlipStatus.DRAFT:
        head = t("documents.slip.draft", lang)
    else:
        head = t("documents.slip.head", lang, number=slip_no(slip.year, slip.seq),
                 status=t(f"documents.slip.status.{slip.status.value}", lang))
    lines = [note, head] if note else [head]
    unset = t("documents.card.unset", lang)
    lines.append(line("source", t(f"documents.slip.source.{slip.source.value}", lang), lang))
    leader = await Staff.get_or_none(id=slip.leader_id) if slip.leader_id else None  # type: ignore[attr-defined]
    if leader is not None:
        lines.append(line("leader", esc(leader.name), lang))
    lines.append(line("source_text", esc(slip.source_text) or unset, lang))
    lines.append(line("matter", esc(slip.matter) or unset, lang))
    if slip.document_id:  # type: ignore[attr-defined]
        document = await IncomingDocument.get(id=slip.document_id)  # type: ignore[attr-defined]
        lines.append(line("document", incoming_no(document.year, document.seq), lang))
    tasks = await slips.assignments_of(slip.id)
    if tasks:
        lines.append(line("handling", sep(lang).join(task_line(a, lang) for a in tasks), lang))
        for task in tasks:
            if task.progress:
                lines.append(t("documents.slip.progress", lang, department=esc(task.department),
                               text=esc(task.progress[:200])))
        due = min(a.due_on for a in tasks)
        lines.append(line("due", due_text(due, tasks[0].due_workdays, lang,
                                          done=slip.status == SlipStatus.DONE), lang))
    else:
        lines.append(line("departments", esc(comma(lang).join(slip.plan_departments)) or unset,
                          lang))
        lines.append(line("due", due_text(slip.due_on, slip.due_workdays, lang)
                          if slip.due_on else unset, lang))
    if slip.closed_at:
        lines.append(line("closed", common.local(slip.closed_at).date().isoformat(), lang))
    return "\n".join(lines)


def slip_keyboard(slip: SupervisionSlip, viewer: Staff, lang: str
                  ) -> InlineKeyboardMarkup | None:
    if viewer.role not in common.OFFICE_ROLES or slip.status != SlipStatus.DRAFT:
        return None
    sid = slip.id
    return buttons([
        [(t("documents.btn.open_slip", lang), cb.encode(F, "sopen", sid)),
         (t("documents.btn.edit", lang), cb.encode(F, "sedit", sid))],
        [(t("documents.btn.drop", lang), cb.encode(F, "sdrop", sid))],
    ])


async def slip_card(slip_id: int, viewer: Staff, lang: str, note: str = "") -> Rendered:
    slip = await slips.get(slip_id)
    return Rendered(await slip_text(slip, lang, note), slip_keyboard(slip, viewer, lang))


# ------------------------------------------------------------------ the bulletin


@view("documents.bulletin")
async def bulletin_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    """Friday's 督查专报 as a Word document, with the figures as they are when it is sent."""
    found = await Bulletin.get(id=int(payload["bulletin_id"]))
    day = date.fromisoformat(str(payload["day"]))
    figures = await bulletins.figures(day)
    data = await asyncio.to_thread(bulletins.docx, found, figures)
    return Rendered(bulletin_caption(found, figures, lang),
                    document=(bulletins.file_name(found), data))


def bulletin_caption(found: Bulletin, figures: bulletins.Figures, lang: str) -> str:
    total = figures.total
    return t("documents.bulletin.caption", lang, year=found.year, issue=found.issue,
             total=total.total, done=total.done, on_time=total.on_time, open=total.open,
             yellow=total.yellow, red=total.red)


def hit_label(kind: str, number: str, title: str, colour: str, lang: str) -> str:
    """A search result or list button: colour, number (or what it is), the title's start."""
    mark = icon(colour) + " " if colour else ""
    short = title if len(title) <= 22 else title[:21] + "…"
    return f"{mark}{number or t(f'documents.kind.{kind}', lang)} {short}"[:60]
