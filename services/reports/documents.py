"""Documents in the reports: received, issued, done on time and late; tasks with their colour."""

from __future__ import annotations

from datetime import datetime

from models.core import Staff
from models.documents import (
    Assignment,
    AssignmentStatus,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    SlipStatus,
    SupervisionSlip,
)
from services.documents import common, handling
from services.documents.common import incoming_no, slip_no
from services.reports import Item, Period, mine, office, section, todo

OPEN = (AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING, AssignmentStatus.REPORTED)


def _on_time(tasks: list[Assignment], done_at: datetime) -> bool:
    """Finished within its latest deadline (a granted extension counts)."""
    if not tasks:
        return True
    return common.local(done_at).date() <= max(t.due_on for t in tasks)


@section("documents", ("received", "issued", "done", "on_time", "late", "slips_done"),
         order=15)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Documents received and issued in the period; documents and slips finished, and how."""
    received = await IncomingDocument.filter(registered_at__gte=start,
                                             registered_at__lt=end).count()
    issued = await OutgoingDocument.filter(issued_at__gte=start, issued_at__lt=end,
                                           status=OutgoingStatus.ISSUED).count()
    on_time = late = slips_done = 0
    finished = await IncomingDocument.filter(done_at__gte=start, done_at__lt=end)
    for document in finished:
        tasks = await Assignment.filter(document_id=document.id,
                                        status=AssignmentStatus.DONE)
        assert document.done_at is not None
        if tasks:
            in_time = _on_time(tasks, document.done_at)
        else:  # read and closed (阅知件): against the document's own deadline, if any
            in_time = document.due_on is None or \
                common.local(document.done_at).date() <= document.due_on
        on_time += int(in_time)
        late += int(not in_time)
    slips = await SupervisionSlip.filter(closed_at__gte=start, closed_at__lt=end,
                                         status=SlipStatus.DONE)
    for slip in slips:
        assert slip.closed_at is not None
        tasks = await Assignment.filter(slip_id=slip.id, status=AssignmentStatus.DONE)
        slips_done += 1
        if slip.document_id is None:  # type: ignore[attr-defined]
            ok = _on_time(tasks, slip.closed_at)
            on_time += int(ok)
            late += int(not ok)
    return {"received": received, "issued": issued, "done": on_time + late,
            "on_time": on_time, "late": late, "slips_done": slips_done}


async def _task_item(task: Assignment, now: datetime, *, button: bool = True) -> Item:
    day = common.local(now).date()
    colour = handling.state(task, day)
    if task.slip_id is not None:  # type: ignore[attr-defined]
        slip = task.slip if isinstance(task.slip, SupervisionSlip) else \
            await SupervisionSlip.get(id=task.slip_id)  # type: ignore[attr-defined]
        number, title = slip_no(slip.year, slip.seq), slip.matter
    else:
        document = task.document if isinstance(task.document, IncomingDocument) else \
            await IncomingDocument.get(id=task.document_id)  # type: ignore[attr-defined]
        number, title = incoming_no(document.year, document.seq), document.title
    left = common.days_left(task.due_on, day, task.due_workdays)
    state = "reported" if task.status == AssignmentStatus.REPORTED else (
        "late" if left < 0 else "left")
    return Item("reports.item.doc_task",
                {"variant": f"{colour}.{state}", "number": number, "title": title,
                 "department": task.department, "due": task.due_on.isoformat(),
                 "days": abs(left),
                 "person": task.staff.name if isinstance(task.staff, Staff) else ""},
                button=("documents.btn.open", "doc", "task", str(task.id)) if button else None)


def _document_item(document: IncomingDocument, now: datetime) -> Item:
    day = common.local(now).date()
    colour = common.colour(document.due_on, document.due_workdays, day)
    return Item("reports.item.doc_waiting",
                {"variant": colour, "number": incoming_no(document.year, document.seq),
                 "title": document.title, "status": document.status.value,
                 "due": document.due_on.isoformat() if document.due_on else "—"},
                button=("documents.btn.open", "doc", "show", str(document.id)))


@todo("documents", order=20)
async def waiting_on_me(staff: Staff, now: datetime) -> list[Item]:
    """My tasks (the most urgent first), my department's red ones for a head, the office's."""
    items = [await _task_item(t, now) for t in await Assignment.filter(
        staff_id=staff.id, status__in=OPEN).order_by("due_on", "id").prefetch_related(
        "staff", "document", "slip")]
    day = common.local(now).date()
    if staff.is_head and staff.department:
        for task in await Assignment.filter(
                department=staff.department, status__in=OPEN, due_on__lt=day).exclude(
                staff_id=staff.id).order_by("due_on").prefetch_related("staff", "document",
                                                                       "slip"):
            items.append(await _task_item(task, now))
    if staff.role in common.OFFICE_ROLES:
        documents = await IncomingDocument.filter(status__in=[
            IncomingStatus.REGISTERED, IncomingStatus.RETURNED, IncomingStatus.SIGNED,
        ]).order_by("due_on", "id").limit(20)
        items += [_document_item(d, now) for d in documents]
    return items


@mine("documents", order=20)
async def my_tasks(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """The person's open tasks with their colour."""
    return [await _task_item(t, now, button=False) for t in await Assignment.filter(
        staff_id=staff.id, status__in=OPEN).order_by("due_on", "id").prefetch_related(
        "staff", "document", "slip")]


@office("documents", order=15)
async def red_and_yellow(day: Period, now: datetime) -> list[Item]:
    """The office's red and yellow tasks and documents, red first."""
    today = common.local(now).date()
    items: list[tuple[int, Item]] = []
    tasks = await Assignment.filter(status__in=OPEN).order_by("due_on", "id").prefetch_related(
        "staff", "document", "slip")
    for task in tasks:
        colour = handling.state(task, today)
        if colour in (common.RED, common.YELLOW):
            items.append((0 if colour == common.RED else 1,
                          await _task_item(task, now, button=False)))
    documents = await IncomingDocument.filter(status__in=[
        IncomingStatus.REGISTERED, IncomingStatus.RETURNED, IncomingStatus.SIGNED,
        IncomingStatus.SIGNING]).exclude(due_on=None)
    for document in documents:
        colour = common.colour(document.due_on, document.due_workdays, today)
        if colour in (common.RED, common.YELLOW):
            items.append((0 if colour == common.RED else 1, _document_item(document, now)))
    items.sort(key=lambda pair: pair[0])
    if not items:
        return [Item("reports.item.doc_all_green")]
    return [item for _, item in items]
