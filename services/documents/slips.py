"""Supervision slips (督办单): from an instruction, a meeting decision or by hand, to close-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.documents import (
    Assignment,
    AssignmentStatus,
    IncomingDocument,
    IncomingStatus,
    SlipSource,
    SlipStatus,
    SupervisionSlip,
)
from services import clock
from services.documents import common, handling, parsing
from services.documents.common import clip, require_office, slip_no, today
from services.errors import InvalidInput, NotFound, StaleAction

#: Questions of a slip made by hand, in order (those the text already answered are skipped).
STEPS = ("text", "departments", "due")
EDITABLE = ("text", "matter", "departments", "due", "leader")
MAX_TEXT = 1000
#: Colours in the order /duban lists them.
ORDER = (common.RED, common.YELLOW, common.GREEN)


async def start(staff: Staff, source: SlipSource) -> SupervisionSlip:
    """Start a slip by hand (its source: a leader's instruction, a meeting, another matter)."""
    require_office(staff)
    now = clock.now()
    await SupervisionSlip.filter(created_by_id=staff.id, status=SlipStatus.DRAFT).delete()
    return await SupervisionSlip.create(source=source, created_by=staff, created_at=now,
                                        updated_at=now)


async def from_document(staff: Staff, document_id: int) -> SupervisionSlip:
    """Start a slip from a signed document's instruction, its handling filled in from it."""
    require_office(staff)
    document = await IncomingDocument.get_or_none(id=document_id)
    if document is None:
        raise NotFound("documents.error.no_document", id=document_id)
    if document.status not in (IncomingStatus.SIGNED, IncomingStatus.HANDLING):
        raise StaleAction("documents.error.doc_moved", status=document.status.value)
    if await SupervisionSlip.filter(document_id=document.id).exclude(
            status__in=[SlipStatus.DRAFT, SlipStatus.CANCELLED]).exists():
        raise StaleAction("documents.error.slip_exists")
    assignments = await Assignment.filter(document_id=document.id).exclude(
        status=AssignmentStatus.CANCELLED).order_by("-lead", "id")
    departments = [a.department for a in assignments] or list(document.plan_departments)
    due = max((a.due_on for a in assignments), default=None) or document.plan_due_on \
        or document.due_on
    leader_ids = await handling.signer_ids(document.approval_request_id) \
        if document.approval_request_id else []
    now = clock.now()
    await SupervisionSlip.filter(created_by_id=staff.id, status=SlipStatus.DRAFT).delete()
    return await SupervisionSlip.create(
        source=SlipSource.INSTRUCTION, source_text=document.instructions[:MAX_TEXT],
        matter=document.title[:300], leader_id=leader_ids[0] if leader_ids else None,
        document=document, plan_departments=departments, plan_people=list(document.plan_people),
        due_on=due if due and due >= today() else None,
        due_workdays=document.due_workdays and due == document.due_on,
        created_by=staff, created_at=now, updated_at=now)


async def get(slip_id: int) -> SupervisionSlip:
    found = await SupervisionSlip.get_or_none(id=slip_id).prefetch_related(
        "leader", "document", "created_by")
    if found is None:
        raise NotFound("documents.error.no_slip", id=slip_id)
    return found


async def _draft(staff: Staff, slip_id: int) -> SupervisionSlip:
    require_office(staff)
    found = await SupervisionSlip.filter(id=slip_id).select_for_update().first()
    if found is None:
        raise NotFound("documents.error.no_slip", id=slip_id)
    if found.status != SlipStatus.DRAFT:
        raise StaleAction("documents.error.slip_opened", number=slip_no(found.year, found.seq))
    return found


def missing(slip: SupervisionSlip) -> str | None:
    """The next question of a slip made by hand (None: the card can be confirmed)."""
    if not slip.source_text:
        return "text"
    if not slip.plan_departments:
        return "departments"
    if slip.due_on is None:
        return "due"
    return None


async def answer(staff: Staff, slip_id: int, name: str, text: str) -> SupervisionSlip:
    """Set one field of a draft slip from what was typed."""
    if name not in EDITABLE:
        raise InvalidInput("documents.error.bad_field")
    text = parsing.normalise(text)
    async with in_transaction():
        slip = await _draft(staff, slip_id)
        day = today()
        if name == "text":
            slip.source_text = clip(text, MAX_TEXT)
            found = parsing.propose_handling(text, await common.departments(),
                                             await common.people_names(), day)
            if not slip.matter:
                slip.matter = _matter(text)
            if found.departments and not slip.plan_departments:
                slip.plan_departments, slip.plan_people = list(found.departments), list(
                    found.people)
            if found.due_on is not None and found.due_on >= day and slip.due_on is None:
                slip.due_on, slip.due_workdays = found.due_on, found.due_workdays
            if slip.source == SlipSource.INSTRUCTION and slip.leader_id is None:  # type: ignore[attr-defined]
                for leader in await Staff.filter(active=True, role=Role.LEADER):
                    if leader.name in text:
                        slip.leader = leader  # type: ignore[assignment]
                        break
        elif name == "matter":
            slip.matter = clip(text, 300)
        elif name == "departments":
            found = parsing.propose_handling(text, await common.departments(),
                                             await common.people_names(), day, strict=True)
            if found.unknown:
                raise InvalidInput("documents.error.unknown_department",
                                   department=found.unknown[0],
                                   known="、".join(await common.departments()) or "—")
            await handling.plan(list(found.departments), list(found.people))
            slip.plan_departments, slip.plan_people = list(found.departments), list(found.people)
            if found.due_on is not None:
                if found.due_on < day:
                    raise InvalidInput("documents.error.due_past", day=found.due_on.isoformat(),
                                       today=day.isoformat())
                slip.due_on, slip.due_workdays = found.due_on, found.due_workdays
        elif name == "due":
            due, in_workdays = parsing.parse_due(text, day)
            if due is None:
                raise InvalidInput("documents.error.need_due")
            slip.due_on, slip.due_workdays = due, in_workdays
        elif name == "leader":
            named = await Staff.filter(active=True, role=Role.LEADER, name=text).first()
            if named is None:
                names = "、".join(s.name for s in await Staff.filter(active=True,
                                                                     role=Role.LEADER))
                raise InvalidInput("documents.error.unknown_leader", name=text[:20],
                                   names=names or "—")
            slip.leader = named  # type: ignore[assignment]
        slip.updated_at = clock.now()
        await slip.save()
    return slip


def _matter(text: str) -> str:
    first = text.replace("\n", " ").split("。")[0]
    return first[:60] + ("…" if len(first) > 60 else "")


async def set_leader(staff: Staff, slip_id: int, leader_id: int | None) -> SupervisionSlip:
    async with in_transaction():
        slip = await _draft(staff, slip_id)
        if leader_id:
            leader = await Staff.get_or_none(id=leader_id, active=True, role=Role.LEADER)
            if leader is None:
                raise StaleAction("documents.error.leader_gone")
        slip.leader_id = leader_id  # type: ignore[attr-defined]
        await slip.save(update_fields=["leader_id"])
    return slip


async def open_slip(staff: Staff, slip_id: int) -> SupervisionSlip:
    """Number the slip (督办〔2026〕N号) and set the departments to work on it."""
    async with in_transaction():
        slip = await _draft(staff, slip_id)
        if not slip.source_text or not slip.matter:
            raise InvalidInput("documents.error.need_text")
        if not slip.plan_departments:
            raise InvalidInput("documents.error.no_department",
                               known="、".join(await common.departments()) or "—")
        if slip.due_on is None:
            raise InvalidInput("documents.error.need_due")
        now = clock.now()
        document_id = slip.document_id  # type: ignore[attr-defined]
        document = await IncomingDocument.filter(id=document_id).select_for_update().first() \
            if document_id else None
        linked = 0
        if document is not None:
            linked = await Assignment.filter(document_id=document.id, slip_id=None).exclude(
                status=AssignmentStatus.CANCELLED).update(slip_id=slip.id)
        if not linked:
            shares = await handling.plan(list(slip.plan_departments), list(slip.plan_people))
            await handling.create(staff, shares, slip.due_on, slip.due_workdays,
                                  document=document, slip=slip)
            if document is not None and document.status == IncomingStatus.SIGNED:
                document.status = IncomingStatus.HANDLING
                await document.save(update_fields=["status"])
        slip.year = common.local(now).year
        slip.seq = await common.take_number(common.SLIP_PREFIX, slip.year)
        slip.status, slip.opened_at, slip.updated_at = SlipStatus.OPEN, now, now
        slip.search = parsing.search_form(slip_no(slip.year, slip.seq), slip.matter,
                                          slip.source_text[:200])
        await slip.save()
    return slip


async def cancel_draft(staff: Staff, slip_id: int) -> None:
    async with in_transaction():
        slip = await _draft(staff, slip_id)
        await slip.delete()


async def assignments_of(slip_id: int) -> list[Assignment]:
    return list(await Assignment.filter(slip_id=slip_id).order_by("-lead", "id")
                .prefetch_related("staff"))


@dataclass(frozen=True)
class OpenSlip:
    """An open slip as /duban lists it: its worst colour and its departments."""

    slip: SupervisionSlip
    colour: str
    departments: tuple[str, ...]
    due_on: date | None
    days_left: int | None


async def open_list(department: str | None = None) -> list[OpenSlip]:
    """Open slips with their colour (the worst of their open tasks), red first."""
    day = today()
    slips = await SupervisionSlip.filter(status=SlipStatus.OPEN).order_by("due_on", "id")
    result = []
    for slip in slips:
        tasks = await Assignment.filter(slip_id=slip.id).exclude(
            status=AssignmentStatus.CANCELLED).order_by("-lead", "id")
        if department and not any(t.department == department for t in tasks):
            continue
        open_tasks = [t for t in tasks if t.status != AssignmentStatus.DONE]
        colours = [handling.state(t, day) for t in open_tasks]
        worst = next((c for c in ORDER if c in colours), common.GREEN)
        due = min((t.due_on for t in open_tasks), default=slip.due_on)
        left = None
        if due is not None:
            first = open_tasks[0] if open_tasks else None
            left = common.days_left(due, day, first.due_workdays if first else slip.due_workdays)
        result.append(OpenSlip(slip, worst, tuple(dict.fromkeys(t.department for t in tasks)),
                               due, left))
    result.sort(key=lambda s: (ORDER.index(s.colour), s.due_on or date.max, s.slip.id))
    return result
