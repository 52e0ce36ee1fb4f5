"""Booking benchmark: one-line booking + confirm through the sandbox beside a bare echo bot.

Run: .venv/bin/python bench/bench_booking.py [--n 200] [--rounds 5] [--echo-transport ptb|ours]
Each of N users sends `/book <day> HH:00-HH:00 <room> <title>` (every user a different free slot),
waits for the card and presses 确认预订 (two updates and the database guard per booking). The echo
bot answers one message per user in the same run. The first half of the users go one after
another (latency p50/p99), the second half all at once (throughput). Prints bookings per second,
echo round trips per second and their ratio; with --rounds, echo and officebot pairs interleaved
and the median ratio per update (one pair swings by a third on a 2-core machine).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.echo import add_pair_options, bench_sandbox, echo_bot  # noqa: E402
from bot.app import Runtime  # noqa: E402
from bot.db import close_db, open_db  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.core import Role, Staff  # noqa: E402
from models.rooms import Booking, BookingStatus  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import Sandbox  # noqa: E402
from services import workdays  # noqa: E402
from services.rooms.demo import seed_demo  # noqa: E402
from services.staff import STAFF_CACHE  # noqa: E402

TOKEN = "123456:BENCH-token"
ROOMS = ("1号会议室", "2号会议室", "3号会议室")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def booking_day(i: int, today: date) -> date:
    """User i's day: the workdays from tomorrow on, 27 users a day (a weekend or a holiday
    would make the card ask 仍然预订（休息日）: another path, and another button)."""
    day = today
    for _ in range(1 + (i // 3) // 9):
        day = workdays.next_workday(day)
    return day


def booking_text(i: int, today: date) -> str:
    """A distinct free slot per user: three rooms, nine hours a workday, from tomorrow on."""
    room = ROOMS[i % 3]
    day = booking_day(i, today)
    hour = 8 + (i // 3) % 9
    return f"/book {day.isoformat()} {hour:02d}:00-{hour + 1:02d}:00 {room} 评审会{i}"


async def one_booking(client: SandboxClient, uid: int, text: str) -> float:
    t0 = time.perf_counter()
    sent = await client.send_message(uid, uid, text)
    card = await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=60)
    answer = await client.press(uid, uid, card["message_id"], button="✅ 确认预订")
    if "已预订" not in (answer.get("answer") or ""):
        raise RuntimeError(f"booking of {uid} failed: {answer.get('answer')} / {card['text']}")
    return time.perf_counter() - t0


async def officebot(sandbox: Sandbox, users: list[int], db_url: str) -> tuple[float, list[float]]:
    settings = Settings(_env_file=None, token=TOKEN, database_url=db_url,  # type: ignore[call-arg]
                        bot_api_url=sandbox.bot_api_base, bot_file_url=sandbox.file_api_base,
                        poll_timeout=1, web_port=0, scheduler_enabled=False)
    await open_db(db_url)
    await seed_demo()
    for uid in users:
        await Staff.create(tg_user_id=uid, name=f"职工{uid}", role=Role.STAFF)
    # People joined long before they book: past the staff cache's settle time after a change.
    await asyncio.sleep(STAFF_CACHE.settle)
    runtime = Runtime(settings, open_database=False, serve_web=False)
    await runtime.start()
    today = date.today()
    try:
        async with SandboxClient(sandbox.base_url) as client:
            half = len(users) // 2
            latencies = [await one_booking(client, uid, booking_text(i, today))
                         for i, uid in enumerate(users[:half])]
            t0 = time.perf_counter()
            await asyncio.gather(*(one_booking(client, uid, booking_text(half + i, today))
                                   for i, uid in enumerate(users[half:])))
            rate = (len(users) - half) / (time.perf_counter() - t0)
        booked = await Booking.filter(status=BookingStatus.CONFIRMED).count()
        assert booked == len(users), f"{booked} bookings for {len(users)} users"
        return rate, latencies
    finally:
        await runtime.stop()
        await close_db()


async def echo_round_trips(sandbox: Sandbox, users: list[int], transport: str
                           ) -> tuple[float, list[float]]:
    async def one(client: SandboxClient, uid: int) -> float:
        t0 = time.perf_counter()
        sent = await client.send_message(uid, uid, "echo")
        await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=60)
        return time.perf_counter() - t0

    async with echo_bot(sandbox, transport), SandboxClient(sandbox.base_url) as client:
        half = len(users) // 2
        latencies = [await one(client, uid) for uid in users[:half]]
        t0 = time.perf_counter()
        await asyncio.gather(*(one(client, uid) for uid in users[half:]))
        return (len(users) - half) / (time.perf_counter() - t0), latencies


async def one_round(users: list[int], db_url: str, echo_transport: str) -> float:
    """One echo and one officebot run, each in a fresh sandbox; prints both; returns the
    ratio per update."""
    results = {}
    for name in ("echo", "officebot"):
        async with bench_sandbox(users) as sandbox:
            if name == "echo":
                results[name] = await echo_round_trips(sandbox, users, echo_transport)
            else:
                results[name] = await officebot(sandbox, users, db_url)
    units = {"echo": "echo round trips/s", "officebot": "bookings/s (book + confirm)"}
    for name, (rate, lat) in results.items():
        print(f"{name:>9}: {rate:7.1f} {units[name]:<28} p50 {statistics.median(lat) * 1000:6.1f}"
              f" ms   p99 {pct(lat, 0.99) * 1000:6.1f} ms   (n={len(lat)})")
    ratio = results["officebot"][0] / results["echo"][0]
    print(f"officebot bookings/s ÷ echo round trips/s = {ratio:.2f} "
          f"(a booking is two updates: the command and the confirm press)")
    print(f"per update (2 × bookings/s ÷ echo round trips/s) = {2 * ratio:.2f}")
    return 2 * ratio


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200, help="users (one booking each)")
    add_pair_options(parser)
    args = parser.parse_args()
    users = list(range(100000, 100000 + args.n))
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            if args.rounds > 1:
                print(f"round {round_ + 1} of {args.rounds}")
            ratios.append(await one_round(users, f"sqlite://{tmp}/book{round_}.sqlite3",
                                          args.echo_transport))
    if args.rounds > 1:
        print(f"per update over {args.rounds} rounds: median {statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    asyncio.run(main())
