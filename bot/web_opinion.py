"""The opinion ingest API on the bot's web server, and the aiohttp feed fetcher."""

from __future__ import annotations

import hmac
import json
from typing import Any

import aiohttp
from aiohttp import web

from bot.web import ROUTE_HOOKS, RUNTIME
from handlers.texts import t
from models.opinion import SourceKind
from services import clock
from services.errors import DomainError
from services.opinion import config, pipeline, sources
from services.opinion.sources import FeedResponse, FetchError

MAX_FEED_BYTES = 5 * 1024 * 1024


class AiohttpFetcher:
    """Fetches feeds over HTTP with a conditional GET, a size cap and a timeout."""

    async def fetch(self, url: str, *, etag: str | None, last_modified: str | None,
                    timeout: float) -> FeedResponse:
        headers = {"User-Agent": "officebot-opinion/1.0",
                   "Accept": "application/rss+xml, application/atom+xml, application/xml, */*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=timeout)
            ) as session, session.get(url, headers=headers) as response:
                body = b""
                if response.status != 304:
                    body = await response.content.read(MAX_FEED_BYTES + 1)
                    if len(body) > MAX_FEED_BYTES:
                        raise FetchError("feed larger than 5 MB")
                return FeedResponse(response.status, body, response.headers.get("ETag"),
                                    response.headers.get("Last-Modified"))
        except TimeoutError:
            raise FetchError(f"timeout after {timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}"[:200]) from None


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


async def ingest_items(request: web.Request) -> web.Response:
    """POST a JSON batch (a list, or {"items": [...]}) of up to 500 items; answers per item."""
    settings = request.app[RUNTIME].settings
    token = settings.ingest_token
    if token is None or not token.get_secret_value():
        return _error(503, "the ingest API is off: set OFFICEBOT_INGEST_TOKEN")
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not hmac.compare_digest(
            given[7:].strip().encode(), token.get_secret_value().encode()):
        return _error(401, "missing or wrong bearer token")
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return _error(400, "the body is not JSON")
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        return _error(400, 'send a non-empty JSON list of items (or {"items": [...]})')
    if len(items) > pipeline.MAX_BATCH:
        return _error(413, f"at most {pipeline.MAX_BATCH} items in one batch, got {len(items)}")
    return web.json_response(await _ingest(items))


async def _ingest(items: list[Any]) -> dict[str, Any]:
    """Check each item, refuse the bad ones with a reason, and pass the rest on by source."""
    now = clock.now()
    answers: list[dict[str, Any]] = [{} for _ in items]
    groups: dict[str, list[tuple[int, pipeline.Candidate]]] = {}
    for index, raw in enumerate(items):
        try:
            candidate = pipeline.api_candidate(raw, now)
        except DomainError as error:
            answers[index] = {"index": index, "status": "refused",
                              "reason": error.code.rsplit(".", 1)[-1],
                              "message": t(error.code, "en", **error.params)}
            continue
        groups.setdefault(candidate.source_name, []).append((index, candidate))
    for name, members in groups.items():
        source = await sources.source_for(name, SourceKind.API)
        results = await pipeline.ingest([c for _, c in members], via=SourceKind.API,
                                        source=source, now=now)
        for (index, _), result in zip(members, results, strict=True):
            answers[index] = {
                "index": index, "status": result.status, "id": result.item_id,
                "relevant": result.relevant, "negative": result.neg, "level": result.level,
                "case_id": result.case_id, "story_id": result.cluster_id,
            }
    counts = {s: sum(1 for a in answers if a["status"] == s)
              for s in ("created", "duplicate", "refused")}
    return {"ok": True, **counts, "results": answers}


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/opinion/items", ingest_items)


ROUTE_HOOKS.append(add_routes)
# The feed fetcher is stateless (one session per fetch), so it is installed at import.
config.configure(config.get(), fetcher=AiohttpFetcher())
