"""Incoming documents (收文): register, propose (拟办), leaders' sign-off, assignment, filing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.approvals import ApprovalAssignee, ApprovalRequest, Verdict
from models.core import ChatPurpose, Role, Staff
from models.documents import (
    Assignment,
    IncomingDocument,
    IncomingStatus,
    Refusal,
)
from services import approvals, clock, outbox
from services.documents import common, handling, parsing
from services.documents.common import clip, incoming_no, require_office, today
from services.errors import DomainError, InvalidInput, NotAllowed, NotFound, StaleAction
from services.inputs import to_int

KIND = "incoming_document"
#: The questions of a typed registration, in order (a file's fields skip what it filled).
GUIDED = ("sender", "ref_no", "title", "due")
#: Fields the clerk may correct on the card.
EDITABLE = ("sender", "ref_no", "title", "due", "received", "attachments", "copies",
            "urgency", "secrecy")
REQUIRED = ("sender", "title")
#: Secrecy levels a document may carry through the bot; the others are refused.
OPEN_LEVELS = ("非密", "内部", "公开")
URGENCY = ("", "加急", "特急")
#: Drafts left alone longer than this are dropped when their author starts another.
DRAFT_KEEP = timedelta(days=7)
MAX_PROPOSAL = 500


class Classified(DomainError):
    """A classified document (涉密) came in: refused, only a refusal entry is kept."""

    code = "documents.error.classified"


@dataclass(frozen=True)
class Upload:
    """A file the clerk sent: its Telegram id and name, its kind, and its bytes when read."""

    file_id: str
    file_name: str
    kind: str
    content: bytes | None = None
    caption: str = ""


async def refuse(staff: Staff, source: str, word: str) -> None:
    """Keep who sent a classified document, when, and the word that marked it (nothing else)."""
    await Refusal.create(staff=staff, source=source, word=word[:8], at=clock.now())
    raise Classified(word=word)


def typed_secrecy(text: str) -> str | None:
    """The secrecy a typed line declares: 涉密, or 秘密/机密/绝密 as a word or a mark."""
    text = parsing.normalise(text)
    marked = parsing.secrecy_word(text) if "★" in text or "密级" in text else None
    if marked:
        return marked
    for word in parsing.split_words(text):
        bare = word.strip("★☆*＊:：()（）[]【】")
        if bare in ("涉密", *parsing.SECRET_WORDS):
            return bare
    return None


async def _clear_old_drafts(staff: Staff) -> None:
    await IncomingDocument.filter(created_by_id=staff.id, status=IncomingStatus.DRAFT,
                                  updated_at__lt=clock.now() - DRAFT_KEEP).delete()


async def _new_draft(staff: Staff, fields: parsing.Fields, upload: Upload | None
                     ) -> IncomingDocument:
    now = clock.now()
    await _clear_old_drafts(staff)
    return await IncomingDocument.create(
        status=IncomingStatus.DRAFT, received_on=today(), sender=fields.sender[:128],
        ref_no=fields.ref_no[:64], title=fields.title[:300], urgency=fields.urgency,
        attachments=fields.attachments[:200], due_on=fields.due_on, due_kind=fields.due_kind,
        due_workdays=fields.due_workdays,
        file_id=upload.file_id[:255] if upload else "",
        file_name=(upload.file_name or "")[:128] if upload else "",
        file_kind=upload.kind if upload else "",
        created_by=staff, created_at=now, updated_at=now)


async def start_typed(staff: Staff, line: str) -> IncomingDocument:
    """Start a registration from a line (/shouwen …) or, with nothing typed, a blank one."""
    require_office(staff)
    word = typed_secrecy(line)
    if word:
        await refuse(staff, "typed", word)
    fields = parsing.read_line(line, today()) if line.strip() else parsing.Fields()
    return await _new_draft(staff, fields, None)


async def start_from_file(staff: Staff, upload: Upload) -> tuple[IncomingDocument, bool]:
    """Start a registration from a forwarded file; returns the draft and whether text was read.

    A PDF or DOCX is read for its fields (a caption typed with it comes first); a classified
    one is refused before anything of it is kept.
    """
    require_office(staff)
    word = typed_secrecy(upload.caption)
    if word:
        await refuse(staff, upload.kind, word)
    text = ""
    if upload.kind in parsing.READABLE and upload.content is not None:
        text = parsing.extract_text(upload.kind, upload.content)
        word = parsing.secrecy_word(text)
        if word:
            await refuse(staff, upload.kind, word)
    fields = parsing.read_fields(text, today()) if text.strip() else parsing.Fields()
    if upload.caption.strip():
        fields = parsing.merge(parsing.read_line(upload.caption, today()), fields)
    return await _new_draft(staff, fields, upload), bool(text.strip())


async def get(document_id: int) -> IncomingDocument:
    found = await IncomingDocument.get_or_none(id=document_id).prefetch_related(
        "created_by", "proposed_by")
    if found is None:
        raise NotFound("documents.error.no_document", id=document_id)
    return found


async def _draft(staff: Staff, document_id: int) -> IncomingDocument:
    found = await IncomingDocument.filter(id=document_id).select_for_update().first()
    if found is None:
        raise NotFound("documents.error.no_document", id=document_id)
    require_office(staff)
    if found.status != IncomingStatus.DRAFT:
        raise StaleAction("documents.error.already_registered",
                          number=incoming_no(found.year, found.seq))
    return found


def missing(document: IncomingDocument, asked: tuple[str, ...] = GUIDED) -> str | None:
    """The first guided question not yet answered (None: the card can be confirmed)."""
    for name in asked:
        if name in REQUIRED and not getattr(document, name):
            return name
    return None


async def answer(staff: Staff, document_id: int, name: str, text: str) -> IncomingDocument:
    """Set one field of a draft from what the clerk typed (a secrecy level may refuse it)."""
    if name not in EDITABLE:
        raise InvalidInput("documents.error.bad_field")
    text = parsing.normalise(text)
    async with in_transaction():
        document = await _draft(staff, document_id)
        word = typed_secrecy(text) if name in ("title", "secrecy", "sender") else None
        if name == "secrecy" and text in parsing.SECRET_WORDS:
            word = text
        if word:
            await document.delete()
        else:
            _set(document, name, text)
            document.updated_at = clock.now()
            await document.save()
    if word:
        await refuse(staff, "typed", word)
    return document


def _set(document: IncomingDocument, name: str, text: str) -> None:
    day = today()
    none = parsing.is_none(text)
    if name == "sender":
        document.sender = clip(text, 128)
    elif name == "ref_no":
        document.ref_no = "" if none else parsing.normalise_ref(clip(text, 64))
    elif name == "title":
        document.title = clip(text, 300)
    elif name == "due":
        due, in_workdays = parsing.parse_due(text, day)
        document.due_on, document.due_workdays = due, in_workdays
        document.due_kind = "complete" if any(v in text for v in ("完成", "办结")) else (
            "submit" if due else "")
    elif name == "received":
        document.received_on = day if none else parsing.parse_past_day(text, day)
    elif name == "attachments":
        document.attachments = "" if none else clip(text, 200)
    elif name == "copies":
        copies = to_int(text, low=1, high=999)
        if copies is None:
            raise InvalidInput("documents.error.copies", value=text[:10])
        document.copies = copies
    elif name == "urgency":
        value = "" if none or text in ("平件", "普通") else text
        if value not in URGENCY:
            raise InvalidInput("documents.error.urgency")
        document.urgency = value
    elif name == "secrecy":
        if text not in OPEN_LEVELS:
            raise InvalidInput("documents.error.secrecy", choices="、".join(OPEN_LEVELS))
        document.secrecy = text


async def duplicates(document: IncomingDocument) -> list[IncomingDocument]:
    """Registered documents with the same 文号 (the clerk is warned it may be a duplicate)."""
    if not document.ref_no:
        return []
    return list(await IncomingDocument.filter(ref_no=document.ref_no).exclude(
        status=IncomingStatus.DRAFT).exclude(id=document.id).order_by("id").limit(3))


async def register(staff: Staff, document_id: int) -> IncomingDocument:
    """Give the draft the next registration number of the year (no gaps) and keep it."""
    async with in_transaction():
        document = await _draft(staff, document_id)
        for name in REQUIRED:
            if not getattr(document, name):
                raise InvalidInput(f"documents.error.need_{name}")
        now = clock.now()
        year = common.local(now).year
        document.year, document.seq = year, await common.take_number(common.INCOMING_PREFIX,
                                                                     year)
        document.status = IncomingStatus.REGISTERED
        document.registered_at = document.updated_at = now
        document.search = search_text(document)
        await document.save()
    return document


def search_text(document: IncomingDocument) -> str:
    number = incoming_no(document.year, document.seq)
    return parsing.search_form(number, f"{document.year}-{document.seq or 0:04d}",
                               document.ref_no, document.sender, document.title)


async def cancel_draft(staff: Staff, document_id: int) -> None:
    async with in_transaction():
        document = await _draft(staff, document_id)
        await document.delete()


# ------------------------------------------------------------------ 拟办 and sign-off


async def _office_locked(staff: Staff, document_id: int,
                         statuses: tuple[IncomingStatus, ...]) -> IncomingDocument:
    require_office(staff)
    found = await IncomingDocument.filter(id=document_id).select_for_update().first()
    if found is None:
        raise NotFound("documents.error.no_document", id=document_id)
    if found.status not in statuses:
        raise StaleAction("documents.error.doc_moved", status=found.status.value)
    return found


async def propose(staff: Staff, document_id: int, text: str) -> IncomingDocument:
    """Write the proposed handling (拟办意见); the leaders are chosen next."""
    text = clip(text, MAX_PROPOSAL)
    async with in_transaction():
        document = await _office_locked(staff, document_id, (IncomingStatus.REGISTERED,
                                                             IncomingStatus.RETURNED))
        document.proposal, document.proposed_by = text, staff  # type: ignore[assignment]
        document.proposed_at = document.updated_at = clock.now()
        await document.save()
    return document


async def leaders() -> list[Staff]:
    return list(await Staff.filter(active=True, role=Role.LEADER).order_by("id"))


async def send_to_leaders(staff: Staff, document_id: int, leader_ids: list[int]
                          ) -> IncomingDocument:
    """Send the document with its 拟办意见 to the chosen leaders (each gets a card)."""
    if not leader_ids:
        raise InvalidInput("documents.error.no_leader")
    async with in_transaction():
        document = await _office_locked(staff, document_id, (IncomingStatus.REGISTERED,
                                                             IncomingStatus.RETURNED))
        if not document.proposal:
            raise InvalidInput("documents.error.need_proposal")
        chosen = list(await Staff.filter(id__in=leader_ids, active=True, role=Role.LEADER)
                      .order_by("id"))
        if len(chosen) != len(set(leader_ids)):
            raise StaleAction("documents.error.leader_gone")
        tag = f"{document.id}:{int(clock.now().timestamp())}"
        if document.file_id:
            for leader in chosen:
                await outbox.emit_to_staff(leader, "documents.file", {"document_id": document.id},
                                           f"doc:in:file:{tag}")
        request = await approvals.submit(
            KIND, document.id, staff, title=document.title,
            details=[("documents.f.number", incoming_no(document.year, document.seq)),
                     ("documents.f.sender", document.sender),
                     ("documents.f.ref_no", document.ref_no or "—"),
                     ("documents.f.proposal", document.proposal)],
            chosen=[p.id for p in chosen])
        document.status, document.approval_request_id = IncomingStatus.SIGNING, request.id
        document.plan_departments, document.plan_people, document.plan_due_on = [], [], None
        document.updated_at = clock.now()
        await document.save()
    return document


async def for_card(assignee_id: int) -> tuple[IncomingDocument, Any]:
    """The document behind a leader's card, and the card's state."""
    state = await approvals.card(assignee_id)
    if state is None or state.request.kind != KIND:
        raise NotFound("documents.error.no_card")
    return await get(state.request.subject_id), state


async def read(leader: Staff, assignee_id: int) -> IncomingDocument:
    """阅: the leader has read the document (no instruction)."""
    document, _ = await for_card(assignee_id)
    await approvals.approve(assignee_id, leader, "")
    return document


async def proposal_for(text: str) -> parsing.Handling:
    """Departments, people and a deadline the instruction names (for the leader to confirm)."""
    text = clip(text, MAX_PROPOSAL)
    return parsing.propose_handling(text, await common.departments(),
                                    await common.people_names(), today())


async def instruct(leader: Staff, assignee_id: int, text: str, plan: parsing.Handling | None
                   ) -> IncomingDocument:
    """批示: record the instruction; with a plan, the departments handle it once all signed."""
    text = clip(text, MAX_PROPOSAL)
    document, state = await for_card(assignee_id)
    if not state.actionable:
        raise StaleAction("approvals.error.already_decided")
    async with in_transaction():
        locked = await IncomingDocument.filter(id=document.id).select_for_update().get()
        if plan is not None and plan.departments:
            if plan.due_on is not None and plan.due_on < today():
                raise InvalidInput("documents.error.due_past", day=plan.due_on.isoformat(),
                                   today=today().isoformat())
            departments = list(locked.plan_departments)
            for name in plan.departments:
                if name not in departments:
                    departments.append(name)
            locked.plan_departments = departments
            locked.plan_people = list(dict.fromkeys([*locked.plan_people, *plan.people]))
            if plan.due_on is not None and (locked.plan_due_on is None
                                            or plan.due_on < locked.plan_due_on):
                locked.plan_due_on = plan.due_on
            await locked.save(update_fields=["plan_departments", "plan_people", "plan_due_on"])
        await approvals.approve(assignee_id, leader, text)
    return await get(document.id)


async def transfer_targets(leader: Staff, assignee_id: int) -> list[Staff]:
    """The other leaders a card may be passed to (转)."""
    await for_card(assignee_id)
    people = await approvals.transfer_candidates(assignee_id, leader)
    return [p for p in people if p.role == Role.LEADER]


async def on_signoff(document_id: int, outcome: str, request: ApprovalRequest) -> None:
    """The leaders are done (or one sent it back): move the document on (engine's transaction)."""
    document = await IncomingDocument.filter(id=document_id).select_for_update().first()
    if document is None or document.approval_request_id != request.id:
        return
    now = clock.now()
    document.updated_at = now
    if outcome == "approved":
        names, texts = await _instructions(request)
        document.signers = "、".join(names)[:200]
        document.instructions = "\n".join(texts)
        document.status = IncomingStatus.SIGNED
        await document.save()
        if document.plan_departments:
            try:
                await _assign_plan(document)
                return
            except DomainError:
                pass  # a department left or a date passed: the office assigns it by hand
        await _tell_office(document, "documents.signed")
    elif outcome == "rejected":
        document.status = IncomingStatus.RETURNED
        await document.save()
        await _tell_office(document, "documents.returned")
    else:
        document.status = IncomingStatus.REGISTERED
        await document.save()


async def _instructions(request: ApprovalRequest) -> tuple[list[str], list[str]]:
    rows = await ApprovalAssignee.filter(step__request_id=request.id,
                                         verdict=Verdict.APPROVED).order_by(
        "decided_at", "id").prefetch_related("decided_by", "approver")
    names, texts = [], []
    for row in rows:
        who = (row.decided_by or row.approver).name
        names.append(who)
        texts.append(f"{who}：{row.comment or '阅'}")
    return list(dict.fromkeys(names)), texts


async def _tell_office(document: IncomingDocument, kind: str) -> None:
    payload = {"document_id": document.id}
    who = document.proposed_by_id or document.created_by_id  # type: ignore[attr-defined]
    person = await Staff.get_or_none(id=who, active=True)
    tag = f"{document.id}:{document.approval_request_id}"
    if person is not None:
        await outbox.emit_to_staff(person, kind, payload, f"{kind}:{tag}")
    else:
        await outbox.emit_to_purpose(ChatPurpose.OFFICE, kind, payload, f"{kind}:{tag}")


async def _assign_plan(document: IncomingDocument) -> None:
    async with in_transaction():
        actor = await Staff.get(id=document.proposed_by_id or document.created_by_id)  # type: ignore[attr-defined]
        shares = await handling.plan(list(document.plan_departments), list(document.plan_people))
        due = document.plan_due_on or document.due_on
        if due is None:
            raise InvalidInput("documents.error.need_due")
        in_workdays = document.due_workdays and due == document.due_on
        await handling.create(actor, shares, due, in_workdays, document=document)
        document.status = IncomingStatus.HANDLING
        await document.save(update_fields=["status"])
        await _tell_office(document, "documents.assigned")


# ------------------------------------------------------------------ assignment and close


async def preview_assignment(staff: Staff, document_id: int, text: str
                             ) -> tuple[list[handling.Share], date, bool]:
    """Read a typed assignment (departments, lead first, and a deadline) and check it."""
    require_office(staff)
    document = await get(document_id)
    if document.status not in (IncomingStatus.SIGNED, IncomingStatus.REGISTERED):
        raise StaleAction("documents.error.doc_moved", status=document.status.value)
    text = clip(text, MAX_PROPOSAL)
    found = parsing.propose_handling(text, await common.departments(),
                                     await common.people_names(), today(), strict=True)
    if found.unknown:
        raise InvalidInput("documents.error.unknown_department", department=found.unknown[0],
                           known="、".join(await common.departments()) or "—")
    shares = await handling.plan(list(found.departments), list(found.people))
    due, in_workdays = found.due_on, found.due_workdays
    if due is None:
        due, in_workdays = document.due_on, document.due_workdays
    if due is None:
        raise InvalidInput("documents.error.need_due")
    if due < today():
        raise InvalidInput("documents.error.due_past", day=due.isoformat(),
                           today=today().isoformat())
    return shares, due, in_workdays


async def assign(staff: Staff, document_id: int, departments: list[str], people: list[str],
                 due: date, in_workdays: bool) -> list[Assignment]:
    """Hand the document to the departments (the first leads) with a deadline."""
    async with in_transaction():
        document = await _office_locked(staff, document_id, (IncomingStatus.SIGNED,
                                                             IncomingStatus.REGISTERED))
        shares = await handling.plan(departments, people)
        made = await handling.create(staff, shares, due, in_workdays, document=document)
        document.status, document.updated_at = IncomingStatus.HANDLING, clock.now()
        await document.save(update_fields=["status", "updated_at"])
    return made


async def close_read(staff: Staff, document_id: int) -> IncomingDocument:
    """Close a document that needs no handling (阅知件): it is done once read."""
    async with in_transaction():
        document = await _office_locked(staff, document_id, (IncomingStatus.SIGNED,
                                                             IncomingStatus.REGISTERED))
        document.status = IncomingStatus.DONE
        document.done_at = document.updated_at = clock.now()
        await document.save()
    return document


async def file_away(staff: Staff, document_id: int, file_no: str) -> IncomingDocument:
    """File a finished document (归档) with its file number (档号), which may be empty."""
    file_no = "" if parsing.is_none(file_no) else file_no.strip()
    if len(file_no) > 64:
        raise InvalidInput("error.too_long", limit=64)
    async with in_transaction():
        document = await _office_locked(staff, document_id, (IncomingStatus.DONE,))
        document.status, document.filed_on, document.file_no = IncomingStatus.FILED, today(), \
            file_no
        document.updated_at = clock.now()
        await document.save()
    return document


async def set_reply_no(staff: Staff, document_id: int, text: str) -> IncomingDocument:
    """Note the number of our reply (复文号)."""
    async with in_transaction():
        document = await _office_locked(staff, document_id, tuple(
            s for s in IncomingStatus if s != IncomingStatus.DRAFT))
        document.reply_no = "" if parsing.is_none(text) else parsing.normalise_ref(
            clip(text, 64))
        await document.save(update_fields=["reply_no"])
    return document


async def assignments_of(document_id: int) -> list[Assignment]:
    return list(await Assignment.filter(document_id=document_id).order_by("-lead", "id")
                .prefetch_related("staff"))


def visible_to(staff: Staff) -> Q:
    """Which documents a person may look up: all for the office and leaders, else their own."""
    if staff.role in (Role.ADMIN, Role.OFFICE, Role.LEADER):
        return Q()
    mine = Q(assignments__staff_id=staff.id)
    if staff.is_head and staff.department:
        mine |= Q(assignments__department=staff.department)
    return mine


async def may_see(staff: Staff, document: IncomingDocument) -> bool:
    if staff.role in (Role.ADMIN, Role.OFFICE, Role.LEADER):
        return True
    return await IncomingDocument.filter(visible_to(staff), id=document.id).exists()


async def require_seen(staff: Staff, document: IncomingDocument) -> None:
    if not await may_see(staff, document):
        raise NotAllowed("documents.error.not_yours")

