"""CLI pieces of the reports: `officebot calendar load FILE.yaml` (next year's holidays)."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.settings import Settings, get_settings
from handlers.common import error_text, plain
from scheduler.reports import calendar_store
from services.errors import DomainError
from services.reports import calendar


def load_saved_calendar(settings: Settings | None = None) -> list[int]:
    """Apply the saved holiday notices (call at start-up); the years they cover."""
    return calendar.load_store(calendar_store(settings or get_settings()))


def calendar_load(path: str | Path, settings: Settings | None = None) -> int:
    """Check a holiday notice YAML and keep it in the calendar store; exit code 0 when done."""
    settings = settings or get_settings()
    source = Path(path)
    if not source.is_file():
        print(f"找不到文件：{source}", file=sys.stderr)
        return 2
    store = calendar_store(settings)
    try:
        years = calendar.save_notice(source, store)
    except DomainError as error:
        print(plain(error_text(error, settings.locale)), file=sys.stderr)
        return 1
    print(f"已导入{'、'.join(str(y) for y in years)}年的节假日安排，保存在 {store}。"
          "正在运行的机器人会在当天 09:00 的日历检查时读入，重启后立即生效。")
    return 0
