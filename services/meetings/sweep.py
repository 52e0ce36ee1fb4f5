"""Reminders: those who have not replied, once; those attending, before the meeting."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.meetings import Invitation, MeetingNotice, NoticeStatus, Reply
from models.rooms import Booking, BookingStatus
from services import outbox
from services.meetings.notices import RULES

NUDGE, SOON = "meetings.nudge", "meetings.soon"
#: The reply reminder comes no later than this before the start, and never right after sending.
NUDGE_BEFORE = timedelta(hours=2)
NUDGE_NOT_BEFORE = timedelta(minutes=30)


def nudge_due(sent_at: datetime, start: datetime) -> datetime:
    """When those who have not replied are reminded."""
    due = min(sent_at + timedelta(hours=RULES.nudge_hours), start - NUDGE_BEFORE)
    return max(due, sent_at + NUDGE_NOT_BEFORE)


async def nudge(now: datetime) -> int:
    """Remind, once, every invitee who has not replied while the meeting is still ahead."""
    count = 0
    # Times are compared on the booking itself: SQLite compares the stored text, and a
    # lookup through the relation would compare it with the parameter unconverted.
    ahead = await Booking.filter(start_at__gt=now).values_list("id", flat=True)
    notices = await MeetingNotice.filter(
        status=NoticeStatus.SENT, nudged_at=None, booking_id__in=list(ahead),
    ).prefetch_related("booking")
    for notice in notices:
        assert notice.sent_at is not None
        if nudge_due(notice.sent_at, notice.booking.start_at) > now:
            continue
        async with in_transaction():
            claimed = await MeetingNotice.filter(id=notice.id, nudged_at=None).update(
                nudged_at=now)
            if not claimed:
                continue
            for invitation in await Invitation.filter(
                    notice_id=notice.id, reply=Reply.PENDING).prefetch_related("staff"):
                row = await outbox.emit_to_staff(invitation.staff, NUDGE,
                                                 {"invitation_id": invitation.id},
                                                 f"mt.nudge:{invitation.id}")
                count += row is not None
    return count


async def remind(now: datetime) -> int:
    """Remind everyone attending a meeting that starts within the reminder's minutes."""
    count = 0
    soon = now + timedelta(minutes=RULES.remind_minutes)
    starting = await Booking.filter(status=BookingStatus.CONFIRMED, start_at__gt=now,
                                    start_at__lte=soon).values_list("id", flat=True)
    notices = await MeetingNotice.filter(
        status=NoticeStatus.SENT, booking_id__in=list(starting),
    ).prefetch_related("booking")
    for notice in notices:
        for invitation in await Invitation.filter(
                notice_id=notice.id, reply=Reply.ATTEND).prefetch_related("staff"):
            row = await outbox.emit_to_staff(
                invitation.staff, SOON, {"invitation_id": invitation.id},
                f"mt.soon:{invitation.id}:{notice.booking.sequence}")
            count += row is not None
    return count
