"""The one settings object: every knob of the bot, read from OFFICEBOT_* variables or .env."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TOKEN_RE = re.compile(r"^\d{3,12}:[A-Za-z0-9_-]{5,}$")


class Settings(BaseSettings):
    """Settings of one officebot process."""

    model_config = SettingsConfigDict(
        env_prefix="OFFICEBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    #: Bot token from @BotFather; empty means "run the sandbox demo".
    token: SecretStr | None = None
    #: Tortoise database URL: sqlite://data/officebot.sqlite3 or postgres://user@host:5432/db.
    database_url: str = "sqlite://data/officebot.sqlite3"
    #: PostgreSQL pool size (asyncpg's default of 5 is too small for several workers).
    database_pool_size: int = 20
    #: The office's time zone; stored times are UTC.
    timezone: str = "Asia/Shanghai"
    #: Default language of texts for people who have not chosen one (zh_CN or en).
    locale: str = "zh_CN"
    #: Public HTTPS URL Telegram posts updates to; empty means long polling.
    webhook_url: str | None = None
    #: Secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token.
    webhook_secret: SecretStr | None = None
    #: Where the bot's own aiohttp server listens (webhook, health, ingest API, feeds).
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    #: Chat that hears about failures (dead messages, errors); usually the admin's private chat.
    admin_chat_id: int | None = None
    #: Bot API base URL (for a local Bot API server or the sandbox); empty = Telegram's.
    bot_api_url: str | None = None
    bot_file_url: str | None = None
    #: Bot API schema the sandbox validates every call against.
    sandbox_spec: Path | None = Field(
        default_factory=lambda: _first_existing(
            [Path("../shared/data/telegram-bot-api/api-10.0.json")]
        )
    )
    #: Port of the sandbox's Bot API stand-in and web chat.
    sandbox_port: int = 8081
    #: Seconds to wait for a Bot API call before retrying it.
    telegram_timeout: float = 15.0
    #: The HTTP client of Bot API calls without files (bot/request.py): "aiohttp" (about 1 ms
    #: less per call, see docs/replicas.md) or "httpx" (PTB's own).
    bot_api_client: Literal["httpx", "aiohttp"] = "aiohttp"
    #: Username of the bot for invite links (read from Telegram when empty).
    bot_username: str | None = None
    #: Long-poll timeout in seconds (tests use 1).
    poll_timeout: int = 10
    #: Outbox pacing, within Telegram's limits.
    outbox_global_per_second: float = 29.0
    outbox_private_per_second: float = 1.0
    outbox_group_per_minute: float = 19.0
    #: Direct replies per minute in one group (Telegram allows 20; a stand-in may allow more).
    reply_group_per_minute: int = 20
    #: Failed tries (5xx, timeouts) before a message is given up; 429s never count.
    outbox_max_attempts: int = 8
    #: A worker's claim on an outbox row, an inbox update or a job run lasts this long and is
    #: renewed every heartbeat while the worker lives: a killed worker's work is taken over
    #: within a lease, a living one's never.
    lease_seconds: float = 8.0
    heartbeat_seconds: float = 2.0
    #: More than this many alerts/notices of a digestible kind for one chat within a minute
    #: go out as one digest with a button listing them (0: never).
    digest_threshold: int = 10
    #: Sends in flight at once (different chats; one chat has at most one).
    outbox_max_in_flight: int = 8
    #: Updates handled at once (different chats; one chat's updates in order).
    inbox_max_in_flight: int = 32
    #: `officebot run` keeps what it loaded at start out of the garbage collector's full scans
    #: (gc.freeze): fewer latency spikes under load (docs/replicas.md).
    gc_freeze: bool = True
    #: The scheduler's ticker (tests switch it off and call scheduler.runner.tick themselves).
    scheduler_enabled: bool = True
    scheduler_tick_seconds: float = 30.0
    #: Local time of the daily report pushed on workdays, and of Monday's weekly report.
    daily_report_time: str = "08:30"
    weekly_report_time: str = "08:30"
    #: YAML with holidays/adjusted workdays of years chinese-calendar does not know yet.
    calendar_file: Path | None = None
    #: Approval flows per request kind (YAML).
    approval_flows_file: Path = Path("config/approval_flows.yaml")
    #: Approvals: a requester may urge the approvers once per this many minutes.
    approval_urge_interval_minutes: int = 60
    #: Approvals: remind the approver after this many working hours of waiting.
    approval_remind_after_hours: float = 4.0
    #: Approvals: escalate to the next level after this many working hours of waiting.
    approval_escalate_after_hours: float = 8.0
    #: Rooms: remind the organiser this many minutes before a meeting.
    rooms_reminder_minutes: int = 15
    #: Rooms: release a check-in room nobody checked in to this many minutes after the start.
    rooms_checkin_grace_minutes: int = 10
    #: Rooms: a recurring booking reaches at most this many days ahead.
    rooms_recurrence_horizon_days: int = 180
    #: Public base URL of the web server (calendar feed links); empty = web_host:web_port.
    public_url: str | None = None
    #: Folder for exports and the trained opinion model.
    data_dir: Path = Path("data")
    #: Bearer token of the opinion ingest API.
    ingest_token: SecretStr | None = None
    #: Public opinion: quiet hours (non-red alerts wait for their end), daily report time.
    opinion_quiet_start: str = "22:00"
    opinion_quiet_end: str = "07:30"
    opinion_report_time: str = "17:00"
    #: Local time of the daily list of supplies below their safety stock.
    supplies_digest_time: str = "09:00"
    #: Minutes an alert may go without 知悉 before it is sent again and escalated (and how often).
    opinion_ack_minutes: int = 30
    opinion_max_escalations: int = 2
    #: Distinct sources from which a negative story alerts again as spreading.
    opinion_spread_sources: int = 3
    #: Similarity (0-1) from which two items are one story, and how many days back to look.
    opinion_cluster_similarity: float = 0.5
    opinion_cluster_days: int = 7
    #: Days within which another report of the same incident joins its case (no second alert).
    opinion_incident_days: float = 3
    #: Default minutes between polls of a feed, and seconds before a fetch gives up.
    opinion_poll_minutes: int = 30
    opinion_fetch_timeout: float = 20.0

    #: Official receptions: at most this many working meals per reception.
    reception_max_meals: int = 1
    #: Official receptions: meal standard cap per person, yuan.
    reception_meal_cap_per_person: float = 150.0
    #: Official receptions: accompanying diners at most this many for a small delegation...
    reception_small_accompany_max: int = 3
    #: ...of at most this many guests; larger ones get a share of the guests.
    reception_small_group_max: int = 10
    #: Official receptions: accompanying diners of a large delegation, as a share of its guests.
    reception_large_accompany_ratio: float = 1 / 3
    #: Official receptions: the largest delegation the bot accepts.
    reception_max_guests: int = 200

    #: Seals: an approved request not stamped within this many days lapses.
    seals_lapse_days: int = 7
    #: Repairs: a cost (yuan) above this needs approval before the work is closed.
    repairs_approval_threshold: float = 2000.0
    #: Repairs: how long a repair may take, urgent ones in hours, others in workdays.
    repairs_urgent_hours: float = 2.0
    repairs_normal_workdays: int = 1
    repairs_low_workdays: int = 3
    #: Meetings: remind those attending this many minutes before the start.
    meetings_reminder_minutes: int = 30
    #: Meetings: remind those who have not replied once, this many hours after the notice
    #: (and at the latest two hours before the start).
    meetings_nudge_hours: float = 4.0
    #: Documents: a deadline turns yellow when this many days or fewer remain.
    documents_yellow_days: int = 3
    #: Documents: once red this many workdays, the office is chased too.
    documents_office_after_days: int = 2
    #: Documents: prefixes of outgoing numbers (园区发〔2026〕12号), comma-separated.
    documents_outgoing_prefixes: str = "园区发"
    #: Documents: local time of Friday's supervision bulletin (督查专报) to the leaders' group.
    documents_bulletin_time: str = "15:00"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from None
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("zh_CN", "en"):
            raise ValueError("locale must be zh_CN or en")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def token_is_valid(self) -> bool:
        return self.token is not None and bool(TOKEN_RE.match(self.token.get_secret_value()))


def _first_existing(paths: list[Path]) -> Path | None:
    for path in paths:
        if path.exists():
            return path.resolve()
    return None


def get_settings() -> Settings:
    """Read the settings from the environment and .env now (not cached: the CLI and tests
    change the environment between calls, and it is only read at the edges)."""
    return Settings()
