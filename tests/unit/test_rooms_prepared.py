"""The booking path's prepared statements answer what the ORM answers (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from models.core import Role, Staff
from models.rooms import Booking, BookingDraft, BookingStatus, DraftStep
from services.clock import FixedClock
from services.rooms import booking as bk
from services.rooms.demo import seed_demo
from services.rooms.prepared import Prepared


async def test_busy_is_the_orms_answer_first_and_afterwards(
        db: str, fixed_clock: FixedClock) -> None:
    await seed_demo()
    me = await Staff.create(tg_user_id=7101, name="刘工", role=Role.STAFF)
    draft = await bk.from_text(me, me.tg_user_id, "明天下午3点到4点 2号会议室 评审会",
                               command=True)
    assert draft is not None and draft.step == DraftStep.CONFIRM
    booking = (await bk.confirm(draft.id, me)).bookings[0]
    room_id = booking.room_id  # type: ignore[attr-defined]
    start, end = booking.start_at, booking.end_at
    for _ in range(2):  # built by the ORM, then sent again as prepared
        assert await bk._busy(room_id, start, end)
        assert await bk._busy(room_id, start + timedelta(minutes=30), end + timedelta(hours=1))
        assert not await bk._busy(room_id, end, end + timedelta(hours=1))
        assert not await bk._busy(room_id, start, end, exclude=booking.id)
        assert await bk._busy(room_id, start, end, exclude=booking.id + 1)
    assert bk._BUSY._sql and bk._BUSY_EXCEPT._sql  # the prepared way was taken
    booking.status = BookingStatus.CANCELLED
    await booking.save()
    assert not await bk._busy(room_id, start, end)


async def test_opening_a_dialog_closes_only_the_persons_open_ones_in_that_chat(
        db: str, fixed_clock: FixedClock) -> None:
    await seed_demo()
    me = await Staff.create(tg_user_id=7102, name="刘工", role=Role.STAFF)
    other = await Staff.create(tg_user_id=7103, name="王工", role=Role.STAFF)
    mine = await bk.begin(me, me.tg_user_id)
    elsewhere = await bk.begin(me, -2001)
    theirs = await bk.begin(other, other.tg_user_id)
    for _ in range(2):
        await bk.begin(me, me.tg_user_id)
    assert (await BookingDraft.get(id=mine.id)).step == DraftStep.DROPPED
    assert (await BookingDraft.get(id=elsewhere.id)).step == DraftStep.DAY
    assert (await BookingDraft.get(id=theirs.id)).step == DraftStep.DAY
    assert await BookingDraft.filter(staff_id=me.id, chat_id=me.tg_user_id,
                                     step=DraftStep.DAY).count() == 1


async def test_values_that_differ_from_the_orms_keep_the_orm_way(db: str) -> None:
    await seed_demo()
    wrong = Prepared(Booking, lambda room_id: Booking.filter(room_id=room_id).exists(),
                     lambda room_id: [room_id])  # the ORM adds LIMIT 1: not its parameters
    assert await wrong.run(1) == 0 and await wrong.run(1) == 0
    assert wrong._sql == {next(iter(wrong._sql)): None}
