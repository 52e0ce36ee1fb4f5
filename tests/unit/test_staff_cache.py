"""Who a Telegram id is, remembered between updates, and forgotten the moment it changes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models.core import Role, Staff
from services import staff as svc
from services.staff import STAFF_CACHE, find_staff
from tests.elsewhere import run_elsewhere


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the database lookups find_staff makes; every person is settled at once."""
    seen: list[int] = []
    real = Staff.get_or_none

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("tg_user_id", 0))
        return real(*args, **kwargs)

    monkeypatch.setattr(Staff, "get_or_none", counting)
    monkeypatch.setattr(STAFF_CACHE, "settle", 0.0)
    return seen


async def test_second_lookup_of_a_person_needs_no_query(db: str, lookups: list[int]) -> None:
    await Staff.create(tg_user_id=1004, name="刘工")
    await asyncio.sleep(0.2)  # PostgreSQL's notice of this insert arrives meanwhile
    first, second = await find_staff(1004), await find_staff(1004)
    assert first is not None and second is not None
    assert (first.name, second.name) == ("刘工", "刘工")
    assert lookups == [1004]
    assert await find_staff(1099) is None and await find_staff(1099) is None
    assert lookups == [1004, 1099]


async def test_role_change_and_deactivation_are_seen_by_the_next_lookup(
        db: str, lookups: list[int]) -> None:
    admin = await Staff.create(tg_user_id=1001, name="王管理", role=Role.ADMIN)
    person = await Staff.create(tg_user_id=1004, name="刘工")
    assert (await find_staff(1004)).role == Role.STAFF  # type: ignore[union-attr]
    await svc.change_role(admin, person.id, Role.OFFICE)
    assert (await find_staff(1004)).role == Role.OFFICE  # type: ignore[union-attr]
    await svc.deactivate(admin, person.id)
    assert await find_staff(1004) is None


async def test_a_handler_changing_its_copy_does_not_change_the_remembered_person(
        db: str, lookups: list[int]) -> None:
    await Staff.create(tg_user_id=1004, name="刘工")
    mine = await find_staff(1004)
    assert mine is not None
    mine.role = Role.ADMIN
    assert (await find_staff(1004)).role == Role.STAFF  # type: ignore[union-attr]


async def test_a_person_joining_is_found_at_once_after_an_earlier_miss(
        db: str, lookups: list[int]) -> None:
    assert await find_staff(1006) is None
    invite = await svc.create_invite(Role.STAFF)
    await svc.join_with_invite(invite.token, 1006, "新同事")
    assert (await find_staff(1006)).name == "新同事"  # type: ignore[union-attr]


async def test_change_made_by_another_process_is_seen_within_a_second(
        db: str, lookups: list[int]) -> None:
    """PostgreSQL's NOTIFY, or SQLite's data_version watched once a second: either way the
    cache may keep people long, and still sees another process's change at once."""
    await asyncio.sleep(0.1)  # the SQLite watcher's first look
    assert STAFF_CACHE.live
    await Staff.create(tg_user_id=1004, name="刘工")
    assert (await find_staff(1004)).role == Role.STAFF  # type: ignore[union-attr]
    assert (await find_staff(1004)).role == Role.STAFF  # type: ignore[union-attr]
    assert lookups == [1004]  # remembered
    await run_elsewhere(db, ("UPDATE staff SET role = 'leader' WHERE tg_user_id = $1", 1004))
    for _ in range(200):
        if 1004 not in STAFF_CACHE._rows:
            break
        await asyncio.sleep(0.01)
    assert (await find_staff(1004)).role == Role.LEADER  # type: ignore[union-attr]


async def test_a_replaced_watcher_does_not_turn_the_new_feed_off(db: str) -> None:
    """A watcher replaced (a second `open_db` without `close_db` between) may stop after its
    successor has looked: it must not turn the successor's feed off as it stops."""
    import bot.db as database

    await asyncio.sleep(0.1)  # the watcher's first look
    if database._watcher is None:
        pytest.skip("PostgreSQL's feed is a LISTEN connection, not a watcher task")
    old = database._watcher
    successor = asyncio.create_task(asyncio.sleep(60))
    database._watcher = successor  # what a second open_db leaves, its first look done
    STAFF_CACHE.live = True
    old.cancel()
    await asyncio.gather(old, return_exceptions=True)
    try:
        assert STAFF_CACHE.live
    finally:
        successor.cancel()
