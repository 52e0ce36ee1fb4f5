"""Outgoing documents (发文): the draft, 核稿 and 签发 through the approvals engine, the number.

Numbering: the number is taken when the last step (签发) is approved, inside the decision's
transaction, from a counter row locked per prefix and year: concurrent 签发 wait for each other
and a failed one gives its number back, so the numbers have neither gaps nor repeats.

Withdrawal after numbering (作废): the document keeps its number, marked void with the reason,
and the number is never given again. A number may already be printed on paper, cited in a
reply or archived; giving it to another document would make two documents with one 文号. The
register lists the voided number in its place, so the sequence still shows no gap.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models.approvals import ApprovalAssignee, ApprovalRequest, ApprovalStep, Verdict
from models.core import ChatPurpose, Staff
from models.documents import OutgoingDocument, OutgoingStatus
from services import approvals, clock, outbox
from services.documents import common, parsing
from services.documents.common import POLICY, clip, outgoing_no
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction

KIND = "outgoing_document"
#: Kinds of document (文种) offered as buttons; others may be typed.
TYPES = ("通知", "请示", "报告", "函", "纪要", "意见", "决定", "批复", "通报", "方案")
STEPS = ("title", "type", "file")
EDITABLE = ("title", "type", "file", "prefix")
#: Statuses in which the drafter may still change and (re)submit the draft.
EDITABLE_STATUSES = (OutgoingStatus.DRAFT, OutgoingStatus.REJECTED, OutgoingStatus.WITHDRAWN)


async def start(staff: Staff, text: str = "") -> OutgoingDocument:
    """Start a draft; `/fawen 通知 关于…的通知` fills the type and the title at once."""
    now = clock.now()
    words = parsing.split_words(text)
    doc_type = ""
    if words and words[0] in TYPES:
        doc_type = words.pop(0)
    title = "".join(words)
    if title and not doc_type:
        doc_type = next((k for k in TYPES if title.endswith(k)), "")
    if len(title) > 300:
        raise InvalidInput("error.too_long", limit=300)
    return await OutgoingDocument.create(
        title=title, doc_type=doc_type, prefix=POLICY.prefixes[0], drafter=staff,
        department=staff.department, created_at=now, updated_at=now)


def missing(document: OutgoingDocument, file_asked: bool) -> str | None:
    if not document.title:
        return "title"
    if not document.doc_type:
        return "type"
    if not document.file_id and not file_asked:
        return "file"
    return None


async def get(document_id: int) -> OutgoingDocument:
    found = await OutgoingDocument.get_or_none(id=document_id).prefetch_related(
        "drafter", "reviewer", "signer")
    if found is None:
        raise NotFound("documents.error.no_outgoing", id=document_id)
    return found


def may_edit(staff: Staff, document: OutgoingDocument) -> bool:
    return staff.id == document.drafter_id or common.is_office(staff)  # type: ignore[attr-defined]


async def _editable(staff: Staff, document_id: int) -> OutgoingDocument:
    found = await OutgoingDocument.filter(id=document_id).select_for_update().first()
    if found is None:
        raise NotFound("documents.error.no_outgoing", id=document_id)
    if not may_edit(staff, found):
        raise NotAllowed("documents.error.not_drafter")
    if found.status not in EDITABLE_STATUSES:
        raise StaleAction("documents.error.out_moved", status=found.status.value)
    return found


async def answer(staff: Staff, document_id: int, name: str, text: str) -> OutgoingDocument:
    """Set the title, the kind (文种) or the prefix of a draft."""
    if name not in EDITABLE:
        raise InvalidInput("documents.error.bad_field")
    text = parsing.normalise(text)
    async with in_transaction():
        document = await _editable(staff, document_id)
        if name == "title":
            document.title = clip(text, 300)
        elif name == "type":
            document.doc_type = clip(text, 16)
        elif name == "prefix":
            if text not in POLICY.prefixes:
                raise InvalidInput("documents.error.prefix", choices="、".join(POLICY.prefixes))
            document.prefix = text
        elif name == "file":
            if not parsing.is_none(text):
                raise InvalidInput("documents.error.send_file")
            document.file_id = document.file_name = document.file_kind = ""
        document.updated_at = clock.now()
        await document.save()
    return document


async def attach(staff: Staff, document_id: int, file_id: str, file_name: str,
                 kind: str) -> OutgoingDocument:
    """Attach the draft file (底稿)."""
    async with in_transaction():
        document = await _editable(staff, document_id)
        document.file_id, document.file_name, document.file_kind = file_id[:255], \
            file_name[:128], kind
        document.updated_at = clock.now()
        await document.save()
    return document


async def submit(staff: Staff, document_id: int) -> OutgoingDocument:
    """Send the draft to 核稿 (office) then 签发 (leader), as config/approval_flows.yaml says."""
    async with in_transaction():
        document = await _editable(staff, document_id)
        if not document.title or not document.doc_type:
            raise InvalidInput("documents.error.need_title_type")
        request = await approvals.submit(
            KIND, document.id, staff, title=document.title,
            details=[("documents.f.doc_type", document.doc_type),
                     ("documents.f.drafter", f"{staff.name}（{staff.department}）"
                      if staff.department else staff.name),
                     ("documents.f.file", document.file_name or "—")])
        document.status, document.approval_request_id = OutgoingStatus.PENDING, request.id
        document.search = search_text(document)
        document.updated_at = clock.now()
        await document.save()
    return document


async def withdraw(staff: Staff, document_id: int) -> OutgoingDocument:
    """Take back a draft under review (before 签发): it returns to the drafter unnumbered."""
    document = await get(document_id)
    if not may_edit(staff, document):
        raise NotAllowed("documents.error.not_drafter")
    if document.status != OutgoingStatus.PENDING:
        raise StaleAction("documents.error.out_moved", status=document.status.value)
    await approvals.withdraw(KIND, document.id, staff)
    return await get(document_id)


async def void(staff: Staff, document_id: int, reason: str) -> OutgoingDocument:
    """Withdraw an issued document (作废): it keeps its number, marked void with the reason."""
    common.require_office(staff)
    reason = clip(reason, 200)
    async with in_transaction():
        document = await OutgoingDocument.filter(id=document_id).select_for_update().first()
        if document is None:
            raise NotFound("documents.error.no_outgoing", id=document_id)
        if document.status != OutgoingStatus.ISSUED:
            raise StaleAction("documents.error.out_moved", status=document.status.value)
        document.status, document.void_reason = OutgoingStatus.VOIDED, reason
        document.voided_at = document.updated_at = clock.now()
        await document.save()
        await outbox.emit_to_purpose(ChatPurpose.OFFICE, "documents.voided",
                                     {"outgoing_id": document.id},
                                     f"doc:out:void:{document.id}")
    return document


async def on_outcome(document_id: int, outcome: str, request: ApprovalRequest) -> None:
    """Number the document on 签发; a rejection or withdrawal returns it to the drafter."""
    document = await OutgoingDocument.filter(id=document_id).select_for_update().first()
    if document is None or document.approval_request_id != request.id \
            or document.status != OutgoingStatus.PENDING:
        return
    now = clock.now()
    document.updated_at = now
    if outcome == "approved":
        document.year = common.local(now).year
        document.number = await common.take_number(document.prefix, document.year)
        document.status, document.issued_at = OutgoingStatus.ISSUED, now
        document.reviewer_id, document.signer_id = await _deciders(request)  # type: ignore[attr-defined]
        document.search = search_text(document)
        await document.save()
        payload = {"outgoing_id": document.id}
        drafter = await Staff.get(id=document.drafter_id)  # type: ignore[attr-defined]
        await outbox.emit_to_staff(drafter, "documents.issued", payload,
                                   f"doc:out:issued:{document.id}")
        await outbox.emit_to_purpose(ChatPurpose.OFFICE, "documents.issued", payload,
                                     f"doc:out:issued:{document.id}")
        return
    document.status = OutgoingStatus.REJECTED if outcome == "rejected" \
        else OutgoingStatus.WITHDRAWN
    await document.save()


async def _deciders(request: ApprovalRequest) -> tuple[int | None, int | None]:
    """Who settled the first step (核稿) and the last (签发)."""
    steps = await ApprovalStep.filter(request_id=request.id).order_by("seq")
    found: list[int | None] = []
    for step in steps:
        row = await ApprovalAssignee.filter(step_id=step.id, verdict=Verdict.APPROVED).first()
        found.append((row.decided_by_id or row.approver_id) if row else None)  # type: ignore[attr-defined]
    if not found:
        return None, None
    return (found[0] if len(found) > 1 else None), found[-1]


def search_text(document: OutgoingDocument) -> str:
    return parsing.search_form(outgoing_no(document.prefix, document.year, document.number),
                               document.doc_type, document.title, document.department)


def number_of(document: OutgoingDocument) -> str:
    return outgoing_no(document.prefix, document.year, document.number)
