"""A pasted link: fetch the page (through the process's fetcher) and read its headline and date.

The fetcher is the opinion watch's (`services.opinion.config.fetcher()`, the aiohttp one the
bot's wiring installs), so this feature opens no HTTP client of its own; tests may install a
recording fake with `configure`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import unescape
from html.parser import HTMLParser
from typing import Protocol

from services.opinion import config as opinion_config
from services.opinion.sources import FeedResponse, FetchError

FETCH_TIMEOUT = 10.0
#: Site names trail a page title after one of these ("标题_新华报业网", "标题 - 人民网").
_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s).*$")
_URL_DATE = re.compile(r"(20\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
_CHARSET = re.compile(rb"charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)


class PageFetcher(Protocol):
    async def fetch(self, url: str, *, etag: str | None, last_modified: str | None,
                    timeout: float) -> FeedResponse: ...


_fetcher: PageFetcher | None = None


def configure(fetcher: PageFetcher | None) -> None:
    """Use this fetcher for pasted links (None: the opinion watch's)."""
    global _fetcher
    _fetcher = fetcher


@dataclass
class Page:
    """What a link led to: its HTTP status and, when it opened, the headline and date read."""

    ok: bool
    status: int = 0
    error: str = ""
    headline: str = ""
    published: date | None = None


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, str] = {}
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            found = {k.lower(): (v or "") for k, v in attrs}
            key = (found.get("property") or found.get("name") or "").lower()
            if key and found.get("content"):
                self.meta.setdefault(key, found["content"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _decode(body: bytes) -> str:
    found = _CHARSET.search(body[:4096])
    for encoding in ([found.group(1).decode()] if found else []) + ["utf-8", "gb18030"]:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def read_page(body: bytes, url: str = "") -> Page:
    """The headline (og:title, else the title without the site's name) and the date of a page."""
    parser = _Head()
    try:
        parser.feed(_decode(body[:2_000_000]))
    except Exception:  # a broken page still gives what was read before the break
        pass
    headline = parser.meta.get("og:title") or parser.meta.get("title") or ""
    if not headline:
        title = " ".join(unescape(parser.title).split())
        cut = _SUFFIX.sub("", title)
        headline = cut if len(cut) >= 4 else title
    published = None
    for key in ("article:published_time", "publishdate", "pubdate", "publish_date", "date"):
        value = parser.meta.get(key, "")
        published = date_in(value)
        if published is not None:
            break
    return Page(True, 200, headline=" ".join(headline.split())[:300],
                published=published or date_in(url))


def date_in(text: str) -> date | None:
    """A date written in a link or a meta value: 2026-12/03, 20261203, 2026-12-03T08:00."""
    match = _URL_DATE.search(text or "")
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


async def open_page(url: str) -> Page:
    """Fetch the link and read it; a page that does not open says why (status or error)."""
    fetcher = _fetcher or opinion_config.fetcher()
    if fetcher is None:
        return Page(False, error="no fetcher")
    try:
        response = await fetcher.fetch(url, etag=None, last_modified=None,
                                       timeout=FETCH_TIMEOUT)
    except FetchError as exc:
        return Page(False, error=str(exc)[:120])
    if response.status != 200:
        return Page(False, status=response.status)
    page = read_page(response.body, url)
    if not page.headline:
        return Page(False, status=200, error="no title", published=page.published)
    return page
