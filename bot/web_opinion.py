"""The opinion ingest API on the bot's web server, and the aiohttp feed fetcher."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

import aiohttp
from aiohttp import web

from bot.web import ROUTE_HOOKS, RUNTIME
from handlers.texts import t_plain
from models.opinion import SourceKind
from services import clock
from services.errors import DomainError
from services.opinion import config, pipeline, sources
from services.opinion.sources import FeedResponse, FetchError

log = logging.getLogger("officebot.opinion")
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


#: The largest batch body read: 500 items of a few KB each fit many times over.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Integers longer than this are no id or timestamp; they are read as a float (inf) so that
#: the item holding one is refused on its own rather than the whole body.
_MAX_INT_DIGITS = 40


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


def _read_int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


async def ingest_items(request: web.Request) -> web.Response:
    """POST a JSON batch (a list, or {"items": [...]}) of up to 500 items; answers per item.

    200: every item has its final answer (created, duplicate, or refused with a reason);
    503: some items could not be stored just now and the batch may be sent again (items
    already stored then answer duplicate). Anything wrong with the body as a whole is a 4xx.
    """
    settings = request.app[RUNTIME].settings
    token = settings.ingest_token
    if token is None or not token.get_secret_value():
        return _error(503, "the ingest API is off: set OFFICEBOT_INGEST_TOKEN")
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer ") or not hmac.compare_digest(
            given[7:].strip().encode("utf-8", "surrogateescape"),
            token.get_secret_value().encode()):
        return _error(401, "missing or wrong bearer token")
    too_big = f"the body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB: send smaller batches"
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _error(413, too_big)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, too_big)
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, too_big)
    try:
        body = json.loads(raw, parse_int=_read_int)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond reason
        return _error(400, "the body is not JSON (UTF-8)")
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        return _error(400, 'send a non-empty JSON list of items (or {"items": [...]})')
    if len(items) > pipeline.MAX_BATCH:
        return _error(413, f"at most {pipeline.MAX_BATCH} items in one batch, got {len(items)}")
    answer = await _ingest(items)
    return web.json_response(answer, status=503 if answer["failed"] else 200)


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
                              "message": t_plain(error.code, "en", **error.params)}
            if "field" in error.params:
                answers[index]["field"] = error.params["field"]
            continue
        groups.setdefault(candidate.source_name, []).append((index, candidate))
    for name, members in groups.items():
        try:
            source = await sources.source_for(name, SourceKind.API)
            results = await pipeline.ingest([c for _, c in members], via=SourceKind.API,
                                            source=source, now=now)
        except Exception:
            # Nothing of this source's items was stored (each item is stored on its own,
            # after these steps): say so per item and let the caller send them again.
            log.exception("ingest of %d items from %r failed", len(members), name)
            for index, _ in members:
                answers[index] = {"index": index, "status": "failed", "reason": "not_stored",
                                  "message": t_plain("opinion.ingest.not_stored", "en")}
            continue
        for (index, _), result in zip(members, results, strict=True):
            if result.status == "failed":
                answers[index] = {"index": index, "status": "failed", "reason": result.reason,
                                  "message": t_plain("opinion.ingest.not_stored", "en")}
                continue
            answers[index] = {
                "index": index, "status": result.status, "id": result.item_id,
                "relevant": result.relevant, "negative": result.neg, "level": result.level,
                "case_id": result.case_id, "story_id": result.cluster_id,
            }
    for index, raw in enumerate(items):
        cleaned = pipeline.cleaned_fields(raw) if answers[index]["status"] == "created" else []
        if cleaned:
            answers[index]["cleaned"] = cleaned
    counts = {s: sum(1 for a in answers if a["status"] == s)
              for s in ("created", "duplicate", "refused", "failed")}
    return {"ok": not counts["failed"], **counts, "results": answers}


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/opinion/items", ingest_items)


ROUTE_HOOKS.append(add_routes)
# The feed fetcher is stateless (one session per fetch), so it is installed at import.
config.configure(config.get(), fetcher=AiohttpFetcher())
