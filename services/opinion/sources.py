"""Feeds and other sources: adding them, polling RSS/Atom with conditional GET, failures."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Protocol

import feedparser
from tortoise.exceptions import IntegrityError

from models.opinion import OpinionSource, SourceKind, SourcePoll
from services import clock
from services.errors import Conflict, InvalidInput, NotFound
from services.opinion import config
from services.opinion.cleaning import clean_item_text, in_calendar_range
from services.opinion.pipeline import (
    MAX_TEXT,
    MAX_TITLE,
    Candidate,
    ItemResult,
    check_url,
    ingest,
)


@dataclass
class FeedResponse:
    """What a fetch brought back (status 304 = not modified, with no body)."""

    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


class FetchError(Exception):
    """The feed could not be fetched (network, timeout); the message says why."""


class Fetcher(Protocol):
    """Fetches a feed with a conditional GET; the bot's wiring gives the real one."""

    async def fetch(self, url: str, *, etag: str | None, last_modified: str | None,
                    timeout: float) -> FeedResponse: ...


@dataclass
class PollResult:
    source: str
    ok: bool
    status: int
    new_items: int = 0
    negative: int = 0
    error: str | None = None


async def add_source(name: str, url: str = "", *, kind: SourceKind = SourceKind.FEED,
                     interval_minutes: int | None = None,
                     timeout_seconds: float | None = None) -> OpinionSource:
    """Register a source (a feed needs its http(s) address)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput("opinion.error.source_name", limit=64)
    url = check_url(url)
    if kind == SourceKind.FEED and not url:
        raise InvalidInput("opinion.error.feed_url")
    cfg = config.get()
    interval = interval_minutes if interval_minutes is not None else cfg.default_interval_minutes
    timeout = timeout_seconds if timeout_seconds is not None else cfg.fetch_timeout
    if not 1 <= interval <= 24 * 60:
        raise InvalidInput("opinion.error.interval", value=interval)
    if not 1 <= timeout <= 120:
        raise InvalidInput("opinion.error.timeout", value=timeout)
    try:
        return await OpinionSource.create(name=name, url=url, kind=kind,
                                          interval_minutes=interval, timeout_seconds=timeout,
                                          next_poll_at=clock.now())
    except IntegrityError:
        raise Conflict("opinion.error.source_exists", name=name) from None


async def get_source(name: str) -> OpinionSource:
    source = await OpinionSource.get_or_none(name=name.strip())
    if source is None:
        raise NotFound("opinion.error.source_unknown", name=name)
    return source


async def remove_source(name: str) -> None:
    """Delete a source (its items stay)."""
    await (await get_source(name)).delete()


async def set_enabled(name: str, enabled: bool) -> OpinionSource:
    source = await get_source(name)
    source.enabled = enabled
    if enabled:
        source.failures, source.next_poll_at = 0, clock.now()
    await source.save()
    return source


async def list_sources() -> Sequence[OpinionSource]:
    return await OpinionSource.all().order_by("id")


async def source_for(name: str, kind: SourceKind) -> OpinionSource:
    """The source record items of this name arrive under (created on first use)."""
    source, _ = await OpinionSource.get_or_create(name=name[:64], defaults={"kind": kind})
    return source


def _when(entry: feedparser.FeedParserDict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (ValueError, OverflowError, OSError):
        return None
    # A feed that dates an entry 0001-01-01 does not know when it was published.
    return moment if in_calendar_range(moment) else None


def parse_feed(body: bytes, source_name: str) -> list[Candidate]:
    """Read RSS or Atom entries as candidates; raise FetchError for a body that is no feed."""
    parsed = feedparser.parse(body)
    if parsed.get("bozo") and not parsed.entries:
        raise FetchError(f"not a feed: {parsed.get('bozo_exception')}"[:200])
    found = []
    for entry in parsed.entries:
        text = entry.get("summary") or ""
        if entry.get("content"):
            text = " ".join(c.get("value", "") for c in entry.content) or text
        link = entry.get("link") or ""
        try:
            link = check_url(link)
        except InvalidInput:
            link = ""
        external = clean_item_text(str(entry.get("id") or entry.get("guid") or ""))[:128]
        if not link and not external:
            continue
        found.append(Candidate(
            title=clean_item_text(entry.get("title") or "")[:MAX_TITLE],
            text=clean_item_text(_strip_html(text), multiline=True)[:MAX_TEXT], url=link,
            external_id=external or None,
            source_name=source_name, published_at=_when(entry),
        ))
    return found


def _strip_html(text: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text))).strip()


async def poll_source(source_id: int, fetcher: Fetcher, now: datetime) -> PollResult:
    """Fetch one feed (conditional GET), feed its new entries to the pipeline, record the poll."""
    source = await OpinionSource.get(id=source_id)
    source.last_polled_at = now
    source.next_poll_at = now + timedelta(minutes=source.interval_minutes)
    try:
        response = await fetcher.fetch(source.url, etag=source.etag,
                                       last_modified=source.last_modified,
                                       timeout=source.timeout_seconds)
        if response.status == 304:
            results: list[ItemResult] = []
        elif 200 <= response.status < 300:
            candidates = parse_feed(response.body, source.name)
            results = await ingest(candidates, via=SourceKind.FEED, source=source, now=now)
            source.etag = (response.etag or "")[:255] or None
            source.last_modified = (response.last_modified or "")[:64] or None
        else:
            raise FetchError(f"HTTP {response.status}")
    except FetchError as exc:
        source.failures += 1
        source.total_failures += 1
        source.last_error = str(exc)[:255]
        # Back off a failing feed, at most to a few hours between tries.
        backoff = source.interval_minutes * min(2 ** (source.failures - 1), 8)
        source.next_poll_at = now + timedelta(minutes=backoff)
        await source.save()
        await SourcePoll.create(source=source, at=now, ok=False, error=str(exc)[:255])
        return PollResult(source.name, False, 0, error=str(exc))
    source.failures, source.last_error, source.last_ok_at = 0, None, now
    await source.save()
    created = [r for r in results if r.status == "created"]
    await SourcePoll.create(source=source, at=now, ok=True, status=response.status,
                            new_items=len(created))
    return PollResult(source.name, True, response.status, len(created),
                      sum(1 for r in created if r.neg))


async def poll_due(fetcher: Fetcher, now: datetime | None = None) -> list[PollResult]:
    """Poll every enabled feed whose time has come."""
    now = now or clock.now()
    due = await OpinionSource.filter(
        kind=SourceKind.FEED, enabled=True, next_poll_at__lte=now
    ).order_by("next_poll_at").values_list("id", flat=True)
    return [await poll_source(int(source_id), fetcher, now)  # type: ignore[call-overload]
            for source_id in due]
