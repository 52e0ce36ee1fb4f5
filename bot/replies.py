"""Direct replies: a 429 holds only its own chat, a 5xx or timeout is retried and then handed
to the outbox, so the user still gets the answer and never "something went wrong" for an action
that was done."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from services import clock, outbox

log = logging.getLogger("officebot.replies")

#: Replies whose loss the outbox can make good (the text and an inline keyboard).
HANDED_OVER = frozenset({"sendMessage"})


class ReplyLimiter(BaseRateLimiter[int]):
    """Per-group pacing and per-call retries; unlike PTB's AIORateLimiter, a 429 makes only
    the call that got it wait, never every other chat's replies."""

    def __init__(self, group_per_minute: int, max_retries: int = 3,
                 transient_retries: int = 2, backoff: float = 0.5) -> None:
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self.transient_retries = transient_retries
        self.backoff = backoff
        self._groups: dict[int, AsyncLimiter] = {}
        self.handed_over = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _group(self, chat_id: Any) -> AsyncLimiter | None:
        try:
            chat = int(chat_id)
        except (TypeError, ValueError):
            return None
        if chat >= 0 or self.group_per_minute <= 0:
            return None
        limiter = self._groups.get(chat)
        if limiter is None:
            if len(self._groups) > 1024:
                self._groups.clear()  # idle limiters hold nothing worth keeping
            limiter = self._groups[chat] = AsyncLimiter(self.group_per_minute, 60)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        limiter = self._group(data.get("chat_id"))
        rate_limited = 0
        transient = 0
        while True:
            try:
                if limiter is None:
                    return await callback(*args, **kwargs)
                async with limiter:
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                rate_limited += 1
                if rate_limited > (rate_limit_args or self.max_retries):
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                await asyncio.sleep(seconds + 0.1)  # this chat's call only
            except BadRequest:
                raise
            except NetworkError as exc:  # 5xx, timeouts, connection errors
                transient += 1
                if transient <= self.transient_retries:
                    await asyncio.sleep(self.backoff * 2 ** (transient - 1))
                    continue
                if endpoint not in HANDED_OVER or data.get("chat_id") is None:
                    raise
                return await self._hand_over(data, exc)

    async def _hand_over(self, data: dict[str, Any], exc: Exception) -> dict[str, Any]:
        """Queue the reply in the outbox and answer the handler as if it had been sent."""
        chat_id = int(data["chat_id"])
        markup = data.get("reply_markup")
        if markup is not None and hasattr(markup, "to_dict"):
            markup = markup.to_dict()
        elif isinstance(markup, str):
            markup = json.loads(markup)
        if not (isinstance(markup, dict) and "inline_keyboard" in markup):
            markup = None
        text = str(data.get("text") or "")
        await outbox.emit("core.reply", chat_id, {"html": text, "markup": markup},
                          f"reply:{chat_id}:{secrets.token_hex(8)}")
        self.handed_over += 1
        log.warning("reply to %s failed (%s); handed to the outbox", chat_id, exc)
        return {
            "message_id": 0,
            "date": int(clock.now().timestamp()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "text": text,
        }
