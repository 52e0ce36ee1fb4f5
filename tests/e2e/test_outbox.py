"""Outbox delivery through the sandbox: pacing, retries, dead letters, restarts."""

from __future__ import annotations

from collections import Counter

from tortoise.transactions import in_transaction

from bot.app import Runtime
from models.core import OutboxMessage, OutboxStatus, Role, Staff
from services import outbox
from tests.e2e.conftest import Env, make_settings, start_env


async def _texts(env: Env, chat_id: int) -> list[str]:
    return [m["text"] for m in await env.bot_messages(chat_id)]


async def test_message_written_in_a_transaction_is_delivered_with_its_text_recorded(
    env: Env,
) -> None:
    await env.person(1004, "刘工")
    async with in_transaction():
        await outbox.emit("core.text", 1004, {"text": "会议通知"}, "notice:1")
        await outbox.emit("core.text", 1004, {"text": "会议通知"}, "notice:1")  # same event
    await env.delivered()
    assert await _texts(env, 1004) == ["会议通知"]
    row = await OutboxMessage.get(dedup_key="notice:1")
    assert row.status == OutboxStatus.SENT and row.sent_text == "会议通知"
    assert row.tg_message_id is not None


async def test_rolled_back_change_sends_nothing(env: Env) -> None:
    await env.person(1004, "刘工")
    try:
        async with in_transaction():
            await outbox.emit("core.text", 1004, {"text": "不该发出"}, "rollback:1")
            raise RuntimeError("the business change failed")
    except RuntimeError:
        pass
    await env.delivered()
    assert await _texts(env, 1004) == []
    assert not await OutboxMessage.exists()


async def test_429_and_500_and_timeout_are_retried_until_delivered(env: Env) -> None:
    await env.person(1004, "刘工")
    await env.client.fault("sendMessage", "429", count=1, retry_after=1)
    await env.client.fault("sendMessage", "500", count=1)
    await env.client.fault("sendMessage", "timeout", count=1)
    await outbox.emit("core.text", 1004, {"text": "坚持送达"}, "retry:1")
    await env.delivered(timeout=30)
    assert await _texts(env, 1004) == ["坚持送达"]
    row = await OutboxMessage.get(dedup_key="retry:1")
    assert row.status == OutboxStatus.SENT and row.attempts == 4


async def test_403_marks_dead_and_tells_the_admin_then_start_delivers_it(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN)
    await env.person(1002, "李主任", Role.LEADER, started=False)
    env.allow_failure("can't initiate conversation")
    await outbox.emit("core.text", 1002, {"text": "请审批"}, "card:1")
    await env.delivered()
    row = await OutboxMessage.get(dedup_key="card:1")
    assert row.status == OutboxStatus.DEAD and row.last_error.startswith("forbidden")
    assert not (await Staff.get(tg_user_id=1002)).reachable
    notice = await env.client.wait_for_bot_message(1001, contains="李主任")
    assert "/start" in notice["text"]
    # The leader opens the bot: the refused message goes out at once, once.
    await env.say(1002, "/start")
    await env.delivered()
    assert "请审批" in await _texts(env, 1002)
    assert (await Staff.get(tg_user_id=1002)).reachable


async def test_400_is_dead_at_once_and_reported(env: Env) -> None:
    await env.person(1001, "王管理", Role.ADMIN)
    env.allow_failure("chat not found")
    await outbox.emit("core.text", -999, {"text": "无处可去"}, "nowhere:1")
    await env.delivered()
    row = await OutboxMessage.get(dedup_key="nowhere:1")
    assert row.status == OutboxStatus.DEAD and "chat not found" in row.last_error.lower()
    await env.client.wait_for_bot_message(1001, contains="-999")


async def test_restart_delivers_each_undelivered_message_exactly_once(
    db: str, sandbox: object
) -> None:
    from sandbox.client import SandboxClient
    from sandbox.server import Sandbox

    assert isinstance(sandbox, Sandbox)
    first = Runtime(make_settings(sandbox, db), open_database=False, run_notifier=False)
    await first.start()
    async with SandboxClient(sandbox.base_url) as client:
        for uid in (1004, 1005):
            await client.add_user(uid, f"u{uid}", started=True)
            await Staff.create(tg_user_id=uid, name=f"u{uid}")
        for n in range(6):
            await outbox.emit("core.text", 1004 + n % 2, {"text": f"第{n}条"}, f"r:{n}")
        # A crash mid-delivery: one row was claimed by the dead worker and never sent.
        claimed = await outbox.claim_due(limit=1)
        await OutboxMessage.filter(id=claimed[0].id).update(
            lease_until=claimed[0].created_at
        )
        await first.stop()
        second = await start_env(db, sandbox)
        try:
            env = Env(sandbox, client, second, db)
            await env.delivered(timeout=20)
            texts: Counter[str] = Counter()
            for uid in (1004, 1005):
                texts.update(m["text"] for m in await env.bot_messages(uid))
        finally:
            await second.stop()
    assert texts == Counter({f"第{n}条": 1 for n in range(6)})


async def test_a_429_is_waited_out_in_real_time_even_when_the_clock_is_fixed(
    env: Env, fixed_clock: object
) -> None:
    await env.person(1004, "刘工")
    await env.client.fault("sendMessage", "429", count=1, retry_after=1)
    await outbox.emit("core.text", 1004, {"text": "固定时钟也能送达"}, "fixed:1")
    await env.delivered(timeout=10)
    assert await _texts(env, 1004) == ["固定时钟也能送达"]
