"""A booked meeting's notice: who is invited, agenda, materials, preparation; sending it, and
following its booking when the time or room changes or it is cancelled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.core import Staff
from models.meetings import (
    Invitation,
    InviteList,
    MeetingFile,
    MeetingNotice,
    MeetingPrompt,
    NoticeStatus,
    Reply,
)
from models.rooms import HOLDING, Booking, Room
from services import clock, outbox
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.rooms.hooks import Before
from services.staff import OFFICE_ROLES

INVITE, STATUS, MATERIAL = "meetings.invite", "meetings.status", "meetings.material"
CHANGED, CANCELLED = "meetings.changed", "meetings.cancelled"
MAX_INVITEES = 500
MAX_FILES = 10
MAX_AGENDA = 2000
MAX_NOTE = 500
PROMPT_TTL = timedelta(hours=12)
EVERYONE = ("全体", "所有人", "全员", "everyone", "all")
_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass
class MeetingRules:
    """When attendees are reminded, when non-repliers are reminded, and the office's zone."""

    remind_minutes: int = 30
    nudge_hours: float = 4.0
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


RULES = MeetingRules()


def configure(*, remind_minutes: int = 30, nudge_hours: float = 4.0,
              tz: str = "Asia/Shanghai") -> MeetingRules:
    RULES.remind_minutes = max(1, int(remind_minutes))
    RULES.nudge_hours = max(0.25, float(nudge_hours))
    RULES.tz = ZoneInfo(tz)
    return RULES


@dataclass
class Added:
    """What a line of names added: the people, the words that named nobody, those already in."""

    added: list[Staff] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- reading


async def get(notice_id: int) -> MeetingNotice:
    found = await MeetingNotice.get_or_none(id=notice_id).prefetch_related(
        "booking__room", "organiser") if 0 < notice_id < 2**31 else None
    if found is None:
        raise NotFound("meetings.error.no_notice", id=notice_id)
    return found


async def invitations(notice_id: int) -> list[Invitation]:
    return list(await Invitation.filter(notice_id=notice_id).order_by("id")
                .prefetch_related("staff", "delegate", "checked_in_by"))


async def files(notice_id: int) -> list[MeetingFile]:
    return list(await MeetingFile.filter(notice_id=notice_id).order_by("id"))


def is_over(booking: Booking, now: datetime) -> bool:
    return booking.end_at <= now


def may_manage(notice: MeetingNotice, actor: Staff) -> bool:
    return notice.organiser_id == actor.id or actor.role in OFFICE_ROLES  # type: ignore[attr-defined]


async def _managed(notice_id: int, actor: Staff, *, lock: bool = False) -> MeetingNotice:
    query = MeetingNotice.filter(id=notice_id)
    if lock:
        query = query.select_for_update()
    notice = await query.first()
    if notice is None:
        raise NotFound("meetings.error.no_notice", id=notice_id)
    if not may_manage(notice, actor):
        raise NotAllowed("meetings.error.not_organiser")
    if notice.status == NoticeStatus.CANCELLED:
        raise StaleAction("meetings.error.cancelled")
    return notice


async def _booking(notice: MeetingNotice) -> Booking:
    return await Booking.get(id=notice.booking_id).prefetch_related("room")  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- composing


async def open_for_booking(actor: Staff, booking_id: int) -> MeetingNotice:
    """The booking's notice (a new draft the first time); only its organiser or the office."""
    booking = await Booking.get_or_none(id=booking_id) if 0 < booking_id < 2**31 else None
    if booking is None:
        raise NotFound("meetings.error.no_booking", id=booking_id)
    if booking.organiser_id != actor.id and actor.role not in OFFICE_ROLES:  # type: ignore[attr-defined]
        raise NotAllowed("meetings.error.not_organiser")
    notice = await MeetingNotice.get_or_none(booking_id=booking.id)
    if notice is not None and notice.status != NoticeStatus.DRAFT:
        return notice
    if booking.status not in HOLDING:
        raise StaleAction("meetings.error.booking_gone", id=booking.id)
    if is_over(booking, clock.now()):
        raise StaleAction("meetings.error.over")
    if notice is None:
        notice = await MeetingNotice.create(booking=booking, organiser_id=booking.organiser_id,  # type: ignore[attr-defined]
                                            created_at=clock.now())
    return notice


async def _people_for(word: str) -> list[Staff]:
    """Whoever a word names: everyone, a department, a list the office keeps, one person."""
    active = Staff.filter(active=True)
    if word.lower() in EVERYONE:
        return list(await active.order_by("department", "id"))
    by_department = await active.filter(department=word).order_by("id")
    if by_department:
        return list(by_department)
    listed = await InviteList.get_or_none(name=word)
    if listed is not None:
        return list(await active.filter(id__in=listed.members).order_by("department", "id"))
    if word.startswith("@"):
        return list(await active.filter(username=word[1:]))
    people = await active.filter(name=word)
    return list(people) if len(people) == 1 else []


async def add_invitees(actor: Staff, notice_id: int, text: str) -> Added:
    """Invite the people a line names (names, @usernames, departments, lists, 全体);
    a word with a minus in front (-刘工) takes that person off a draft."""
    result = Added()
    words = [w for w in _SPLIT.split(text or "") if w][:100]
    if not words:
        raise InvalidInput("meetings.error.no_names")
    async with in_transaction():
        notice = await _managed(notice_id, actor, lock=True)
        for word in words:
            if word.startswith(("-", "－")) and len(word) > 1:
                result.removed += await _remove(notice, word[1:])
                continue
            people = await _people_for(word[:64])
            if not people:
                result.unknown.append(word[:32])
                continue
            for person in people:
                await _invite(notice, person, result)
        if result.added or result.removed:
            await refresh_status(notice, f"i{len(result.added)}-{clock.now().timestamp():.0f}")
    return result


async def add_group(actor: Staff, notice_id: int, *, department: str = "",
                    list_id: int | None = None) -> Added:
    """Invite a whole department or a list (the composer's buttons)."""
    result = Added()
    async with in_transaction():
        notice = await _managed(notice_id, actor, lock=True)
        if list_id is not None:
            listed = await InviteList.get_or_none(id=list_id)
            if listed is None:
                raise NotFound("meetings.error.no_list", name=str(list_id))
            people = await Staff.filter(active=True, id__in=listed.members).order_by("id")
        else:
            people = await Staff.filter(active=True, department=department).order_by("id")
        for person in people:
            await _invite(notice, person, result)
        if result.added:
            await refresh_status(notice, f"g{len(result.added)}-{clock.now().timestamp():.0f}")
    return result


async def _invite(notice: MeetingNotice, person: Staff, result: Added) -> None:
    if person.id == notice.organiser_id:  # type: ignore[attr-defined]
        return  # the organiser hosts the meeting: no card for themselves
    if await Invitation.exists(notice_id=notice.id, staff_id=person.id):
        result.already.append(person.name)
        return
    if await Invitation.filter(notice_id=notice.id).count() >= MAX_INVITEES:
        raise InvalidInput("meetings.error.too_many", limit=MAX_INVITEES)
    invitation = await Invitation.create(notice=notice, staff=person, created_at=clock.now())
    result.added.append(person)
    if notice.status == NoticeStatus.SENT:
        await _send_card(notice, invitation, person)


async def _remove(notice: MeetingNotice, word: str) -> list[str]:
    if notice.status != NoticeStatus.DRAFT:
        raise StaleAction("meetings.error.sent_no_remove")
    people = await _people_for(word[:64])
    gone = []
    for person in people:
        if await Invitation.filter(notice_id=notice.id, staff_id=person.id).delete():
            gone.append(person.name)
    return gone


async def clear_invitees(actor: Staff, notice_id: int) -> MeetingNotice:
    notice = await _managed(notice_id, actor)
    if notice.status != NoticeStatus.DRAFT:
        raise StaleAction("meetings.error.sent_no_remove")
    await Invitation.filter(notice_id=notice.id).delete()
    return notice


async def set_text(actor: Staff, notice_id: int, what: str, text: str) -> MeetingNotice:
    """Set the agenda or the preparation note (an empty one or 无 clears it)."""
    notice = await _managed(notice_id, actor)
    text = (text or "").strip()
    if text in ("无", "没有", "none", "-"):
        text = ""
    limit = MAX_AGENDA if what == "agenda" else MAX_NOTE
    if len(text) > limit:
        raise InvalidInput("meetings.error.too_long", limit=limit)
    if what == "agenda":
        notice.agenda = text
    elif what == "preparation":
        notice.preparation = " ".join(text.split())
    else:
        raise InvalidInput("error.bad_button")
    await notice.save()
    await _refresh_sent(notice, f"t{clock.now().timestamp():.0f}")
    return notice


async def add_file(actor: Staff, notice_id: int, file_id: str, file_name: str) -> MeetingFile:
    """Add a file to the materials (sent with the invitations)."""
    notice = await _managed(notice_id, actor)
    if notice.status != NoticeStatus.DRAFT:
        raise StaleAction("meetings.error.sent_no_files")
    if await MeetingFile.filter(notice_id=notice.id).count() >= MAX_FILES:
        raise InvalidInput("meetings.error.too_many_files", limit=MAX_FILES)
    return await MeetingFile.create(notice=notice, file_id=file_id[:255],
                                    file_name=(file_name or "file")[:128], added_at=clock.now())


async def remove_files(actor: Staff, notice_id: int) -> int:
    notice = await _managed(notice_id, actor)
    if notice.status != NoticeStatus.DRAFT:
        raise StaleAction("meetings.error.sent_no_files")
    return await MeetingFile.filter(notice_id=notice.id).delete()


# ---------------------------------------------------------------------------- prompts


async def ask(actor: Staff, notice: MeetingNotice, what: str,
              invitation: Invitation | None = None) -> MeetingPrompt:
    await MeetingPrompt.filter(staff_id=actor.id).delete()
    return await MeetingPrompt.create(staff=actor, notice=notice, invitation=invitation,
                                      what=what, created_at=clock.now())


async def prompt_of(actor: Staff) -> MeetingPrompt | None:
    return await MeetingPrompt.get_or_none(
        staff_id=actor.id, created_at__gte=clock.now() - PROMPT_TTL)


async def clear_prompt(actor: Staff) -> None:
    await MeetingPrompt.filter(staff_id=actor.id).delete()


# ---------------------------------------------------------------------------- sending


async def send(actor: Staff, notice_id: int) -> MeetingNotice:
    """Send the notice: each invitee gets a card and the materials; the organiser a list of
    the replies that keeps itself up to date."""
    async with in_transaction():
        notice = await _managed(notice_id, actor, lock=True)
        if notice.status == NoticeStatus.SENT:
            raise StaleAction("meetings.error.already_sent")
        booking = await _booking(notice)
        if booking.status not in HOLDING:
            raise StaleAction("meetings.error.booking_gone", id=booking.id)
        if is_over(booking, clock.now()):
            raise StaleAction("meetings.error.over")
        invited = await Invitation.filter(notice_id=notice.id).prefetch_related("staff")
        if not invited:
            raise InvalidInput("meetings.error.nobody")
        notice.status, notice.sent_at = NoticeStatus.SENT, clock.now()
        notice.told_start, notice.told_end = booking.start_at, booking.end_at
        notice.told_room = booking.room.name
        await notice.save()
        for invitation in invited:
            await _send_card(notice, invitation, invitation.staff)
        organiser = await Staff.get(id=notice.organiser_id)  # type: ignore[attr-defined]
        await outbox.emit_to_staff(organiser, STATUS, {"notice_id": notice.id},
                                   f"mt.status:{notice.id}")
    return notice


async def _send_card(notice: MeetingNotice, invitation: Invitation, person: Staff) -> None:
    await outbox.emit_to_staff(person, INVITE, {"invitation_id": invitation.id},
                               f"mt.inv:{invitation.id}")
    for material in await MeetingFile.filter(notice_id=notice.id).order_by("id"):
        await outbox.emit_to_staff(person, MATERIAL, {"file_id": material.id},
                                   f"mt.mat:{invitation.id}:{material.id}")


async def _refresh_sent(notice: MeetingNotice, tag: str) -> None:
    """Edit every invitation card and the organiser's list (after a change of the notice)."""
    if notice.status == NoticeStatus.DRAFT:
        return
    for invitation_id in await Invitation.filter(notice_id=notice.id).values_list(
            "id", flat=True):
        await outbox.edit_sent(INVITE, f"mt.inv:{invitation_id}@", {}, tag)
    await refresh_status(notice, tag)


async def refresh_status(notice: MeetingNotice, tag: str) -> None:
    await outbox.edit_sent(STATUS, f"mt.status:{notice.id}@", {}, tag)


# ---------------------------------------------------------------------------- the booking moves


async def on_booking_change(booking: Booking, what: str, before: Before | None) -> None:
    """Push a change of time or room, or the cancellation, to everyone invited."""
    notice = await MeetingNotice.filter(booking_id=booking.id).select_for_update().first()
    if notice is None or notice.status == NoticeStatus.CANCELLED:
        return
    if what == "cancelled":
        sent = notice.status == NoticeStatus.SENT
        notice.status, notice.cancelled_at = NoticeStatus.CANCELLED, clock.now()
        await notice.save()
        if sent:
            await _push(notice, booking, CANCELLED, {}, f"c{booking.sequence}")
        return
    if notice.status != NoticeStatus.SENT or before is None:
        return
    room = await Room.get(id=booking.room_id)  # type: ignore[attr-defined]
    old: dict[str, Any] = {"old_start": (notice.told_start or before.start_at).isoformat(),
                           "old_end": (notice.told_end or before.end_at).isoformat(),
                           "old_room": notice.told_room}
    notice.told_start, notice.told_end, notice.told_room = (booking.start_at, booking.end_at,
                                                            room.name)
    await notice.save()
    await _push(notice, booking, CHANGED, old, f"m{booking.sequence}")


async def _push(notice: MeetingNotice, booking: Booking, kind: str, extra: dict[str, Any],
                tag: str) -> None:
    for invitation in await Invitation.filter(notice_id=notice.id).prefetch_related("staff"):
        await outbox.emit_to_staff(invitation.staff, kind,
                                   {"invitation_id": invitation.id, **extra},
                                   f"mt.{kind.split('.')[1]}:{invitation.id}:{booking.sequence}")
        await outbox.edit_sent(INVITE, f"mt.inv:{invitation.id}@", {}, tag)
    await refresh_status(notice, tag)


# ---------------------------------------------------------------------------- lists


async def lists() -> list[InviteList]:
    return list(await InviteList.all().order_by("name"))


async def save_list(actor: Staff, name: str, names: str) -> tuple[InviteList, list[str]]:
    """Keep a named list of people (the office); returns it and the words that named nobody."""
    if actor.role not in OFFICE_ROLES:
        raise NotAllowed("meetings.error.office_only")
    name = name.strip()
    if not name or len(name) > 32:
        raise InvalidInput("meetings.error.bad_list_name", value=name[:32])
    members: list[int] = []
    unknown = []
    for word in [w for w in _SPLIT.split(names or "") if w][:200]:
        people = await _people_for(word[:64])
        if not people:
            unknown.append(word[:32])
        members += [p.id for p in people if p.id not in members]
    if not members:
        raise InvalidInput("meetings.error.empty_list", unknown="、".join(unknown))
    async with in_transaction():
        found = await InviteList.filter(name=name).select_for_update().first()
        if found is None:
            found = await InviteList.create(name=name, members=members, updated_at=clock.now())
        else:
            found.members, found.updated_at = members, clock.now()
            await found.save()
    return found, unknown


async def drop_list(actor: Staff, name: str) -> None:
    if actor.role not in OFFICE_ROLES:
        raise NotAllowed("meetings.error.office_only")
    if not await InviteList.filter(name=name.strip()).delete():
        raise NotFound("meetings.error.no_list", name=name.strip()[:32])


async def departments() -> list[str]:
    """The departments staff belong to (for the composer's buttons), largest first."""
    counts: dict[str, int] = {}
    for dept in await Staff.filter(active=True).exclude(department="").values_list(
            "department", flat=True):
        counts[str(dept)] = counts.get(str(dept), 0) + 1
    return sorted(counts, key=lambda d: (-counts[d], d))


async def my_meetings(actor: Staff, now: datetime, limit: int = 15) -> list[Booking]:
    """The person's bookings not yet over (their meetings to notify)."""
    return list(await Booking.filter(organiser_id=actor.id, status__in=list(HOLDING),
                                     end_at__gt=now).order_by("start_at").limit(limit)
                .prefetch_related("room"))


async def notices_of(bookings: list[Booking]) -> dict[int, MeetingNotice]:
    found = await MeetingNotice.filter(booking_id__in=[b.id for b in bookings])
    return {n.booking_id: n for n in found}  # type: ignore[attr-defined]


async def waiting_reply(actor: Staff, now: datetime) -> list[Invitation]:
    """Invitations to meetings not yet over that this person has not answered."""
    found = await Invitation.filter(
        staff_id=actor.id, reply=Reply.PENDING, notice__status=NoticeStatus.SENT,
    ).order_by("id").prefetch_related("notice__booking__room", "notice__organiser")
    return [i for i in found if i.notice.booking.end_at > now]

