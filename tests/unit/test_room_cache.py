"""The rooms, remembered between updates and forgotten the moment one changes."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest

from bot.db import is_sqlite
from models.rooms import Room
from services.rooms.catalog import ROOM_CACHE, cached_room, list_rooms


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


async def test_room_changed_by_another_process_on_postgres_is_seen_within_a_second(
        db: str) -> None:
    if is_sqlite(db):
        pytest.skip("the change feed is PostgreSQL's LISTEN/NOTIFY")
    import asyncpg

    assert ROOM_CACHE.live
    room = await _room("一号室")
    assert (await cached_room(room.id)).name == "一号室"  # type: ignore[union-attr]
    other = await asyncpg.connect(db.split("?")[0].replace("postgres://", "postgresql://"))
    try:
        await other.execute("UPDATE room SET name = '改名室' WHERE id = $1", room.id)
    finally:
        await other.close()
    for _ in range(100):
        if ROOM_CACHE._rooms is None:
            break
        await asyncio.sleep(0.01)
    assert (await cached_room(room.id)).name == "改名室"  # type: ignore[union-attr]
