"""Webhook mode through the bot's own server: secret header, handle-then-answer, replays."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from models.core import InboxUpdate, ProcessedUpdate, Role, Staff
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from tests.e2e.conftest import Env, free_port, start_env

SECRET = "s3cret-token_for-webhook"


async def _webhook_env(db: str, sandbox: Sandbox) -> tuple[Env, int]:
    port = free_port()
    runtime = await start_env(
        db, sandbox, web_port=port, webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret=SECRET,
    )
    return Env(sandbox, SandboxClient(sandbox.base_url), runtime, db), port


async def test_updates_arrive_by_webhook_and_are_answered(db: str, sandbox: Sandbox) -> None:
    env, _ = await _webhook_env(db, sandbox)
    try:
        info = await env.runtime.app.bot.get_webhook_info()
        assert info.url.endswith("/telegram")
        await env.person(1004, "刘工", Role.STAFF)
        reply = await env.say(1004, "/help")
        assert "/help" in reply["text"]
    finally:
        await env.runtime.stop()
        await env.client.close()


async def test_wrong_secret_is_refused_and_a_replayed_update_acts_once(
    db: str, sandbox: Sandbox
) -> None:
    env, port = await _webhook_env(db, sandbox)
    try:
        await env.person(1004, "刘工", role=None)
        await env.person(1001, "王管理", Role.ADMIN)
        invite_reply = await env.say(1001, "/invite staff 财务部 5", contains="t.me")
        token = invite_reply["text"].split("start=")[1].split()[0]
        update = {
            "update_id": 777001,
            "message": {
                "message_id": 50, "date": 1795600000, "text": f"/start {token}",
                "chat": {"id": 1004, "type": "private", "first_name": "刘工"},
                "from": {"id": 1004, "is_bot": False, "first_name": "刘工"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as resp:
                assert resp.status == 403
            assert not await Staff.filter(tg_user_id=1004).exists()
            for _ in range(3):  # Telegram re-sends when it did not see our answer
                async with http.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                ) as resp:
                    assert resp.status == 200
            async with http.post(url, data=b"not json",
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                assert resp.status == 400
        # Answered once written down; the dispatcher handles it from the inbox right after.
        await env.client.wait_for_bot_message(1004, contains="欢迎加入")
        await _inbox_empty()
        assert await ProcessedUpdate.filter(update_id=777001).count() == 1
        invite_uses = (await Staff.filter(department="财务部").count())
        assert invite_uses == 1
        welcomes = [m for m in await env.bot_messages(1004) if "欢迎加入" in m["text"]]
        assert len(welcomes) == 1
    finally:
        await env.runtime.stop()
        await env.client.close()


async def _inbox_empty(timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while await InboxUpdate.exists():
        assert time.monotonic() < deadline, "the inbox was not worked off"
        await asyncio.sleep(0.05)


async def test_health_ready_and_metrics_answer(env: Env) -> None:
    port = env.runtime.web_port
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
            assert resp.status == 200
        async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
            assert resp.status == 200 and (await resp.json())["status"] == "ready"
        async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
            body = await resp.text()
    assert 'officebot_outbox_messages{status="pending"}' in body


async def test_an_update_cut_off_mid_way_acts_when_delivered_again(env: Env) -> None:
    import asyncio

    from telegram import Update as TgUpdate
    from telegram.ext import CommandHandler, ContextTypes

    started, runs = asyncio.Event(), []

    async def slow(update: TgUpdate, context: ContextTypes.DEFAULT_TYPE) -> None:
        runs.append(update.update_id)
        started.set()
        if len(runs) == 1:
            await asyncio.sleep(3600)  # the process dies here the first time

    env.runtime.app.add_handler(CommandHandler("slow", slow), group=-50)
    data = {
        "update_id": 888001,
        "message": {
            "message_id": 9, "date": 1795600000, "text": "/slow",
            "chat": {"id": 1004, "type": "private", "first_name": "刘工"},
            "from": {"id": 1004, "is_bot": False, "first_name": "刘工"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    first = asyncio.create_task(
        env.runtime.app.process_update(TgUpdate.de_json(data, env.runtime.app.bot))
    )
    await started.wait()
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    assert not await ProcessedUpdate.filter(update_id=888001).exists()
    await env.runtime.app.process_update(TgUpdate.de_json(data, env.runtime.app.bot))
    await env.runtime.app.process_update(TgUpdate.de_json(data, env.runtime.app.bot))
    assert runs == [888001, 888001]  # cut off once, then done once; the replay did nothing
    assert await ProcessedUpdate.filter(update_id=888001).count() == 1
