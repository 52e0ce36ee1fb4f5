"""Meetings in numbers: notices sent, meetings held, attendance, invitations left unanswered."""

from __future__ import annotations

from datetime import datetime

from models.meetings import Invitation, MeetingNotice, NoticeStatus, Reply
from models.rooms import Booking, BookingStatus
from services import clock


async def meeting_figures(start: datetime, end: datetime) -> dict[str, float]:
    """Over the meetings that started in [start, end) (and have started by now):
    notices sent, meetings held, attendance rate (checked in / expected, %), no replies."""
    now = clock.now()
    bookings = await Booking.filter(
        start_at__gte=start, start_at__lt=end, start_at__lte=now,
        status__in=[BookingStatus.CONFIRMED, BookingStatus.RELEASED],
    ).values_list("id", flat=True)
    held = await MeetingNotice.filter(status=NoticeStatus.SENT, booking_id__in=list(bookings)
                                      ).values_list("id", flat=True)
    sent = await MeetingNotice.filter(sent_at__gte=start, sent_at__lt=end).count()
    expected = came = silent = 0
    for invitation in await Invitation.filter(notice_id__in=list(held)):
        if invitation.reply == Reply.DELEGATED:
            continue
        expected += 1
        came += invitation.checked_in_at is not None
        silent += invitation.reply == Reply.PENDING
    rate = round(came / expected * 100, 1) if expected else 0.0
    return {"notices": sent, "held": len(held), "attendance_rate": rate, "no_reply": silent}
