"""A repair's life: reported (typed or from a photo), assigned, accepted, done, confirmed.

Costs above the threshold go through the `repair_cost` approval before the repair is closed
(an estimate may be approved before the work starts). Overdue repairs are chased by urgency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.approvals import ApprovalRequest
from models.core import ChatPurpose, Role, Staff
from models.repairs import (
    OPEN,
    Repair,
    RepairCompany,
    RepairEvent,
    RepairPrompt,
    RepairStatus,
    Urgency,
)
from services import approvals, clock, outbox, workdays
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.repairs import places
from services.staff import OFFICE_ROLES

KIND = "repair_cost"
NEW, JOB, CONFIRM, NEWS = "repairs.new", "repairs.job", "repairs.confirm", "repairs.news"
OVERDUE, PHOTO = "repairs.overdue", "repairs.photo"
PROMPT_TTL = timedelta(hours=12)
MAX_PHOTOS = 10
MAX_TEXT = 500
MAX_COST = Decimal("100000000")
#: Typed answers a person may be asked for, by the prompt's name.
PROMPTS = ("place", "description", "progress", "estimate", "done", "reopen", "decline",
           "cancel", "assign")
#: Prompts of the handler at work: a photo sent meanwhile shows the work.
WORK_PROMPTS = ("progress", "estimate", "done")
_AMOUNT = re.compile(r"(-?)\s*(\d[\d,]*(?:\.\d{1,2})?)\s*(元|块|万元)?")
_COST_WORDS = re.compile(r"(?:费用|花费|花了|金额|共计|合计|报价|估价|预计)\s*[:：]?\s*")


@dataclass
class RepairRules:
    """The approval threshold, how long each urgency may take, and the office's zone."""

    threshold: Decimal = Decimal("2000")
    urgent_hours: float = 2.0
    normal_workdays: int = 1
    low_workdays: int = 3
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


RULES = RepairRules()


def configure(*, threshold: float = 2000.0, urgent_hours: float = 2.0, normal_workdays: int = 1,
              low_workdays: int = 3, tz: str = "Asia/Shanghai") -> RepairRules:
    RULES.threshold = Decimal(str(threshold)).quantize(Decimal("0.01"))
    RULES.urgent_hours = max(0.25, float(urgent_hours))
    RULES.normal_workdays = max(1, int(normal_workdays))
    RULES.low_workdays = max(1, int(low_workdays))
    RULES.tz = ZoneInfo(tz)
    return RULES


def workday_hours() -> float:
    start, end = workdays.WORK_START, workdays.WORK_END
    return (end.hour * 60 + end.minute - start.hour * 60 - start.minute) / 60


def due_after(start: datetime, urgency: Urgency) -> datetime:
    """When a repair reported at `start` must be done: 2 hours, or 1 or 3 workdays."""
    if urgency == Urgency.URGENT:
        return (start + timedelta(hours=RULES.urgent_hours)).astimezone(UTC)
    days = RULES.normal_workdays if urgency == Urgency.NORMAL else RULES.low_workdays
    # In UTC: an update stores the value as given, and SQLite compares the stored text.
    return workdays.add_working_hours(start, days * workday_hours(), RULES.tz).astimezone(UTC)


def limit_of(urgency: Urgency) -> tuple[str, float]:
    """The urgency's limit as a unit and a number (hours, or workdays)."""
    if urgency == Urgency.URGENT:
        return "hours", RULES.urgent_hours
    return "workdays", RULES.normal_workdays if urgency == Urgency.NORMAL else RULES.low_workdays


# ---------------------------------------------------------------------------- reading


async def get(repair_id: int) -> Repair:
    found = await Repair.get_or_none(id=repair_id).prefetch_related(
        "place", "reporter", "handler", "company", "assigned_by") if 0 < repair_id < 2**31 \
        else None
    if found is None:
        raise NotFound("repairs.error.no_repair", id=repair_id)
    return found


async def history(repair_id: int) -> list[RepairEvent]:
    return list(await RepairEvent.filter(repair_id=repair_id).order_by("id")
                .prefetch_related("actor"))


def is_office(staff: Staff) -> bool:
    return staff.role in OFFICE_ROLES


def worker_ids(repair: Repair) -> list[int]:
    """Who acts as the handler: the staff member, or for a company the clerk who assigned it."""
    if repair.handler_id is not None:  # type: ignore[attr-defined]
        return [repair.handler_id]  # type: ignore[attr-defined]
    if repair.company_id is not None and repair.assigned_by_id is not None:  # type: ignore[attr-defined]
        return [repair.assigned_by_id]  # type: ignore[attr-defined]
    return []


def may_work(repair: Repair, actor: Staff) -> bool:
    if actor.id in worker_ids(repair) or actor.role == Role.ADMIN:
        return True
    return repair.company_id is not None and is_office(actor)  # type: ignore[attr-defined]


async def open_for(staff: Staff, limit: int = 30) -> list[Repair]:
    """Repairs not yet closed that concern this person (all of them for the office)."""
    from tortoise.expressions import Q

    query = Repair.filter(status__in=[*OPEN, RepairStatus.DONE])
    if not is_office(staff):
        query = query.filter(Q(reporter_id=staff.id) | Q(handler_id=staff.id))
    return list(await query.order_by("due_at", "id").limit(limit).prefetch_related(
        "place", "handler", "company", "reporter"))


# ---------------------------------------------------------------------------- reporting


async def _prompt(staff: Staff, repair: Repair, what: str) -> None:
    await RepairPrompt.filter(staff_id=staff.id).delete()
    await RepairPrompt.create(staff=staff, repair=repair, what=what, created_at=clock.now())


async def clear_prompt(staff: Staff) -> None:
    await RepairPrompt.filter(staff_id=staff.id).delete()


async def prompt_of(staff: Staff) -> RepairPrompt | None:
    """What the bot asked this person to type about a repair (lately), if anything."""
    return await RepairPrompt.get_or_none(
        staff_id=staff.id, created_at__gte=clock.now() - PROMPT_TTL)


async def _draft(staff: Staff, repair_id: int) -> Repair:
    repair = await Repair.get_or_none(id=repair_id)
    if repair is None:
        raise NotFound("repairs.error.no_repair", id=repair_id)
    if repair.reporter_id != staff.id:  # type: ignore[attr-defined]
        raise NotAllowed("repairs.error.not_reporter")
    if repair.status != RepairStatus.DRAFT:
        raise StaleAction("repairs.error.already_reported", id=repair.id)
    return repair


async def _ask_next(staff: Staff, repair: Repair) -> Repair:
    """Ask for the place, then the description; a complete draft waits for its urgency."""
    await repair.save()
    if repair.place_id is None:  # type: ignore[attr-defined]
        await _prompt(staff, repair, "place")
    elif not repair.description:
        await _prompt(staff, repair, "description")
    else:
        await clear_prompt(staff)
    return repair


async def _apply(repair: Repair, text: str, *, as_place: bool = False) -> None:
    text = " ".join(text.split())[:1000]
    if not text:
        return
    found = await places.find_in(text)
    if found.place is not None:
        repair.place, repair.unknown_place = found.place, ""
    elif found.unknown and repair.place_id is None:  # type: ignore[attr-defined]
        repair.unknown_place = found.unknown
    elif as_place and repair.place_id is None:  # type: ignore[attr-defined]
        repair.unknown_place = text[:64]
        return
    if found.rest and not (as_place and found.place is None):
        if len(found.rest) > MAX_TEXT:
            raise InvalidInput("repairs.error.too_long", limit=MAX_TEXT)
        repair.description = found.rest


async def report(staff: Staff, text: str) -> Repair:
    """Start a report from `/baoxiu 3号楼 2楼 会议室投影仪不亮` (an older draft is dropped)."""
    await Repair.filter(reporter_id=staff.id, status=RepairStatus.DRAFT).delete()
    repair = Repair(reporter=staff, created_at=clock.now())
    await _apply(repair, text)
    return await _ask_next(staff, repair)


async def add_photo(staff: Staff, file_id: str, caption: str = "") -> Repair:
    """A photo adds to the draft being written, or starts a report (its caption read too)."""
    prompt = await prompt_of(staff)
    repair = None
    if prompt is not None and prompt.what in ("place", "description"):
        repair = await Repair.get_or_none(id=prompt.repair_id, status=RepairStatus.DRAFT)  # type: ignore[attr-defined]
    if repair is None:
        repair = await Repair.filter(reporter_id=staff.id, status=RepairStatus.DRAFT,
                                     created_at__gte=clock.now() - PROMPT_TTL
                                     ).order_by("-id").first()
    if repair is None:
        await Repair.filter(reporter_id=staff.id, status=RepairStatus.DRAFT).delete()
        repair = Repair(reporter=staff, created_at=clock.now())
    if len(repair.photos) >= MAX_PHOTOS:
        raise InvalidInput("repairs.error.too_many_photos", limit=MAX_PHOTOS)
    repair.photos = [*repair.photos, file_id[:255]]
    await _apply(repair, caption)
    return await _ask_next(staff, repair)


async def choose_place(staff: Staff, repair_id: int, place_id: int) -> Repair:
    repair = await _draft(staff, repair_id)
    repair.place, repair.unknown_place = await places.place_by_id(place_id), ""
    return await _ask_next(staff, repair)


async def discard(staff: Staff, repair_id: int) -> None:
    repair = await _draft(staff, repair_id)
    await clear_prompt(staff)
    await repair.delete()


async def submit(staff: Staff, repair_id: int, urgency: str) -> Repair:
    """Report the draft with its urgency: the office group gets it to assign."""
    try:
        level = Urgency(urgency)
    except ValueError:
        raise InvalidInput("repairs.error.bad_urgency") from None
    async with in_transaction():
        repair = await _draft(staff, repair_id)
        if repair.place_id is None:  # type: ignore[attr-defined]
            raise InvalidInput("repairs.error.place_missing")
        if not repair.description:
            raise InvalidInput("repairs.error.description_missing")
        now = clock.now()
        repair.urgency, repair.status = level, RepairStatus.REPORTED
        repair.reported_at, repair.due_at = now, due_after(now, level)
        await repair.save()
        await clear_prompt(staff)
        await _event(repair, staff, "report")
        await _to_office(NEW, {"repair_id": repair.id}, f"repairs.new:{repair.id}")
        await _photos_to_office(repair)
    return repair


async def _to_office(kind: str, payload: dict[str, Any], key: str) -> None:
    """The office group, or each office clerk when no group is bound."""
    if await outbox.emit_to_purpose(ChatPurpose.OFFICE, kind, payload, key) is not None:
        return
    for clerk in await Staff.filter(role=Role.OFFICE, active=True).order_by("id"):
        await outbox.emit_to_staff(clerk, kind, payload, key)


async def _photos_to_office(repair: Repair) -> None:
    for n, _ in enumerate(repair.photos):
        await _to_office(PHOTO, {"repair_id": repair.id, "n": n}, f"repairs.photo:{repair.id}:{n}")


async def _event(repair: Repair, actor: Staff | None, action: str, note: str = "",
                 amount: Decimal | None = None, file_id: str = "") -> RepairEvent:
    return await RepairEvent.create(repair=repair, actor=actor, action=action, note=note[:500],
                                    amount=amount, file_id=file_id[:255], at=clock.now())


async def _tell(repair: Repair, event: RepairEvent, *people_ids: int) -> None:
    """Tell these people (never the one who acted) what happened."""
    for person in await Staff.filter(id__in=[p for p in people_ids if p], active=True):
        if person.id != event.actor_id:  # type: ignore[attr-defined]
            await outbox.emit_to_staff(person, NEWS, {"event_id": event.id},
                                       f"repairs.news:{event.id}")


async def _refresh(repair: Repair, tag: str) -> None:
    """Edit the office's and the handlers' cards so they show the repair as it is now."""
    payload = {"repair_id": repair.id}
    await outbox.edit_sent(NEW, f"repairs.new:{repair.id}@", payload, tag)
    await outbox.edit_sent(JOB, f"repairs.job:{repair.id}:", payload, tag)


# ---------------------------------------------------------------------------- handling


async def _locked(repair_id: int) -> Repair:
    repair = await Repair.filter(id=repair_id).select_for_update().first()
    if repair is None:
        raise NotFound("repairs.error.no_repair", id=repair_id)
    return repair


async def _handler_locks(repair_id: int, actor: Staff, *statuses: RepairStatus) -> Repair:
    """Lock a repair its handler acts on: theirs, and (when given) in one of these statuses."""
    repair = await _locked(repair_id)
    if not may_work(repair, actor):
        raise NotAllowed("repairs.error.not_handler")
    if statuses:
        _expect(repair, *statuses)
    return repair


def _expect(repair: Repair, *statuses: RepairStatus) -> None:
    if repair.status not in statuses:
        raise StaleAction("repairs.error.status", id=repair.id, status=repair.status.value)


async def handler_candidates() -> tuple[list[Staff], list[RepairCompany]]:
    """Whom the office may give a repair to: staff who handled repairs before, the office,
    then the outside companies."""
    done = await Repair.exclude(handler_id=None).values_list("handler_id", flat=True)
    counts: dict[int, int] = {}
    for staff_id in done:
        counts[int(staff_id)] = counts.get(int(staff_id), 0) + 1  # type: ignore[arg-type]
    people = await Staff.filter(active=True).order_by("id")
    ranked = sorted(people, key=lambda s: (-counts.get(s.id, 0), s.role != Role.OFFICE, s.id))
    chosen = [s for s in ranked if counts.get(s.id) or s.role == Role.OFFICE][:8]
    return chosen, await places.companies()


async def assign(actor: Staff, repair_id: int, *, staff_id: int | None = None,
                 company_id: int | None = None) -> Repair:
    """The office gives the repair to a staff member or an outside company (or reassigns it)."""
    if not is_office(actor):
        raise NotAllowed("repairs.error.office_only")
    async with in_transaction():
        repair = await _locked(repair_id)
        _expect(repair, RepairStatus.REPORTED, RepairStatus.ASSIGNED, RepairStatus.IN_PROGRESS)
        handler = company = None
        if staff_id is not None:
            handler = await Staff.get_or_none(id=staff_id, active=True)
            if handler is None:
                raise NotFound("repairs.error.no_handler", name=str(staff_id))
        elif company_id is not None:
            company = await RepairCompany.get_or_none(id=company_id, active=True)
            if company is None:
                raise NotFound("repairs.error.no_handler", name=str(company_id))
        else:
            raise InvalidInput("repairs.error.no_handler", name="")
        now = clock.now()
        repair.handler, repair.company, repair.assigned_by = handler, company, actor  # type: ignore[assignment]
        repair.status, repair.assigned_at, repair.accepted_at = RepairStatus.ASSIGNED, now, None
        await repair.save()
        name = handler.name if handler else company.name  # type: ignore[union-attr]
        event = await _event(repair, actor, "assign", name)
        for worker_id in worker_ids(repair):
            worker = await Staff.get(id=worker_id)
            await outbox.emit_to_staff(worker, JOB, {"repair_id": repair.id, "for": worker.id},
                                       f"repairs.job:{repair.id}:{event.id}")
            for n, _ in enumerate(repair.photos):
                await outbox.emit_to_staff(worker, PHOTO, {"repair_id": repair.id, "n": n},
                                           f"repairs.photo:{repair.id}:{n}:{event.id}")
        await _tell(repair, event, repair.reporter_id)  # type: ignore[attr-defined]
        await _refresh(repair, f"a{event.id}")
    return repair


async def assign_by_name(actor: Staff, repair_id: int, name: str) -> Repair:
    """Assign to whoever the office typed: an outside company, or a staff member."""
    company = await places.find_company(name)
    if company is not None:
        return await assign(actor, repair_id, company_id=company.id)
    try:
        person = await approvals.find_person(name)
    except NotFound:
        raise NotFound("repairs.error.no_handler", name=name.strip()[:32]) from None
    return await assign(actor, repair_id, staff_id=person.id)


async def accept(actor: Staff, repair_id: int) -> Repair:
    async with in_transaction():
        repair = await _handler_locks(repair_id, actor, RepairStatus.ASSIGNED)
        repair.status, repair.accepted_at = RepairStatus.IN_PROGRESS, clock.now()
        await repair.save()
        event = await _event(repair, actor, "accept")
        await _tell(repair, event, repair.reporter_id)  # type: ignore[attr-defined]
        await _refresh(repair, f"e{event.id}")
    return repair


async def decline(actor: Staff, repair_id: int, reason: str) -> Repair:
    """The handler gives the repair back to the office (it is assigned again)."""
    reason = _text(reason, "repairs.error.reason_missing")
    async with in_transaction():
        repair = await _handler_locks(repair_id, actor, RepairStatus.ASSIGNED,
                                      RepairStatus.IN_PROGRESS)
        repair.status = RepairStatus.REPORTED
        repair.handler = repair.company = None  # type: ignore[assignment]
        await repair.save()
        event = await _event(repair, actor, "decline", reason)
        await _to_office(NEWS, {"event_id": event.id}, f"repairs.news:{event.id}")
        await _refresh(repair, f"e{event.id}")
    return repair


def _text(value: str, code: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInput(code)
    if len(value) > MAX_TEXT:
        raise InvalidInput("repairs.error.too_long", limit=MAX_TEXT)
    return value


async def progress(actor: Staff, repair_id: int, note: str) -> Repair:
    note = _text(note, "repairs.error.note_missing")
    async with in_transaction():
        repair = await _handler_locks(repair_id, actor, RepairStatus.IN_PROGRESS,
                                      RepairStatus.APPROVAL)
        event = await _event(repair, actor, "progress", note)
        await _tell(repair, event, repair.reporter_id)  # type: ignore[attr-defined]
    return repair


async def work_photo(actor: Staff, prompt: RepairPrompt, file_id: str, caption: str
                     ) -> Repair:
    """Keep the handler's photo of the work as a progress entry the reporter sees."""
    async with in_transaction():
        repair = await _handler_locks(prompt.repair_id, actor)  # type: ignore[attr-defined]
        event = await _event(repair, actor, "photo", caption, file_id=file_id)
        await _tell(repair, event, repair.reporter_id)  # type: ignore[attr-defined]
    return repair


def read_amount(text: str) -> tuple[Decimal | None, str]:
    """The cost in a line such as 更换灯泡 费用350元, and the words without it."""
    text = " ".join((text or "").split())
    labelled = _COST_WORDS.search(text)
    matches = list(_AMOUNT.finditer(text, labelled.end() if labelled else 0))
    money = [m for m in matches if m[3]] or ([matches[0]] if labelled and matches else []) or (
        [matches[-1]] if matches and matches[-1].end() == len(text) else [])
    if not money:
        return None, text
    match = money[-1]
    try:
        value = Decimal(match[2].replace(",", ""))
    except InvalidOperation:
        return None, text
    if match[3] == "万元":
        value *= 10000
    if match[1]:
        raise InvalidInput("repairs.error.cost_negative")
    if value > MAX_COST:
        raise InvalidInput("repairs.error.cost_huge", limit=str(MAX_COST))
    start = labelled.start() if labelled and labelled.end() <= match.start() else match.start()
    rest = (text[:start] + text[match.end():]).strip(" ，,。;；")
    return value.quantize(Decimal("0.01")), rest


async def estimate(actor: Staff, repair_id: int, text: str) -> Repair:
    """The handler's estimate before the work; above the threshold it goes to approval."""
    amount, note = read_amount(text)
    if amount is None:
        raise InvalidInput("repairs.error.estimate_missing")
    async with in_transaction():
        repair = await _handler_locks(repair_id, actor, RepairStatus.IN_PROGRESS)
        repair.estimate = amount
        event = await _event(repair, actor, "estimate", note, amount)
        if amount > RULES.threshold and (repair.approved_amount is None
                                         or amount > repair.approved_amount):
            await _ask_approval(repair, actor, amount, note, "estimate")
        else:
            await repair.save()
            await _tell(repair, event, repair.reporter_id)  # type: ignore[attr-defined]
        await _refresh(repair, f"e{event.id}")
    return repair


async def finish(actor: Staff, repair_id: int, text: str) -> Repair:
    """The handler closes the work with what was done and its cost (0 when none).

    A cost above the threshold that no approval covers goes to approval first; the reporter
    is asked to confirm once it is approved.
    """
    cost, work = read_amount(text)
    if cost is None:
        raise InvalidInput("repairs.error.cost_missing")
    work = _text(work, "repairs.error.work_missing")
    async with in_transaction():
        repair = await _handler_locks(repair_id, actor, RepairStatus.IN_PROGRESS)
        repair.work_done, repair.cost = work, cost
        if cost > RULES.threshold and (repair.approved_amount is None
                                       or cost > repair.approved_amount):
            await _event(repair, actor, "finish", work, cost)
            await _ask_approval(repair, actor, cost, work, "cost")
            await _refresh(repair, f"f{repair.id}-{cost}")
            return repair
        await _done(repair, actor)
    return repair


async def _ask_approval(repair: Repair, actor: Staff, amount: Decimal, note: str,
                        what: str) -> None:
    repair.status = RepairStatus.APPROVAL
    await repair.save()
    await repair.fetch_related("place")
    place = repair.place.name if repair.place else ""
    details = [("repairs.detail.place", place), ("repairs.detail.fault", repair.description),
               (f"repairs.detail.{what}", note or "—")]
    approval = await approvals.submit(KIND, repair.id, actor,
                                      title=f"{place} · {repair.description}"[:200],
                                      details=details, amount=amount)
    repair.approval_request_id = approval.id
    await repair.save(update_fields=["approval_request_id"])


async def _done(repair: Repair, actor: Staff | None) -> None:
    repair.status, repair.done_at = RepairStatus.DONE, clock.now()
    await repair.save()
    event = await _event(repair, actor, "done", repair.work_done, repair.cost)
    reporter = await Staff.get(id=repair.reporter_id)  # type: ignore[attr-defined]
    await outbox.emit_to_staff(reporter, CONFIRM, {"repair_id": repair.id},
                               f"repairs.confirm:{repair.id}:{event.id}")
    await _refresh(repair, f"e{event.id}")


async def on_outcome(subject_id: int, outcome: str, approval: ApprovalRequest) -> None:
    """An approved cost closes the work (or lets it start); a refused one sends it back."""
    repair = await Repair.filter(id=subject_id).select_for_update().first()
    if repair is None or repair.status != RepairStatus.APPROVAL:
        return
    closing = repair.cost is not None and bool(repair.work_done)
    if outcome == "approved":
        repair.approved_amount = approval.amount
        event = await _event(repair, None, "approved", "", approval.amount)
        if closing:
            await _done(repair, None)
            return
        repair.status = RepairStatus.IN_PROGRESS
        await repair.save()
        await _tell(repair, event, *worker_ids(repair), repair.reporter_id)  # type: ignore[attr-defined]
    else:
        repair.status = RepairStatus.IN_PROGRESS
        if closing:
            repair.cost = None
        await repair.save()
        event = await _event(repair, None, "refused", outcome)
        await _tell(repair, event, *worker_ids(repair))
    await _refresh(repair, f"e{event.id}")


async def confirm(actor: Staff, repair_id: int, rating: int, note: str = "") -> Repair:
    """The reporter confirms the repair and rates it from 1 to 5."""
    if not 1 <= rating <= 5:
        raise InvalidInput("repairs.error.bad_rating", value=rating)
    note = " ".join(note.split())[:200]
    async with in_transaction():
        repair = await _locked(repair_id)
        if repair.reporter_id != actor.id:  # type: ignore[attr-defined]
            raise NotAllowed("repairs.error.not_reporter")
        if repair.status == RepairStatus.CONFIRMED:
            raise StaleAction("repairs.error.already_confirmed", id=repair.id,
                              rating=repair.rating)
        _expect(repair, RepairStatus.DONE)
        repair.status, repair.confirmed_at = RepairStatus.CONFIRMED, clock.now()
        repair.rating, repair.rating_note = rating, note
        await repair.save()
        event = await _event(repair, actor, "confirm", note, Decimal(rating))
        await _reporter_said(repair, event)
    return repair


async def _reporter_said(repair: Repair, event: RepairEvent) -> None:
    """The handler hears the reporter's word; the reporter's card and the others are updated."""
    await _tell(repair, event, *worker_ids(repair))
    await outbox.edit_sent(CONFIRM, f"repairs.confirm:{repair.id}:", {"repair_id": repair.id},
                           f"e{event.id}")
    await _refresh(repair, f"e{event.id}")


async def reopen(actor: Staff, repair_id: int, reason: str) -> Repair:
    """The reporter says it is not fixed: back to the handler with the reason."""
    reason = _text(reason, "repairs.error.reason_missing")
    async with in_transaction():
        repair = await _locked(repair_id)
        if repair.reporter_id != actor.id:  # type: ignore[attr-defined]
            raise NotAllowed("repairs.error.not_reporter")
        _expect(repair, RepairStatus.DONE)
        repair.status, repair.done_at = RepairStatus.IN_PROGRESS, None
        await repair.save()
        event = await _event(repair, actor, "reopen", reason)
        await _reporter_said(repair, event)
    return repair


async def cancel(actor: Staff, repair_id: int, reason: str) -> Repair:
    """The reporter withdraws a report, or the office closes one (with a reason)."""
    reason = _text(reason, "repairs.error.reason_missing")
    async with in_transaction():
        repair = await _locked(repair_id)
        if repair.reporter_id != actor.id and not is_office(actor):  # type: ignore[attr-defined]
            raise NotAllowed("repairs.error.not_reporter")
        _expect(repair, *OPEN)
        if repair.status == RepairStatus.APPROVAL:
            await approvals.withdraw(KIND, repair.id, actor)
        repair.status = RepairStatus.CANCELLED
        await repair.save()
        event = await _event(repair, actor, "cancel", reason)
        await _tell(repair, event, repair.reporter_id, *worker_ids(repair))  # type: ignore[attr-defined]
        await _refresh(repair, f"e{event.id}")
    return repair


# ---------------------------------------------------------------------------- prompts


async def ask(actor: Staff, repair_id: int, what: str) -> Repair:
    """Wait for the person to type what this button asks (progress, the cost, a reason…)."""
    repair = await get(repair_id)
    if what in ("progress", "estimate", "done", "decline"):
        if not may_work(repair, actor):
            raise NotAllowed("repairs.error.not_handler")
        allowed = {"progress": (RepairStatus.IN_PROGRESS, RepairStatus.APPROVAL),
                   "estimate": (RepairStatus.IN_PROGRESS,), "done": (RepairStatus.IN_PROGRESS,),
                   "decline": (RepairStatus.ASSIGNED, RepairStatus.IN_PROGRESS)}[what]
        _expect(repair, *allowed)
    elif what == "reopen":
        if repair.reporter_id != actor.id:  # type: ignore[attr-defined]
            raise NotAllowed("repairs.error.not_reporter")
        _expect(repair, RepairStatus.DONE)
    elif what == "cancel":
        if repair.reporter_id != actor.id and not is_office(actor):  # type: ignore[attr-defined]
            raise NotAllowed("repairs.error.not_reporter")
        _expect(repair, *OPEN)
    elif what == "assign":
        if not is_office(actor):
            raise NotAllowed("repairs.error.office_only")
        _expect(repair, RepairStatus.REPORTED, RepairStatus.ASSIGNED, RepairStatus.IN_PROGRESS)
    else:
        raise InvalidInput("error.bad_button")
    await _prompt(actor, repair, what)
    return repair


async def answer(actor: Staff, prompt: RepairPrompt, text: str) -> Repair:
    """Apply what the person typed to the question they were asked."""
    repair_id: int = prompt.repair_id  # type: ignore[attr-defined]
    what = prompt.what
    if what in ("place", "description"):
        repair = await _draft(actor, repair_id)
        if what == "description":
            repair.description = _text(text, "repairs.error.description_missing")
        else:
            await _apply(repair, text, as_place=True)
        return await _ask_next(actor, repair)
    handlers = {"progress": progress, "estimate": estimate, "done": finish, "reopen": reopen,
                "decline": decline, "cancel": cancel, "assign": assign_by_name}
    if what not in handlers:
        raise StaleAction()
    repair = await handlers[what](actor, repair_id, text)
    await clear_prompt(actor)
    return repair


# ---------------------------------------------------------------------------- chasing


def _chase_due(repair: Repair, now: datetime) -> bool:
    if repair.due_at is None or repair.due_at > now:
        return False
    if repair.last_chased_at is None:
        return True
    if repair.urgency == Urgency.URGENT:
        return now - repair.last_chased_at >= timedelta(hours=RULES.urgent_hours)
    waited = workdays.working_seconds_between(repair.last_chased_at, now, RULES.tz) / 3600
    return waited >= workday_hours()


async def chase(now: datetime) -> int:
    """Chase overdue repairs: the handler (the office while unassigned), and the office group;
    again every urgent limit or every workday while they stay overdue."""
    count = 0
    due = await Repair.filter(status__in=[RepairStatus.REPORTED, RepairStatus.ASSIGNED,
                                          RepairStatus.IN_PROGRESS], due_at__lte=now)
    for repair in due:
        if not _chase_due(repair, now):
            continue
        async with in_transaction():
            claimed = await Repair.filter(id=repair.id, chase_count=repair.chase_count).update(
                chase_count=repair.chase_count + 1, last_chased_at=now)
            if not claimed:
                continue
            n = repair.chase_count + 1
            late = int((now - repair.due_at).total_seconds() // 60)  # type: ignore[operator]
            event = await _event(repair, None, "chase", str(n))
            payload = {"repair_id": repair.id, "n": n, "late_minutes": late,
                       "event_id": event.id}
            for worker in await Staff.filter(id__in=worker_ids(repair), active=True):
                await outbox.emit_to_staff(worker, OVERDUE, payload,
                                           f"repairs.overdue:{repair.id}:{n}")
            await _to_office(OVERDUE, payload, f"repairs.overdue:{repair.id}:{n}")
            count += 1
    return count


async def check_one_of(repair: Repair, actor: Staff) -> None:
    """Refuse a person who has nothing to do with this repair."""
    if is_office(actor) or actor.id in (repair.reporter_id, *worker_ids(repair)):  # type: ignore[attr-defined]
        return
    raise NotAllowed("repairs.error.not_yours")

