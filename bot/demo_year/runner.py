"""Start the sandbox and the bot for a demo year, and set up the office as installed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.demo_year.people import DEPARTMENTS, GROUPS, Person, people
from bot.demo_year.stage import Stage, YearClock, install_clock

TOKEN = "123456:SANDBOX-year-token"


@dataclass
class Theatre:
    """What a demo year drives: the stage, the running bot and the sandbox."""

    stage: Stage
    runtime: Any
    sandbox: Any
    people: list[Person]


async def install(client: Any, roster: list[Person]) -> None:
    """The installation: staff and bound groups as `officebot sandbox --demo` seeds them,
    the rooms, the supplies catalogue and the repair places and companies as their demo
    seeders (and import commands) add them."""
    from models.core import BoundChat, Staff
    from services.repairs.demo import seed_demo as repair_places
    from services.rooms.demo import seed_demo as rooms
    from services.supplies.demo import seed_demo as supplies

    for person in roster:
        await client.add_user(person.uid, person.name, username=f"u{person.uid}", started=True)
        await Staff.update_or_create(
            tg_user_id=person.uid,
            defaults={"name": person.name, "username": f"u{person.uid}", "role": person.role,
                      "department": person.department, "is_head": person.head, "active": True})
    admin = await Staff.get(tg_user_id=roster[0].uid)
    for chat_id, title, purpose, members in GROUPS:
        await client.add_chat(chat_id, "group", title=title, members=members(roster))
        await BoundChat.update_or_create(
            purpose=purpose, defaults={"chat_id": chat_id, "title": title, "bound_by": admin})
    await rooms()
    await supplies()
    await repair_places()
    assert len(DEPARTMENTS) == 8


async def continue_updates(sandbox: Any) -> None:
    """On a database that has served before (the next year played on the same one), the
    stand-in's update ids go on from the last one the bot processed, as Telegram's do: the bot
    skips an update id it has seen (a replay)."""
    from models.core import ProcessedUpdate

    last = await ProcessedUpdate.all().order_by("-update_id").first()
    if last is not None:
        sandbox._next_update_id = max(sandbox._next_update_id, last.update_id + 1)


@contextlib.asynccontextmanager
async def theatre(database_url: str, start: datetime, *, spec: Any = None,
                  timeout: float = 10.0, open_database: bool = True
                  ) -> AsyncIterator[Theatre]:
    """The sandbox and the bot on `database_url`, the clock at `start`, the office installed."""
    from bot.app import Runtime
    from bot.db import close_db, open_db
    from bot.settings import Settings
    from sandbox.client import SandboxClient
    from sandbox.server import Sandbox
    from services import clock

    year_clock: YearClock = install_clock(start)
    sandbox = Sandbox(spec, clock=lambda: clock.now().timestamp())
    await sandbox.start("127.0.0.1", 0)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, token=TOKEN, database_url=database_url,
        bot_api_url=sandbox.bot_api_base, bot_file_url=sandbox.file_api_base,
        poll_timeout=1, telegram_timeout=5.0, web_port=0, admin_chat_id=None,
        sandbox_spec=None, scheduler_enabled=False, webhook_url=None,
        # The year runs hundreds of times faster than real time: so does the pacing.
        outbox_global_per_second=1000, outbox_private_per_second=1000,
        outbox_group_per_minute=60000)
    if open_database:
        await open_db(settings=settings)
    await continue_updates(sandbox)
    runtime = Runtime(settings, open_database=False)
    try:
        async with SandboxClient(sandbox.base_url) as client:
            # Telegram paces a bot at 1 message/s per private chat; the year is compressed,
            # so its pacing is too (the bot's handling of 429s is tested elsewhere).
            await client.reset_limits(private_rate=1000, private_capacity=1000,
                                      group_rate=1000, group_capacity=1000,
                                      global_rate=5000, global_capacity=5000)
            roster = people()
            await install(client, roster)
            await runtime.start()
            if runtime.notifier is not None:
                # The bot's pushes are looked for four times a second, which is real time
                # for people but, in a year played in minutes, most of the run.
                runtime.notifier.idle_poll = 0.03
            try:
                yield Theatre(Stage(client, year_clock, timeout), runtime, sandbox, roster)
            finally:
                await runtime.stop()
    finally:
        await sandbox.stop()
        if open_database:
            await close_db()
