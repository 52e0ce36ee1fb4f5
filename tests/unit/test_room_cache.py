"""The rooms, remembered between updates and forgotten the moment one changes."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest

from models.rooms import Room
from services.rooms.catalog import ROOM_CACHE, cached_room, list_rooms
from tests.elsewhere import run_elsewhere


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []
    real = Room.all

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(Room, "all", counting)
    return seen


async def _room(name: str, **extra: Any) -> Room:
    return await Room.create(name=name, capacity=10, feed_token=secrets.token_hex(8), **extra)


async def test_rooms_are_read_once_for_many_lookups(db: str, reads: list[int]) -> None:
    first = await _room("一号室")
    await _room("二号室", active=False)
    await asyncio.sleep(0.2)  # PostgreSQL's notices of these inserts arrive meanwhile
    assert [r.name for r in await list_rooms()] == ["一号室"]
    assert [r.name for r in await list_rooms(include_inactive=True)] == ["一号室", "二号室"]
    assert (await cached_room(first.id)).name == "一号室"  # type: ignore[union-attr]
    assert await cached_room(99999) is None
    assert len(reads) == 1


async def test_a_renamed_or_closed_room_is_seen_at_once(db: str, reads: list[int]) -> None:
    room = await _room("一号室")
    assert (await cached_room(room.id)).name == "一号室"  # type: ignore[union-attr]
    room.name, room.active = "新一号室", False
    await room.save()
    assert (await cached_room(room.id)).name == "新一号室"  # type: ignore[union-attr]
    assert await cached_room(room.id, active_only=True) is None
    assert await list_rooms() == []


async def test_a_caller_changing_its_room_does_not_change_the_cache(db: str) -> None:
    room = await _room("一号室")
    mine = await cached_room(room.id)
    assert mine is not None
    mine.capacity = 999
    assert (await cached_room(room.id)).capacity == 10  # type: ignore[union-attr]


async def test_room_changed_by_another_process_is_seen_within_a_second(db: str) -> None:
    """PostgreSQL's NOTIFY, or SQLite's data_version watched once a second."""
    await asyncio.sleep(0.1)  # the SQLite watcher's first look
    assert ROOM_CACHE.live
    room = await _room("一号室")
    assert (await cached_room(room.id)).name == "一号室"  # type: ignore[union-attr]
    await _elsewhere(db, ("UPDATE room SET name = '改名室' WHERE id = $1", room.id))
    assert (await cached_room(room.id)).name == "改名室"  # type: ignore[union-attr]


async def _elsewhere(db: str, *statements: tuple[str, int]) -> None:
    """Run the statements through another connection (another replica or process, as far as
    this process knows), then give the change feed up to two seconds to make this process
    forget its rooms (SQLite's watcher looks once a second)."""
    await run_elsewhere(db, *statements)
    for _ in range(200):
        if ROOM_CACHE._rooms is None:
            break
        await asyncio.sleep(0.01)


async def _booker() -> Any:
    from models.core import Role, Staff

    return await Staff.create(tg_user_id=7001, name="刘工", role=Role.STAFF,
                              department="规划建设局")


async def test_the_next_booking_sees_a_room_renamed_or_closed(db: str, fixed_clock: Any) -> None:
    """The booking path reads rooms from the cache only: a change made through the services
    (or any save in this process) is what the very next one-line booking sees."""
    from models.rooms import DraftStep
    from services.rooms import booking as bk
    from services.rooms.catalog import save_room

    me = await _booker()
    room = await _room("一号室")
    draft = await bk.from_text(me, me.tg_user_id, "明天下午3点到4点 一号室 评审会", command=True)
    assert draft is not None and draft.room_id == room.id  # type: ignore[attr-defined]
    assert draft.step == DraftStep.CONFIRM

    await save_room(None, "一号室", {"名称": "新一号室"})
    draft = await bk.from_text(me, me.tg_user_id, "明天下午3点到4点 新一号室 评审会", command=True)
    assert draft is not None and draft.room_id == room.id  # type: ignore[attr-defined]
    old = await bk.from_text(me, me.tg_user_id, "明天下午4点到5点 一号室 评审会", command=True)
    assert old is not None and old.room_id is None  # type: ignore[attr-defined]
    assert old.unknown_room == "一号室" and old.step == DraftStep.ROOM

    await save_room(None, "新一号室", {"启用": "否"})
    closed = await bk.from_text(me, me.tg_user_id, "明天下午3点到4点 新一号室 评审会",
                                command=True)
    assert closed is not None and closed.room_id is None  # type: ignore[attr-defined]
    assert closed.step == DraftStep.ROOM
    assert (await bk.view(closed, me)).rooms == []


async def test_a_booking_sees_a_room_changed_through_another_connection(
        db: str, fixed_clock: Any) -> None:
    """Another replica or process (here: another connection) renames and closes a room: the
    trigger's NOTIFY (PostgreSQL) or the file's data_version (SQLite) reaches this process, and
    its next booking reads the room as it now is."""

    from models.rooms import DraftStep
    from services.rooms import booking as bk

    me = await _booker()
    room = await _room("一号室")
    second = await _room("二号室")
    await asyncio.sleep(0.2)  # the notices of these inserts arrive first
    draft = await bk.from_text(me, me.tg_user_id, "明天下午3点到4点 一号室 评审会", command=True)
    assert draft is not None and draft.room_id == room.id  # type: ignore[attr-defined]
    assert ROOM_CACHE._rooms is not None  # cached: the next booking would not read the table

    await _elsewhere(db, ("UPDATE room SET name = '改名室' WHERE id = $1", room.id),
                     ("UPDATE room SET active = FALSE WHERE id = $1", second.id))

    renamed = await bk.from_text(me, me.tg_user_id, "明天下午3点到4点 改名室 评审会", command=True)
    assert renamed is not None and renamed.room_id == room.id  # type: ignore[attr-defined]
    assert renamed.step == DraftStep.CONFIRM
    closed = await bk.from_text(me, me.tg_user_id, "明天下午3点到4点 二号室 评审会", command=True)
    assert closed is not None and closed.room_id is None  # type: ignore[attr-defined]
    assert closed.unknown_room == "二号室"
