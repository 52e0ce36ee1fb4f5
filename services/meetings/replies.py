"""Replies to a meeting notice (参加 / 请假 / 指派他人参加), check-in, and the minutes."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.core import Staff
from models.meetings import Invitation, MeetingNotice, NoticeStatus, Reply
from models.rooms import Booking
from services import clock, outbox
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.meetings import notices
from services.meetings.notices import INVITE, RULES

MINUTES = "meetings.minutes"
MAX_REASON = 200
#: The organiser may still record who came this long after the meeting.
MARK_AFTER = timedelta(days=1)
CANDIDATES = 12


async def _mine(invitation_id: int, actor: Staff, *, lock: bool = False
                ) -> tuple[Invitation, MeetingNotice, Booking]:
    """The invitation the actor answers, refused when it is not theirs or no longer open."""
    query = Invitation.filter(id=invitation_id)
    if lock:
        query = query.select_for_update()
    invitation = await query.first() if 0 < invitation_id < 2**31 else None
    if invitation is None:
        raise NotFound("meetings.error.no_invitation")
    if invitation.staff_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("meetings.error.not_your_card")
    notice = await MeetingNotice.get(id=invitation.notice_id)  # type: ignore[attr-defined]
    booking = await Booking.get(id=notice.booking_id)  # type: ignore[attr-defined]
    if notice.status == NoticeStatus.CANCELLED:
        raise StaleAction("meetings.error.cancelled")
    if notices.is_over(booking, clock.now()):
        raise StaleAction("meetings.error.over")
    if invitation.reply == Reply.DELEGATED:
        delegate = await Staff.get_or_none(id=invitation.delegate_id)  # type: ignore[attr-defined]
        raise StaleAction("meetings.error.delegated", name=delegate.name if delegate else "")
    return invitation, notice, booking


async def _changed(invitation: Invitation, notice: MeetingNotice, tag: str) -> None:
    """The invitee's card and the organiser's list show the new reply."""
    await outbox.edit_sent(INVITE, f"mt.inv:{invitation.id}@", {}, tag)
    await notices.refresh_status(notice, tag)


async def attend(actor: Staff, invitation_id: int) -> Invitation:
    async with in_transaction():
        invitation, notice, _ = await _mine(invitation_id, actor, lock=True)
        if invitation.reply == Reply.ATTEND:
            return invitation
        invitation.reply, invitation.reason = Reply.ATTEND, ""
        invitation.replied_at = clock.now()
        await invitation.save()
        await _changed(invitation, notice, f"a{invitation.replied_at.timestamp():.0f}")
    return invitation


async def start_leave(actor: Staff, invitation_id: int) -> Invitation:
    """Ask for the leave's reason (the next message is it)."""
    invitation, notice, _ = await _mine(invitation_id, actor)
    await notices.ask(actor, notice, "reason", invitation)
    return invitation


async def leave(actor: Staff, invitation_id: int, reason: str) -> Invitation:
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("meetings.error.reason_missing")
    if len(reason) > MAX_REASON:
        raise InvalidInput("meetings.error.too_long", limit=MAX_REASON)
    async with in_transaction():
        invitation, notice, _ = await _mine(invitation_id, actor, lock=True)
        invitation.reply, invitation.reason = Reply.LEAVE, reason
        invitation.replied_at = clock.now()
        await invitation.save()
        await notices.clear_prompt(actor)
        await _changed(invitation, notice, f"l{invitation.replied_at.timestamp():.0f}")
    return invitation


async def delegate_candidates(actor: Staff, invitation_id: int) -> list[Staff]:
    """Colleagues of the same department who are not invited yet (the picker's buttons)."""
    _, notice, _ = await _mine(invitation_id, actor)
    invited = await Invitation.filter(notice_id=notice.id).values_list("staff_id", flat=True)
    excluded = {*invited, actor.id, notice.organiser_id}  # type: ignore[attr-defined]
    query = Staff.filter(active=True).exclude(id__in=list(excluded))
    same = await query.filter(department=actor.department).order_by("id").limit(CANDIDATES) \
        if actor.department else []
    return list(same)


async def start_delegate(actor: Staff, invitation_id: int) -> Invitation:
    """Wait for the colleague's name (or a press of one of the picker's buttons)."""
    invitation, notice, _ = await _mine(invitation_id, actor)
    await notices.ask(actor, notice, "delegate", invitation)
    return invitation


async def delegate(actor: Staff, invitation_id: int, *, staff_id: int | None = None,
                   name: str = "") -> Invitation:
    """Send a colleague in one's place: they get the card, the invitation is marked passed on."""
    if staff_id is not None:
        target = await Staff.get_or_none(id=staff_id, active=True)
        if target is None:
            raise NotFound("meetings.error.no_person", name=str(staff_id))
    else:
        from services.approvals import find_person

        target = await find_person(name)
    async with in_transaction():
        invitation, notice, _ = await _mine(invitation_id, actor, lock=True)
        if target.id == actor.id:
            raise InvalidInput("meetings.error.delegate_self")
        if target.id == notice.organiser_id:  # type: ignore[attr-defined]
            raise InvalidInput("meetings.error.delegate_organiser", name=target.name)
        if await Invitation.exists(notice_id=notice.id, staff_id=target.id):
            raise InvalidInput("meetings.error.delegate_invited", name=target.name)
        now = clock.now()
        invitation.reply, invitation.delegate = Reply.DELEGATED, target  # type: ignore[assignment]
        invitation.replied_at = now
        await invitation.save()
        new = await Invitation.create(notice=notice, staff=target, delegated_from=invitation,
                                      created_at=now)
        await notices.clear_prompt(actor)
        await outbox.emit_to_staff(target, INVITE, {"invitation_id": new.id},
                                   f"mt.inv:{new.id}")
        for material in await notices.files(notice.id):
            await outbox.emit_to_staff(target, notices.MATERIAL, {"file_id": material.id},
                                       f"mt.mat:{new.id}:{material.id}")
        await _changed(invitation, notice, f"d{new.id}")
    return new


# ---------------------------------------------------------------------------- check-in


def checkin_opens(booking: Booking) -> datetime:
    return booking.start_at - timedelta(minutes=RULES.remind_minutes)


async def check_in(actor: Staff, invitation_id: int) -> Invitation:
    """The invitee checks in at the meeting (from the reminder until it ends)."""
    async with in_transaction():
        invitation, notice, booking = await _mine(invitation_id, actor, lock=True)
        now = clock.now()
        opens = checkin_opens(booking)
        if now < opens:
            raise InvalidInput("meetings.error.checkin_early",
                               at=opens.astimezone(RULES.tz).strftime("%m-%d %H:%M"))
        if invitation.checked_in_at is not None:
            return invitation
        invitation.checked_in_at, invitation.checked_in_by = now, actor  # type: ignore[assignment]
        await invitation.save()
        await _changed(invitation, notice, f"i{invitation.id}")
    return invitation


async def mark(actor: Staff, invitation_id: int) -> Invitation:
    """The organiser records (or takes back) that an invitee came."""
    async with in_transaction():
        invitation = await Invitation.filter(id=invitation_id).select_for_update().first()
        if invitation is None:
            raise NotFound("meetings.error.no_invitation")
        notice = await notices.get(invitation.notice_id)  # type: ignore[attr-defined]
        if not notices.may_manage(notice, actor):
            raise NotAllowed("meetings.error.not_organiser")
        if notice.status != NoticeStatus.SENT:
            raise StaleAction("meetings.error.cancelled")
        booking = notice.booking
        now = clock.now()
        if now < checkin_opens(booking):
            raise InvalidInput("meetings.error.checkin_early",
                               at=checkin_opens(booking).astimezone(RULES.tz).strftime(
                                   "%m-%d %H:%M"))
        if now > booking.end_at + MARK_AFTER:
            raise StaleAction("meetings.error.over")
        if invitation.reply == Reply.DELEGATED:
            raise StaleAction("meetings.error.delegated", name="")
        if invitation.checked_in_at is None:
            invitation.checked_in_at, invitation.checked_in_by = now, actor  # type: ignore[assignment]
        else:
            invitation.checked_in_at, invitation.checked_in_by = None, None  # type: ignore[assignment]
        await invitation.save()
        await _changed(invitation, notice, f"k{invitation.id}-{now.timestamp():.0f}")
    return invitation


# ---------------------------------------------------------------------------- minutes


def check_docx(content: bytes) -> int:
    """Open the minutes as a Word document; returns its paragraphs with text."""
    from docx import Document

    try:
        document = Document(io.BytesIO(content))
    except Exception:  # python-docx raises several kinds for a file that is not DOCX
        raise InvalidInput("meetings.error.not_docx") from None
    return sum(1 for p in document.paragraphs if p.text.strip())


def attendees(rows: list[Invitation]) -> list[Invitation]:
    """Who the minutes go to: those who came, and those who said they would."""
    return [r for r in rows if r.reply != Reply.DELEGATED
            and (r.checked_in_at is not None or r.reply == Reply.ATTEND)]


async def attach_minutes(actor: Staff, notice_id: int, file_id: str, file_name: str,
                         content: bytes) -> tuple[MeetingNotice, int]:
    """Keep the minutes (纪要, DOCX) and send them to the attendees; returns how many."""
    if not (file_name or "").lower().endswith(".docx"):
        raise InvalidInput("meetings.error.not_docx")
    check_docx(content)
    async with in_transaction():
        notice = await MeetingNotice.filter(id=notice_id).select_for_update().first()
        if notice is None:
            raise NotFound("meetings.error.no_notice", id=notice_id)
        if not notices.may_manage(notice, actor):
            raise NotAllowed("meetings.error.not_organiser")
        if notice.status != NoticeStatus.SENT:
            raise StaleAction("meetings.error.not_sent")
        booking = await Booking.get(id=notice.booking_id)  # type: ignore[attr-defined]
        if clock.now() < booking.start_at:
            raise InvalidInput("meetings.error.minutes_early")
        notice.minutes_file_id, notice.minutes_name = file_id[:255], file_name[:128]
        notice.minutes_at = clock.now()
        await notice.save()
        sent = 0
        for invitation in attendees(await notices.invitations(notice.id)):
            row = await outbox.emit_to_staff(
                invitation.staff, MINUTES, {"notice_id": notice.id},
                f"mt.min:{invitation.id}:{notice.minutes_at.timestamp():.0f}")
            sent += row is not None
        await notices.clear_prompt(actor)
        await notices.refresh_status(notice, f"n{notice.minutes_at.timestamp():.0f}")
    return notice, sent
