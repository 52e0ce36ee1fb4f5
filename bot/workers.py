"""The shape both delivery workers share (the inbox dispatcher and the outbox notifier).

Each claims a few rows (the oldest of a chat that is not busy here), leased to this worker, works
every row in its own task, renews the leases of the rows it holds with a heartbeat, and sleeps
until woken or until the next poll when there is nothing to claim.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.settings import Settings
from services.leases import worker_id


class LeasedWorker:
    """Runs leased rows, chats concurrently and each chat one at a time."""

    #: What the worker is called in owner names, task names and log lines.
    role = "worker"
    log = logging.getLogger("officebot.worker")

    def __init__(self, settings: Settings, *, idle_poll: float, owner: str | None,
                 max_in_flight: int) -> None:
        self.settings = settings
        self.idle_poll = idle_poll
        self.owner = owner or worker_id(self.role)
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.heartbeat = settings.heartbeat_seconds
        self.max_in_flight = max_in_flight
        #: Chats with a row in work here, and the rows this worker holds (id -> chat).
        self.in_flight: set[int] = set()
        self.held: dict[int, int] = {}
        #: Chats busy here whose next row was stored here meanwhile: looked for when they end.
        self.queued: set[int] = set()
        self.wakeup = asyncio.Event()
        self.stopping = False
        self._tasks: set[asyncio.Task[None]] = set()

    # What a worker provides.
    async def release_dead(self) -> None:
        """Give back the rows a dead worker on this host left leased."""

    async def renew(self, ids: Sequence[int]) -> Any:
        """Extend the leases of these rows; the rows still ours."""

    async def step(self) -> bool:
        """Claim what may run now and start it; whether anything was started."""
        return False

    def idle_wait(self) -> float:
        return self.idle_poll

    # The shared loop.
    def wake(self) -> None:
        self.wakeup.set()

    async def run(self) -> None:
        """Work until stopped."""
        try:
            await self.release_dead()
        except Exception:
            self.log.exception("could not release a dead worker's rows")
        beat = asyncio.create_task(self._beat(), name=f"{self.role}-heartbeat")
        try:
            while not self.stopping:
                try:
                    progressed = await self.step()
                except Exception:
                    self.log.exception("%s step failed; retrying shortly", self.role)
                    progressed = False
                if not progressed:
                    try:
                        await asyncio.wait_for(self.wakeup.wait(), self.idle_wait())
                    except TimeoutError:
                        pass
                    self.wakeup.clear()
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)

    async def stop(self) -> None:
        self.stopping = True
        self.wake()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=15)

    async def _beat(self) -> None:
        while not self.stopping:
            await asyncio.sleep(self.heartbeat)
            if not self.held:
                continue
            try:
                await self.renew(list(self.held))
            except Exception:
                self.log.exception("%s heartbeat failed", self.role)

    def start(self, row_id: int, chat: int, work: Callable[[], Awaitable[bool | None]]) -> None:
        """Hold the row and work it in its own task; the chat is busy here until it ends."""
        self.in_flight.add(chat)
        self.held[row_id] = chat
        task = asyncio.create_task(self._work(row_id, chat, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(self, row_id: int, chat: int,
                    work: Callable[[], Awaitable[bool | None]]) -> None:
        """Work the row, then look for more unless the work said nothing more waits for this
        worker (False): a worker that was full may have left rows unclaimed, so it looks, and
        so does one that stored the chat's next row meanwhile (stored after the work's own
        look, its wake claimed nothing while the chat was still busy here)."""
        more: bool | None = True
        try:
            more = await work()
        finally:
            full = len(self.in_flight) >= self.max_in_flight
            self.held.pop(row_id, None)
            self.in_flight.discard(chat)
            queued = chat in self.queued
            self.queued.discard(chat)
            if more is not False or full or queued:
                self.wake()
