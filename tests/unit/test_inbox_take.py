"""Storing an update claims it when its chat is idle (services.updates.take), and the database
refuses a second update of one chat in work, whichever replica took it (issue 20)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from bot.db import is_sqlite
from models.core import InboxStatus, InboxUpdate, ProcessedUpdate
from services import clock, updates

LEASE = timedelta(seconds=30)


def _update(update_id: int, chat: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1795600000, "text": "/help",
        "chat": {"id": chat, "type": "private"}, "from": {"id": chat, "is_bot": False,
                                                          "first_name": "刘工"}}}


async def test_an_idle_chats_update_is_stored_claimed_and_a_busy_chats_waits(db: str) -> None:
    row = await updates.take(_update(1, 1004), "me", LEASE)
    assert row is not None and row.update_id == 1 and row.chat_key == 1004
    assert row.payload == _update(1, 1004)
    stored = await InboxUpdate.get(update_id=1)
    assert (stored.status, stored.owner) == (InboxStatus.WORKING, "me")
    assert stored.lease_until is not None and stored.lease_until > clock.now()
    # The same chat's next update waits; another chat's is taken.
    assert await updates.take(_update(2, 1004), "me", LEASE) is None
    assert (await InboxUpdate.get(update_id=2)).status == InboxStatus.PENDING
    assert await updates.take(_update(3, 1005), "me", LEASE) is not None
    # Delivered again, or already processed: nothing new.
    assert await updates.take(_update(1, 1004), "me", LEASE) is None
    # Finishing says the chat has another update waiting: the loop must look for it.
    assert await updates.finish(row) is True
    assert await updates.take(_update(1, 1004), "me", LEASE) is None
    assert not await InboxUpdate.filter(update_id=1).exists()
    assert await ProcessedUpdate.filter(update_id=1).count() == 1
    # The waiting update is the chat's head now: the loop claims it.
    claimed = await updates.claim_heads("me", LEASE, 10, skip_chats=[1005])
    assert [c.update_id for c in claimed] == [2]
    # The last of a chat, and a chat with nothing behind it: nothing more to look for.
    assert await updates.finish(claimed[0]) is False
    other = await InboxUpdate.get(update_id=3)
    assert await updates.finish(updates.Claimed(other.id, 3, 1005, {})) is False
    assert await ProcessedUpdate.filter(update_id__in=[1, 2, 3]).count() == 3
    assert not await InboxUpdate.exists()


async def test_the_database_refuses_a_second_update_of_a_chat_in_work(db: str) -> None:
    now = clock.now()
    await InboxUpdate.create(update_id=1, chat_key=7, payload={}, status=InboxStatus.WORKING,
                             owner="a", lease_until=now + LEASE, received_at=now)
    with pytest.raises(IntegrityError):
        await InboxUpdate.create(update_id=2, chat_key=7, payload={},
                                 status=InboxStatus.WORKING, owner="b",
                                 lease_until=now + LEASE, received_at=now)
    await InboxUpdate.create(update_id=3, chat_key=7, payload={}, received_at=now)


async def test_two_replicas_taking_one_idle_chat_at_once_never_both_run_it(db: str) -> None:
    """Replica B takes the chat's next update while replica A's take of the first is not yet
    committed: both saw the chat idle; the index holds B until A commits, then refuses it,
    and B's update waits its turn."""
    if is_sqlite(db):
        pytest.skip("one process writes SQLite: the race needs two PostgreSQL connections")
    import asyncpg

    other = await asyncpg.connect(db.split("?")[0].replace("postgres://", "postgresql://"))
    try:
        replica_a = other.transaction()
        await replica_a.start()
        now = clock.now()
        first = await other.fetch(
            updates._TAKE["postgres"], 1, 1004, json.dumps(_update(1, 1004)), now,
            "replica-a", now + LEASE)
        assert first[0]["status"] == "working"
        replica_b = asyncio.create_task(updates.take(_update(2, 1004), "replica-b", LEASE))
        await asyncio.sleep(0.3)
        assert not replica_b.done()  # waiting on A's uncommitted row in the index
        await replica_a.commit()
        assert await asyncio.wait_for(replica_b, 5) is None
    finally:
        await other.close()
    rows = {r.update_id: (r.status, r.owner) for r in await InboxUpdate.all()}
    assert rows == {1: (InboxStatus.WORKING, "replica-a"), 2: (InboxStatus.PENDING, None)}
