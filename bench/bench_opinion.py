"""Benchmark the opinion classifier against snownlp, cnsenti and jionlp on held-out items.

Usage: .venv/bin/python bench/bench_opinion.py [DATA_DIR] [--train FILE ...] [--no-peers]

Each CSV in DATA_DIR (default ../shared/data/sentiment from the repository root) loses a
fixed-seed 20% as held-out items that no model ever trains on; the classifier trains on the
remaining 80% of the chosen training files and every system is scored on the same held-out items
of the four news/social files, plus the park sentence set.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import logging
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.opinion.classify import Classifier, evaluate  # noqa: E402
from services.opinion.model import ModelParams, train  # noqa: E402

EVAL_FILES = ("fin_news_headlines", "finnsp_negative_news", "smp2020_weibo", "finfe_forum")
TRAIN_FILES = EVAL_FILES
SEED = 20240601
HOLDOUT = 0.2
BATCH = 1024
PARK_CSV = ROOT / "tests" / "data" / "park_opinion_sentences.csv"
Rows = list[tuple[str, int, int | None, str]]
Scorer = Callable[[Sequence[str]], list[int]]


def read_csv(path: Path) -> Rows:
    """Read (text, neg, y3, source) rows from one CSV file (y3 None when it has no such column).

    The source (the file's stem) is a training label for the model's per-source experts only:
    scoring sees the text alone.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [(r["text"], int(r["neg"]),
                 int(r["y3"]) if (r.get("y3") or "") in {"0", "1", "2"} else None, path.stem)
                for r in csv.DictReader(fh) if r.get("text") and r.get("neg") in {"0", "1"}]


def split(rows: Rows, seed: int = SEED) -> tuple[Rows, Rows]:
    """Split rows into (train 80%, held-out 20%) with a fixed seed."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    cut = int(len(rows) * HOLDOUT)
    return [rows[i] for i in order[cut:]], [rows[i] for i in order[:cut]]


def timed(scorer: Scorer, texts: Sequence[str], batch: int = BATCH) -> tuple[list[int], float]:
    """Return predictions for texts scored in batches and the items per second."""
    start = time.perf_counter()
    preds: list[int] = []
    for i in range(0, len(texts), batch):
        preds.extend(scorer(texts[i:i + batch]))
    elapsed = time.perf_counter() - start
    return preds, len(texts) / elapsed if elapsed else float("inf")


def load_peers() -> dict[str, Scorer]:
    """Return the peer scorers that import, printing why any is skipped."""
    peers: dict[str, Scorer] = {}
    logging.getLogger().setLevel(logging.ERROR)
    logging.getLogger("jieba").setLevel(logging.ERROR)
    try:
        from snownlp import SnowNLP

        # snownlp: probability of positive; negative when below 0.5.
        peers["snownlp"] = lambda ts: [int(SnowNLP(t).sentiments < 0.5) if t.strip() else 0
                                       for t in ts]
    except Exception as exc:
        print(f"skip snownlp: {exc!r}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            from cnsenti import Sentiment

            senti = Sentiment()
        # cnsenti: counts of positive and negative lexicon words; negative when neg > pos.
        def cnsenti_score(ts: Sequence[str]) -> list[int]:
            out = []
            for t in ts:
                counts = senti.sentiment_count(t)
                out.append(int(counts["neg"] > counts["pos"]))
            return out

        peers["cnsenti"] = cnsenti_score
    except Exception as exc:
        print(f"skip cnsenti: {exc!r}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import jionlp as jio

            lexicon = jio.sentiment.LexiconSentiment()
        # jionlp LexiconSentiment: probability of positive; negative when below 0.5.
        peers["jionlp"] = lambda ts: [int(lexicon(t) < 0.5) for t in ts]
    except Exception as exc:
        print(f"skip jionlp: {exc!r}")
    return peers


def fmt(metrics: dict[str, float]) -> str:
    """Format accuracy and negative-class precision/recall/F1."""
    return (f"acc {metrics['accuracy']:.3f}  P {metrics['precision']:.3f}  "
            f"R {metrics['recall']:.3f}  F1 {metrics['f1']:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    """Train, score every system on the same held-out items and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path,
                        default=ROOT.parent / "shared" / "data" / "sentiment")
    parser.add_argument("--train", nargs="+", default=list(TRAIN_FILES),
                        help="file stems to train on (80%% of each)")
    parser.add_argument("--c", type=float, default=ModelParams.c)
    parser.add_argument("--ngram-max", type=int, default=ModelParams.ngram_max)
    parser.add_argument("--threshold", type=float, default=ModelParams.threshold)
    parser.add_argument("--plain", action="store_true",
                        help="one binary LR on plain TF-IDF (the pre-blend model) for comparison")
    parser.add_argument("--no-experts", action="store_true",
                        help="general learners only (no per-source experts), for comparison")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--save", type=Path, help="write the trained model here")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data folder at {args.data}")
        return 2

    held: dict[str, Rows] = {}
    fit: Rows = []
    for path in sorted(args.data.glob("*.csv")):
        train_rows, test_rows = split(read_csv(path))
        held[path.stem] = test_rows
        if path.stem in args.train:
            fit.extend(train_rows)
    params = ModelParams(c=args.c, ngram_max=args.ngram_max, threshold=args.threshold,
                         nb_weighting=not args.plain, three_class=not args.plain,
                         domain_experts=not (args.plain or args.no_experts))
    start = time.perf_counter()
    model = train(fit, params)
    print(f"trained on {len(fit)} rows of {', '.join(args.train)} in "
          f"{time.perf_counter() - start:.0f}s; {model.meta['features']} features; {params}")
    if args.save:
        model.save(args.save)

    combined = Classifier(None, model=model)
    systems: dict[str, Scorer] = {
        "officebot": lambda ts: [v.neg for v in combined.classify(ts)],
        "officebot-model": lambda ts: [int(p >= model.threshold)
                                       for p in model.predict_proba(ts)],
        "officebot-rules": lambda ts: [v.neg for v in Classifier(None).classify(ts)],
    }
    if not args.no_peers:
        systems.update(load_peers())

    park = read_csv(PARK_CSV)
    summary: dict[str, list[float]] = {}
    for name, scorer in systems.items():
        print(f"\n== {name}")
        f1s: list[float] = []
        items = 0
        seconds = 0.0
        for stem in EVAL_FILES:
            rows = held[stem]
            preds, rate = timed(scorer, [r[0] for r in rows])
            metrics = evaluate([r[1] for r in rows], preds)
            f1s.append(metrics["f1"])
            items += len(rows)
            seconds += len(rows) / rate
            print(f"{stem:22s} n={len(rows):5d}  {fmt(metrics)}  {rate:9.0f} items/s")
        preds, _ = timed(scorer, [r[0] for r in park])
        negs = sum(1 for r in park if r[1])
        caught = sum(1 for r, p in zip(park, preds, strict=True) if r[1] and p)
        false = sum(1 for r, p in zip(park, preds, strict=True) if not r[1] and p)
        print(f"{'average':22s} F1 {statistics.mean(f1s):.3f}  "
              f"{items / seconds:.0f} items/s over all {items} items")
        print(f"{'park sentences':22s} negatives flagged {caught}/{negs}, "
              f"others flagged {false}/{len(park) - negs}")
        summary[name] = [statistics.mean(f1s), items / seconds]
    print("\nsystem            avg F1(neg)  items/s")
    for name, (f1, rate) in summary.items():
        print(f"{name:17s} {f1:11.3f}  {rate:7.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
