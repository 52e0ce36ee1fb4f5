"""Profile one replica's hot paths with cProfile: /help, one-line booking + confirm, a button.

Run: .venv/bin/python bench/profile_paths.py [--n 200] [--top 25]
         [--path help|booking|sentence|button] [--statements]
The sandbox runs in the same process, so its own functions show too; the table lists the
entries with the most own time (tottime) and the bot's own functions by cumulative time.
`booking` is the bench's `/book <day> HH:00-HH:00 <room> <title>` then 确认预订; `sentence` the
same booking said in a private message (`12月7日下午3点到4点 3号会议室 周例会7`).
`--statements` counts the SQL statements instead of profiling (bench/count_statements.py): each
distinct statement with how often it runs per booking (or per /help), grouped by the task that
sent it (the update's handling, or a background worker).
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

from bench import count_statements  # noqa: E402
from bench.bench_booking import ROOMS, booking_day, booking_text  # noqa: E402
from bot.app import Runtime  # noqa: E402
from bot.db import close_db, open_db  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.core import Role, Staff  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import Sandbox  # noqa: E402
from services.rooms.demo import seed_demo  # noqa: E402
from services.staff import STAFF_CACHE  # noqa: E402

TOKEN = "123456:BENCH-token"
SPEC = ROOT.parent / "shared" / "data" / "telegram-bot-api" / "api-10.0.json"


def booking_sentence(i: int, today: date) -> str:
    """The bench's booking of user i as a person says it in a private message."""
    room = ROOMS[i % 3]
    day = booking_day(i, today)
    hour = 8 + (i // 3) % 9
    return f"{day.month}月{day.day}日{hour}:00到{hour + 1}:00 {room} 周例会{i}"


async def drive(client: SandboxClient, path: str, users: list[int], first: int = 0) -> None:
    today = date.today()
    for i, uid in enumerate(users, start=first):
        if path == "help":
            sent = await client.send_message(uid, uid, "/help")
            await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10)
        elif path in ("booking", "sentence"):
            text = booking_text(i, today) if path == "booking" else booking_sentence(i, today)
            sent = await client.send_message(uid, uid, text)
            card = await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10)
            try:
                answer = await client.press(uid, uid, card["message_id"], button="✅ 确认预订")
            except Exception as error:
                raise RuntimeError(f"{text}: {card['text']}") from error
            if "已预订" not in (answer.get("answer") or ""):
                raise RuntimeError(f"{text}: {card['text']} / {answer.get('answer')}")
        else:  # button: /lang then press 中文 (a read, an update of one row, an edit)
            sent = await client.send_message(uid, uid, "/lang")
            card = await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=10)
            await client.press(uid, uid, card["message_id"], button="中文")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--path", default="help",
                        choices=("help", "booking", "sentence", "button"))
    parser.add_argument("--summary", action="store_true", help="the per-update figure only")
    parser.add_argument("--statements", action="store_true",
                        help="count the SQL statements per run instead of profiling")
    parser.add_argument("--dump", default=None, help="also write the raw profile to this file")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    args = parser.parse_args()
    users = list(range(100000, 100000 + args.n))
    statements = count_statements.install() if args.statements else None
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
        # People joined long before they book: past the staff cache's settle time after a change.
        await asyncio.sleep(STAFF_CACHE.settle)
        runtime = Runtime(settings, open_database=False, serve_web=False)
        await runtime.start()
        try:
            async with SandboxClient(sandbox.base_url) as client:
                await drive(client, args.path, users[:5])  # warm up
                if statements is not None:
                    await asyncio.sleep(0.5)  # the warm-up's outbox rows go out first
                    statements.recording = True
                    await drive(client, args.path, users[5:], first=5)
                    await asyncio.sleep(0.5)
                    statements.recording = False
                    print(f"SQL statements per {args.path} ({settings.database_url.split(':')[0]},"
                          f" {len(users) - 5} runs, one after another):")
                    print(statements.report(len(users) - 5))
                    return
                # CPU time, not wall time: other processes on the machine do not count.
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                await drive(client, args.path, users[5:], first=5)
                profiler.disable()
        finally:
            await runtime.stop()
            await close_db()
            await sandbox.stop()
    if args.dump:
        profiler.dump_stats(args.dump)
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
