"""An idle chat's update is claimed as it is stored and handled at once (issue 20): no claim
round trip. The chat's next updates, arriving while it is handled, wait in the inbox and run
after it, in order, one at a time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from models.core import InboxUpdate, ProcessedUpdate, Role
from services import updates
from tests.e2e.conftest import Env


def _count_claims(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The update ids the dispatcher's loop claims (updates not taken at the door)."""
    claimed: list[int] = []
    real = updates.claim_heads

    async def counting(*args: Any, **kwargs: Any) -> list[updates.Claimed]:
        rows = await real(*args, **kwargs)
        claimed.extend(row.update_id for row in rows)
        return rows

    monkeypatch.setattr(updates, "claim_heads", counting)
    return claimed


async def test_an_idle_chats_update_is_handled_without_a_claim(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    claimed = _count_claims(monkeypatch)
    await env.person(1004, "刘工", Role.STAFF)
    for n in range(1, 4):
        reply = await env.say(1004, "/help")
        assert "/help" in reply["text"]
        await _processed(n)  # the answer goes out a moment before the update is finished
    assert claimed == []
    assert await ProcessedUpdate.all().count() == 3


async def test_a_busy_chats_updates_wait_and_run_in_order_one_at_a_time(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    claimed = _count_claims(monkeypatch)
    runs: list[str] = []
    running: set[int] = set()
    overlaps: list[str] = []

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        chat = update.effective_chat.id
        if chat in running:
            overlaps.append(update.effective_message.text or "")
        running.add(chat)
        try:
            await asyncio.sleep(0.3)
            runs.append(update.effective_message.text or "")
            await update.effective_message.reply_text(f"done {len(runs)}")
        finally:
            running.discard(chat)

    env.runtime.app.add_handler(CommandHandler("slow", slow), group=-50)
    await env.person(1004, "刘工", Role.STAFF)
    await env.person(1005, "陈工", Role.STAFF)
    texts = [f"/slow {n}" for n in range(4)]
    for text in texts:  # sent at once: the first is in work while the others arrive
        await env.send(1004, text)
    await env.send(1005, "/slow other")  # another chat is not held up by the busy one
    await env.client.wait_for_bot_message(1004, contains="done", timeout=8)
    for _ in range(40):
        if len(runs) == 5:
            break
        await asyncio.sleep(0.1)
    assert [r for r in runs if r != "/slow other"] == texts
    assert runs.index("/slow other") < 2
    assert overlaps == []
    await _inbox_empty()
    first, *behind = sorted(await ProcessedUpdate.all().values_list("update_id", flat=True))
    # The first was taken at the door; the three behind it waited and were claimed in turn
    # (the other chat's came in the same batch as some of them, or alone).
    assert first not in claimed
    assert set(behind[:3]) <= set(claimed)


async def test_the_dispatcher_looks_for_more_work_only_when_some_waits(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the idle poll a minute away, only the dispatcher's own wakes move the inbox: a
    quiet chat's updates cost no claim at all, a busy chat's next update runs as soon as the
    one before it is finished, and a full dispatcher looks again when a place frees up."""
    dispatcher = env.runtime.dispatcher
    assert dispatcher is not None
    dispatcher.idle_poll = 60.0
    await asyncio.sleep(0.4)  # the loop's current wait (the usual quarter second) runs out
    calls: list[int] = []
    real = updates.claim_heads

    async def counting(*args: Any, **kwargs: Any) -> list[updates.Claimed]:
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(updates, "claim_heads", counting)

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await asyncio.sleep(0.2)
        await update.effective_message.reply_text(f"done {update.effective_message.text}")

    env.runtime.app.add_handler(CommandHandler("slow", slow), group=-50)
    await env.person(1004, "刘工", Role.STAFF)
    await env.person(1005, "陈工", Role.STAFF)
    for _ in range(3):
        assert "/help" in (await env.say(1004, "/help"))["text"]
    await _processed(3)
    await asyncio.sleep(0.2)
    assert calls == []  # no look for more work after a quiet chat's update

    # A busy chat: its next updates wait, and each runs when the one before it is finished.
    for n in range(3):
        await env.send(1004, f"/slow {n}")
    await env.client.wait_for_bot_message(1004, contains="done /slow 2", timeout=5)
    await _inbox_empty()
    # One claim for each of the two that waited (a third if the first two came in one poll):
    # none when a busy chat's update is stored, none again after a claim that took them all.
    assert len(calls) <= 3, calls

    # A full dispatcher (one place): the other chat's update runs when the place frees up.
    dispatcher.max_in_flight = 1
    await env.send(1004, "/slow a")
    await env.send(1005, "/slow b")
    await env.client.wait_for_bot_message(1005, contains="done /slow b", timeout=5)
    await _inbox_empty()
    assert await ProcessedUpdate.all().count() == 8


async def test_a_chats_next_update_stored_after_its_finish_looked_is_not_left_waiting(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The press that follows a card arrives while the card's update is finishing: stored
    after the finish looked for more (none yet) and before the chat stopped being busy here,
    its own wake claims nothing. The dispatcher looks again when the chat ends; it used to
    leave it for the idle poll (a quarter of a second on every such press: a booking's p99)."""
    dispatcher = env.runtime.dispatcher
    assert dispatcher is not None
    dispatcher.idle_poll = 60.0
    await asyncio.sleep(0.4)  # the loop's current wait (the usual quarter second) runs out
    real_finish, real_store = updates.finish, updates.store
    stored = asyncio.Event()
    looked: list[bool] = []

    async def store(payloads: list[dict[str, Any]]) -> None:
        await real_store(payloads)
        stored.set()

    async def finish(row: updates.Claimed) -> bool:
        more = await real_finish(row)
        if not looked:  # the first update: its next one comes after this look
            looked.append(more)
            await asyncio.wait_for(stored.wait(), 5)
            await asyncio.sleep(0.1)  # the store's wake claims nothing: the chat is busy
        return more

    monkeypatch.setattr(updates, "finish", finish)
    monkeypatch.setattr(updates, "store", store)

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"done {update.effective_message.text}")

    env.runtime.app.add_handler(CommandHandler("slow", slow), group=-50)
    await env.person(1004, "刘工", Role.STAFF)
    await env.send(1004, "/slow first")
    await env.client.wait_for_bot_message(1004, contains="done /slow first", timeout=5)
    await env.send(1004, "/slow second")  # stored while the first is finishing
    await env.client.wait_for_bot_message(1004, contains="done /slow second", timeout=3)
    assert looked == [False]
    await _inbox_empty()


async def _processed(count: int) -> None:
    for _ in range(100):
        if await ProcessedUpdate.all().count() >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} updates were not processed")


async def _inbox_empty() -> None:
    for _ in range(100):
        if not await InboxUpdate.exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the inbox was not worked off")
