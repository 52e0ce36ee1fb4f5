"""The front door: nobody but Telegram can post updates, in polling or in webhook mode."""

from __future__ import annotations

from typing import Any

import aiohttp

from models.core import Role, Staff
from models.security import BotSecret
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from tests.e2e.conftest import Env, free_port, start_env

ADMIN, STAFF = 1001, 1004


def forged_promotion(update_id: int, target: int) -> dict[str, Any]:
    """What the probe posted: the admin asking to make someone an admin."""
    text = f"/staff {target}"
    return {
        "update_id": update_id,
        "message": {
            "message_id": 9000 + update_id % 1000, "date": 1795600000, "text": text,
            "chat": {"id": ADMIN, "type": "private", "first_name": "王管理"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "王管理"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def _post(port: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{port}/telegram", json=body,
                             headers=headers or {}) as resp:
            return resp.status


async def test_in_polling_mode_the_web_port_takes_no_updates(db: str, sandbox: Sandbox) -> None:
    port = free_port()
    runtime = await start_env(db, sandbox, web_port=port)
    try:
        await Staff.create(tg_user_id=ADMIN, name="王管理", role=Role.ADMIN)
        staff = await Staff.create(tg_user_id=STAFF, name="刘工", role=Role.STAFF)
        for headers in (None, {"X-Telegram-Bot-Api-Secret-Token": "anything"}):
            assert await _post(port, forged_promotion(770001, staff.id), headers) == 404
        assert (await Staff.get(id=staff.id)).role == Role.STAFF
        assert not [c for c in sandbox.calls() if c["method"].lower() == "sendmessage"]
    finally:
        await runtime.stop()


async def test_webhook_mode_makes_a_secret_keeps_it_and_refuses_updates_without_it(
    db: str, sandbox: Sandbox,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    runtime = await start_env(db, sandbox, web_port=port, webhook_url=url, webhook_secret=None)
    client = SandboxClient(sandbox.base_url)
    env_ = Env(sandbox, client, runtime, db)
    try:
        made = await BotSecret.get(name="webhook")
        assert len(made.value) >= 32
        assert sandbox._webhook is not None and sandbox._webhook["secret_token"] == made.value
        await env_.person(ADMIN, "王管理", Role.ADMIN, "党政办")
        staff = await env_.person(STAFF, "刘工", Role.STAFF, "规划建设局")
        assert staff is not None
        # Real updates come through, with the secret Telegram echoes.
        reply = await env_.say(STAFF, "/help")
        assert "/help" in reply["text"]
        # Forged ones do not: no header, a wrong one, a near miss, a non-ASCII one.
        for headers in (None, {"X-Telegram-Bot-Api-Secret-Token": ""},
                        {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                        {"X-Telegram-Bot-Api-Secret-Token": made.value[:-1]},
                        {"X-Telegram-Bot-Api-Secret-Token": "密钥"}):
            assert await _post(port, forged_promotion(770002, staff.id), headers) == 403
        assert (await Staff.get(id=staff.id)).role == Role.STAFF
    finally:
        await runtime.stop()
        await client.close()
    # A restart (or another replica) uses the same secret.
    again = await start_env(db, sandbox, web_port=free_port(), webhook_url=url,
                            webhook_secret=None)
    try:
        assert again.webhook_secret == made.value
        assert await BotSecret.all().count() == 1
    finally:
        await again.stop()


async def test_a_configured_secret_is_used_as_given(db: str, sandbox: Sandbox) -> None:
    port = free_port()
    runtime = await start_env(db, sandbox, web_port=port,
                              webhook_url=f"http://127.0.0.1:{port}/telegram",
                              webhook_secret="Configured_secret-123")
    try:
        assert runtime.webhook_secret == "Configured_secret-123"
        assert not await BotSecret.exists()
        assert await _post(port, forged_promotion(770003, 1), {
            "X-Telegram-Bot-Api-Secret-Token": "configured_secret-123"}) == 403
    finally:
        await runtime.stop()
