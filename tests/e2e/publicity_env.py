"""The office the publicity end-to-end tests run in: people, bound groups, a fast outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from models.core import BoundChat, ChatPurpose, Role
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from scheduler import runner
from services.clock import FixedClock
from tests.e2e.conftest import Env, start_env

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH).astimezone(UTC)


def labels(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


@pytest.fixture
async def office(fixed_clock: FixedClock, db: str, sandbox: Sandbox) -> AsyncIterator[Env]:
    """The bot with the office's people and groups (the outbox paced fast for tests)."""
    runtime = await start_env(db, sandbox, outbox_group_per_minute=600,
                              outbox_private_per_second=20)
    async with SandboxClient(sandbox.base_url) as client:
        await client.reset_limits(group_rate=10, private_rate=20, private_capacity=20)
        env = Env(sandbox, client, runtime, db)
        try:
            await env.person(1001, "王管理", Role.ADMIN, "党政办")
            await env.person(1002, "李主任", Role.LEADER, "园区领导")
            await env.person(1003, "张秘书", Role.OFFICE, "党政办")
            await env.person(1004, "刘工", Role.STAFF, "规划建设局")
            await env.person(1005, "陈科长", Role.STAFF, "规划建设局", is_head=True)
            await env.group(-2001, "党政办工作群", [1001, 1002, 1003, 1004, 1005])
            await env.group(-2002, "领导舆情群", [1001, 1002, 1003])
            await BoundChat.create(chat_id=-2001, title="党政办工作群", purpose=ChatPurpose.OFFICE)
            await BoundChat.create(chat_id=-2002, title="领导舆情群", purpose=ChatPurpose.LEADERS)
            yield env
        finally:
            await runtime.stop()


async def tick(env: Env, clock: FixedClock, when: datetime) -> list[str]:
    """Run the scheduler at `when` (the clock moved there first)."""
    clock.set(when)
    return await runner.tick(env.runtime.settings, when)
