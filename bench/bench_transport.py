"""Transport benchmark: one Bot API call through PTB's own transport and through ours.

Run: .venv/bin/python bench/bench_transport.py [--n 1000] [--rounds 3]
A local aiohttp server stands in for the Bot API and answers every sendMessage with a message.
The same sendMessage (a /help-sized Chinese text and a two-button keyboard) goes N times one
after another and N times all at once, through PTB's `HTTPXRequest` (a form through httpx) and
through `bot.request.JsonRequest` (JSON through aiohttp), in interleaved rounds. Prints
microseconds per call for each and their ratio (the server's own work is in both).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402
from telegram.request import BaseRequest, HTTPXRequest  # noqa: E402

from bot.request import JsonRequest  # noqa: E402

TOKEN = "123456:BENCH-token"
TEXT = "可以直接说：明天下午3点到5点 3号会议室 周例会。也可以用 /book 一步步来。" * 6
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("✅ 确认预订", callback_data="rb:ok:1"),
                                  InlineKeyboardButton("取消", callback_data="rb:no:1")]])


async def api(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"ok": True, "result": {
        "message_id": 1, "date": 0, "chat": {"id": 1004, "type": "private"}, "text": TEXT}})


async def per_call(request: BaseRequest, base_url: str, n: int) -> tuple[float, float]:
    """Microseconds per call: one after another, then all at once."""
    bot = Bot(TOKEN, base_url=base_url, request=request)
    await request.initialize()
    try:
        t0 = time.perf_counter()
        for _ in range(n):
            await bot.send_message(1004, TEXT, reply_markup=KEYBOARD)
        sequential = (time.perf_counter() - t0) / n * 1e6
        t0 = time.perf_counter()
        await asyncio.gather(*(bot.send_message(1004, TEXT, reply_markup=KEYBOARD)
                               for _ in range(n)))
        return sequential, (time.perf_counter() - t0) / n * 1e6
    finally:
        await request.shutdown()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base_url = f"http://127.0.0.1:{port}/bot"
    figures: dict[str, list[tuple[float, float]]] = {"ptb": [], "ours": []}
    try:
        for _ in range(args.rounds):
            figures["ptb"].append(await per_call(HTTPXRequest(connection_pool_size=256),
                                                 base_url, args.n))
            figures["ours"].append(await per_call(JsonRequest(connection_pool_size=256,
                                                              client="aiohttp"),
                                                  base_url, args.n))
    finally:
        await runner.cleanup()
    for i, label in enumerate(("one after another", "all at once")):
        ptb = statistics.median(f[i] for f in figures["ptb"])
        ours = statistics.median(f[i] for f in figures["ours"])
        print(f"{label:>17}: PTB's HTTPXRequest (form, httpx) {ptb:6.0f} µs/call   "
              f"JsonRequest (JSON, aiohttp) {ours:6.0f} µs/call   x{ptb / ours:.2f} faster "
              f"(median of {args.rounds} rounds, n={args.n})")


if __name__ == "__main__":
    asyncio.run(main())
