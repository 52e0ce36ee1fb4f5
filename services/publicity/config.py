"""The feature's process knobs: the office's zone (set by the wiring from the settings)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

_tz = ZoneInfo("Asia/Shanghai")


def configure(tz: ZoneInfo) -> None:
    global _tz
    _tz = tz


def tz() -> ZoneInfo:
    return _tz


#: The editing unit printed under the 参阅 masthead when none is set.
BULLETIN_UNIT = "园区党政办公室"
