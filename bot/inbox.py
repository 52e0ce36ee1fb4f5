"""Updates in: the poller writes each update to the inbox before confirming it to Telegram,
the dispatcher handles the inbox from the database, chats concurrently, each chat in order."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from bot.settings import Settings
from models.core import InboxUpdate
from services import updates
from services.leases import worker_id

log = logging.getLogger("officebot.inbox")

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


class Dispatcher:
    """Claims the oldest update of each chat not busy here and hands it to the application."""

    def __init__(self, application: Application,  # type: ignore[type-arg]
                 settings: Settings, *, idle_poll: float = 0.25,
                 owner: str | None = None) -> None:
        self.app = application
        self.idle_poll = idle_poll
        self.owner = owner or worker_id("inbox")
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.heartbeat = settings.heartbeat_seconds
        self.max_in_flight = settings.inbox_max_in_flight
        self.in_flight: set[int] = set()
        self.held: dict[int, int] = {}
        self.wakeup = asyncio.Event()
        self.stopping = False
        self.handled = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self.wakeup.set()

    async def run(self) -> None:
        try:
            await updates.release_dead_here()
        except Exception:
            log.exception("could not release a dead worker's updates")
        beat = asyncio.create_task(self._heartbeat(), name="inbox-heartbeat")
        try:
            while not self.stopping:
                try:
                    progressed = await self.step()
                except Exception:
                    log.exception("inbox step failed; retrying shortly")
                    progressed = False
                if not progressed:
                    try:
                        await asyncio.wait_for(self.wakeup.wait(), self.idle_poll)
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

    async def _heartbeat(self) -> None:
        while not self.stopping:
            await asyncio.sleep(self.heartbeat)
            if self.held:
                try:
                    await updates.renew(self.owner, self.lease, list(self.held))
                except Exception:
                    log.exception("inbox heartbeat failed")

    async def step(self) -> bool:
        free = self.max_in_flight - len(self.in_flight)
        if free <= 0 or self.stopping:
            return False
        rows = await updates.claim_heads(self.owner, self.lease, free, self.in_flight)
        for row in rows:
            self.in_flight.add(row.chat_key)
            self.held[row.id] = row.chat_key
            task = asyncio.create_task(self._handle(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return bool(rows)

    async def _handle(self, row: InboxUpdate) -> None:
        try:
            update = Update.de_json(row.payload, self.app.bot)
            # PTB reports a handler's error to the error handlers; anything escaping here is
            # a broken update, which a retry would not mend.
            await self.app.process_update(update)
            await updates.finish(row.id)
            self.handled += 1
        except Exception:
            log.exception("update %s could not be handled; it stays for a retry", row.update_id)
        finally:
            self.held.pop(row.id, None)
            self.in_flight.discard(row.chat_key)
            self.wake()


class Poller:
    """Long-polls getUpdates; an update is confirmed (the next offset) only once it is stored."""

    def __init__(self, application: Application,  # type: ignore[type-arg]
                 settings: Settings, dispatcher: Dispatcher) -> None:
        self.app = application
        self.timeout = settings.poll_timeout
        self.dispatcher = dispatcher
        self.stopping = False
        self.offset: int | None = None
        self.received = 0

    async def run(self) -> None:
        backoff = 0.5
        while not self.stopping:
            try:
                batch: tuple[Update, ...] = await self.app.bot.get_updates(
                    offset=self.offset, timeout=self.timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                log.error("Telegram refused the token; polling stops")
                return
            except (Conflict, NetworkError, TimedOut) as exc:
                log.warning("getUpdates failed (%s); trying again in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            if not batch:
                continue
            payloads: list[dict[str, Any]] = [u.to_dict() for u in batch]
            while True:
                try:
                    await updates.store(payloads)
                    break
                except Exception:
                    # Not stored, not confirmed: keep trying (Telegram keeps them meanwhile).
                    log.exception("could not store %d updates; retrying", len(payloads))
                    await asyncio.sleep(1.0)
                    if self.stopping:
                        return
            self.received += len(payloads)
            self.offset = max(u.update_id for u in batch) + 1
            self.dispatcher.wake()
