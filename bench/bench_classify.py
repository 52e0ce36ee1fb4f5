"""`officebot opinion classify` throughput: the time of N items less the time of one.

Run: .venv/bin/python bench/bench_classify.py [--n 20000] [--model FILE] [--batch 512]
Without --model a model is trained first on the fin_news_headlines set (about 10 s, not timed).
Items are texts of the weibo set as JSON lines. Each run is a fresh `officebot opinion classify`
process, so start-up and the model load cancel out in the difference (target: >= 5,000 items/s).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "sentiment"
OFFICEBOT = [sys.executable, "-m", "bot"]


def run(items: Path, model: Path, batch: int | None) -> float:
    command = [*OFFICEBOT, "opinion", "classify", "--model", str(model)]
    if batch is not None:
        command += ["--batch", str(batch)]
    with items.open() as stdin:
        t0 = time.perf_counter()
        subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, check=False, cwd=ROOT)
        return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--batch", type=int, default=None, help="1 = the old line-by-line way")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(args.model) if args.model else Path(tmp) / "model.joblib"
        if not args.model:
            subprocess.run([*OFFICEBOT, "opinion", "train", "--data",
                            str(DATA / "fin_news_headlines.csv"), "--out", str(model)],
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        with (DATA / "smp2020_weibo.csv").open(encoding="utf-8-sig", newline="") as fh:
            texts = [r["text"] for r in csv.DictReader(fh) if r.get("text")]
        one, many = Path(tmp) / "one.jsonl", Path(tmp) / "many.jsonl"
        one.write_text(json.dumps({"id": 0, "text": texts[0]}, ensure_ascii=False) + "\n")
        with many.open("w") as fh:
            for i in range(args.n):
                fh.write(json.dumps({"id": i, "text": texts[i % len(texts)]},
                                    ensure_ascii=False) + "\n")
        t_one = min(run(one, model, args.batch) for _ in range(2))
        t_many = run(many, model, args.batch)
    rate = (args.n - 1) / (t_many - t_one)
    print(f"classify: 1 item {t_one:.2f} s, {args.n} items {t_many:.2f} s -> "
          f"{rate:,.0f} items/s (batch {args.batch or 'default'}; target 5,000)")


if __name__ == "__main__":
    main()
