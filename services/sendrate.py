"""Telegram's limits held by every replica together: 30 messages a second overall, one a second
per private chat, 20 a minute per group.

Each message reserves its start time before it is sent: the next free slot of its chat and of
the whole bot, whichever is later (virtual scheduling, as in a token bucket of depth one). On
PostgreSQL the slots are rows of the UNLOGGED table `send_slot`, taken in one round trip by
`officebot_send_slot()` (models.core), which locks the 'global' row and then the chat's: every
replica's sender sees the same schedule, so three replicas together stay within 30/s where three
local pacers would send 90/s. On SQLite (one process) the same schedule lives in memory. A 429
moves a chat's (or the bot's) next slot past its retry_after for every replica.

The delivery worker (bot/notifier.py) spaces its own sends with its local pacer and then, on
PostgreSQL, takes the shared slot with `await rate.acquire(chat_id)`; a 429 calls
`await rate.pause(chat_id, s)`.
docs/replicas.md says why this design and what it costs.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from tortoise import connections

#: Telegram's published limits, with a margin (clocks of replicas differ by milliseconds).
GLOBAL_PER_SECOND = 29.0
PRIVATE_PER_SECOND = 1.0
GROUP_PER_MINUTE = 19.0
GLOBAL = "global"


#: SQLite (one process): the schedule of the whole process, in memory.
_LOCAL: dict[str, float] = {}


@dataclass(frozen=True)
class Slot:
    """When a message may start, and whether that start is now its own."""

    wait: float
    #: False: the chat is not free yet; wait, then reserve again (no overall slot was taken).
    reserved: bool


class SendRate:
    """Reserves message starts within Telegram's limits, shared through the database."""

    def __init__(self, global_per_second: float = GLOBAL_PER_SECOND,
                 private_per_second: float = PRIVATE_PER_SECOND,
                 group_per_minute: float = GROUP_PER_MINUTE,
                 now: Callable[[], float] = time.time) -> None:
        #: Wall-clock seconds, the same in every replica (never the business clock, which a
        #: test or a replay may stop: a schedule on a stopped clock never frees a slot).
        self.now = now
        self.global_gap = 1.0 / global_per_second
        self.private_gap = 1.0 / private_per_second
        self.group_gap = 60.0 / group_per_minute

    def gap(self, chat_id: int) -> float:
        return self.private_gap if chat_id > 0 else self.group_gap

    @staticmethod
    def shared_database() -> bool:
        """PostgreSQL: replicas may share it, so the schedule lives there."""
        return connections.get("default").capabilities.dialect == "postgres"

    async def acquire(self, chat_id: int) -> float:
        """Wait for this chat's next slot and take it; the seconds waited."""
        waited = 0.0
        while True:
            slot = await self.reserve(chat_id)
            if slot.wait > 0:
                await asyncio.sleep(slot.wait)
                waited += slot.wait
            if slot.reserved:
                return waited

    async def reserve(self, chat_id: int) -> Slot:
        """Take the next overall slot if the chat is free by then; how long to wait either way."""
        now = self.now()
        key = f"chat:{chat_id}"
        if not self.shared_database():
            chat_free, overall = _LOCAL.get(key, 0.0), max(now, _LOCAL.get(GLOBAL, 0.0))
            if chat_free > overall:
                return Slot(chat_free - now, False)
            _LOCAL[GLOBAL] = overall + self.global_gap
            _LOCAL[key] = overall + self.gap(chat_id)
            return Slot(overall - now, True)
        conn = connections.get("default")
        _, rows = await conn.execute_query(
            "SELECT start_at, reserved FROM officebot_send_slot($1, $2, $3, $4)",
            [key, now, self.gap(chat_id), self.global_gap])
        if random.random() < 0.001:  # now and then, drop chats long quiet
            await conn.execute_query("DELETE FROM send_slot WHERE key <> 'global' "
                                     "AND next_at < $1", [now - 3600])
        return Slot(max(0.0, float(rows[0]["start_at"]) - now), bool(rows[0]["reserved"]))

    async def pause(self, chat_id: int | None, seconds: float) -> None:
        """Telegram said retry_after: no replica sends to this chat (None: at all) before then."""
        until = self.now() + seconds
        key = GLOBAL if chat_id is None else f"chat:{chat_id}"
        if not self.shared_database():
            _LOCAL[key] = max(_LOCAL.get(key, 0.0), until)
            return
        await connections.get("default").execute_query(
            "INSERT INTO send_slot (key, next_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE "
            "SET next_at = GREATEST(send_slot.next_at, EXCLUDED.next_at)", [key, until])


def forget_local() -> None:
    """Start the in-memory schedule afresh (a new database in the same process)."""
    _LOCAL.clear()
