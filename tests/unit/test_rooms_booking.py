"""Booking rooms through the services, on a real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from models.core import Role, Staff
from models.rooms import Booking, BookingDraft, BookingStatus, DraftStep, Room
from services.clock import FixedClock
from services.errors import Conflict, InvalidInput, NotAllowed, StaleAction
from services.rooms import booking as bk
from services.rooms import manage, schedule
from services.rooms.catalog import RULES, save_room
from services.rooms.demo import seed_demo


async def _people(n: int) -> list[Staff]:
    return [await Staff.create(tg_user_id=5000 + i, name=f"职工{i}", role=Role.STAFF,
                               department="规划建设局") for i in range(n)]


async def test_fifty_concurrent_confirmations_book_one_and_refuse_49_with_alternatives(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    people = await _people(50)
    drafts = []
    for person in people:
        draft = await bk.from_text(person, person.tg_user_id, "明天下午3点到5点 2号会议室 评审会",
                                   command=True)
        assert draft is not None and draft.step == DraftStep.CONFIRM, draft and draft.question
        drafts.append(draft)

    async def press(draft: BookingDraft, person: Staff) -> object:
        try:
            return await bk.confirm(draft.id, person)
        except Conflict as error:
            return error

    results = await asyncio.gather(*(press(d, p) for d, p in zip(drafts, people, strict=True)))
    booked = [r for r in results if isinstance(r, bk.Confirmed)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(booked) == 1 and len(refused) == 49
    assert {r.code for r in refused} == {"rooms.error.taken"}
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1
    loser = next(d for d, r in zip(drafts, results, strict=True) if isinstance(r, Conflict))
    loser = await BookingDraft.get(id=loser.id)
    assert loser.step == DraftStep.ROOM and loser.title == "评审会"
    view = await bk.view(loser, people[0])
    assert view.rooms and all(r.name != "2号会议室" for r in view.rooms)
    # 2 hours no longer fit before closing time: the next free start is the morning after.
    assert view.slots[0].start == datetime(2026, 11, 28, 8, tzinfo=RULES.zone)


async def test_database_refuses_an_overlapping_booking_written_directly(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    room = await Room.get(name="1号会议室")
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    await Booking.create(room=room, organiser=person, title="a", start_at=start,
                         end_at=start + timedelta(hours=2))
    with pytest.raises(IntegrityError):
        await Booking.create(room=room, organiser=person, title="b",
                             start_at=start + timedelta(minutes=30),
                             end_at=start + timedelta(hours=3))
    # Back to back is fine, and a cancelled booking no longer holds the room.
    await Booking.create(room=room, organiser=person, title="c",
                         start_at=start + timedelta(hours=2),
                         end_at=start + timedelta(hours=3))
    await Booking.filter(title="a").update(status=BookingStatus.CANCELLED)
    await Booking.create(room=room, organiser=person, title="d", start_at=start,
                         end_at=start + timedelta(hours=1))


async def test_double_confirm_books_once_and_says_already_booked(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "明天上午10点到11点 1号会议室 周例会", command=True)
    assert draft is not None
    await bk.confirm(draft.id, person)
    with pytest.raises(StaleAction) as caught:
        await bk.confirm(draft.id, person)
    assert caught.value.code == "rooms.error.already_booked"
    assert await Booking.all().count() == 1


async def test_someone_elses_draft_cannot_be_confirmed(db: str, fixed_clock: FixedClock) -> None:
    await seed_demo()
    owner, other = await _people(2)
    draft = await bk.from_text(owner, 1, "明天上午10点到11点 1号会议室 周例会", command=True)
    assert draft is not None
    with pytest.raises(NotAllowed):
        await bk.confirm(draft.id, other)
    assert await Booking.all().count() == 0


@pytest.mark.parametrize(
    ("text", "step", "code"),
    [
        ("明天晚上8点到9点 1号会议室 加班会", DraftStep.START, "rooms.error.closed"),
        ("明天上午8点到下午5点 1号会议室 培训", DraftStep.START, "rooms.error.too_long"),
        ("明年3月3日上午10点到11点 1号会议室 年会", DraftStep.DAY, "rooms.error.too_far"),
        ("明天上午10点到11点 9号会议室 评审", DraftStep.ROOM, "rooms.error.unknown_room"),
        ("明天上午10点到11点 2号会议室 评审 15人", DraftStep.ROOM, "rooms.error.too_small"),
        ("1号会议室 评审会", DraftStep.DAY, "rooms.error.no_time"),
    ],
)
async def test_bad_one_line_bookings_keep_what_was_entered_and_say_why(
    db: str, fixed_clock: FixedClock, text: str, step: DraftStep, code: str
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, text, command=True)
    assert draft is not None
    assert (draft.step, draft.question) == (step, code)
    assert draft.title in ("加班会", "培训", "年会", "评审", "评审会")
    assert await Booking.all().count() == 0


async def test_plain_text_reads_time_length_people_and_equipment(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "后天上午九点半开一小时会，要投影，8个人", command=False)
    assert draft is not None and draft.step == DraftStep.ROOM
    assert (draft.attendees, draft.equipment, draft.minutes) == (8, ["projector"], 60)
    view = await bk.view(draft, person)
    assert [r.name for r in view.rooms] == ["1号会议室", "3号会议室", "党工委会议室"]
    assert await bk.from_text(person, 1, "今天天气不错", command=False) is None


async def test_capacity_larger_than_any_room_offers_no_room(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "明天上午10点到11点开会 300人", command=True)
    assert draft is not None and draft.step == DraftStep.ROOM
    view = await bk.view(draft, person)
    assert view.rooms == [] and view.biggest == 30


async def test_am_or_pm_question_is_answered_with_a_button(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "明天3点到4点 1号会议室 碰头会", command=True)
    assert draft is not None and (draft.step, draft.question) == (DraftStep.ASK, "am_or_pm")
    draft = await bk.choose_half(draft.id, person, "pm")
    assert draft.step == DraftStep.CONFIRM
    assert draft.start_at.astimezone(RULES.zone).hour == 15 and draft.minutes == 60
    assert draft.title == "碰头会"


async def test_part_of_day_without_clock_offers_starts_and_keeps_the_rest(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "明天下午 1号会议室 碰头会 一小时", command=True)
    assert draft is not None and draft.step == DraftStep.START
    assert (draft.minutes, draft.title, draft.day) == (60, "碰头会", date(2026, 11, 27))
    draft = await bk.choose_start(draft.id, person, 15 * 60)
    assert draft.step == DraftStep.CONFIRM
    assert draft.start_at.astimezone(RULES.zone).hour == 15


async def test_past_time_is_asked_again_and_the_answer_completes_the_draft(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "昨天上午10点到11点 1号会议室 碰头会", command=True)
    assert draft is not None and (draft.step, draft.question) == (DraftStep.ASK, "past_date")
    draft = await bk.answer(draft.id, person, "明天上午10点到11点")
    assert draft.step == DraftStep.CONFIRM, draft.question
    assert draft.start_at.astimezone(RULES.zone) == datetime(2026, 11, 27, 10, tzinfo=RULES.zone)
    assert draft.title == "碰头会" and draft.minutes == 60


async def test_recurring_booking_lists_clashes_and_books_the_rest(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person, other = await _people(2)
    blocker = await bk.from_text(other, 2, "12月7日上午10点到11点 1号会议室 占用", command=True)
    assert blocker is not None
    await bk.confirm(blocker.id, other)
    draft = await bk.from_text(person, 1, "每周一上午10点到11点 1号会议室 周例会 共4次",
                               command=True)
    assert draft is not None and draft.step == DraftStep.CONFIRM and draft.count == 4
    view = await bk.view(draft, person)
    assert [o.start.date() for o in view.occurrences] == [
        date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 21)]
    assert [o.skip for o in view.occurrences] == ["", "taken", "", ""]
    result = await bk.confirm(draft.id, person)
    assert len(result.bookings) == 3 and len(result.skipped) == 1
    assert await Booking.filter(organiser_id=person.id, series_id__not_isnull=True).count() == 3


async def test_recurrence_stops_at_the_horizon(db: str, fixed_clock: FixedClock) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    RULES.recurrence_horizon_days = 14
    try:
        draft = await bk.from_text(person, 1, "每天上午9点到10点 3号会议室 晨会", command=True)
        assert draft is not None
        view = await bk.view(draft, person)
        assert 1 <= len(view.occurrences) <= 15
        assert max(o.start for o in view.occurrences) <= draft.start_at + timedelta(days=14)
    finally:
        RULES.recurrence_horizon_days = 180


async def test_office_cancels_anyones_booking_only_with_a_reason(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    draft = await bk.from_text(person, 1, "明天上午10点到11点 1号会议室 周例会", command=True)
    assert draft is not None
    booked = (await bk.confirm(draft.id, person)).bookings[0]
    with pytest.raises(InvalidInput):
        await manage.cancel(clerk, booked.id, "", fixed_clock.now())
    cancelled = await manage.cancel(clerk, booked.id, "领导临时用会议室", fixed_clock.now())
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.sequence == 1


async def test_sweep_reminds_once_and_releases_unchecked_rooms(
    db: str, fixed_clock: FixedClock
) -> None:
    from models.core import OutboxMessage

    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "今天上午10点半到11点半 洽谈室 客商洽谈", command=True)
    assert draft is not None and draft.step == DraftStep.CONFIRM, draft.question
    booked = (await bk.confirm(draft.id, person)).bookings[0]
    fixed_clock.advance(timedelta(minutes=16))
    assert "reminded 1" in await manage.sweep(fixed_clock.now())
    assert "reminded 0" in await manage.sweep(fixed_clock.now())
    fixed_clock.advance(timedelta(minutes=24))  # 10:40, ten minutes after the start
    assert "released 1" in await manage.sweep(fixed_clock.now())
    assert (await Booking.get(id=booked.id)).status == BookingStatus.RELEASED
    kinds = sorted(await OutboxMessage.all().values_list("kind", flat=True))
    assert kinds == ["rooms.released", "rooms.reminder"]  # no office group bound here


async def test_feed_marks_changes_with_a_higher_sequence(db: str, fixed_clock: FixedClock) -> None:
    from icalendar import Calendar

    await seed_demo()
    person = (await _people(1))[0]
    draft = await bk.from_text(person, 1, "明天上午10点到11点 1号会议室 周例会", command=True)
    assert draft is not None
    booked = (await bk.confirm(draft.id, person)).bookings[0]
    room = await Room.get(name="1号会议室")
    cal = Calendar.from_ical(await schedule.room_feed(room.feed_token, fixed_clock.now()))
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["周例会"] and int(events[0]["sequence"]) == 0
    await manage.cancel(person, booked.id, "", fixed_clock.now())
    token = await schedule.person_feed_token(person)
    cal = Calendar.from_ical(await schedule.person_feed(token, fixed_clock.now()))
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


async def test_meetings_arranged_counts_confirmed_bookings(
    db: str, fixed_clock: FixedClock
) -> None:
    await seed_demo()
    person = (await _people(1))[0]
    for text in ("明天上午10点到11点 1号会议室 a", "明天上午10点到11点 2号会议室 b"):
        draft = await bk.from_text(person, 1, text, command=True)
        assert draft is not None
        await bk.confirm(draft.id, person)
    now = fixed_clock.now()
    assert await schedule.meetings_arranged(now, now + timedelta(days=2)) == 2
    usage = await schedule.usage(*schedule.period_bounds("week", now))
    one = next(u for u in usage if u.room.name == "1号会议室")
    assert (one.meetings, one.hours) == (1, 1.0) and 0 < one.utilisation < 1


async def test_room_fields_are_validated_with_clear_codes(db: str) -> None:
    admin = await Staff.create(tg_user_id=1001, name="王管理", role=Role.ADMIN)
    room, created = await save_room(admin, "5号会议室", {"容量": "10", "设备": "投影,白板",
                                                      "开放": "08:30-17:30", "审批": "否"})
    assert created and room.equipment == ["projector", "whiteboard"] and room.opens_minute == 510
    with pytest.raises(InvalidInput) as caught:
        await save_room(admin, "5号会议室", {"容量": "很多"})
    assert caught.value.code == "rooms.error.bad_field"
    with pytest.raises(InvalidInput):
        await save_room(admin, "5号会议室", {"设备": "咖啡机"})
    staff = (await _people(1))[0]
    with pytest.raises(NotAllowed):
        await save_room(staff, "6号会议室", {"容量": "4"})
