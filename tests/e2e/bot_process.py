"""The bot as its own process against the sandbox (tests kill it with SIGKILL).

python -m tests.e2e.bot_process DB_URL BOT_API_URL FILE_URL START_ISO [key=value ...]
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta
from typing import Any

from bot.app import Runtime
from bot.settings import Settings
from services.clock import ShiftedClock
from tests.e2e.conftest import TOKEN


async def main(argv: list[str]) -> None:
    db_url, api_url, file_url, start = argv[:4]
    values: dict[str, Any] = {
        "token": TOKEN, "database_url": db_url, "bot_api_url": api_url,
        "bot_file_url": file_url, "poll_timeout": 1, "telegram_timeout": 3.0, "web_port": 0,
        "admin_chat_id": None, "sandbox_spec": None, "scheduler_enabled": False,
    }
    for pair in argv[4:]:
        key, value = pair.split("=", 1)
        values[key] = value
    crash_job = values.pop("crash_job", None)
    if crash_job:
        _register_crash_job(crash_job, values.pop("crash_log"))
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    runtime = Runtime(settings, clock=ShiftedClock(datetime.fromisoformat(start)))
    await runtime.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


def _append(path: str, text: str) -> None:
    with open(path, "a") as out:
        out.write(text)


def _register_crash_job(mode: str, log: str) -> None:
    """A daily job due now: `hang` starts and never ends (to be killed), `run` completes."""
    from scheduler import JobSpec, register

    async def crash_job(now: datetime) -> str:
        await asyncio.to_thread(_append, log, f"{mode}\n")
        if mode == "hang":
            await asyncio.Event().wait()
        return "completed"

    register(JobSpec("test.crash", crash_job, at="00:00", grace=timedelta(days=1)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
