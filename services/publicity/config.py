"""The feature's process knobs: the office's zone (set by the wiring from the settings)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

_tz = ZoneInfo("Asia/Shanghai")


def configure(tz: ZoneInfo) -> None:
    global _tz
    _tz = tz


def tz() -> ZoneInfo:
    return _tz
