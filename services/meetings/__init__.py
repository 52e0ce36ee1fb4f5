"""Meeting notices and replies (会议通知、回执, issue 16): after a booking the organiser sends a
notice (invitees from staff, departments or lists; agenda; materials; preparation), each
invitee replies 参加 / 请假 / 指派他人参加, non-repliers are reminded once and attendees before
the start, changes of the booking are pushed, check-in records who came, the minutes go to the
attendees.

Rooms knows nothing of notices: the booking services call `services.rooms.hooks`, and the
listener registered here pushes a change of time or room, or the cancellation.
"""

from __future__ import annotations

from services.meetings import figures, notices, replies, sweep
from services.meetings.demo import seed_demo
from services.meetings.notices import RULES, configure
from services.rooms import hooks

hooks.on_booking_change(notices.on_booking_change)

__all__ = ["RULES", "configure", "figures", "notices", "replies", "seed_demo", "sweep"]
