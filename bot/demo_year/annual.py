"""After the year the office asks /annual, as anyone of it would, and keeps the files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from bot.demo_year.people import OFFICE
from bot.demo_year.runner import Theatre
from bot.demo_year.year import TZ


@dataclass
class Annual:
    summary: str
    docx: bytes
    xlsx: bytes
    seconds: float


async def ask_annual(theatre: Theatre, year: int, *, timeout: float = 300) -> Annual:
    """On the first workday morning of the next year the office sends /annual YEAR."""
    import time as clock

    from services import workdays

    stage = theatre.stage
    stage.clock.set(datetime.combine(workdays.next_workday(date(year + 1, 1, 1)),
                                     time(9, 0), TZ))
    started = clock.monotonic()
    asked = await stage.send(OFFICE, f"/annual {year}")
    summary = await stage.wait(OFFICE, asked, "工作总结", timeout=timeout)
    word = await stage.wait(OFFICE, summary["message_id"], "（Word）", timeout=60)
    excel = await stage.wait(OFFICE, summary["message_id"], "分月统计", timeout=60)
    return Annual(summary["text"], await stage.client.file_bytes(word["document"]["file_id"]),
                  await stage.client.file_bytes(excel["document"]["file_id"]),
                  clock.monotonic() - started)


def save(annual: Annual, stem: Path) -> list[Path]:
    """Write the summary's files next to the database: STEM-annual.docx and .xlsx."""
    paths = [stem.with_name(f"{stem.name}-annual.{kind}") for kind in ("docx", "xlsx")]
    paths[0].write_bytes(annual.docx)
    paths[1].write_bytes(annual.xlsx)
    return paths
