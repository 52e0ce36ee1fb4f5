"""Bot API calls without files go as JSON bodies (through httpx, or aiohttp where chosen), calls
with files as PTB's multipart form through httpx (bot/request.py), and the errors are PTB's
own, whichever client carries them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.request import JsonRequest
from tests.e2e.conftest import free_port

TOKEN = "123456:JSON-test"


@asynccontextmanager
async def serving(route: str, handler: Callable[[web.Request], Awaitable[web.Response]]
                  ) -> AsyncIterator[int]:
    """A local server answering POSTs on `route` with `handler` while inside: its port."""
    app = web.Application()
    app.router.add_post(route, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()


CLIENTS = pytest.mark.parametrize("client", ["httpx", "aiohttp"])


@CLIENTS
async def test_a_call_goes_as_json_and_a_file_as_a_form(client: str) -> None:
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

    request = JsonRequest(client=client)
    async with serving("/bot{token}/{method}", api) as port:
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        try:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("同意", callback_data="a:1")]])
            await bot.send_message(1004, "明天下午3点到5点 3号会议室 & 100%",
                                   reply_markup=keyboard)
            await bot.send_document(1004, b"xlsx bytes", filename="台账.xlsx",
                                    caption="领用台账")
            await bot.send_message(1004, "第二条")
        finally:
            await request.shutdown()
    (m1, type1, body1), (m2, type2, body2), (m3, type3, body3) = seen
    assert (m1, type1) == ("sendMessage", "application/json")
    assert body1["chat_id"] == 1004 and body1["text"] == "明天下午3点到5点 3号会议室 & 100%"
    markup = body1["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    assert markup["inline_keyboard"][0][0]["text"] == "同意"
    assert (m2, type2) == ("sendDocument", "multipart/form-data")
    assert body2["caption"] == "领用台账" and body2["document"] == "台账.xlsx"
    # After a file, the next plain call is JSON again (the two clients live side by side).
    assert (m3, type3, body3["text"]) == ("sendMessage", "application/json", "第二条")


@CLIENTS
async def test_an_unreachable_api_is_ptbs_network_error(client: str) -> None:
    request = JsonRequest(connect_timeout=1, client=client)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{free_port()}/bot", request=request)
    try:
        with pytest.raises(NetworkError):
            await bot.send_message(1004, "你好")
    finally:
        await request.shutdown()


@CLIENTS
async def test_an_answer_slower_than_the_read_timeout_is_ptbs_timed_out(client: str) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    request = JsonRequest(read_timeout=0.3, client=client)
    async with serving("/bot{token}/{method}", slow) as port:
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
        try:
            with pytest.raises(TimedOut):
                await bot.send_message(1004, "你好")
            # A call's own read timeout wins over the default, as with PTB's transport.
            assert await bot.send_chat_action(1004, "typing", read_timeout=5) is True
        finally:
            await request.shutdown()


@CLIENTS
async def test_the_proxy_of_the_environment_carries_the_calls(
        monkeypatch: pytest.MonkeyPatch, client: str) -> None:
    """An office that reaches Telegram through a proxy sets HTTPS_PROXY (or HTTP_PROXY) for the
    bot, as PTB's own transport reads it: the JSON calls go through it too."""
    through: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        through.append(f"{request.host} {request.path}")
        return web.json_response({"ok": True, "result": True})

    async with serving("/{tail:.*}", proxy) as port:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        request = JsonRequest(connect_timeout=2, client=client)  # the process's environment
        bot = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=request)
        try:
            assert await bot.send_chat_action(1004, "typing") is True
        finally:
            await request.shutdown()
    assert through == [f"api.telegram.invalid /bot{TOKEN}/sendChatAction"]


async def test_the_proxy_is_looked_up_once_per_server_and_no_proxy_is_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp's own `trust_env` looks the proxy up, and reads ~/.netrc, in a worker thread on
    every call; ours once per server. NO_PROXY still sends a server's calls straight to it."""
    import bot.request as transport

    looked_up: list[str] = []
    real = transport.get_env_proxy_for_url

    def counted(url: Any) -> Any:
        looked_up.append(str(url))
        return real(url)

    monkeypatch.setattr(transport, "get_env_proxy_for_url", counted)
    through: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        through.append(request.path)
        return web.json_response({"ok": True, "result": True})

    async with serving("/{tail:.*}", proxy) as port:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.delenv("no_proxy", raising=False)
        request = JsonRequest(connect_timeout=2, client="aiohttp")
        far = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=request)
        near = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/direct/bot", request=request)
        try:
            for _ in range(3):
                assert await far.send_chat_action(1004, "typing") is True
                assert await near.send_chat_action(1004, "typing") is True
        finally:
            await request.shutdown()
    assert len(looked_up) == 2, looked_up  # one per server, not one per call
    # The far server's calls went through the proxy (its path is the far URL's); the near
    # one's, which NO_PROXY names, straight to it.
    assert through.count(f"/bot{TOKEN}/sendChatAction") == 3
    assert through.count(f"/direct/bot{TOKEN}/sendChatAction") == 3
