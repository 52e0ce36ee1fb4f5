"""Load on the cluster: 1 then 3 replicas behind nginx on one PostgreSQL, 1,000 simulated users.

Run: .venv/bin/python bench/bench_cluster.py [--replicas 1,3] [--ops 1500] [--workers 24]
     .venv/bin/python bench/bench_cluster.py --replicas 3 --rate 50 --soak 600   (the soak)
     .venv/bin/python bench/bench_cluster.py --replicas 1 --rate 50 --only /help  (one path)

The mix (each operation by a random user of 1,000 staff):
- 70% button presses and short commands (/help, /mybookings, /rooms, /myrequests, the 中文
  button of /lang's card);
- 20% one-line bookings (`/book <day> HH:00-HH:00 <room> <title>` then 确认预订: two updates);
- 10% approval decisions (the office presses 同意 on a card of a room booking awaiting approval;
  the bookings are made through the bot before the timed part).
`--workers` users act at once, as fast as the bot answers (throughput); `--rate N` starts N
updates a second instead (latency at a steady load). Prints updates/s, p50/p99 of each
update's answer, the outbox backlog at the end and the sandbox's 429 answers. `--soak S` runs
the rate for S seconds and prints each replica's RSS, the database's connections and the error
lines of the replicas' logs every 30 s, and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_start import rss_mb  # noqa: E402
from bot.cluster import Cluster  # noqa: E402
from bot.db import close_db, open_db  # noqa: E402
from handlers import callback as cb  # noqa: E402
from models.core import OutboxMessage, OutboxStatus, Role, Staff  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from services.rooms.demo import seed_demo  # noqa: E402

USERS = [200000 + i for i in range(1000)]
OFFICE = 1003
ROOMS = ("1号会议室", "2号会议室", "3号会议室")
APPROVAL_ROOM = "党工委会议室"
SHORT = ("/help", "/mybookings", "/rooms", "/myrequests")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


@dataclass
class Load:
    """What one phase measured."""

    latencies: list[float] = field(default_factory=list)
    #: Latencies by kind of update (command, press).
    kinds: dict[str, list[float]] = field(default_factory=dict)
    updates: int = 0
    failures: list[str] = field(default_factory=list)


class Slots:
    """Distinct free slots: rooms x nine hours x days from tomorrow on."""

    def __init__(self, rooms: tuple[str, ...], first_day: date) -> None:
        self.rooms, self.first_day, self.next = rooms, first_day, 0

    def take(self, title: str) -> str:
        i, self.next = self.next, self.next + 1
        room = self.rooms[i % len(self.rooms)]
        day = self.first_day + timedelta(days=(i // len(self.rooms)) // 9)
        hour = 8 + (i // len(self.rooms)) % 9
        return f"/book {day.isoformat()} {hour:02d}:00-{hour + 1:02d}:00 {room} {title}"


async def _timed(load: Load, work: Any, kind: str = "command") -> Any:
    t0 = time.perf_counter()
    try:
        result = await work
    except Exception as exc:  # a bench counts failures, it does not stop at the first
        load.failures.append(f"{type(exc).__name__}: {str(exc)[:120]}")
        return None
    load.latencies.append(time.perf_counter() - t0)
    load.kinds.setdefault(kind, []).append(load.latencies[-1])
    load.updates += 1
    return result


async def command(client: SandboxClient, load: Load, uid: int, text: str,
                  contains: str | None = None) -> Any:
    async def one() -> Any:
        sent = await client.send_message(uid, uid, text)
        # `contains`: the answer itself, not the chart of an earlier /rooms that was still on
        # its way when this command was sent.
        return await client.wait_for_bot_message(uid, after=sent["message_id"], timeout=30,
                                                 contains=contains)

    return await _timed(load, one(), text.split()[0])


async def booking(client: SandboxClient, load: Load, uid: int, text: str) -> None:
    card = await command(client, load, uid, text, contains=text.split()[-1])  # the card
    if card is not None:
        # 确认预订, or 仍然预订（休息日） when a long soak's slots reach a weekend or holiday.
        confirm = next((b["text"] for row in (card.get("reply_markup") or {}).get(
            "inline_keyboard", []) for b in row if b["text"].startswith("✅")), "✅ 确认预订")
        answer = await _timed(load, client.press(uid, uid, card["message_id"],
                                                 button=confirm), "confirm")
        if answer is not None and "预订" not in (answer.get("answer") or "") and \
                "审批" not in (answer.get("answer") or ""):
            load.failures.append(f"booking: {answer.get('answer')}")


async def button(client: SandboxClient, load: Load, uid: int, last: dict[int, int]) -> None:
    if uid not in last:  # a press needs a card in the chat: the first op is a /lang
        card = await command(client, load, uid, "/lang", contains="Choose a language")
        if card is None:
            return
        last[uid] = card["message_id"]
        return
    await _timed(load, client.press(uid, uid, last[uid], data=cb.encode("lang", "set", "zh_CN")),
                 "button")


async def decision(client: SandboxClient, load: Load, card: tuple[int, int, int]) -> None:
    chat_id, message_id, assignee_id = card
    await _timed(load, client.press(chat_id, chat_id, message_id,
                                    data=cb.encode("ap", "ok", assignee_id)), "decision")


async def prepare(database: str) -> None:
    """A fresh database: rooms, the office clerk, an admin and 1,000 staff."""
    await open_db(database)
    from tortoise import connections

    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'tortoise_migrations'")
    await conn.execute_script("TRUNCATE " + ", ".join(f'"{r["tablename"]}"' for r in rows)
                              + " RESTART IDENTITY CASCADE")
    await seed_demo()
    await Staff.create(tg_user_id=1001, name="王管理", role=Role.ADMIN, department="党政办")
    await Staff.create(tg_user_id=OFFICE, name="张秘书", role=Role.OFFICE, department="党政办")
    await Staff.bulk_create([Staff(tg_user_id=uid, name=f"职工{uid}", role=Role.STAFF,
                                   department="规划建设局") for uid in USERS])


async def backlog() -> int:
    return await OutboxMessage.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count()


async def approval_cards(client: SandboxClient, count: int, first_day: date) -> list[Any]:
    """Room bookings that need approval, made through the bot; the office's cards for them."""
    slots = Slots((APPROVAL_ROOM,), first_day)
    load = Load()
    requesters = random.Random(7).sample(USERS, count)
    for start in range(0, count, 20):
        await asyncio.gather(*(booking(client, load, uid, slots.take(f"审批会{uid}"))
                               for uid in requesters[start:start + 20]))
    for _ in range(600):
        rows = await OutboxMessage.filter(dedup_key__startswith="ap:card:", chat_id=OFFICE,
                                          status=OutboxStatus.SENT).values_list(
            "chat_id", "tg_message_id", "dedup_key")
        if len(rows) >= count or not await backlog():
            break
        await asyncio.sleep(0.2)
    return [(c, m, int(k.split(":")[2])) for c, m, k in rows if m]


def plan(ops: int, seed: int = 1) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    kinds = rng.choices(("short", "button", "booking", "decision"), weights=(45, 25, 20, 10),
                        k=ops)
    return [(kind, rng.choice(USERS)) for kind in kinds]


async def run_phase(cluster: Cluster, args: argparse.Namespace, first_day: date,
                    seconds: float | None = None) -> None:
    load = Load()
    calls_before = len(cluster.sandbox.calls())
    async with SandboxClient(cluster.sandbox.base_url, timeout=60) as client:
        for start in range(0, len(USERS) + 2, 100):
            await asyncio.gather(*(client.add_user(uid, f"u{uid}", started=True)
                                   for uid in [*USERS, 1001, OFFICE][start:start + 100]))
        ops = plan(args.ops)
        cards = await approval_cards(client, sum(1 for k, _ in ops if k == "decision"),
                                     first_day + timedelta(days=1))
        slots = Slots(ROOMS, first_day + timedelta(days=1))
        last: dict[int, int] = {}
        # A real person waits for the answer before the next tap.
        turns: dict[int, asyncio.Lock] = {}

        async def act(kind: str, uid: int) -> None:
            async with turns.setdefault(uid, asyncio.Lock()):
                if args.only:
                    await command(client, load, uid, args.only)
                elif kind == "short":
                    await command(client, load, uid, random.choice(SHORT))
                elif kind == "button":
                    await button(client, load, uid, last)
                elif kind == "booking":
                    await booking(client, load, uid, slots.take(f"评审会{uid}"))
                elif cards:
                    await decision(client, load, cards.pop())

        t0 = time.perf_counter()
        if args.rate:
            deadline = t0 + seconds if seconds else None
            tasks: set[asyncio.Task[None]] = set()
            i, next_report = 0, t0 + 30
            while True:
                now = time.perf_counter()
                if (deadline is None and i >= len(ops)) or (deadline is not None
                                                             and now > deadline):
                    break
                kind, uid = ops[i % len(ops)] if deadline is None else plan(1, i)[0]
                if kind == "booking" and slots.next > 250 * len(ROOMS):
                    kind = "short"  # out of free slots in a long soak
                task = asyncio.create_task(act(kind, uid))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
                if seconds and now > next_report:
                    next_report += 30
                    await report_soak(cluster, load, now - t0)
                await asyncio.sleep(max(0.0, t0 + i / args.rate - time.perf_counter()))
            await asyncio.gather(*tasks)
        else:
            queue = list(ops)

            async def worker() -> None:
                while queue:
                    await act(*queue.pop())

            await asyncio.gather(*(worker() for _ in range(args.workers)))
        elapsed = time.perf_counter() - t0
    left = await backlog()
    too_many = sum(1 for c in cluster.sandbox.calls(calls_before) if c.get("error_code") == 429)
    lat = load.latencies
    print(f"{cluster.count} replica(s): {load.updates} updates in {elapsed:.1f} s = "
          f"{load.updates / elapsed:6.1f} updates/s   p50 {statistics.median(lat) * 1000:6.1f} ms"
          f"   p99 {pct(lat, 0.99) * 1000:6.1f} ms   outbox backlog {left}   429s {too_many}"
          f"   failures {len(load.failures)}", flush=True)
    for kind, values in sorted(load.kinds.items()):
        print(f"    {kind:>12}: n={len(values):4d}  p50 {statistics.median(values) * 1000:6.1f} ms"
              f"  p99 {pct(values, 0.99) * 1000:6.1f} ms")
    for failure in sorted(set(load.failures))[:5]:
        print(f"    {failure}")


async def report_soak(cluster: Cluster, load: Load, elapsed: float) -> None:
    from tortoise import connections

    _, rows = await connections.get("default").execute_query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()")
    errors = 0
    for index in range(cluster.count):
        log = (cluster.workdir / f"replica-{index}.log").read_text(errors="replace")
        errors += log.count(" ERROR ") + log.count("Traceback")
    rss = ", ".join(f"{rss_mb(cluster.pid(i)):.0f}" for i in range(cluster.count))
    recent = load.latencies[-500:]
    print(f"  soak {elapsed:5.0f} s: {load.updates} updates, p99 (last 500) "
          f"{pct(recent, 0.99) * 1000:.1f} ms, RSS MB [{rss}], database connections "
          f"{rows[0]['n']}, error lines {errors}, outbox backlog {await backlog()}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database",
                        default="postgres://postgres@127.0.0.1:5432/officebot_replicas_cluster")
    parser.add_argument("--replicas", default="1,3")
    parser.add_argument("--ops", type=int, default=1500, help="user operations per phase")
    parser.add_argument("--workers", type=int, default=24, help="users acting at once")
    parser.add_argument("--rate", type=float, default=0, help="updates started per second")
    parser.add_argument("--soak", type=float, default=0, help="seconds of steady --rate load")
    parser.add_argument("--only", default=None,
                        help="every operation this one command (e.g. /help): one path's "
                             "latency at --rate, with no chart or approval beside it")
    args = parser.parse_args()
    first_day = date.today()  # the replicas run on the machine's clock
    for count in [int(n) for n in args.replicas.split(",")]:
        await prepare(args.database)
        env = {"OFFICEBOT_SCHEDULER_ENABLED": "false", "OFFICEBOT_LOG_LEVEL": "WARNING"}
        async with Cluster(args.database, count, env=env, enforce_limits=False) as cluster:
            await run_phase(cluster, args, first_day, args.soak or None)
            if args.soak:
                await report_soak(cluster, Load(), args.soak)
        await close_db()


if __name__ == "__main__":
    asyncio.run(main())
