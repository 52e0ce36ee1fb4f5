"""Profile one replica's hot paths with cProfile: /help, one-line booking + confirm, a button.

Run: .venv/bin/python bench/profile_paths.py [--n 200] [--top 25] [--path help|booking|button]
The sandbox runs in the same process, so its own functions show too; the table lists the
entries with the most own time (tottime) and the bot's own functions by cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_booking import booking_text  # noqa: E402
from bot.app import Runtime  # noqa: E402
from bot.db import close_db, open_db  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.core import Role, Staff  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import Sandbox  # noqa: E402
from services.rooms.demo import seed_demo  # noqa: E402

TOKEN = "123456:BENCH-token"
SPEC = ROOT.parent / "shared" / "data" / "telegram-bot-api" / "api-10.0.json"


async def drive(client: SandboxClient, path: str, users: list[int], first: int = 0) -> None:
    today = date.today()
    for i, uid in enumerate(users, start=first):
        if path == "help":
            sent = await client.send_message(uid, uid, "/help")
            await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10)
        elif path == "booking":
            sent = await client.send_message(uid, uid, booking_text(i, today))
            card = await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10)
            await client.press(uid, uid, card["message_id"], button="✅ 确认预订")
        else:  # button: /lang then press 中文 (a read, an update of one row, an edit)
            sent = await client.send_message(uid, uid, "/lang")
            card = await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10)
            await client.press(uid, uid, card["message_id"], button="中文")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--path", default="help", choices=("help", "booking", "button"))
    parser.add_argument("--summary", action="store_true", help="the per-update figure only")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    args = parser.parse_args()
    users = list(range(100000, 100000 + args.n))
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite://{tmp}/profile.sqlite3"
        sandbox = Sandbox(SPEC if SPEC.exists() else None, enforce_limits=False)
        await sandbox.start()
        async with SandboxClient(sandbox.base_url) as client:
            for uid in users:
                await client.add_user(uid, f"u{uid}", started=True)
        settings = Settings(_env_file=None, token=TOKEN,  # type: ignore[call-arg]
                            database_url=db_url, bot_api_url=sandbox.bot_api_base,
                            bot_file_url=sandbox.file_api_base, poll_timeout=1, web_port=0,
                            scheduler_enabled=False)
        await open_db(db_url)
        await seed_demo()
        for uid in users:
            await Staff.create(tg_user_id=uid, name=f"职工{uid}", role=Role.STAFF)
        runtime = Runtime(settings, open_database=False, serve_web=False)
        await runtime.start()
        try:
            async with SandboxClient(sandbox.base_url) as client:
                await drive(client, args.path, users[:5])  # warm up
                # CPU time, not wall time: other processes on the machine do not count.
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                await drive(client, args.path, users[5:], first=5)
                profiler.disable()
        finally:
            await runtime.stop()
            await close_db()
            await sandbox.stop()
    stats = pstats.Stats(profiler)
    per_update = sum(v[3] for k, v in stats.stats.items()  # type: ignore[attr-defined]
                     if k[2] == "process_update" and k[0].endswith("handlers/dedup.py"))
    updates = (len(users) - 5) * (1 if args.path == "help" else 2)
    print(f"bot CPU per update (OnceApplication.process_update, cumulative): "
          f"{per_update / updates * 1000:.2f} ms over {updates} updates")
    if args.summary:
        return
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(sort).print_stats(args.top)
        print(out.getvalue()[out.getvalue().find("ncalls"):])
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print("the bot's own code and the ORM, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(r"(wt-[a-z]+|main)/(handlers|services|bot|models)/|"
                                               r"tortoise|pypika|aiosqlite|asyncpg", args.top)
    print(out.getvalue()[out.getvalue().find("ncalls"):])


if __name__ == "__main__":
    asyncio.run(main())
