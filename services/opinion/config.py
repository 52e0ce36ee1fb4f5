"""The opinion duty officer's knobs, set once by the wiring from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from services.opinion.sources import Fetcher


@dataclass
class OpinionConfig:
    """Thresholds and times of the duty officer (each one a setting)."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    quiet_start: time = time(22, 0)
    quiet_end: time = time(7, 30)
    #: Minutes an alert may wait for 知悉 before it is sent again and escalated.
    ack_minutes: int = 30
    max_escalations: int = 2
    #: Distinct sources past which a spreading story alerts again.
    spread_sources: int = 3
    #: Estimated Jaccard similarity from which two items are one story.
    cluster_similarity: float = 0.5
    #: How far back a repost looks for its story.
    cluster_days: int = 7
    #: Days within which another report of the same incident joins its case.
    incident_days: float = 3
    model_path: Path | None = None
    default_interval_minutes: int = 30
    fetch_timeout: float = 20.0

    def in_quiet_hours(self, at: datetime) -> bool:
        """Whether this moment falls in the night's quiet hours (which may span midnight)."""
        local = at.astimezone(self.tz).time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    def quiet_end_after(self, at: datetime) -> datetime:
        """The first end of quiet hours after this moment."""
        local = at.astimezone(self.tz)
        end = datetime.combine(local.date(), self.quiet_end, self.tz)
        if end <= local:
            end += timedelta(days=1)
        return end


_config = OpinionConfig()
_fetcher: Fetcher | None = None


def configure(config: OpinionConfig, fetcher: Fetcher | None = None) -> None:
    """Install the configuration (and the feed fetcher) for this process."""
    global _config, _fetcher
    _config = config
    if fetcher is not None:
        _fetcher = fetcher


def get() -> OpinionConfig:
    return _config


def fetcher() -> Fetcher | None:
    return _fetcher


def parse_clock(text: str) -> time:
    """Read "HH:MM"."""
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))
