"""kill -9 in polling mode: every update Telegram was told we have is handled after a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from models.core import InboxUpdate, JobRun, ProcessedUpdate, Role, Staff
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from services import clock

ROOT = Path(__file__).resolve().parents[2]
USERS = range(3001, 3051)


def _start_bot(db: str, sandbox: Sandbox, log: Path,
               extra: list[str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.bot_process", db, sandbox.bot_api_base,
             sandbox.file_api_base, clock.now().isoformat(), *(extra or [])],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=out,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    return process


async def _ready(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    assert process.stdout is not None
    line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), timeout)
    assert line.strip() == b"ready", line


def _any_reply(sandbox: Sandbox) -> bool:
    return any(m.is_bot for uid in USERS for m in sandbox.chats[uid].messages.values())


async def _replied(client: SandboxClient) -> set[int]:
    done = set()
    for uid in USERS:
        if any(m["from"]["is_bot"] for m in await client.messages(uid)):
            done.add(uid)
    return done


async def test_kill_9_mid_burst_in_polling_mode_loses_no_update(
    db: str, sandbox: Sandbox, tmp_path: Path,
) -> None:
    log = tmp_path / "bot.log"
    async with SandboxClient(sandbox.base_url) as client:
        for uid in USERS:
            await client.add_user(uid, f"用户{uid}", started=True)
            await Staff.create(tg_user_id=uid, name=f"用户{uid}", role=Role.STAFF)
        bot = _start_bot(db, sandbox, log)
        try:
            await _ready(bot)
            for uid in USERS:
                await client.send_message(uid, uid, "/rooms")
            # Killed mid-burst: Telegram has been told the burst arrived (its offset moved on)
            # and the first replies are out.
            deadline = time.monotonic() + 20
            while sandbox._updates or not _any_reply(sandbox):
                assert time.monotonic() < deadline, "the bot never confirmed the burst"
                await asyncio.sleep(0.005)
            os.kill(bot.pid, signal.SIGKILL)
            bot.wait()
            replied_before = len(await _replied(client))
            waiting = await InboxUpdate.all().count()
            bot = _start_bot(db, sandbox, log)
            await _ready(bot)
            deadline = time.monotonic() + 30
            while len(await _replied(client)) < len(USERS):
                assert time.monotonic() < deadline, (
                    f"lost: {sorted(set(USERS) - await _replied(client))}")
                await asyncio.sleep(0.1)
            while await ProcessedUpdate.all().count() < len(USERS) or await InboxUpdate.exists():
                assert time.monotonic() < deadline, "the inbox was not worked off"
                await asyncio.sleep(0.1)
        finally:
            bot.kill()
            bot.wait()
    assert replied_before < len(USERS) and waiting > 0  # the kill did cut the burst off
    assert await ProcessedUpdate.all().count() == len(USERS)
    print(f"replied before the kill: {replied_before}, waiting in the inbox: {waiting}")


async def _job_status(timeout: float, wanted: str) -> JobRun:
    deadline = time.monotonic() + timeout
    while True:
        run = await JobRun.get_or_none(job="test.crash")
        if run is not None and run.status == wanted:
            return run
        assert time.monotonic() < deadline, f"job run never {wanted}: {run and run.status}"
        await asyncio.sleep(0.1)


async def test_a_job_run_killed_mid_way_is_taken_over_and_completed_once(
    db: str, sandbox: Sandbox, tmp_path: Path,
) -> None:
    log, runs = tmp_path / "bot.log", tmp_path / "runs.txt"
    extra = ["scheduler_enabled=true", "scheduler_tick_seconds=0.3", f"crash_log={runs}"]
    bot = _start_bot(db, sandbox, log, [*extra, "crash_job=hang"])
    try:
        await _ready(bot)
        killed = await _job_status(20, "running")
        os.kill(bot.pid, signal.SIGKILL)
        bot.wait()
        bot = _start_bot(db, sandbox, log, [*extra, "crash_job=run"])
        await _ready(bot)
        done = await _job_status(20, "ok")
        await asyncio.sleep(1.5)  # more ticks: nothing runs it again
    finally:
        bot.kill()
        bot.wait()
    assert runs.read_text().split() == ["hang", "run"]
    assert done.id == killed.id and done.owner != killed.owner and done.detail == "completed"
    assert await JobRun.filter(job="test.crash").count() == 1
