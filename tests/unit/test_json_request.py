"""Bot API calls without files go as JSON bodies, calls with files as PTB's multipart form
(bot/request.py), and the errors are PTB's own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError

from bot.request import JsonRequest
from tests.e2e.conftest import free_port

TOKEN = "123456:JSON-test"


async def test_a_call_goes_as_json_and_a_file_as_a_form() -> None:
    seen: list[tuple[str, str, Any]] = []

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            body: Any = await request.json()
        else:
            body = {k: (v if isinstance(v, str) else v.filename)
                    for k, v in (await request.post()).items()}
        seen.append((method, request.content_type, body))
        message = {"message_id": 1, "date": 0, "chat": {"id": 1004, "type": "private"}}
        return web.json_response({"ok": True, "result": message})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=JsonRequest())
    try:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("同意", callback_data="a:1")]])
        await bot.send_message(1004, "明天下午3点到5点 3号会议室 & 100%", reply_markup=keyboard)
        await bot.send_document(1004, b"xlsx bytes", filename="台账.xlsx", caption="领用台账")
    finally:
        await bot.shutdown()
        await runner.cleanup()
    (m1, type1, body1), (m2, type2, body2) = seen
    assert (m1, type1) == ("sendMessage", "application/json")
    assert body1["chat_id"] == 1004 and body1["text"] == "明天下午3点到5点 3号会议室 & 100%"
    markup = body1["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    assert markup["inline_keyboard"][0][0]["text"] == "同意"
    assert (m2, type2) == ("sendDocument", "multipart/form-data")
    assert body2["caption"] == "领用台账" and body2["document"] == "台账.xlsx"


async def test_an_unreachable_api_is_ptbs_network_error() -> None:
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{free_port()}/bot",
              request=JsonRequest(connect_timeout=1))
    try:
        with pytest.raises(NetworkError):
            await bot.send_message(1004, "你好")
    finally:
        await bot.shutdown()
