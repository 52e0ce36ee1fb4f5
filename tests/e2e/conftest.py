"""End-to-end harness: the sandbox Bot API, the real PTB Application, a fresh database."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.app import Runtime
from bot.settings import Settings
from models.core import OutboxMessage, OutboxStatus, ProcessedUpdate, Role, Staff
from sandbox.client import SandboxClient
from sandbox.server import Sandbox
from services import clock
from tests.conftest import shared_path

TOKEN = "123456:TEST-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(sandbox: Sandbox, db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": TOKEN,
        "database_url": db_url,
        "bot_api_url": sandbox.bot_api_base,
        "bot_file_url": sandbox.file_api_base,
        "poll_timeout": 1,
        "telegram_timeout": 3.0,
        "web_port": 0,
        "admin_chat_id": None,
        "sandbox_spec": None,
        "scheduler_enabled": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Env:
    """What a test drives: the sandbox as the users' phones, the bot as it really runs."""

    sandbox: Sandbox
    client: SandboxClient
    runtime: Runtime
    db_url: str
    users: dict[int, Staff] = field(default_factory=dict)

    async def person(
        self,
        user_id: int,
        name: str,
        role: Role | None = Role.STAFF,
        department: str = "",
        *,
        is_head: bool = False,
        started: bool = True,
        lang: str | None = None,
    ) -> Staff | None:
        """A Telegram user; registered as staff unless role is None."""
        await self.client.add_user(user_id, name, started=started)
        if role is None:
            return None
        staff = await Staff.create(
            tg_user_id=user_id, name=name, role=role, department=department, is_head=is_head,
            lang=lang,
        )
        self.users[user_id] = staff
        return staff

    async def group(self, chat_id: int, title: str, members: list[int]) -> None:
        await self.client.add_chat(chat_id, "group", title=title, members=members)

    async def say(self, user_id: int, text: str, chat_id: int | None = None,
                  contains: str | None = None, timeout: float = 8.0) -> dict[str, Any]:
        """Send as the user and return the bot's next message in that chat."""
        chat = chat_id if chat_id is not None else user_id
        sent = await self.client.send_message(chat, user_id, text)
        reply = await self.client.wait_for_bot_message(
            chat, after=sent["message_id"], timeout=timeout, contains=contains
        )
        await self.handled(sent["update_id"])
        return reply

    async def send(self, user_id: int, text: str, chat_id: int | None = None) -> int:
        sent = await self.client.send_message(chat_id or user_id, user_id, text)
        return int(sent["message_id"])

    async def press(self, user_id: int, message: dict[str, Any], button: str | None = None,
                    data: str | None = None, chat_id: int | None = None) -> dict[str, Any]:
        """Press a button of a bot message as the user; returns the callback answer.

        It returns once the bot has handled the press, not at its answer: handlers answer the
        press first and edit the card after, and a test reads the card next.
        """
        chat = chat_id if chat_id is not None else message.get("chat_id", user_id)
        pressed = await self.client.press(chat, user_id, message["message_id"], data=data,
                                          button=button)
        await self.handled(pressed["update_id"])
        return pressed

    async def handled(self, update_id: int, timeout: float = 8.0) -> None:
        """Wait (bounded) until the bot has finished this update: its `processed_update` row.

        A test that expects the bot not to finish it sees its own assertion fail after.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await ProcessedUpdate.filter(update_id=update_id).exists():
                return
            await asyncio.sleep(0.01)

    async def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The message as it is now (after edits)."""
        for msg in await self.client.messages(chat_id):
            if msg["message_id"] == message_id:
                return msg
        raise AssertionError(f"message {message_id} is not in chat {chat_id}")

    async def bot_messages(self, chat_id: int, after: int = 0) -> list[dict[str, Any]]:
        return [m for m in await self.client.messages(chat_id, after=after)
                if m["from"]["is_bot"]]

    def expect_literal_markup(self) -> None:
        """This test types HTML-like text on purpose: the bot shows it as typed."""
        self.sandbox.literal_markup_expected = True  # type: ignore[attr-defined]

    def allow_failure(self, description: str) -> None:
        """Expect the Bot API to refuse calls with this description in this test."""
        allowed = getattr(self.sandbox, "allowed_failures", set())
        allowed.add(description)
        self.sandbox.allowed_failures = allowed  # type: ignore[attr-defined]

    async def delivered(self, timeout: float = 15.0) -> None:
        """Wait until the outbox holds nothing pending or in flight."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = await OutboxMessage.filter(
                status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
            ).count()
            if not busy:
                return
            await asyncio.sleep(0.05)
        rows = await OutboxMessage.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
        ).values("id", "kind", "chat_id", "status", "last_error")
        raise AssertionError(f"outbox not delivered in {timeout}s: {rows}")


async def start_env(db_url: str, sandbox: Sandbox, **overrides: Any) -> Runtime:
    runtime = Runtime(make_settings(sandbox, db_url, **overrides), open_database=False)
    await runtime.start()
    return runtime


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    # The sandbox stamps messages with the bot's clock, as Telegram's would agree with it.
    sb = Sandbox(shared_path("telegram-bot-api", "api-10.0.json"),
                 clock=lambda: clock.now().timestamp())
    sb.fault_timeout = 5.0
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()
    # A 429 is Telegram pacing us (retried, never lost); a test may expect a refusal it
    # provokes; anything else is a bug.
    allowed: set[str] = getattr(sb, "allowed_failures", set())
    failed = [
        c for c in sb.failed_calls()
        if c.get("error_code") != 429
        and not any(a.lower() in str(c.get("description", "")).lower() for a in allowed)
    ]
    assert failed == [], "a Bot API call failed validation or was refused: " + "; ".join(
        f"{c['method']}: {c.get('description')}" for c in failed)
    if not getattr(sb, "literal_markup_expected", False):
        leaks = markup_leaks(sb)
        assert leaks == [], f"HTML shown as text (escaped twice?): {leaks[:5]}"
    codes = code_leaks(sb)
    assert codes == [], f"internal codes shown to people: {codes[:5]}"


#: A tag or an entity the user sees as text: a value escaped twice, or a template's markup
#: escaped as if it were a value. Tests that type such text on purpose say so.
_LEAK = re.compile(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>|&(?:amp|lt|gt|quot|#39|#x27);")


def bot_texts(sb: Sandbox) -> list[str]:
    """Every text, caption and button label the bot shows, as it shows them now."""
    found = []
    for chat in sb.chats.values():
        for msg in chat.messages.values():
            if not msg.is_bot:
                continue
            labels = [b.get("text", "") for row in (msg.reply_markup or {}).get(
                "inline_keyboard", []) for b in row]
            found += [text for text in (msg.text, msg.caption, *labels) if text]
    return found


def code_leaks(sb: Sandbox) -> list[str]:
    """The bot's texts that show an internal code (tests.codes.leaks says which)."""
    from tests.codes import leaks

    return [f"{text[:120]!r}: {found}" for text in bot_texts(sb) if (found := leaks(text))]


def markup_leaks(sb: Sandbox) -> list[str]:
    """The bot's message texts, captions and button labels that show HTML markup as text."""
    found = []
    for chat in sb.chats.values():
        for msg in chat.messages.values():
            if not msg.is_bot:
                continue
            labels = [b.get("text", "") for row in (msg.reply_markup or {}).get(
                "inline_keyboard", []) for b in row]
            found += [text for text in (msg.text, msg.caption, *labels)
                      if text and _LEAK.search(text)]
    return found


@pytest.fixture
async def env(db: str, sandbox: Sandbox) -> AsyncIterator[Env]:
    """The bot running in polling mode against the sandbox."""
    runtime = await start_env(db, sandbox)
    async with SandboxClient(sandbox.base_url) as client:
        try:
            yield Env(sandbox, client, runtime, db)
        finally:
            await runtime.stop()
