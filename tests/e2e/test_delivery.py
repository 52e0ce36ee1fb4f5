"""Delivery under load: leases renewed by a heartbeat, no head-of-line blocking, 429 storms."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.notifier import Notifier
from models.core import OutboxMessage, OutboxStatus, ProcessedUpdate, Role, Staff
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from services import clock, outbox
from services.leases import worker_id
from tests.e2e.conftest import Env, start_env

GROUP = -100500


async def _queue(chat_id: int, count: int, prefix: str) -> None:
    now = clock.now()
    await OutboxMessage.bulk_create([
        OutboxMessage(kind="core.text", chat_id=chat_id, payload={"text": f"{prefix}{n}"},
                      dedup_key=f"{prefix}:{n}", next_attempt_at=now, created_at=now)
        for n in range(count)
    ], batch_size=200)


async def _texts(env: Env, chat_id: int) -> list[str]:
    return [m["text"] for m in await env.bot_messages(chat_id)]


@pytest.fixture
async def fast_env(db: str, sandbox: Sandbox) -> AsyncIterator[Env]:
    """Telegram's limits lifted and a lease (0.6 s) far shorter than the drain of a backlog."""
    sandbox.enforce_limits = False
    runtime = await start_env(db, sandbox, lease_seconds=0.6, heartbeat_seconds=0.15,
                              outbox_group_per_minute=12000, outbox_global_per_second=400,
                              outbox_private_per_second=100)
    async with SandboxClient(sandbox.base_url) as client:
        try:
            yield Env(sandbox, client, runtime, db)
        finally:
            await runtime.stop()


async def test_a_backlog_longer_than_the_lease_is_sent_once_by_two_workers(
    fast_env: Env,
) -> None:
    env = fast_env
    await env.person(1004, "刘工")
    await env.group(GROUP, "办公室群", [1004])
    # A second worker (another replica) races the first for the same rows.
    second = Notifier(env.runtime.outbox_bot, env.runtime.settings)  # type: ignore[arg-type]
    task = asyncio.create_task(second.run())
    try:
        await _queue(GROUP, 1000, "群通知")
        started = time.monotonic()
        await env.delivered(timeout=90)
        drained = time.monotonic() - started
    finally:
        await second.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    texts = await _texts(env, GROUP)
    assert drained > 3 * env.runtime.settings.lease_seconds  # the leases had to be renewed
    assert Counter(texts).most_common(1)[0][1] == 1, "a message was sent twice"
    assert len(texts) == 1000
    assert texts == [f"群通知{n}" for n in range(1000)]  # in the order written
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 1000
    assert second.sent > 0 and env.runtime.notifier.sent > 0  # type: ignore[union-attr]


async def test_an_idle_chat_is_served_within_2_s_behind_a_group_backlog(env: Env) -> None:
    await env.person(1004, "刘工")
    await env.person(1005, "陈秘书")
    await env.group(GROUP, "领导群", [1004])
    await _queue(GROUP, 1000, "预警")
    await asyncio.sleep(1.5)  # the backlog is being worked at the group's 19 a minute
    for n in range(3):
        started = time.monotonic()
        await outbox.emit("core.text", 1005, {"text": f"待审批卡片{n}"}, f"card:{n}")
        await env.client.wait_for_bot_message(1005, contains=f"待审批卡片{n}", timeout=5)
        assert time.monotonic() - started < 2.0
        await asyncio.sleep(0.5)
    pending = await OutboxMessage.filter(chat_id=GROUP, status=OutboxStatus.PENDING).count()
    assert pending > 900  # the group is still far behind: nobody waited for it


async def test_a_429_storm_kills_nothing_and_keeps_each_chats_order(env: Env) -> None:
    await env.person(1004, "刘工")
    await env.person(1005, "陈秘书")
    env.runtime.settings.outbox_max_attempts = 2
    await env.client.fault("sendMessage", "429", count=6, retry_after=1)
    await env.client.fault("sendMessage", "500", count=1)
    for n in range(4):
        for uid in (1004, 1005):
            await outbox.emit("core.text", uid, {"text": f"消息{n}"}, f"s:{uid}:{n}")
    await env.delivered(timeout=40)
    assert not await OutboxMessage.filter(status=OutboxStatus.DEAD).exists()
    for uid in (1004, 1005):
        assert await _texts(env, uid) == [f"消息{n}" for n in range(4)]


@pytest.mark.parametrize("here", [True, False], ids=["same-host", "other-host"])
async def test_a_killed_senders_rows_are_taken_over_within_10_s_in_order(
    db: str, sandbox: Sandbox, here: bool,
) -> None:
    settings_lease = 5.0
    if here:  # a process of this host that is gone (a pid nobody has)
        owner = worker_id("outbox").split(":")
        owner[1] = str(_gone_pid())
        dead_owner = ":".join(owner)
    else:
        dead_owner = "another-host:1:abc:outbox:0"
    async with SandboxClient(sandbox.base_url) as client:
        for uid in (1004, 1005):
            await client.add_user(uid, f"u{uid}", started=True)
            await Staff.create(tg_user_id=uid, name=f"u{uid}")
        for n in range(4):
            for uid in (1004, 1005):
                await outbox.emit("core.text", uid, {"text": f"第{n}条"}, f"k:{uid}:{n}")
        # The killed worker held both chats' heads, its leases still running.
        held = await outbox.claim_heads(dead_owner, timedelta(seconds=settings_lease), limit=10)
        assert len(held) == 2
        runtime = await start_env(db, sandbox, lease_seconds=settings_lease)
        started = time.monotonic()
        try:
            env = Env(sandbox, client, runtime, db)
            await env.delivered(timeout=12)
            took = time.monotonic() - started
            for uid in (1004, 1005):
                assert await _texts(env, uid) == [f"第{n}条" for n in range(4)]
        finally:
            await runtime.stop()
    assert took < (3.5 if here else 10.0)


def _gone_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


async def test_reachability_follows_the_last_delivery_and_the_office_hears_once_a_day(
    env: Env,
) -> None:
    await env.person(1001, "王管理", Role.ADMIN)
    await env.person(1002, "李主任", Role.LEADER)
    env.allow_failure("blocked by the user")
    await env.client.fault("sendMessage", "403", count=1)
    await outbox.emit("core.text", 1002, {"text": "第一张"}, "r:1")
    await env.delivered()
    assert not (await Staff.get(tg_user_id=1002)).reachable
    await outbox.emit("core.text", 1002, {"text": "第二张"}, "r:2")
    await env.delivered()
    assert await _texts(env, 1002) == ["第二张"]
    assert (await Staff.get(tg_user_id=1002)).reachable  # a later delivery succeeded


async def _register(env: Env, users: range) -> None:
    for uid in users:
        await env.person(uid, f"用户{uid}")


async def test_fifty_users_at_once_all_answered_within_2_s(env: Env) -> None:
    users = range(3001, 3051)
    await _register(env, users)
    started = time.monotonic()
    await asyncio.gather(*(env.client.send_message(uid, uid, "/help") for uid in users))
    for uid in users:
        await env.client.wait_for_bot_message(uid, timeout=10)
    took = time.monotonic() - started
    assert took < 2.0, f"the last of 50 replies came after {took:.1f} s"


async def test_one_chats_429_never_holds_another_and_each_chat_keeps_its_order(
    env: Env,
) -> None:
    await _register(env, range(3001, 3003))
    await env.client.fault("sendMessage", "429", count=1, retry_after=3)
    slow_started = time.monotonic()
    first = await env.send(3001, "/help")
    deadline = time.monotonic() + 5
    while not any(c.get("injected") for c in env.sandbox.calls()):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    # 3001's reply waits out its 429; 3002 is answered meanwhile, at once.
    started = time.monotonic()
    await env.say(3002, "/help", timeout=5)
    assert time.monotonic() - started < 1.0
    await env.client.wait_for_bot_message(3001, after=first, timeout=8)
    assert time.monotonic() - slow_started >= 2.9
    # One chat's updates are handled one after another, in the order they came.
    before = await ProcessedUpdate.all().count()
    sent = [await env.send(3002, "/help") for _ in range(6)]
    await env.client.wait_for_bot_message(3002, after=sent[-1], timeout=8)
    deadline = time.monotonic() + 5
    while await ProcessedUpdate.all().count() < before + 6:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    done = await ProcessedUpdate.all().order_by("id").values_list("update_id", flat=True)
    assert list(done[before:]) == sorted(done[before:])


async def test_a_reply_failing_with_5xx_is_retried_then_delivered_by_the_outbox(
    env: Env,
) -> None:
    await _register(env, range(3001, 3002))
    await env.client.fault("sendMessage", "500", count=3)
    reply = await env.say(3001, "/help", timeout=10)
    assert "/help" in reply["text"]
    await env.delivered()
    row = await OutboxMessage.get(kind="core.reply", chat_id=3001)
    assert row.status == OutboxStatus.SENT
    limiter = env.runtime.app.bot.rate_limiter
    assert getattr(limiter, "handed_over", 0) == 1
