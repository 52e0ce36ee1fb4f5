"""Updates in: the poller writes each update to the inbox before confirming it to Telegram,
the dispatcher handles the inbox from the database, chats concurrently, each chat in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut
from telegram.ext import Application

from bot.settings import Settings
from bot.workers import LeasedWorker
from handlers.boundary import clean_payload
from services import updates

log = logging.getLogger("officebot.inbox")

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


class Dispatcher(LeasedWorker):
    """Claims the oldest update of each chat not busy here and hands it to the application."""

    role = "inbox"
    log = log

    def __init__(self, application: Application,  # type: ignore[type-arg]
                 settings: Settings, *, idle_poll: float = 0.25,
                 owner: str | None = None) -> None:
        super().__init__(settings, idle_poll=idle_poll, owner=owner,
                         max_in_flight=settings.inbox_max_in_flight)
        self.app = application
        self.handled = 0

    async def release_dead(self) -> None:
        await updates.release_dead_here()

    async def renew(self, ids: Sequence[int]) -> Any:
        return await updates.renew(self.owner, self.lease, list(ids))

    async def step(self) -> bool:
        free = self.max_in_flight - len(self.in_flight)
        if free <= 0 or self.stopping:
            return False
        rows = await updates.claim_heads(self.owner, self.lease, free, self.in_flight)
        for row in rows:
            self.start(row.id, row.chat_key, lambda row=row: self._handle(row))
        # Look again at once only when the claim filled every free place (more may wait).
        # Otherwise it took every chat's head there was to take: what comes later brings its
        # own wake (a store, a finish with more to do, a busy chat's end).
        return len(rows) >= free

    async def take_in(self, payloads: list[dict[str, Any]]) -> None:
        """Store updates that arrived here. One whose chat is idle everywhere, when there is
        room here, is claimed in the same statement and handled at once: no claim round trip,
        no wait for the loop. The rest wait in the inbox for the loop (woken here)."""
        if len(payloads) == 1 and not self.stopping and len(self.in_flight) < self.max_in_flight \
                and updates.chat_key(payloads[0]) not in self.in_flight:
            row = await updates.take(payloads[0], self.owner, self.lease)
            if row is not None:
                self.start(row.id, row.chat_key, lambda: self._handle(row))
                return
        else:
            # Marked before the store: a chat that ends while the row is being written looks
            # for it then (its own look may have come before the row). Rows all of chats busy
            # here need no wake now: a claim would pass them over until their chat ends.
            chats = set(map(updates.chat_key, payloads))
            busy = chats & self.in_flight
            self.queued |= busy
            await updates.store(payloads)
            if busy == chats:
                return
        self.wake()

    async def _handle(self, row: updates.Claimed) -> bool:
        """Handle and finish the update; whether the loop should look for more work: only
        when its chat has another update waiting (one of a chat busy here is never claimed
        meanwhile). Every other waiting update was stored with a wake of its own, and one
        stored here for this chat after the finish looked is in `queued`. A rare race
        (another replica stores the chat's next update as this one finishes) waits for the
        next idle poll, a quarter of a second."""
        try:
            update = Update.de_json(row.payload, self.app.bot)
            # PTB reports a handler's error to the error handlers; anything escaping here is
            # a broken update, which a retry would not mend. The payload was cleaned at the
            # door and the inbox stores no update already processed: nothing to check again.
            await self.app.process_stored(update)
            more = await updates.finish(row)
            self.handled += 1
            return more
        except Exception:
            log.exception("update %s could not be handled; it stays for a retry", row.update_id)
            return True


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

    async def _get_updates(self) -> list[Any]:
        """getUpdates as Telegram's JSON: the updates are stored as dicts, so building PTB
        objects here (and turning them back into dicts) was work thrown away."""
        bot = self.app.bot
        base = bot._request[0].read_timeout  # the getUpdates connection
        result = await bot._post(  # the raw result: PTB has no public call
            "getUpdates",
            {"offset": self.offset, "timeout": self.timeout, "allowed_updates": ALLOWED_UPDATES},
            read_timeout=(base or 0) + self.timeout,
        )
        return result if isinstance(result, list) else []

    async def run(self) -> None:
        backoff = 0.5
        while not self.stopping:
            try:
                batch = await self._get_updates()
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
            # Only updates (an object with its id): anything else could neither be stored nor
            # confirmed, and would stop the poller on the same batch for ever.
            payloads = [clean_payload(p) for p in batch
                        if isinstance(p, dict) and isinstance(p.get("update_id"), int)]
            if not payloads:
                continue
            while True:
                try:
                    await self.dispatcher.take_in(payloads)
                    break
                except Exception:
                    # Not stored, not confirmed: keep trying (Telegram keeps them meanwhile).
                    log.exception("could not store %d updates; retrying", len(payloads))
                    await asyncio.sleep(1.0)
                    if self.stopping:
                        return
            self.received += len(payloads)
            self.offset = max(int(p["update_id"]) for p in payloads) + 1
