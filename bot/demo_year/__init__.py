"""`officebot demo year`: a plausible year of the office played through the sandbox."""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from typing import Any

from bot.demo_year.runner import Theatre, theatre
from bot.demo_year.year import TZ, Planner, Tally, play_year

LABELS = {"incoming": "收文", "outgoing": "发文", "drafts": "文稿", "bulletins": "参阅",
          "meetings": "会议", "media": "报道", "info": "信息", "opinion": "舆情",
          "supplies": "领用", "purchases": "采购", "seals": "用印", "receptions": "接待",
          "receptions_done": "接待办结", "meals": "用餐", "repairs": "维修"}


def progress_line(day: date, tally: Tally, seconds: float, *, out: Any = sys.stderr) -> None:
    """One line, rewritten each simulated day: the date and the counts so far."""
    counts = " ".join(f"{label}{tally.done[kind]}" for kind, label in LABELS.items())
    failed = sum(tally.failed.values())
    end = "\n" if (day.month, day.day) == (12, 31) else ""
    out.write(f"\r{day.isoformat()} {counts} 未成{failed} {seconds:5.0f}s{end}")
    out.flush()


async def play(database_url: str, *, seed: int = 1, year: int = 2026, scale: float = 1.0,
               last: date | None = None, show_progress: bool = True,
               keep: Any = None, open_database: bool = True) -> Tally:
    """Plan the year from the seed and play it; `keep(theatre)` runs before the bot stops."""
    start = datetime.combine(date(year, 1, 1), time(7, 0), TZ)
    async with theatre(database_url, start, open_database=open_database) as stage_theatre:
        acts = Planner(year, seed, scale, stage_theatre.people, last).plan()
        tally = await play_year(stage_theatre.stage, stage_theatre.runtime.settings, acts, year,
                                progress_line if show_progress else None, last)
        if keep is not None:
            await keep(stage_theatre)
    return tally


__all__ = ["Theatre", "play", "progress_line"]
