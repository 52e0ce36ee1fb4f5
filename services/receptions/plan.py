"""Planning a reception: the guided questions, edits, the rule checks, submission, cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.receptions import Reception, ReceptionStatus
from services import clock
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.receptions import events, parsing, ports
from services.receptions.rules import Breach, Rules, check
from services.staff import require_role
from services.timeparse import parse_time

#: The questions of a plan, in the order they are asked.
STEPS = (
    "time", "unit", "letter", "guest_count", "head", "guests", "purpose", "leader",
    "accompany", "itinerary", "room", "meals", "accommodation",
)  # fmt: skip
#: Statuses in which the plan may still be changed (and submitted again).
EDITABLE = (ReceptionStatus.DRAFT, ReceptionStatus.REJECTED, ReceptionStatus.WITHDRAWN)
#: An open question older than this no longer captures what the planner types (so a later
#: plain-text room booking is not read as a reception answer); /reception opens it again.
QUESTION_TTL = timedelta(minutes=30)
#: Who may plan receptions.
PLANNERS = (Role.OFFICE, Role.LEADER)
DEFAULT_LENGTH = timedelta(hours=2)


class ChecksFailed(InvalidInput):
    """The plan breaks one or more reception rules; `breaches` says which and by how much."""

    code = "receptions.error.checks_failed"


@dataclass(frozen=True)
class Answer:
    """What the planner sent: text, or a file (photo/document) with its bytes when needed."""

    text: str = ""
    file_id: str = ""
    file_name: str = ""
    content: bytes | None = None


def may_change(staff: Staff, reception: Reception) -> bool:
    """Tell whether this person may change the plan (its planner, the office, admins)."""
    return (
        staff.role in (Role.ADMIN, Role.OFFICE)
        or reception.created_by_id == staff.id  # type: ignore[attr-defined]
    )


async def get(reception_id: int) -> Reception:
    """Return the reception or raise NotFound."""
    found = await Reception.get_or_none(id=reception_id).prefetch_related(
        "host_leader", "created_by"
    )
    if found is None:
        raise NotFound("receptions.error.not_found", id=reception_id)
    return found


async def _locked(staff: Staff, reception_id: int, *, editable: bool = True) -> Reception:
    found = await Reception.filter(id=reception_id).select_for_update().first()
    if found is None:
        raise NotFound("receptions.error.not_found", id=reception_id)
    if not may_change(staff, found):
        raise NotAllowed("receptions.error.not_yours")
    if editable and found.status not in EDITABLE:
        raise StaleAction("receptions.error.not_editable", status=found.status.value)
    return found


async def start_or_resume(staff: Staff) -> Reception:
    """Continue this person's unfinished plan, or start a new one at the first question."""
    require_role(staff, *PLANNERS)
    now = clock.now()
    async with in_transaction():
        draft = (
            await Reception.filter(created_by_id=staff.id, status=ReceptionStatus.DRAFT)
            .order_by("-updated_at")
            .select_for_update()
            .first()
        )
        if draft is None:
            return await Reception.create(
                created_by=staff, step=STEPS[0], step_at=now, created_at=now, updated_at=now
            )
        if draft.step is None:
            missing = _first_unanswered(draft)
            draft.step, draft.editing = missing, False
        draft.step_at = now
        await draft.save(update_fields=["step", "step_at", "editing"])
        return draft


def _first_unanswered(reception: Reception) -> str | None:
    answered = {
        "time": reception.start is not None,
        "unit": bool(reception.unit),
        "letter": True,
        "guest_count": reception.guest_count is not None,
        "head": bool(reception.head_name),
        "guests": bool(reception.guests),
        "purpose": bool(reception.purpose),
        "leader": reception.host_leader_id is not None,  # type: ignore[attr-defined]
        "accompany": True,
        "itinerary": True,
        "room": reception.room_decided,
        "meals": reception.meals is not None,
        "accommodation": reception.accommodation is not None,
    }
    return next((step for step in STEPS if not answered[step]), None)


async def open_question(staff: Staff) -> Reception | None:
    """Return the plan whose question this person is answering now, if any."""
    since = clock.now() - QUESTION_TTL
    return (
        await Reception.filter(
            created_by_id=staff.id, step__isnull=False, step_at__gte=since,
            status__in=[*EDITABLE, ReceptionStatus.APPROVED],
        )
        .order_by("-step_at")
        .first()
    )


async def answer(staff: Staff, reception_id: int, answer: Answer, *, rules: Rules,
                 tz: str) -> Reception:
    """Record the answer to the open question and move to the next one (or the summary)."""
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id)
        step = reception.step
        if step is None or step not in STEPS:
            raise StaleAction("receptions.error.no_question")
        next_step = await _apply(reception, step, answer, rules=rules, tz=tz, now=now)
        reception.step = next_step
        reception.step_at = now if next_step else None
        if next_step is None:
            reception.editing = False
        reception.updated_at = now
        await reception.save()
        return reception


def _following(reception: Reception, step: str) -> str | None:
    if reception.editing:
        return None
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


async def _apply(reception: Reception, step: str, given: Answer, *, rules: Rules, tz: str,
                 now: datetime) -> str | None:
    """Validate one answer into the reception; return the next question (None: summary)."""
    text = parsing.normalise(given.text)
    if step == "letter":
        if given.file_id:
            reception.letter_file_id = given.file_id[:255]
            if text and not parsing.is_none(text):
                reception.letter_no = text[:64]
        elif not text:
            raise InvalidInput("receptions.error.empty")
        elif parsing.is_none(text):
            reception.letter_no, reception.letter_file_id = "", ""
        else:
            reception.letter_no = _short(text, 64)
        return _following(reception, step)
    if step == "guests" and given.content is not None:
        reception.guests = parsing.guest_file(given.file_name, given.content, rules.max_guests)
        return _following(reception, step)
    if given.file_id and step != "letter":
        raise InvalidInput("receptions.error.file_not_expected")
    if not text:
        raise InvalidInput("receptions.error.empty")
    if step == "time":
        await _set_time(reception, text, now, tz)
        if reception.editing and reception.room_decided is False:
            return "room"
        return _following(reception, step)
    if step == "unit":
        reception.unit = _short(text, 128)
    elif step == "guest_count":
        count = parsing.whole_number(text, "receptions.error.count_format")
        if count < 1:
            raise InvalidInput("receptions.error.count_zero")
        if count > rules.max_guests:
            raise InvalidInput("receptions.error.count_too_big", value=count,
                               limit=rules.max_guests)
        reception.guest_count = count
    elif step == "head":
        pair = parsing.name_and_title(text)
        if pair is None:
            raise InvalidInput("receptions.error.head_format")
        reception.head_name, reception.head_title = pair
    elif step == "guests":
        reception.guests = parsing.guest_lines(text, rules.max_guests)
    elif step == "purpose":
        reception.purpose = _short(text, 500)
    elif step == "leader":
        reception.host_leader = await _leader_by_name(text)  # type: ignore[assignment]
    elif step == "accompany":
        reception.accompany = [] if parsing.is_none(text) else parsing.names(text)
    elif step == "itinerary":
        reception.itinerary = [] if parsing.is_none(text) else parsing.itinerary(text)
    elif step == "room":
        if not parsing.is_none(text):
            raise InvalidInput("receptions.error.room_use_buttons")
        await _release_room(None, reception)
        reception.room_decided = True
    elif step == "meals":
        _set_meals(reception, text)
    elif step == "accommodation":
        reception.accommodation = "" if parsing.is_none(text) else _short(text, 255)
    else:
        raise StaleAction("receptions.error.no_question")
    return _following(reception, step)


def _short(text: str, limit: int) -> str:
    if len(text) > limit:
        raise InvalidInput("error.too_long", limit=limit)
    return text


async def _set_time(reception: Reception, text: str, now: datetime, tz: str) -> None:
    parsed = parse_time(text, now, tz=tz)
    if parsed.status == "none" or parsed.start is None:
        if parsed.status == "ask" and parsed.question:
            raise InvalidInput("receptions.error.time_ask", question=parsed.question,
                               question_params=dict(parsed.question_params))
        raise InvalidInput("receptions.error.time_none", text=text[:40])
    if parsed.status == "ask" and parsed.question:
        raise InvalidInput("receptions.error.time_ask", question=parsed.question,
                           question_params=dict(parsed.question_params))
    if parsed.grain not in ("minute", "hour") or parsed.recurrence:
        raise InvalidInput("receptions.error.time_need_clock", text=text[:40])
    start = parsed.start
    end = parsed.end or start + (parsed.duration or DEFAULT_LENGTH)
    if start <= now:
        raise InvalidInput("receptions.error.time_past")
    if end <= start or end - start > timedelta(days=7):
        raise InvalidInput("receptions.error.time_length")
    if (reception.start, reception.end) != (start, end) and reception.room_booking_id:
        # The room was held for the old time: let go of it and ask for a room again.
        await _release_room(None, reception)
        reception.room_decided = False
    reception.start, reception.end = start, end


def _set_meals(reception: Reception, text: str) -> None:
    if parsing.is_none(text):
        reception.meals, reception.guest_diners, reception.staff_diners = 0, 0, 0
        reception.meal_standard = Decimal(0)
        return
    found = parsing.numbers(text)
    if len(found) != 4 or any(n != int(n) for n in found[:3]):
        raise InvalidInput("receptions.error.meals_format")
    meals, guests, staff, standard = int(found[0]), int(found[1]), int(found[2]), found[3]
    if meals == 0:
        reception.meals, reception.guest_diners, reception.staff_diners = 0, 0, 0
        reception.meal_standard = Decimal(0)
        return
    if meals > 10:
        raise InvalidInput("receptions.error.meals_range", value=meals)
    invited = reception.guest_count or 0
    if guests > invited:
        raise InvalidInput("receptions.error.guest_diners_over", diners=guests, guests=invited)
    hosts = len(reception.accompany) + 1  # the accompanying staff and the host leader
    if staff > hosts:
        raise InvalidInput("receptions.error.staff_diners_over", diners=staff, hosts=hosts)
    if guests + staff == 0:
        raise InvalidInput("receptions.error.no_diners")
    if standard <= 0 or standard > 10000:
        raise InvalidInput("receptions.error.standard_range", value=str(standard))
    reception.meals, reception.guest_diners, reception.staff_diners = meals, guests, staff
    reception.meal_standard = standard.quantize(Decimal("0.01"))


async def leaders() -> list[Staff]:
    """Return the leaders a reception may be hosted by."""
    return list(await Staff.filter(role=Role.LEADER, active=True).order_by("id"))


async def _leader_by_name(text: str) -> Staff:
    chosen = await Staff.filter(role=Role.LEADER, active=True, name=text).first()
    if chosen is None:
        names = "、".join(s.name for s in await leaders()) or "—"
        raise InvalidInput("receptions.error.leader_unknown", name=text[:20], names=names)
    return chosen


async def choose_leader(staff: Staff, reception_id: int, leader_id: int) -> Reception:
    """Make this leader the host of the plan (a button on the leader question)."""
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id)
        if reception.step != "leader":
            raise StaleAction("receptions.error.question_moved")
        leader = await Staff.get_or_none(id=leader_id, role=Role.LEADER, active=True)
        if leader is None:
            raise NotFound("receptions.error.leader_gone")
        reception.host_leader = leader  # type: ignore[assignment]
        reception.step = _following(reception, "leader")
        reception.step_at = now if reception.step else None
        reception.updated_at = now
        await reception.save()
        return reception


async def free_rooms(reception: Reception) -> list[tuple[int, str]]:
    """Return (room id, name) of the rooms free for the whole reception."""
    if reception.start is None or reception.end is None:
        return []
    planner = await Staff.get(id=reception.created_by_id)  # type: ignore[attr-defined]
    attendees = (reception.guest_count or 0) + len(reception.accompany) + 1
    return await ports.free_rooms(planner, reception.start, reception.end, attendees)


async def choose_room(staff: Staff, reception_id: int, room_id: int | None) -> Reception:
    """Book the room for the reception's time (None: no room needed); a taken room is refused."""
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id)
        if reception.step != "room":
            raise StaleAction("receptions.error.question_moved")
        if reception.start is None or reception.end is None:
            raise InvalidInput("receptions.error.time_first")
        await _release_room(staff, reception)
        if room_id is not None:
            booking_id, room_name = await ports.book_room(
                staff, room_id, reception.start, reception.end,
                title=f"公务接待：{reception.unit}"[:128],
                attendees=(reception.guest_count or 0) + len(reception.accompany) + 1,
            )
            reception.room_booking_id, reception.room_name = booking_id, room_name
        reception.room_decided = True
        reception.step = _following(reception, "room")
        reception.step_at = now if reception.step else None
        reception.updated_at = now
        await reception.save()
        return reception


async def _release_room(staff: Staff | None, reception: Reception) -> None:
    if reception.room_booking_id is not None:
        planner = staff or await Staff.get(id=reception.created_by_id)  # type: ignore[attr-defined]
        await ports.release_room(planner, reception.room_booking_id)
    reception.room_booking_id, reception.room_name = None, ""


async def edit(staff: Staff, reception_id: int, step: str) -> Reception:
    """Reopen one question of the plan; after the answer the summary comes back."""
    if step not in STEPS:
        raise InvalidInput("receptions.error.bad_field")
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id)
        if reception.status != ReceptionStatus.DRAFT:
            reception.status = ReceptionStatus.DRAFT
        reception.step, reception.step_at, reception.editing = step, now, True
        reception.updated_at = now
        await reception.save()
        return reception


def checks(reception: Reception, rules: Rules) -> list[Breach]:
    """Check the plan against the rules (for the summary card)."""
    return check(reception, rules)


async def submit(staff: Staff, reception_id: int, rules: Rules,
                 tz: str = "Asia/Shanghai") -> Reception:
    """Send the plan for approval (公务接待审批单); refused with every failed rule check."""
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id)
        if reception.start is not None and reception.start <= now:
            raise InvalidInput("receptions.error.time_past")
        breaches = check(reception, rules)
        if breaches:
            raise ChecksFailed(breaches=[(b.code, b.params) for b in breaches])
        reception.status = ReceptionStatus.SUBMITTED
        reception.step, reception.step_at, reception.editing = None, None, False
        reception.submitted_at = reception.updated_at = now
        await reception.save()
        reception.approval_request_id = await ports.submit_for_approval(staff, reception, tz)
        await reception.save(update_fields=["approval_request_id"])
        return reception


async def cancel(staff: Staff, reception_id: int) -> Reception:
    """Call the reception off: the room is released and a pending approval withdrawn."""
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id, editable=False)
        if reception.status in (ReceptionStatus.CANCELLED, ReceptionStatus.COMPLETED):
            raise StaleAction("receptions.error.not_editable", status=reception.status.value)
        announced = reception.status in (ReceptionStatus.SUBMITTED, ReceptionStatus.APPROVED)
        if reception.status == ReceptionStatus.SUBMITTED:
            await ports.withdraw_approval(staff, reception.id)
        await _release_room(staff, reception)
        if announced:  # the host leader and the office already know of it: tell them
            await events.tell(reception, "receptions.cancelled",
                              {"reception_id": reception.id, "by": staff.name},
                              f"receptions:cancelled:{reception.id}")
        reception.status = ReceptionStatus.CANCELLED
        reception.step, reception.step_at, reception.editing = None, None, False
        reception.updated_at = now
        await reception.save()
        return reception
