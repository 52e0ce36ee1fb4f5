"""The baseline every end-to-end benchmark runs beside: a bare PTB bot echoing each message."""

from __future__ import annotations

import argparse
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.request import JsonRequest
from sandbox.client import SandboxClient
from sandbox.server import Sandbox

TOKEN = "123456:BENCH-token"
SPEC = (Path(__file__).resolve().parents[2] / "shared" / "data" / "telegram-bot-api"
        / "api-10.0.json")


@asynccontextmanager
async def bench_sandbox(users: list[int]) -> AsyncIterator[Sandbox]:
    """A sandbox with these users and without Telegram's limits: a bench beside the echo bot
    measures the bots' own cost, not Telegram's pacing. Each starts with the garbage of the
    phase before collected: the echo phase after an officebot phase paid for officebot's
    (echo at 220-280 round trips/s there, against 470-480 in the phases after)."""
    gc.collect()
    sandbox = Sandbox(SPEC if SPEC.exists() else None, enforce_limits=False)
    await sandbox.start()
    try:
        async with SandboxClient(sandbox.base_url) as client:
            for uid in users:
                await client.add_user(uid, f"u{uid}", started=True)
        yield sandbox
    finally:
        await sandbox.stop()


#: `--echo-transport` of the benches: the echo bot on PTB's own transport (httpx, forms: a bare
#: PTB bot, the baseline the issue names) or on the bot's (bot/request.py: JSON through aiohttp),
#: to tell the transport's share of a ratio from the rest of the bot.
ECHO_TRANSPORTS = ("ptb", "ours")


def add_pair_options(parser: argparse.ArgumentParser) -> None:
    """The options of a bench that runs officebot beside the echo bot."""
    parser.add_argument("--rounds", type=int, default=1,
                        help="echo and officebot pairs, interleaved; prints the median ratio")
    parser.add_argument("--echo-transport", choices=ECHO_TRANSPORTS, default="ptb",
                        help="the echo bot's Bot API transport: PTB's own (the bare PTB bot) "
                             "or the bot's (JSON through aiohttp)")


@asynccontextmanager
async def echo_bot(sandbox: Sandbox, transport: str = "ptb") -> AsyncIterator[None]:
    """Run a bare echo bot (no database, no rate limiter) against the sandbox while inside."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    builder = (Application.builder().token(TOKEN).base_url(sandbox.bot_api_base)
               .base_file_url(sandbox.file_api_base))
    if transport == "ours":
        builder = builder.request(JsonRequest(client="aiohttp")).get_updates_request(
            JsonRequest(connection_pool_size=1, read_timeout=11, client="aiohttp"))
    app = builder.build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1, poll_interval=0)
    await app.start()
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
