"""Search benchmark: /wenjian over 10,000 documents, the service alone and through the sandbox.

Run: .venv/bin/python bench/bench_documents_search.py [--n 10000] [--db postgres://...]
Seeds N incoming documents (senders, 文号, titles and numbers like the office's) and N/10
outgoing ones in a fresh database, then times each query in QUERIES: the search service
(p50 / p95 / max over repeated runs) and `/wenjian <words>` as a user sends it through the
sandbox to the real PTB Application (message sent → answer with its buttons received).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import Runtime  # noqa: E402
from bot.db import close_db, open_db  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.core import Role, Staff  # noqa: E402
from models.documents import (  # noqa: E402
    DocumentCounter,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
)
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.server import Sandbox  # noqa: E402
from services.documents import incoming, outgoing, search  # noqa: E402
from services.documents.demo import SENDERS, TOPICS  # noqa: E402

TOKEN = "123456:BENCH-token"
SPEC = ROOT.parent / "shared" / "data" / "telegram-bot-api" / "api-10.0.json"
QUERIES = ["大气污染", "宜环发 35号", "收文1234号", "市应急管理局 安全生产", "园区发 12号",
           "危险化学品 隐患排查 2025", "没有这份文件"]
TRUNKS = ["专项检查", "工作方案", "实施意见", "情况报告", "推进会议", "考核办法"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


async def seed(n: int, office: Staff) -> None:
    rng = random.Random(7)
    start = date(2024, 1, 2)
    per_year: dict[int, int] = {}
    rows = []
    for i in range(n):
        day = start + timedelta(days=i * 1000 // n)
        year = day.year
        per_year[year] = per_year.get(year, 0) + 1
        sender, prefix = SENDERS[rng.randrange(len(SENDERS))]
        moment = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
        document = IncomingDocument(
            status=IncomingStatus.DONE, year=year, seq=per_year[year], received_on=day,
            sender=sender, ref_no=f"{prefix}〔{year}〕{rng.randint(1, 400)}号",
            title=f"关于{TOPICS[rng.randrange(len(TOPICS))]}{TRUNKS[i % len(TRUNKS)]}的通知",
            created_by=office, created_at=moment, registered_at=moment, updated_at=moment)
        document.search = incoming.search_text(document)
        rows.append(document)
    await IncomingDocument.bulk_create(rows, batch_size=1000)
    for year, count in per_year.items():
        await DocumentCounter.create(prefix="收文", year=year, taken=count)
    issued = []
    for i in range(n // 10):
        moment = datetime(2024, 1, 5, 2, tzinfo=UTC) + timedelta(days=i * 1000 // (n // 10))
        document = OutgoingDocument(
            title=f"关于{TOPICS[i % len(TOPICS)]}的通知", doc_type="通知", prefix="园区发",
            year=moment.year, number=i + 1, drafter=office, status=OutgoingStatus.ISSUED,
            issued_at=moment, created_at=moment, updated_at=moment)
        document.search = outgoing.search_text(document)
        issued.append(document)
    await OutgoingDocument.bulk_create(issued, batch_size=1000)


async def service_times(office: Staff, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for query in QUERIES:
        for _ in range(repeat):
            t0 = time.perf_counter()
            _, total = await search.search(office, query)
            times.setdefault(query, []).append(time.perf_counter() - t0)
        found = times[query]
        print(f"  service  {query:<24} found {total:>5}  p50 {pct(found, .5) * 1000:7.1f} ms"
              f"  p95 {pct(found, .95) * 1000:7.1f} ms  max {max(found) * 1000:7.1f} ms")
    return times


async def chat_times(settings: Settings, sandbox: Sandbox, repeat: int) -> list[float]:
    runtime = Runtime(settings, open_database=False)
    await runtime.start()
    overall = []
    try:
        async with SandboxClient(sandbox.base_url) as client:
            await client.add_user(1003, "张秘书", started=True)
            await client.reset_limits(private_rate=100, private_capacity=100)
            for query in QUERIES:
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    sent = await client.send_message(1003, 1003, f"/wenjian {query}")
                    await client.wait_for_bot_message(1003, after=sent["message_id"], timeout=30)
                    times.append(time.perf_counter() - t0)
                overall += times
                print(f"  /wenjian {query:<24} p50 {pct(times, .5) * 1000:7.1f} ms  p95 "
                      f"{pct(times, .95) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms")
    finally:
        await runtime.stop()
    return overall


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-docs-")
    db_url = args.db or f"sqlite://{folder}/bench.sqlite3"
    if args.db.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(args.db.replace("postgres://", "postgresql://", 1))
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    sandbox = Sandbox(SPEC if SPEC.exists() else None)
    await sandbox.start()
    settings = Settings(_env_file=None, token=TOKEN, database_url=db_url,  # type: ignore[call-arg]
                        bot_api_url=sandbox.bot_api_base, bot_file_url=sandbox.file_api_base,
                        poll_timeout=1, web_port=0, scheduler_enabled=False, sandbox_spec=None)
    await open_db(settings=settings)
    try:
        office = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE,
                                    department="党政办")
        t0 = time.perf_counter()
        await seed(args.n, office)
        print(f"{db_url.split(':')[0]}: seeded {await IncomingDocument.all().count()} incoming "
              f"and {await OutgoingDocument.all().count()} outgoing in "
              f"{time.perf_counter() - t0:.1f} s")
        times = await service_times(office, args.repeat)
        every = [t for values in times.values() for t in values]
        print(f"service overall: p50 {statistics.median(every) * 1000:.1f} ms, "
              f"p95 {pct(every, .95) * 1000:.1f} ms, max {max(every) * 1000:.1f} ms")
        chat = await chat_times(settings, sandbox, max(3, args.repeat // 4))
        print(f"/wenjian through the sandbox overall: p50 {statistics.median(chat) * 1000:.1f} ms"
              f", p95 {pct(chat, .95) * 1000:.1f} ms, max {max(chat) * 1000:.1f} ms")
    finally:
        await close_db()
        await sandbox.stop()


if __name__ == "__main__":
    asyncio.run(main())
