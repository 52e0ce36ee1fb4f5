"""Handling (承办): departments' assignments, progress, extensions, completion reports, review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from models.approvals import ApprovalAssignee, ApprovalRequest, Verdict
from models.core import ChatPurpose, Role, Staff
from models.documents import (
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    Extension,
    ExtensionStatus,
    IncomingDocument,
    IncomingStatus,
    SlipStatus,
    SupervisionSlip,
)
from services import approvals, clock, outbox
from services.documents import common
from services.documents.common import clip, today
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleAction

KIND_EXTENSION = "document_extension"
KIND_REVIEW = "document_review"
OPEN = (AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING, AssignmentStatus.REPORTED)
MAX_TEXT = 1000
MAX_FILES = 10


@dataclass(frozen=True)
class Share:
    """One department's part in a handling plan: who answers for it, and whether it leads."""

    department: str
    staff: Staff
    lead: bool


async def plan(departments: list[str], people: list[str]) -> list[Share]:
    """Resolve departments (the first leads) to their responsible people; unknown ones refused."""
    if not departments:
        raise InvalidInput("documents.error.no_department",
                           known="、".join(await common.departments()) or "—")
    known = await common.departments()
    for name in departments:
        if name not in known:
            raise InvalidInput("documents.error.unknown_department", department=name,
                               known="、".join(known) or "—")
    shares = []
    for i, name in enumerate(dict.fromkeys(departments)):
        shares.append(Share(name, await common.responsible(name, people), i == 0))
    return shares


async def create(actor: Staff, shares: list[Share], due: date, in_workdays: bool, *,
                 document: IncomingDocument | None = None,
                 slip: SupervisionSlip | None = None) -> list[Assignment]:
    """Create the assignments (inside the caller's transaction) and send each its task."""
    if due < today():
        raise InvalidInput("documents.error.due_past", day=due.isoformat(),
                           today=today().isoformat())
    now = clock.now()
    made = []
    for share in shares:
        assignment = await Assignment.create(
            document=document, slip=slip, department=share.department, staff=share.staff,
            lead=share.lead, due_on=due, due_workdays=in_workdays, first_due_on=due,
            created_at=now)
        await AssignmentEvent.create(assignment=assignment, kind="assigned", actor=actor,
                                     text=share.department, at=now)
        await send_task(assignment, share.staff, "new")
        made.append(assignment)
    return made


async def send_task(assignment: Assignment, to: Staff, tag: str) -> None:
    """Queue the task card (with the document's file first, when it has one)."""
    document = await _document_of(assignment)
    if document is not None and document.file_id:
        await outbox.emit_to_staff(to, "documents.file", {"document_id": document.id},
                                   f"doc:task:file:{assignment.id}:{tag}")
    await outbox.emit_to_staff(to, "documents.task", {"assignment_id": assignment.id},
                               f"doc:task:{assignment.id}:{tag}")


async def _document_of(assignment: Assignment) -> IncomingDocument | None:
    if assignment.document_id is not None:  # type: ignore[attr-defined]
        return await IncomingDocument.get_or_none(id=assignment.document_id)  # type: ignore[attr-defined]
    if assignment.slip_id is not None:  # type: ignore[attr-defined]
        slip = await SupervisionSlip.get_or_none(id=assignment.slip_id)  # type: ignore[attr-defined]
        if slip is not None and slip.document_id is not None:  # type: ignore[attr-defined]
            return await IncomingDocument.get_or_none(id=slip.document_id)  # type: ignore[attr-defined]
    return None


async def get(assignment_id: int) -> Assignment:
    found = await Assignment.get_or_none(id=assignment_id).prefetch_related(
        "staff", "document", "slip")
    if found is None:
        raise NotFound("documents.error.no_task")
    return found


def may_report(staff: Staff, assignment: Assignment) -> bool:
    """The responsible person, the department's head, or the office may act on a task."""
    return (staff.id == assignment.staff_id  # type: ignore[attr-defined]
            or (staff.is_head and staff.department == assignment.department)
            or common.is_office(staff))


async def _locked(staff: Staff, assignment_id: int, *, statuses: tuple[AssignmentStatus, ...]
                  = (AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING)) -> Assignment:
    found = await Assignment.filter(id=assignment_id).select_for_update().first()
    if found is None:
        raise NotFound("documents.error.no_task")
    if not may_report(staff, found):
        raise NotAllowed("documents.error.not_your_task")
    if found.status not in statuses:
        raise StaleAction("documents.error.task_moved", status=found.status.value)
    return found


async def report_progress(staff: Staff, assignment_id: int, text: str) -> Assignment:
    """Record what has been done so far."""
    text = clip(text, MAX_TEXT)
    now = clock.now()
    async with in_transaction():
        assignment = await _locked(staff, assignment_id)
        assignment.progress, assignment.progress_at = text, now
        assignment.status = AssignmentStatus.WORKING
        await assignment.save(update_fields=["progress", "progress_at", "status"])
        await AssignmentEvent.create(assignment=assignment, kind="progress", actor=staff,
                                     text=text, at=now)
    return assignment


# ------------------------------------------------------------------ extensions


async def deciders(assignment: Assignment) -> list[int]:
    """Who decides an extension: the office, and the leader behind the slip or the document."""
    people = [s.id for s in await Staff.filter(active=True, role=Role.OFFICE).order_by("id")]
    leaders: list[int] = []
    slip_id = assignment.slip_id  # type: ignore[attr-defined]
    slip = await SupervisionSlip.get_or_none(id=slip_id) if slip_id else None
    if slip is not None and slip.leader_id:  # type: ignore[attr-defined]
        leaders.append(slip.leader_id)  # type: ignore[attr-defined]
    document = await _document_of(assignment)
    if document is not None and document.approval_request_id:
        leaders += await signer_ids(document.approval_request_id)
    for leader in leaders:
        if leader not in people:
            people.append(leader)
    if not people:
        people = [s.id for s in await Staff.filter(active=True, role=Role.ADMIN).order_by("id")]
    return people


async def signer_ids(request_id: int) -> list[int]:
    rows = await ApprovalAssignee.filter(step__request_id=request_id,
                                         verdict=Verdict.APPROVED).order_by("id")
    return list(dict.fromkeys(r.decided_by_id or r.approver_id for r in rows))  # type: ignore[attr-defined]


async def ask_extension(staff: Staff, assignment_id: int, new_due: date | None,
                        reason: str) -> Extension:
    """Ask to move the deadline: before it has passed, later than it, with a reason."""
    reason = clip(reason, 300)
    if new_due is None:
        raise InvalidInput("documents.error.extension_date")
    now, day = clock.now(), today()
    async with in_transaction():
        assignment = await _locked(staff, assignment_id)
        if day > assignment.due_on:
            raise Conflict("documents.error.extension_late", due=assignment.due_on.isoformat())
        if new_due <= assignment.due_on:
            raise InvalidInput("documents.error.extension_not_later",
                               due=assignment.due_on.isoformat())
        if await Extension.filter(assignment_id=assignment.id,
                                  status=ExtensionStatus.PENDING).exists():
            raise Conflict("documents.error.extension_pending")
        extension = await Extension.create(
            assignment=assignment, asked_by=staff, reason=reason, old_due_on=assignment.due_on,
            new_due_on=new_due, created_at=now)
        title = await task_title(assignment)
        request = await approvals.submit(
            KIND_EXTENSION, extension.id, staff, title=title,
            details=[("documents.f.department", assignment.department),
                     ("documents.f.due", assignment.due_on.isoformat()),
                     ("documents.f.new_due", new_due.isoformat()),
                     ("documents.f.reason", reason)],
            chosen=await deciders(assignment))
        extension.approval_request_id = request.id
        await extension.save(update_fields=["approval_request_id"])
        await AssignmentEvent.create(assignment=assignment, kind="extension_asked", actor=staff,
                                     text=f"{new_due.isoformat()} {reason}", at=now)
    return extension


async def on_extension(extension_id: int, outcome: str, request: ApprovalRequest) -> None:
    """Move the deadline when granted; record the refusal otherwise (engine's transaction)."""
    extension = await Extension.filter(id=extension_id).select_for_update().first()
    if extension is None or extension.status != ExtensionStatus.PENDING:
        return
    now = clock.now()
    assignment = await Assignment.filter(id=extension.assignment_id).select_for_update().get()  # type: ignore[attr-defined]
    extension.decided_at = now
    if outcome == "approved":
        extension.status = ExtensionStatus.GRANTED
        assignment.due_on = extension.new_due_on
        await assignment.save(update_fields=["due_on"])
        kind, text = "extension_granted", extension.new_due_on.isoformat()
    elif outcome == "rejected":
        extension.status = ExtensionStatus.REFUSED
        kind, text = "extension_refused", await _rejection_reason(request)
    else:
        extension.status = ExtensionStatus.WITHDRAWN
        kind, text = "extension_withdrawn", ""
    await extension.save(update_fields=["status", "decided_at"])
    await AssignmentEvent.create(assignment=assignment, kind=kind, text=text, at=now)


async def _rejection_reason(request: ApprovalRequest) -> str:
    row = await ApprovalAssignee.filter(step__request_id=request.id,
                                        verdict=Verdict.REJECTED).first()
    return row.comment if row else ""


# ------------------------------------------------------------------ completion and review


async def check_open(staff: Staff, assignment_id: int) -> Assignment:
    """The task, when this person may still report on it (before a report is kept)."""
    assignment = await get(assignment_id)
    if not may_report(staff, assignment):
        raise NotAllowed("documents.error.not_your_task")
    if assignment.status not in (AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING):
        raise StaleAction("documents.error.task_moved", status=assignment.status.value)
    return assignment


async def submit_report(staff: Staff, assignment_id: int, text: str,
                        files: list[list[str]]) -> Assignment:
    """Hand in the completion report (办结报告); the office reviews it."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("documents.error.report_empty")
    if len(text) > MAX_TEXT * 3:
        raise InvalidInput("error.too_long", limit=MAX_TEXT * 3)
    now = clock.now()
    async with in_transaction():
        assignment = await _locked(staff, assignment_id)
        assignment.status = AssignmentStatus.REPORTED
        assignment.report_text, assignment.report_files = text, files[:MAX_FILES]
        assignment.reported_at = now
        reviewers = [s.id for s in await Staff.filter(active=True, role=Role.OFFICE)]
        request = await approvals.submit(
            KIND_REVIEW, assignment.id, staff, title=await task_title(assignment),
            details=[("documents.f.department", assignment.department),
                     ("documents.f.due", assignment.due_on.isoformat()),
                     ("documents.f.report", text)],
            chosen=reviewers or None)
        assignment.review_request_id = request.id
        await assignment.save(update_fields=["status", "report_text", "report_files",
                                             "reported_at", "review_request_id"])
        await AssignmentEvent.create(assignment=assignment, kind="report", actor=staff,
                                     text=text, files=files[:MAX_FILES], at=now)
    return assignment


async def on_review(assignment_id: int, outcome: str, request: ApprovalRequest) -> None:
    """Passed: the task is done (and its document or slip when all are); returned: back to work."""
    assignment = await Assignment.filter(id=assignment_id).select_for_update().first()
    if assignment is None or assignment.review_request_id != request.id \
            or assignment.status != AssignmentStatus.REPORTED:
        return
    now = clock.now()
    if outcome == "approved":
        assignment.status, assignment.done_at = AssignmentStatus.DONE, now
        await assignment.save(update_fields=["status", "done_at"])
        await AssignmentEvent.create(assignment=assignment, kind="passed", at=now)
        await _close_parents(assignment)
        return
    assignment.status = AssignmentStatus.WORKING
    await assignment.save(update_fields=["status"])
    await AssignmentEvent.create(assignment=assignment, kind="returned",
                                 text=await _rejection_reason(request), at=now)


async def _close_parents(assignment: Assignment) -> None:
    """Finish the document and the slip whose every assignment is done."""
    now = clock.now()
    if assignment.document_id is not None:  # type: ignore[attr-defined]
        left = await Assignment.filter(document_id=assignment.document_id,  # type: ignore[attr-defined]
                                       status__in=OPEN).exists()
        document = await IncomingDocument.get(id=assignment.document_id)  # type: ignore[attr-defined]
        if not left and document.status == IncomingStatus.HANDLING:
            document.status, document.done_at = IncomingStatus.DONE, now
            await document.save(update_fields=["status", "done_at"])
            await _tell_done("document", document.id, document.proposed_by_id  # type: ignore[attr-defined]
                             or document.created_by_id)  # type: ignore[attr-defined]
    if assignment.slip_id is not None:  # type: ignore[attr-defined]
        left = await Assignment.filter(slip_id=assignment.slip_id, status__in=OPEN).exists()  # type: ignore[attr-defined]
        slip = await SupervisionSlip.get(id=assignment.slip_id)  # type: ignore[attr-defined]
        if not left and slip.status == SlipStatus.OPEN:
            slip.status, slip.closed_at = SlipStatus.DONE, now
            await slip.save(update_fields=["status", "closed_at"])
            await _tell_done("slip", slip.id, slip.created_by_id)  # type: ignore[attr-defined]
            if slip.leader_id:  # type: ignore[attr-defined]
                await _tell_done("slip", slip.id, slip.leader_id)  # type: ignore[attr-defined]


async def _tell_done(what: str, ident: int, staff_id: int | None) -> None:
    payload = {"what": what, "id": ident}
    await outbox.emit_to_purpose(ChatPurpose.OFFICE, "documents.closed", payload,
                                 f"doc:closed:{what}:{ident}")
    person = await Staff.get_or_none(id=staff_id, active=True) if staff_id else None
    if person is not None:
        await outbox.emit_to_staff(person, "documents.closed", payload,
                                   f"doc:closed:{what}:{ident}")


# ------------------------------------------------------------------ reading


async def task_title(assignment: Assignment) -> str:
    """What the task is about: the document's or the slip's title."""
    if assignment.document_id is not None:  # type: ignore[attr-defined]
        document = await IncomingDocument.get(id=assignment.document_id)  # type: ignore[attr-defined]
        return document.title
    slip = await SupervisionSlip.get(id=assignment.slip_id)  # type: ignore[attr-defined]
    return slip.matter


async def open_for(staff: Staff) -> list[Assignment]:
    """The person's open tasks, the most urgent first."""
    rows = await Assignment.filter(staff_id=staff.id, status__in=OPEN).order_by(
        "due_on", "id").prefetch_related("document", "slip")
    return list(rows)


async def events(assignment_id: int, limit: int = 20) -> list[AssignmentEvent]:
    rows = await AssignmentEvent.filter(assignment_id=assignment_id).order_by("-id").limit(
        limit).prefetch_related("actor")
    return list(reversed(rows))


async def pending_extension(assignment_id: int) -> Extension | None:
    return await Extension.filter(assignment_id=assignment_id,
                                  status=ExtensionStatus.PENDING).first()


def state(assignment: Assignment, day: date | None = None) -> str:
    """The task's colour today (done when it is done)."""
    day = day or today()
    return common.colour(assignment.due_on, assignment.due_workdays, day,
                         done=assignment.status == AssignmentStatus.DONE)
