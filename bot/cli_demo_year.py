"""`officebot demo year [--seed N] [--year 2026] [--scale 1.0]`: play a year of the office."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from bot.demo_year.year import VOLUMES


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="the year's seed (same seed, "
                        "same year)")
    parser.add_argument("--year", type=int, default=2026, help="the year to play (2026)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the office's volumes (1 = a full year, 0.08 ≈ a month)")
    parser.add_argument("--until", type=date.fromisoformat, default=None,
                        help="stop after this day (YYYY-MM-DD; default 12-31)")
    parser.add_argument("--database", default=None,
                        help="database URL (default: a new SQLite file data/demo-YEAR-SEED)")


async def cmd_demo_year(args: argparse.Namespace) -> int:
    from bot.cli import CliError
    from bot.demo_year import Theatre, play
    from bot.demo_year.annual import Annual, ask_annual, save
    from handlers.texts import plain

    if not 2000 <= args.year <= 2100:
        raise CliError("--year must be between 2000 and 2100")
    if not 0 < args.scale <= 2:
        raise CliError("--scale must be more than 0 and at most 2")
    url = args.database
    path: Path | None = None
    if url is None:
        path = Path("data") / f"demo-{args.year}-{args.seed}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        if path.exists():
            raise CliError(f"{path} exists: remove it or pass --database")
        url = f"sqlite://{path}"
    print(f"Playing {args.year} (seed {args.seed}, scale {args.scale:g}) into {url}; at scale 1: "
          + "、".join(f"{k} {v}" for k, v in VOLUMES.items()))
    started = time.monotonic()
    asked: list[Annual] = []

    async def annual(theatre: Theatre) -> None:
        played = time.monotonic() - started
        print(f"\nThe year played in {played:.0f}s; the office asks /annual {args.year}.")
        asked.append(await ask_annual(theatre, args.year))

    tally = await play(url, seed=args.seed, year=args.year, scale=args.scale, last=args.until,
                       keep=annual)
    print(f"Done in {time.monotonic() - started:.0f}s: " + "、".join(
        f"{k} {v}" for k, v in sorted(tally.done.items())))
    if tally.failed:
        print("Acts the bot did not answer as expected: " + "、".join(
            f"{k} {v}" for k, v in sorted(tally.failed.items())))
        for line in tally.errors[:20]:
            print("  " + line)
    if asked:
        print(f"\n/annual {args.year} answered in {asked[0].seconds:.0f}s:\n")
        print(plain(asked[0].summary))
        stem = path.with_suffix("") if path is not None else Path("data") / (
            f"demo-{args.year}-{args.seed}")
        stem.parent.mkdir(exist_ok=True)
        print("\nFiles: " + ", ".join(str(p) for p in save(asked[0], stem)))
    if path is not None:
        print(f"Database: {path} ({path.stat().st_size / 1e6:.1f} MB). Run the bot on it "
              f"(OFFICEBOT_DATABASE_URL=sqlite://{path}) and ask /annual {args.year}.")
    return 0
