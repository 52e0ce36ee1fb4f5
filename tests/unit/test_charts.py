"""Every chart the bot draws, rendered as a person would get it: sizes within what Telegram shows,
Chinese labels drawn with a font that has them, one measure per axis, axes fitted to the data and
to the rooms' opening hours."""

from __future__ import annotations

import io
import os
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from handlers import rooms_charts
from handlers.views import charts, reports
from handlers.views.opinion import trend_png
from handlers.views.reports import chart_figure, chart_png
from services.reports import Period
from services.reports.figures import Change, Comparison, sections

SH = ZoneInfo("Asia/Shanghai")
#: Set OFFICEBOT_CHART_DIR to keep the PNGs and look at them.
KEEP = os.environ.get("OFFICEBOT_CHART_DIR")


def _check_png(data: bytes, name: str, *, max_width: int = 2000,
               max_height: int = 2600) -> tuple[int, int]:
    """A PNG Telegram shows as a photo: decodable, not tiny, not huge, sides within 20:1."""
    if KEEP:
        Path(KEEP, name).write_bytes(data)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    width, height = image.size
    assert 300 <= width <= max_width and 200 <= height <= max_height, (name, image.size)
    assert max(width, height) / min(width, height) <= 20
    return width, height


@pytest.fixture(autouse=True)
def glyphs_must_exist() -> Any:
    """A missing glyph is a box in the picture: make matplotlib's warning an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        yield


def test_a_font_with_chinese_glyphs_is_configured_once_for_every_chart() -> None:
    font = charts.cjk_font()
    assert font is not None, "install fonts-noto-cjk: charts would show boxes"
    charts.setup()
    from matplotlib import rcParams

    assert rcParams["font.sans-serif"][0] == font


def _comparison() -> Comparison:
    period = Period.of("week", date(2026, 11, 23), SH)
    changes = []
    for number, section in enumerate(sections()):
        for index, metric in enumerate(section.metrics):
            money = metric in ("cost", "stock_in_value", "issued_value")
            current = 12_345.5 if money else float(3 + index + number)
            changes.append(Change(section.name, metric, current, current * 0.8 if money
                                  else float(index)))
    return Comparison(period, period.previous(), changes)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_weekly_chart_gives_each_figure_its_own_axis(lang: str) -> None:
    comparison = _comparison()
    figure = chart_figure(comparison, lang)
    axes = figure.get_axes()
    shown = reports.chart_changes(comparison.changes)
    assert len(axes) == len(shown) <= reports.CHART_PANELS  # one measure per axis, readable
    for ax, change in zip(axes, shown, strict=True):
        heights = [p.get_height() for p in ax.patches]
        assert heights == [change.previous, change.current]
        low, high = ax.get_ylim()
        assert low == 0 and max(heights) < high <= max(max(heights) * 1.5, 1.5)
    _check_png(chart_png(comparison, lang), f"weekly-{lang}.png")


def test_weekly_chart_of_a_quiet_week_still_draws_readable_axes() -> None:
    period = Period.of("week", date(2026, 11, 23), SH)
    quiet = Comparison(period, period.previous(), [Change("rooms", "meetings", 0, 0)])
    [ax] = chart_figure(quiet, "zh_CN").get_axes()
    assert ax.get_ylim() == (0, 1)
    _check_png(chart_png(quiet, "zh_CN"), "weekly-quiet.png")


def test_opinion_trend_chart_fits_its_axis_to_the_counts() -> None:
    rows = [{"day": (date(2026, 11, 1) + timedelta(days=i)).isoformat(),
             "relevant": i % 5, "negative": i % 2} for i in range(30)]
    _check_png(trend_png(rows, "zh_CN"), "opinion-30.png")
    _check_png(trend_png(rows[-7:], "en"), "opinion-7-en.png")


def _room(number: int, opens: int, closes: int) -> Any:
    return SimpleNamespace(id=number, name=f"{number}号会议室", opens_minute=opens * 60,
                           closes_minute=closes * 60)


def _booking(number: int, start: int, end: int, day: date = date(2026, 11, 26)) -> Any:
    at = datetime(day.year, day.month, day.day, tzinfo=SH)
    return SimpleNamespace(id=number, title=f"会议{number}", start_at=at + timedelta(hours=start),
                           end_at=at + timedelta(hours=end))


def test_rooms_timeline_spans_the_opening_hours_not_seven_to_twenty_two() -> None:
    day = date(2026, 11, 26)
    rows = [SimpleNamespace(room=_room(1, 8, 18), bookings=[_booking(1, 9, 11),
                                                            _booking(2, 14, 16)]),
            SimpleNamespace(room=_room(2, 8, 18), bookings=[])]
    assert rooms_charts.hours_shown(rows, day) == (8, 18)  # type: ignore[arg-type]
    _check_png(rooms_charts.timeline_png(rows, day), "rooms-day.png")  # type: ignore[arg-type]
    late = [SimpleNamespace(room=_room(1, 8, 18), bookings=[_booking(3, 17, 20)])]
    assert rooms_charts.hours_shown(late, day) == (8, 20)  # type: ignore[arg-type]
    overnight = [SimpleNamespace(room=_room(1, 8, 18), bookings=[
        _booking(4, -2, 2, day)])]  # from 22:00 the evening before to 02:00
    assert rooms_charts.hours_shown(overnight, day) == (0, 18)  # type: ignore[arg-type]
    _check_png(rooms_charts.timeline_png(late, day), "rooms-late.png")  # type: ignore[arg-type]


def test_rooms_usage_chart_fits_the_busiest_room() -> None:
    usage = [SimpleNamespace(room=_room(i, 8, 18), meetings=i * 2, hours=i * 3.5,
                             open_hours=50.0, utilisation=i * 3.5 / 50) for i in range(1, 5)]
    _check_png(rooms_charts.usage_png(usage), "rooms-usage.png")  # type: ignore[arg-type]
