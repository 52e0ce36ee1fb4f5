"""Pictures and spreadsheets of rooms: a day's timeline and usage charts, the usage workbook."""

from __future__ import annotations

import math
from datetime import date, datetime

from handlers.texts import t
from handlers.views import charts
from handlers.views.exports import period_row
from services import exports
from services.rooms import RULES
from services.rooms.schedule import RoomDay, RoomUsage


def _hour(at: datetime, day: date, edge: float) -> float:
    """The time of day in hours, or the day's edge when the moment falls on another day."""
    local = at.astimezone(RULES.zone)
    return local.hour + local.minute / 60 if local.date() == day else edge


def hours_shown(rows: list[RoomDay], day: date) -> tuple[int, int]:
    """The hours the timeline spans: the rooms' opening hours, widened to any booking."""
    starts = [r.room.opens_minute / 60 for r in rows]
    ends = [r.room.closes_minute / 60 for r in rows]
    for row in rows:
        starts += [_hour(b.start_at, day, 0) for b in row.bookings]
        ends += [_hour(b.end_at, day, 24) for b in row.bookings]
    if not starts:
        return 8, 18
    first, last = math.floor(min(starts)), math.ceil(max(ends))
    return max(first, 0), min(max(last, first + 1), 24)


async def timeline(rows: list[RoomDay], day: date) -> bytes:
    """The day's timeline, drawn off the event loop, once for what it shows: /rooms asked
    again before any booking of the day changed gets the same picture without drawing."""
    shown = tuple(
        (r.room.id, r.room.name, r.room.opens_minute, r.room.closes_minute,
         tuple((b.id, b.start_at, b.end_at, b.title) for b in r.bookings))
        for r in rows)
    return await charts.drawn(("rooms.timeline", day, shown, charts.cjk_font()),
                              timeline_png, rows, day)


def timeline_png(rows: list[RoomDay], day: date) -> bytes:
    """Rooms by hour: one bar per booking, over the hours the rooms are open."""
    first, last = hours_shown(rows, day)
    fig = charts.figure(max(6.0, 0.55 * (last - first) + 2), 0.6 * max(len(rows), 1) + 1.2)
    ax = fig.subplots()
    for index, row in enumerate(rows):
        # The room's own opening hours, lightly: a booking outside them stands out.
        ax.barh(index, (row.room.closes_minute - row.room.opens_minute) / 60,
                left=row.room.opens_minute / 60, height=0.8, color="#eef3f9", zorder=0)
        for b in row.bookings:
            left, right = _hour(b.start_at, day, first), _hour(b.end_at, day, last)
            ax.barh(index, right - left, left=left, height=0.6, color="#3b7dd8", alpha=0.85)
            ax.text(left + 0.05, index, charts.label(b.title[:10], f"#{b.id}"), va="center",
                    fontsize=8, color="white", clip_on=True)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([charts.label(r.room.name, f"Room {r.room.id}") for r in rows])
    ax.set_xlim(first, last)
    ax.set_xticks(range(first, last + 1))
    ax.set_xticklabels([f"{h}:00" for h in range(first, last + 1)], fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(day.isoformat())
    return charts.png(fig)


def usage_png(usage: list[RoomUsage]) -> bytes:
    """Each room's utilisation in percent, on an axis fitted to the busiest room."""
    fig = charts.figure(8, 0.5 * max(len(usage), 1) + 1.2)
    ax = fig.subplots()
    names = [charts.label(u.room.name, f"Room {u.room.id}") for u in usage]
    rates = [u.utilisation * 100 for u in usage]
    ax.barh(range(len(usage)), rates, color="#2e9e6b")
    for index, u in enumerate(usage):
        ax.text(u.utilisation * 100, index, f" {u.utilisation:.0%} · {u.hours:g} h / {u.meetings}",
                va="center", fontsize=8)
    top = max(rates, default=0)
    # Room for the labels beside the longest bar; never past 100 % unless a room overran.
    ax.set_xlim(0, max(10.0, min(100.0, math.ceil(top * 1.35 / 10) * 10), top * 1.1))
    ax.set_xlabel("%")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    return charts.png(fig)


def usage_xlsx(usage: list[RoomUsage], lang: str, first: date | None = None,
               last: date | None = None) -> bytes:
    """The rooms' usage as a workbook (NothingToExport when there is no room)."""
    columns = [
        exports.Column("room", t("rooms.stats.col.room", lang), 18),
        exports.Column("meetings", t("rooms.stats.col.meetings", lang), 10, "int", True),
        exports.Column("hours", t("rooms.stats.col.hours", lang), 10, "qty", True),
        exports.Column("open_hours", t("rooms.stats.col.open_hours", lang), 10, "qty", True),
        exports.Column("rate", t("rooms.stats.col.rate", lang), 10, "percent"),
    ]
    rows = [{"room": u.room.name, "meetings": u.meetings, "hours": u.hours,
             "open_hours": u.open_hours, "rate": round(u.utilisation, 4)} for u in usage]
    title = t("rooms.stats.sheet", lang)
    period = period_row(first, last, lang) if first and last else ""
    return exports.workbook([exports.Sheet(
        name=title, title=title, period=period, columns=columns, rows=rows,
        total_label=t("exports.total", lang), empty=t("exports.none", lang))], RULES.zone)
