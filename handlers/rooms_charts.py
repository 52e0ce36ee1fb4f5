"""Pictures and spreadsheets of rooms: a day's timeline and usage charts (matplotlib, Agg)."""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib import pyplot as plt
from openpyxl import Workbook

from handlers.texts import t
from services.rooms import RULES
from services.rooms.schedule import RoomDay, RoomUsage

_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "SimHei",
              "Source Han Sans SC", "Droid Sans Fallback")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A installed font with Chinese glyphs, or None (labels fall back to ASCII)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


def _label(text: str, fallback: str) -> str:
    if cjk_font() is not None or text.isascii():
        return text
    return fallback


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _family() -> str:
    return cjk_font() or "sans-serif"


def timeline_png(rows: list[RoomDay], day: date) -> bytes:
    """Rooms by hour: one bar per booking."""
    fig, ax = plt.subplots(figsize=(10, 0.6 * max(len(rows), 1) + 1.2))
    for index, row in enumerate(rows):
        for b in row.bookings:
            start = b.start_at.astimezone(RULES.zone)
            end = b.end_at.astimezone(RULES.zone)
            left = start.hour + start.minute / 60
            width = (end - start).total_seconds() / 3600
            ax.barh(index, width, left=left, height=0.6, color="#3b7dd8", alpha=0.85)
            ax.text(left + 0.05, index, _label(b.title[:10], f"#{b.id}"), va="center",
                    fontsize=8, color="white", fontfamily=_family())
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_label(r.room.name, f"Room {r.room.id}") for r in rows],
                       fontfamily=_family())
    ax.set_xlim(7, 22)
    ax.set_xticks(range(7, 23))
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(day.isoformat())
    return _png(fig)


def usage_png(usage: list[RoomUsage]) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(len(usage), 1) + 1.2))
    names = [_label(u.room.name, f"Room {u.room.id}") for u in usage]
    ax.barh(names, [u.utilisation * 100 for u in usage], color="#2e9e6b")
    for index, u in enumerate(usage):
        ax.text(u.utilisation * 100 + 0.5, index, f"{u.hours:g} h / {u.meetings}", va="center",
                fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    if cjk_font():
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names, fontfamily=_family())
    ax.invert_yaxis()
    return _png(fig)


def usage_xlsx(usage: list[RoomUsage], lang: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([t(f"rooms.stats.col.{c}", lang)
                  for c in ("room", "meetings", "hours", "open_hours", "rate")])
    for u in usage:
        sheet.append([u.room.name, u.meetings, u.hours, u.open_hours, round(u.utilisation, 4)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
