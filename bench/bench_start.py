"""A replica's start and memory: seconds to its first setWebhook, idle RSS, RSS with the model.

Run: .venv/bin/python bench/bench_start.py [--database URL] [--model FILE] [--runs 3]
Starts `officebot run` in webhook mode (through bot.cluster: the sandbox, nginx, one replica) on
PostgreSQL (default officebot_replicas) and reads /proc/PID/status: VmRSS after 5 s idle
(target < 150 MB), then after one item through the opinion ingest API with a model in the data
folder (target < 300 MB). Start = process launch to the sandbox seeing setWebhook (target < 3 s).
Without --model a model is trained first on fin_news_headlines (about 10 s, not timed).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cluster import Cluster  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sentiment"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_run(database: str, model: Path | None, workdir: Path, code: str | None
                  ) -> tuple[float, float, float]:
    env = {"OFFICEBOT_INGEST_TOKEN": "bench-token", "OFFICEBOT_SCHEDULER_ENABLED": "false"}
    if code:
        env["PYTHONPATH"] = code  # the replica runs another checkout (a before figure)
    async with Cluster(database, 1, workdir=workdir, env=env) as cluster:
        started = cluster.start_seconds[0]
        await asyncio.sleep(5)
        idle = rss_mb(cluster.pid(0))
        loaded = float("nan")
        if model is not None:
            shutil.copy(model, workdir / "data" / "opinion-model.joblib")
            item = {"source": "bench", "title": "园区企业排污被查处", "text": "有居民反映企业偷排",
                    "url": f"https://example.com/{workdir.name}"}
            async with aiohttp.ClientSession() as session, session.post(
                    f"{cluster.replica_url(0)}/api/opinion/items", json=[item],
                    headers={"Authorization": "Bearer bench-token"}) as resp:
                await resp.read()
            await asyncio.sleep(1)
            loaded = rss_mb(cluster.pid(0))
        return started, idle, loaded


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/officebot_replicas")
    parser.add_argument("--model", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", default=None,
                        help="run the replica from this checkout (e.g. an export of main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(args.model) if args.model else Path(tmp) / "model.joblib"
        if not args.model:
            subprocess.run(  # noqa: ASYNC221 (before anything is timed)
                [sys.executable, "-m", "bot", "opinion", "train", "--data",
                 str(DATA / "fin_news_headlines.csv"), "--out", str(model)],
                check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        results = []
        for run in range(args.runs):
            workdir = Path(tmp) / f"run{run}"
            results.append(await one_run(args.database, model, workdir, args.code))
    starts, idles, loadeds = zip(*results, strict=True)
    print(f"start to setWebhook: median {statistics.median(starts):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in starts)}; target < 3 s)")
    print(f"idle RSS: median {statistics.median(idles):.0f} MB (target < 150 MB)")
    print(f"RSS with the opinion model loaded: median {statistics.median(loadeds):.0f} MB "
          f"(target < 300 MB)")


if __name__ == "__main__":
    asyncio.run(main())
