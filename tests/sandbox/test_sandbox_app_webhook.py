"""The sandbox with a polling ``telegram.ext.Application`` and with webhook delivery."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.client import SandboxClient
from sandbox.server import Sandbox

TOKEN = "123456:TEST-token"
USER = 1004


async def _start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "欢迎使用<b>办公助手</b>",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("预订会议室", callback_data="rooms:book")]]
        ),
    )


async def _button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("好的")
    await query.edit_message_text(f"已选择 {query.data}")


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text
    await update.effective_message.reply_text("收到：" + update.effective_message.text)


@pytest.fixture
async def app(sandbox: Sandbox) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sandbox.bot_api_base)
        .base_file_url(sandbox.file_api_base)
        .get_updates_read_timeout(3)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(timeout=1, poll_interval=0)
    await application.start()
    try:
        yield application
    finally:
        t0 = time.monotonic()
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        assert time.monotonic() - t0 < 3


async def test_application_polling_round_trip(
    sandbox: Sandbox,
    client: SandboxClient,
    app: Application,  # type: ignore[type-arg]
) -> None:
    await client.add_user(USER, "刘工", "liu")
    sent = await client.send_message(USER, USER, "/start")
    welcome = await client.wait_for_bot_message(USER, after=sent["message_id"], contains="欢迎")
    assert welcome["text"] == "欢迎使用办公助手"
    assert welcome["entities"][0]["type"] == "bold"

    pressed = await client.press(USER, USER, welcome["message_id"], button="预订会议室")
    assert pressed["answer"] == "好的"
    edited = await client.wait_for_bot_message(USER, contains="已选择 rooms:book")
    assert edited["message_id"] == welcome["message_id"]
    assert edited["edited"] is True

    sent = await client.send_message(USER, USER, "明天上午")
    echo = await client.wait_for_bot_message(USER, after=sent["message_id"])
    assert echo["text"] == "收到：明天上午"
    assert sandbox.failed_calls() == []


async def test_wait_for_bot_message_reports_the_chat(
    client: SandboxClient,
) -> None:
    await client.add_user(USER, "刘工")
    await client.send_message(USER, USER, "有人吗")
    with pytest.raises(AssertionError, match="有人吗"):
        await client.wait_for_bot_message(USER, timeout=0.3)


async def test_webhook_delivery_with_secret(sandbox: Sandbox, client: SandboxClient) -> None:
    received: list[dict[str, object]] = []
    secrets_seen: list[str | None] = []
    fail_first = {"left": 1}
    got_two = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        if fail_first["left"]:
            fail_first["left"] -= 1
            return web.Response(status=500)
        secrets_seen.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        received.append(await request.json())
        if len(received) == 2:
            got_two.set()
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/telegram", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    from telegram import Bot

    bot = Bot(TOKEN, base_url=sandbox.bot_api_base, base_file_url=sandbox.file_api_base)
    try:
        await bot.initialize()
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token="s3cr3t")
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        await client.add_user(USER, "刘工")
        first = await client.send_message(USER, USER, "一")
        second = await client.send_message(USER, USER, "二")
        await asyncio.wait_for(got_two.wait(), 5)
        assert [u["update_id"] for u in received] == [first["update_id"], second["update_id"]]
        assert [u["message"]["text"] for u in received] == ["一", "二"]  # type: ignore[index]
        assert secrets_seen == ["s3cr3t", "s3cr3t"]
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message and "500" in info.last_error_message
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
    finally:
        await bot.shutdown()
        await runner.cleanup()
    # the Conflict was provoked on purpose
    assert [c["error_code"] for c in sandbox.failed_calls()] == [409]
