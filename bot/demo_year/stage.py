"""The stage a demo year plays on: the sandbox as the people's phones, the bot as it runs.

Everything the office does in the year goes through the sandbox as messages and button
presses; only the installation (people, groups, rooms, the supplies catalogue) is set up as
`officebot sandbox --demo` and the import commands do.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from services import clock as clock_module

Json = dict[str, Any]


class YearClock:
    """The simulated time: jumps forward to each act, and runs on in real time in between
    (leases, retries and timeouts behave as they do in real life). Never goes back."""

    def __init__(self, start: datetime) -> None:
        self._base = start.astimezone(UTC)
        self._since = datetime.now(UTC)

    def now(self) -> datetime:
        return self._base + (datetime.now(UTC) - self._since)

    def set(self, at: datetime) -> None:
        """Move to `at` (a moment already past is left alone: time never runs backwards)."""
        if at > self.now():
            self._base, self._since = at.astimezone(UTC), datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


class ActFailed(Exception):
    """The bot did not answer an act as the person expected (counted, the year goes on)."""


class Stage:
    """Acts as people in the sandbox and reads what the bot answered."""

    def __init__(self, client: Any, clock: YearClock, timeout: float = 10.0) -> None:
        self.client = client
        self.clock = clock
        self.timeout = timeout

    async def say(self, user: int, text: str, *, chat: int | None = None,
                  contains: str | None = None) -> Json:
        """Send as the user; the bot's next message in that chat (holding `contains`)."""
        where = chat if chat is not None else user
        sent = await self.client.send_message(where, user, text)
        return await self.wait(where, sent["message_id"], contains)

    async def answer_prompt(self, user: int, chat: int, after: int, prompt: str, text: str,
                            contains: str | None = None) -> Json:
        """Answer the bot's question as a person does in a group: as a reply to it (the bot
        reads only commands, @mentions and replies to its own messages there; its question
        opens a reply). In a private chat the reply is harmless. The bot's next message."""
        asked = await self.wait(chat, after, prompt)
        sent = await self.client.send_message(chat, user, text,
                                              reply_to_message_id=asked["message_id"])
        return await self.wait(chat, sent["message_id"], contains)

    async def send(self, user: int, text: str, *, chat: int | None = None) -> int:
        sent = await self.client.send_message(chat if chat is not None else user, user, text)
        return int(sent["message_id"])

    async def wait(self, chat: int, after: int, contains: str | None = None,
                   timeout: float | None = None) -> Json:
        try:
            return await self.client.wait_for_bot_message(  # type: ignore[no-any-return]
                chat, after=after, contains=contains, timeout=timeout or self.timeout)
        except AssertionError as exc:
            raise ActFailed(f"no answer {contains!r} in chat {chat}: "
                            f"{str(exc).splitlines()[-1][:200]}") from None

    async def press(self, user: int, message: Json, button: str | None = None, *,
                    data: str | None = None, chat: int | None = None) -> Json:
        """Press a button of a bot message; the callback answer."""
        where = chat if chat is not None else message.get("chat_id", user)
        try:
            return await self.client.press(  # type: ignore[no-any-return]
                where, user, message["message_id"], data=data, button=button)
        except Exception as exc:  # the sandbox refuses a button that is not there
            raise ActFailed(f"cannot press {button or data!r}: {exc}"[:300]) from None

    async def last(self, chat: int, contains: str | None = None, after: int = 0) -> Json:
        """The newest bot message in the chat (holding `contains`), waiting a little for it."""
        found = await self.wait(chat, after, contains)
        for message in reversed(await self.client.messages(chat, after=after)):
            if message["from"]["is_bot"] and (contains is None or contains in (
                    message.get("text") or message.get("caption") or "")):
                return message  # type: ignore[no-any-return]
        return found

    async def settle(self, seconds: float = 0.0) -> None:
        await asyncio.sleep(seconds)


def install_clock(start: datetime) -> YearClock:
    year_clock = YearClock(start)
    clock_module.set_clock(year_clock)
    return year_clock
