"""Chasing deadlines: yellow to the responsible person, red to their head too, then the office.

Chases go out in office hours on workdays only (as approvals' reminders do), and each level of
each task is chased at most once a day: the `document_chase` unique key decides.
"""

from __future__ import annotations

from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.core import ChatPurpose, Staff
from models.documents import (
    Assignment,
    AssignmentStatus,
    Chase,
    DocumentChase,
    IncomingDocument,
    IncomingStatus,
)
from services import outbox, workdays
from services.documents import common, handling
from services.documents.common import POLICY

PERSON, HEAD, OFFICE = "person", "head", "office"
#: Documents the office still holds (not yet with the leaders or the departments).
WITH_OFFICE = (IncomingStatus.REGISTERED, IncomingStatus.RETURNED, IncomingStatus.SIGNED)


def in_office_hours(now: datetime) -> bool:
    local = common.local(now)
    return workdays.is_workday(local.date()) and \
        workdays.WORK_START <= local.time() < workdays.WORK_END


def levels(assignment: Assignment, day: date) -> tuple[str, list[str]]:
    """The task's colour and who is chased for it today."""
    colour = handling.state(assignment, day)
    if colour == common.YELLOW:
        return colour, [PERSON]
    if colour != common.RED:
        return colour, []
    late = -common.days_left(assignment.due_on, day, assignment.due_workdays)
    chosen = [PERSON, HEAD]
    if late >= POLICY.office_after_days:
        chosen.append(OFFICE)
    return colour, chosen


async def chase(now: datetime) -> dict[str, int]:
    """Chase every open task that is yellow or red, and the office's late documents."""
    counts = {PERSON: 0, HEAD: 0, OFFICE: 0, "documents": 0}
    if not in_office_hours(now):
        return {"outside_hours": 1}
    day = common.local(now).date()
    tasks = await Assignment.filter(
        status__in=[AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING]).order_by("id") \
        .prefetch_related("staff")
    for task in tasks:
        colour, chosen = levels(task, day)
        for level in chosen:
            if await _chase(task, level, colour, day, now):
                counts[level] += 1
    documents = await IncomingDocument.filter(status__in=WITH_OFFICE).exclude(due_on=None)
    for document in documents:
        colour = common.colour(document.due_on, document.due_workdays, day)
        if colour in (common.YELLOW, common.RED) and await _chase_document(
                document, colour, day, now):
            counts["documents"] += 1
    return counts


async def _target(task: Assignment, level: str) -> Staff | None:
    if level == PERSON:
        return task.staff
    if level == HEAD:
        head = await common.head_of(task.department)
        return head if head is not None and head.id != task.staff.id else None
    return None


async def _chase(task: Assignment, level: str, colour: str, day: date, now: datetime) -> bool:
    """Record and send one chase; False when this level was chased today already."""
    target = await _target(task, level)
    if level != OFFICE and target is None:
        return False
    try:
        async with in_transaction():
            await Chase.create(assignment=task, level=level, day=day, colour=colour, at=now)
            payload = {"assignment_id": task.id, "level": level, "colour": colour,
                       "day": day.isoformat()}
            key = f"doc:chase:{task.id}:{level}:{day.isoformat()}"
            if target is not None:
                await outbox.emit_to_staff(target, "documents.chase", payload, key)
            elif await outbox.emit_to_purpose(ChatPurpose.OFFICE, "documents.chase", payload,
                                              key) is None:
                for person in await Staff.filter(active=True, role__in=common.OFFICE_ROLES):
                    await outbox.emit_to_staff(person, "documents.chase", payload, key)
    except IntegrityError:
        return False
    return True


async def _chase_document(document: IncomingDocument, colour: str, day: date,
                          now: datetime) -> bool:
    """Remind the clerk of a document with a deadline that is not yet with the departments."""
    who = document.proposed_by_id or document.created_by_id  # type: ignore[attr-defined]
    person = await Staff.get_or_none(id=who, active=True)
    try:
        async with in_transaction():
            await DocumentChase.create(document=document, day=day, colour=colour, at=now)
            payload = {"document_id": document.id, "colour": colour, "day": day.isoformat()}
            key = f"doc:chase:in:{document.id}:{day.isoformat()}"
            if person is not None:
                await outbox.emit_to_staff(person, "documents.office_chase", payload, key)
            else:
                await outbox.emit_to_purpose(ChatPurpose.OFFICE, "documents.office_chase",
                                             payload, key)
    except IntegrityError:
        return False
    return True
