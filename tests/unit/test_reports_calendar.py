"""Next year's holiday notice: checked, kept in the store, applied again after a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.cli_reports import calendar_load, load_saved_calendar
from bot.settings import Settings
from services import workdays
from services.reports import calendar

NOTICE = """
2031:
  holidays: [2031-01-01, 2031-10-01, 2031-10-02]
  workdays: [2031-09-28]
"""


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    saved = (dict(workdays._extra), set(workdays._extra_years))
    yield Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    workdays._extra.clear()
    workdays._extra.update(saved[0])
    workdays._extra_years.clear()
    workdays._extra_years.update(saved[1])


def test_loaded_notice_is_kept_and_applied_again_after_a_restart(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "2031.yaml"
    source.write_text(NOTICE, encoding="utf-8")
    assert not workdays.known_year(2031)
    assert calendar_load(source, settings) == 0
    assert "已导入2031年" in capsys.readouterr().out
    assert workdays.known_year(2031) and workdays.is_workday(date(2031, 9, 28))  # a Sunday
    # A restart forgets the process state; the store brings it back.
    workdays._extra.clear()
    workdays._extra_years.clear()
    assert not workdays.known_year(2031)
    assert load_saved_calendar(settings) == [2031]
    assert not workdays.is_workday(date(2031, 10, 1))
    assert workdays.is_workday(date(2031, 9, 28))


@pytest.mark.parametrize(("text", "expected"), [
    ("2031: [", "不是有效的 YAML"),
    ("- 2031-01-01", "格式不对"),
    ("3031:\n  holidays: [3031-01-01]", "年份“3031”不对"),
    ("2031:\n  holidays: [2031-13-01]", "日期“2031-13-01”不对"),
    ("2031:\n  holidays: [2030-01-01]", "不属于2031年"),
    ("2031:\n  holidays: [2031-01-01]\n  workdays: [2031-01-01]", "同时列为放假和上班"),
    ("2031:\n  workdays: [2031-01-04]", "没有列出任何放假日期"),
])
def test_bad_notice_is_refused_with_what_to_fix_and_nothing_is_stored(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
    expected: str,
) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text(text, encoding="utf-8")
    assert calendar_load(source, settings) == 1
    assert expected in capsys.readouterr().err
    assert not (settings.data_dir / "calendar.yaml").exists()
    assert not workdays.known_year(2031)


def test_missing_file_is_named(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert calendar_load("/nowhere/2031.yaml", settings) == 2
    assert "找不到文件" in capsys.readouterr().err


def test_unknown_next_year_is_warned_from_december_only() -> None:
    assert calendar.unknown_years(date(2025, 11, 30)) == []  # the library knows 2025 and 2026
    assert calendar.unknown_years(date(2025, 12, 1)) == []
    assert not workdays.known_year(2031)
    assert calendar.unknown_years(date(2030, 11, 30)) == [2030]
    assert calendar.unknown_years(date(2030, 12, 1)) == [2030, 2031]


def test_an_unknown_current_year_is_warned_all_year() -> None:
    assert calendar.unknown_years(date(2030, 3, 2)) == [2030]
