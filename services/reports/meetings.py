"""Meeting notices in the reports: notices, meetings held, attendance, unanswered invitations;
the notices waiting for my reply."""

from __future__ import annotations

from datetime import datetime

from models.core import Staff
from services.meetings.figures import meeting_figures
from services.meetings.notices import RULES, waiting_reply
from services.reports import Item, none_when_idle, section, todo


@section("meetings", ("notices", "held", "attendance_rate", "no_reply"), order=12,
         variant=none_when_idle)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Notices sent, meetings held with a notice, attendance rate (%), invitations unanswered."""
    return await meeting_figures(start, end)


@todo("meetings", order=15)
async def to_reply(staff: Staff, now: datetime) -> list[Item]:
    """Meeting notices waiting for my reply, each with a button to open its card."""
    items = []
    for invitation in await waiting_reply(staff, now):
        booking = invitation.notice.booking
        local = booking.start_at.astimezone(RULES.tz)
        items.append(Item("reports.item.meeting_reply", {
            "title": booking.title, "at": local.strftime("%m-%d %H:%M"),
            "organiser": invitation.notice.organiser.name},
            button=("reports.btn.open", "mt", "card", str(invitation.id))))
    return items
