"""Meeting-notice services on a real database: who a line invites, reminders' timing, figures,
and a booking moved to another room pushing the change."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tortoise import connections

import services.meetings  # noqa: F401  (registers the booking listener, as the bot does)
from models.core import OutboxMessage, Role, Staff
from models.meetings import Invitation, InviteList, MeetingNotice, NoticeStatus, Reply
from models.rooms import Booking, Room
from services import clock
from services.clock import FixedClock
from services.errors import InvalidInput, StaleAction
from services.meetings import notices, replies, sweep
from services.meetings.figures import meeting_figures
from services.rooms import booking as bk
from services.rooms import manage

TZ = ZoneInfo("Asia/Shanghai")


async def _people() -> dict[str, Staff]:
    people = {}
    for uid, name, role, dept in ((1003, "张秘书", Role.OFFICE, "党政办"),
                                  (1004, "刘工", Role.STAFF, "规划建设局"),
                                  (1005, "陈科长", Role.STAFF, "规划建设局"),
                                  (1008, "周会计", Role.STAFF, "财务部"),
                                  (1009, "吴主任", Role.STAFF, "财务部")):
        people[name] = await Staff.create(tg_user_id=uid, name=name, role=role, department=dept)
    return people


async def _booking(organiser: Staff, room: Room, day: date, hour: int, hours: int = 2
                   ) -> Booking:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    return await Booking.create(room=room, organiser=organiser, title="项目推进会",
                                start_at=start, end_at=start + timedelta(hours=hours))


async def _room(name: str) -> Room:
    return await Room.create(name=name, capacity=20, feed_token=secrets.token_hex(8))


async def test_a_line_invites_people_departments_lists_and_not_the_organiser(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _people()
    await InviteList.create(name="财务", members=[people["周会计"].id], updated_at=clock.now())
    booking = await _booking(people["张秘书"], await _room("一号"), date(2026, 11, 27), 15)
    notice = await notices.open_for_booking(people["张秘书"], booking.id)
    added = await notices.add_invitees(people["张秘书"], notice.id,
                                       "规划建设局，财务、张秘书 王五")
    assert sorted(p.name for p in added.added) == ["刘工", "周会计", "陈科长"]
    assert added.unknown == ["王五"]
    again = await notices.add_invitees(people["张秘书"], notice.id, "-刘工 刘工 全体")
    assert again.removed == ["刘工"] and "吴主任" in [p.name for p in again.added]
    assert await Invitation.filter(notice_id=notice.id).count() == 4
    await notices.send(people["张秘书"], notice.id)
    with pytest.raises(StaleAction):
        await notices.add_invitees(people["张秘书"], notice.id, "-吴主任")
    with pytest.raises(InvalidInput):
        await notices.add_invitees(people["张秘书"], notice.id, "  ")


async def test_nobody_invited_cannot_be_sent_and_a_past_meeting_cannot_be_noticed(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _people()
    room = await _room("一号")
    booking = await _booking(people["张秘书"], room, date(2026, 11, 27), 15)
    notice = await notices.open_for_booking(people["张秘书"], booking.id)
    with pytest.raises(InvalidInput) as empty:
        await notices.send(people["张秘书"], notice.id)
    assert empty.value.code == "meetings.error.nobody"
    past = await _booking(people["张秘书"], room, date(2026, 11, 25), 9)
    with pytest.raises(StaleAction):
        await notices.open_for_booking(people["张秘书"], past.id)


def test_the_reply_reminder_comes_once_in_good_time() -> None:
    sent = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 Shanghai
    assert sweep.nudge_due(sent, sent + timedelta(days=1)) == sent + timedelta(hours=4)
    # A meeting in three hours: two hours before it, never right after the notice.
    assert sweep.nudge_due(sent, sent + timedelta(hours=3)) == sent + timedelta(hours=1)
    assert sweep.nudge_due(sent, sent + timedelta(hours=1)) == sent + timedelta(minutes=30)


async def test_figures_count_the_delegate_not_the_one_who_sent_them(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _people()
    booking = await _booking(people["张秘书"], await _room("一号"), date(2026, 11, 26), 14)
    notice = await notices.open_for_booking(people["张秘书"], booking.id)
    await notices.add_invitees(people["张秘书"], notice.id, "刘工 周会计 吴主任")
    await notices.send(people["张秘书"], notice.id)
    invitation = {i.staff.name: i for i in await notices.invitations(notice.id)}
    new = await replies.delegate(people["刘工"], invitation["刘工"].id,
                                 staff_id=people["陈科长"].id)
    await replies.attend(people["陈科长"], new.id)
    await replies.attend(people["周会计"], invitation["周会计"].id)
    fixed_clock.set(datetime(2026, 11, 26, 6, 0, tzinfo=UTC))  # 14:00, the meeting starts
    await replies.check_in(people["陈科长"], new.id)
    figures = await meeting_figures(datetime(2026, 11, 23, tzinfo=TZ),
                                    datetime(2026, 11, 30, tzinfo=TZ))
    # Expected: 陈科长, 周会计, 吴主任 (刘工 sent someone); 1 came; 吴主任 never replied.
    assert figures == {"notices": 1, "held": 1, "attendance_rate": 33.3, "no_reply": 1}
    assert (await Invitation.get(id=invitation["刘工"].id)).reply == Reply.DELEGATED


async def test_a_booking_moved_to_another_room_pushes_the_change_and_is_stored_in_utc(
        db: str, fixed_clock: FixedClock) -> None:
    people = await _people()
    host = people["张秘书"]
    first, second = await _room("一号"), await _room("二号")
    friday = date(2026, 11, 27)
    booking = await _booking(host, first, friday, 15)
    await _booking(people["吴主任"], first, friday, 10, hours=1)
    notice = await notices.open_for_booking(host, booking.id)
    await notices.add_invitees(host, notice.id, "刘工 周会计")
    await notices.send(host, notice.id)
    # The change dialog: 10:00 is taken in 一号, so 二号 is chosen instead.
    draft = await manage.begin_change(host, booking.id, host.tg_user_id)
    await bk.choose_day(draft.id, host, friday)
    await bk.choose_start(draft.id, host, 10 * 60)
    draft = await bk.choose_length(draft.id, host, 60)
    assert draft.question == "rooms.error.taken"
    draft = await bk.choose_room(draft.id, host, second.id)
    result = await bk.confirm(draft.id, host)
    moved = await Booking.get(id=booking.id)
    assert result.changed and moved.room_id == second.id  # type: ignore[attr-defined]
    _, rows = await connections.get("default").execute_query(
        "SELECT start_at FROM room_booking WHERE id = " + str(booking.id))
    assert str(rows[0]["start_at"]).startswith("2026-11-27 02:00") or \
        rows[0]["start_at"] == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    pushed = await OutboxMessage.filter(kind="meetings.changed")
    assert len(pushed) == 2 and {p.payload["old_room"] for p in pushed} == {"一号"}
    notice = await MeetingNotice.get(id=notice.id)
    assert notice.told_room == "二号"
    # The 30-minute reminder finds the moved meeting.
    await replies.attend(people["刘工"], (await Invitation.get(staff_id=people["刘工"].id)).id)
    assert await sweep.remind(datetime(2026, 11, 27, 1, 31, tzinfo=UTC)) == 1
    # Cancelling the booking cancels the notice and tells both.
    await manage.cancel(host, booking.id, "", clock.now())
    assert (await MeetingNotice.get(id=notice.id)).status == NoticeStatus.CANCELLED
    assert await OutboxMessage.filter(kind="meetings.cancelled").count() == 2


def test_minutes_must_be_a_word_document() -> None:
    with pytest.raises(InvalidInput):
        replies.check_docx(b"plain text")
