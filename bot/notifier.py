"""The delivery worker: sends outbox rows within Telegram's limits, retries, never loses one."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.settings import Settings
from bot.workers import LeasedWorker
from handlers.texts import DEFAULT_LANG
from handlers.views import Rendered, render
from models.core import OutboxMessage, Staff
from services import outbox
from services.sendrate import SendRate

log = logging.getLogger("officebot.notifier")


class Pacer:
    """Spaces message starts: globally and per chat, at Telegram's published rates."""

    def __init__(self, settings: Settings) -> None:
        self.global_gap = 1.0 / settings.outbox_global_per_second
        self.private_gap = 1.0 / settings.outbox_private_per_second
        self.group_gap = 60.0 / settings.outbox_group_per_minute
        self.next_global = 0.0
        self.next_chat: dict[int, float] = {}

    def chat_ready_at(self, chat_id: int) -> float:
        return self.next_chat.get(chat_id, 0.0)

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        self.next_chat[chat_id] = max(self.chat_ready_at(chat_id), time.monotonic() + seconds)

    def take(self, chat_id: int) -> float:
        """Reserve the next start for this chat; returns how long to wait before sending."""
        now = time.monotonic()
        start = max(now, self.next_global, self.chat_ready_at(chat_id))
        self.next_global = start + self.global_gap
        self.next_chat[chat_id] = start + self.gap(chat_id)
        return start - now

    def gap(self, chat_id: int) -> float:
        return self.private_gap if chat_id > 0 else self.group_gap

    def forget_idle(self) -> None:
        """Drop chats whose pause has passed (the map would otherwise grow with every chat)."""
        if len(self.next_chat) < 256:
            return
        now = time.monotonic()
        self.next_chat = {c: t for c, t in self.next_chat.items() if t > now}

    def sent(self, chat_id: int) -> None:
        """Space the chat's next message from when this one really went out."""
        self.next_chat[chat_id] = max(self.chat_ready_at(chat_id),
                                      time.monotonic() + self.gap(chat_id))


class Notifier(LeasedWorker):
    """Delivers outbox rows: each chat's oldest first, many chats at once, nothing held idle.

    It claims only the heads of chats that may send now (a few rows, leased to this worker and
    renewed by a heartbeat while it lives), so a busy group never delays an idle chat, a row is
    never sent twice while its worker lives, and a killed worker's rows are taken over within
    one lease.
    """

    role = "outbox"
    log = log

    def __init__(self, bot: Bot, settings: Settings, *, idle_poll: float = 0.25,
                 max_in_flight: int | None = None, owner: str | None = None) -> None:
        super().__init__(settings, idle_poll=idle_poll, owner=owner,
                         max_in_flight=max_in_flight or settings.outbox_max_in_flight)
        self.bot = bot
        self.pacer = Pacer(settings)
        #: Telegram's limits held by every replica together (PostgreSQL: a shared schedule,
        #: services.sendrate); decided when the worker starts, None on SQLite (one process).
        self.shared: SendRate | None = None
        self.sent = 0
        self.lost_leases = 0

    async def release_dead(self) -> None:
        if SendRate.shared_database():
            self.shared = SendRate(self.settings.outbox_global_per_second,
                                   self.settings.outbox_private_per_second,
                                   self.settings.outbox_group_per_minute)
        await outbox.release_dead_here()

    async def renew(self, ids: Sequence[int]) -> Any:
        return await outbox.renew(self.owner, self.lease, list(ids))

    def idle_wait(self) -> float:
        ready = [t for c, t in self.pacer.next_chat.items() if c not in self.in_flight]
        soonest = min(ready, default=0.0) - time.monotonic()
        return min(max(soonest, 0.01), self.idle_poll) if soonest > 0 else self.idle_poll

    async def step(self) -> bool:
        """Claim the heads of chats that may send now and start them."""
        free = self.max_in_flight - len(self.in_flight)
        if free <= 0:
            return False
        self.pacer.forget_idle()
        now = time.monotonic()
        waiting = {c for c, t in self.pacer.next_chat.items() if t > now}
        rows = await outbox.claim_heads(self.owner, self.lease, free, self.in_flight | waiting)
        for row in rows:
            self.start(row.id, row.chat_id, lambda row=row: self._deliver(row))
        return bool(rows)

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            wait = self.pacer.take(row.chat_id)
            if wait > 0:
                await asyncio.sleep(wait)
            if self.shared is not None:  # and the other replicas' sends
                await self.shared.acquire(row.chat_id)
            # Still ours? (An event loop stalled past the lease lets another worker take it.)
            if not await outbox.renew(self.owner, self.lease, [row.id]):
                self.lost_leases += 1
                log.warning("outbox row %s was taken over; not sending it here", row.id)
                return
            digest = await outbox.fold_storm(row, self.settings.digest_threshold, self.owner,
                                             self.lease)
            if digest is not None:  # a storm: one digest goes out in the head's place
                self.held[digest.id] = digest.chat_id
                self.held.pop(row.id, None)
                row = digest
            try:
                await self._send_one(row)
            finally:
                self.pacer.sent(row.chat_id)
        except Exception:
            log.exception("delivering outbox row %s failed; its lease will run out", row.id)
        finally:
            self.held.pop(row.id, None)  # the digest sent in the claimed row's place

    async def _lang(self, chat_id: int) -> str:
        if chat_id > 0:
            staff = await Staff.get_or_none(tg_user_id=chat_id)
            if staff is not None and staff.lang:
                return staff.lang
        return self.settings.locale or DEFAULT_LANG

    async def _render(self, row: OutboxMessage) -> Rendered:
        result: Any = render(row.kind, row.payload, await self._lang(row.chat_id))
        if inspect.isawaitable(result):
            result = await result
        return result  # type: ignore[no-any-return]

    async def _send_one(self, row: OutboxMessage) -> None:
        try:
            rendered = await self._render(row)
        except Exception as exc:
            log.exception("could not render outbox row %s (%s)", row.id, row.kind)
            await outbox.mark_dead(row.id, f"render: {exc}")
            return
        try:
            message = await self._transmit(row, rendered)
        except RetryAfter as exc:
            # Telegram pacing us, never a failure: wait as told and try the same row again.
            await self._retry_later(row, _seconds(exc.retry_after), "429 retry after",
                                    counts=False)
        except Forbidden as exc:
            await outbox.mark_dead(row.id, f"forbidden: {exc.message}")
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                await outbox.mark_sent(row.id, rendered.text, None, _markup(rendered))
                self.sent += 1
            else:
                await outbox.mark_dead(row.id, f"bad request: {exc.message}")
        except (TimedOut, NetworkError) as exc:
            await self._retry_later(row, float(min(2 ** (row.failures + 1), 300)),
                                    f"{type(exc).__name__}: {exc.message}")
        except TelegramError as exc:
            await outbox.mark_dead(row.id, f"telegram: {exc.message}")
        else:
            await outbox.mark_sent(row.id, rendered.text, message.message_id if message else None,
                                   _markup(rendered))
            self.sent += 1

    async def _retry_later(self, row: OutboxMessage, seconds: float, error: str, *,
                           counts: bool = True) -> None:
        """Hold the chat back for `seconds` of real time, then try the row again.

        The wait lives in the pacer (monotonic time), not in `next_attempt_at`: the business
        clock may be fixed or far from real time (tests, replays), and a restart simply tries
        again at once, which Telegram answers with a fresh retry_after if still needed.
        """
        self.pacer.pause_chat(row.chat_id, seconds)
        if self.shared is not None and error.startswith("429"):
            await self.shared.pause(row.chat_id, seconds)
        await outbox.mark_retry(row.id, timedelta(0), f"{error} ({seconds:.0f} s)",
                                self.settings.outbox_max_attempts, counts=counts)

    async def _transmit(self, row: OutboxMessage, rendered: Rendered) -> Message | None:
        edit_of = row.payload.get("_edit_of")
        if edit_of:
            original = await outbox.sent_message(str(edit_of))
            if original is None or original.tg_message_id is None:
                return None  # never delivered: the original is rendered from fresh state later
            markup = _markup(rendered)
            if (original.sent_text, original.sent_markup) == (rendered.text, markup):
                return None  # the card already shows this (it was sent after the change)
            await self.bot.edit_message_text(
                rendered.text, chat_id=row.chat_id, message_id=int(original.tg_message_id),
                reply_markup=rendered.keyboard, parse_mode=ParseMode.HTML,
            )
            await outbox.record_edit(original.id, rendered.text, markup)
            return None
        if rendered.document is not None:
            name, data = rendered.document
            document = data if isinstance(data, str) else InputFile(data, filename=name)
            return await self.bot.send_document(
                row.chat_id, document, caption=rendered.text[:1024] or None,
                parse_mode=ParseMode.HTML, reply_markup=rendered.keyboard,
            )
        if rendered.photo is not None:
            return await self.bot.send_photo(
                row.chat_id, rendered.photo, caption=rendered.text[:1024] or None,
                parse_mode=ParseMode.HTML, reply_markup=rendered.keyboard,
            )
        return await self.bot.send_message(
            row.chat_id, rendered.text, parse_mode=ParseMode.HTML,
            reply_markup=rendered.keyboard,
        )


def _markup(rendered: Rendered) -> str | None:
    return rendered.keyboard.to_json() if rendered.keyboard is not None else None


def _seconds(value: Any) -> float:
    if isinstance(value, timedelta):
        return max(value.total_seconds(), 1.0)
    return max(float(value), 1.0)
