"""The bot's own aiohttp server: Telegram webhook, health, readiness, metrics, feature routes."""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import Update
from tortoise import connections

from handlers.boundary import clean_payload
from models.core import OutboxMessage, OutboxStatus, ProcessedUpdate
from services import updates

if TYPE_CHECKING:
    from bot.app import Runtime

log = logging.getLogger("officebot.web")
RUNTIME: web.AppKey[Any] = web.AppKey("runtime", object)
STARTED: web.AppKey[float] = web.AppKey("started", float)
#: Features add their routes (ingest API, calendar feeds) here.
ROUTE_HOOKS: list[Callable[[web.Application], None]] = []


def build_web_app(runtime: Runtime) -> web.Application:
    app = web.Application(client_max_size=8 * 1024 * 1024)
    app[RUNTIME] = runtime
    app[STARTED] = time.monotonic()
    # Only a bot in webhook mode takes updates over HTTP: in polling mode nobody can post one.
    if runtime.settings.webhook_url:
        app.router.add_post("/telegram", telegram_webhook)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    for hook in ROUTE_HOOKS:
        hook(app)
    return app


async def telegram_webhook(request: web.Request) -> web.Response:
    """Handle the update first, answer after: a crash mid-way makes Telegram send it again."""
    runtime = request.app[RUNTIME]
    secret: str | None = runtime.webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    # Constant time, on bytes (compare_digest refuses non-ASCII text); no secret, no entry.
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return web.json_response({"ok": False, "error": "bad secret token"}, status=403)
    try:
        data = await request.json()
        update = Update.de_json(data, runtime.app.bot)
        if update is None or not isinstance(data, dict):
            raise ValueError("empty")
    except (json.JSONDecodeError, ValueError, KeyError, TypeError):
        return web.json_response({"ok": False, "error": "not a Telegram update"}, status=400)
    # Written down before the 200: a crash after it leaves the update in the inbox, a crash
    # before it makes Telegram send it again. The dispatcher handles it from the database.
    payload = clean_payload(data)
    if runtime.dispatcher is not None:
        await runtime.dispatcher.take_in([payload])
    else:
        await updates.store([payload])
    return web.json_response({"ok": True})


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:
        return web.json_response({"status": "db unavailable", "error": str(exc)}, status=503)
    ready = runtime.application is not None and runtime.app.running
    return web.json_response({"status": "ready" if ready else "starting"},
                             status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text: outbox by status, processed updates, uptime."""
    lines = ["# TYPE officebot_outbox_messages gauge"]
    for status in OutboxStatus:
        count = await OutboxMessage.filter(status=status).count()
        lines.append(f'officebot_outbox_messages{{status="{status.value}"}} {count}')
    lines.append("# TYPE officebot_processed_updates_total counter")
    lines.append(f"officebot_processed_updates_total {await ProcessedUpdate.all().count()}")
    lines.append("# TYPE officebot_uptime_seconds gauge")
    lines.append(f"officebot_uptime_seconds {time.monotonic() - request.app[STARTED]:.0f}")
    return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")
