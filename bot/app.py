"""Wires everything: the PTB Application, the database, the notifier, the web server, the jobs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.ext import Application

import bot.web_feeds
import bot.web_opinion  # noqa: F401  (adds the opinion ingest API and the feed fetcher)
import handlers
from bot.cli_reports import load_saved_calendar
from bot.db import close_db, open_db
from bot.inbox import Dispatcher, Poller
from bot.notifier import Notifier
from bot.replies import ReplyLimiter
from bot.request import JsonRequest
from bot.settings import Settings
from bot.web import build_web_app
from handlers.dedup import OnceApplication
from handlers.menu import push_default_menus
from scheduler import load_all as load_jobs
from scheduler import runner
from services import clock as clock_module
from services import outbox, security
from services.clock import Clock

log = logging.getLogger("officebot")

def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """Build the PTB Application with every handler registered."""
    if settings.token is None:
        raise ValueError("no bot token is set (OFFICEBOT_TOKEN)")
    builder = (
        Application.builder()
        .application_class(OnceApplication)
        .token(settings.token.get_secret_value())
        # Direct replies wait out a 429 and try again; the outbox has its own bot and pacing.
        # No overall limiter on replies: aiolimiter's 30/s bucket added ~30 ms to every reply
        # even at a trickle (p50 33 ms against 6 ms without); groups keep their 20/min.
        # PTB's AIORateLimiter stops every chat's replies while one waits out a 429; ours
        # holds only that call, and hands a reply that keeps failing (5xx) to the outbox.
        .rate_limiter(ReplyLimiter(settings.reply_group_per_minute, max_retries=3))
        # JSON bodies rather than forms (bot/request.py); PTB's own pool sizes.
        .request(_request(settings, pool=256))
        .get_updates_request(JsonRequest(connection_pool_size=1,
                                         read_timeout=settings.poll_timeout + 10,
                                         client=settings.bot_api_client))
    )
    if settings.bot_api_url:
        builder = builder.base_url(settings.bot_api_url).base_file_url(
            settings.bot_file_url or settings.bot_api_url.replace("/bot", "/file/bot")
        )
    # No PTB updater: it confirms updates to Telegram before they are handled (a crash lost
    # them). Our poller writes each to the inbox first (bot/inbox.py).
    builder = builder.updater(None)
    application = builder.build()
    application.bot_data["settings"] = settings
    handlers.register_all(application)
    load_jobs()
    return application


def _request(settings: Settings, *, pool: int) -> JsonRequest:
    timeout = settings.telegram_timeout
    return JsonRequest(connection_pool_size=pool, connect_timeout=timeout, read_timeout=timeout,
                       write_timeout=timeout, media_write_timeout=timeout * 2,
                       client=settings.bot_api_client)


def build_outbox_bot(settings: Settings) -> Bot:
    """A plain Bot for the delivery worker, which paces and retries by itself (429s reach it)."""
    assert settings.token is not None
    request = _request(settings, pool=16)
    kwargs: dict[str, Any] = {}
    if settings.bot_api_url:
        kwargs["base_url"] = settings.bot_api_url
        kwargs["base_file_url"] = settings.bot_file_url or settings.bot_api_url.replace(
            "/bot", "/file/bot"
        )
    return Bot(settings.token.get_secret_value(), request=request, **kwargs)


class Runtime:
    """One running bot process: database, Telegram client, notifier and web server."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None,
                 run_notifier: bool = True, serve_web: bool = True,
                 open_database: bool = True) -> None:
        self.settings = settings
        self.open_database = open_database
        self.clock = clock
        self.run_notifier = run_notifier
        self.serve_web = serve_web
        self.application: Application | None = None  # type: ignore[type-arg]
        self.notifier: Notifier | None = None
        self.outbox_bot: Bot | None = None
        self.web_runner: web.AppRunner | None = None
        self.web_port: int | None = None
        self._notifier_task: asyncio.Task[None] | None = None
        self.dispatcher: Dispatcher | None = None
        self.poller: Poller | None = None
        self._inbox_tasks: list[asyncio.Task[None]] = []
        #: The secret Telegram must echo on /telegram (webhook mode only).
        self.webhook_secret: str | None = None

    @property
    def app(self) -> Application:  # type: ignore[type-arg]
        assert self.application is not None, "the runtime is not started"
        return self.application

    async def start(self) -> None:
        if self.clock is not None:
            clock_module.set_clock(self.clock)
        if self.open_database:
            await open_db(settings=self.settings)
        # Next year's holidays an admin loaded with `officebot calendar load`.
        load_saved_calendar(self.settings)
        outbox.configure(self.settings.admin_chat_id)
        self.application = build_application(self.settings)
        await self.app.initialize()
        self.outbox_bot = build_outbox_bot(self.settings)
        await self.outbox_bot.initialize()
        self.notifier = Notifier(self.outbox_bot, self.settings)
        self.app.bot_data["notifier"] = self.notifier
        self.app.bot_data["runtime"] = self
        await push_default_menus(self.app.bot, self.settings.locale)
        if self.settings.webhook_url:
            # Never without a secret: one the bot made and keeps when none is configured.
            configured = self.settings.webhook_secret
            self.webhook_secret = await security.webhook_secret(
                configured.get_secret_value() if configured else None)
        if self.serve_web or self.settings.webhook_url:
            await self._start_web()
        if self.settings.webhook_url:
            await self.app.bot.set_webhook(
                self.settings.webhook_url, secret_token=self.webhook_secret,
                allowed_updates=["message", "callback_query", "my_chat_member"],
            )
        else:
            await self.app.bot.delete_webhook()
        await self.app.start()
        self.dispatcher = Dispatcher(self.app, self.settings)
        self.app.bot_data["dispatcher"] = self.dispatcher
        self._inbox_tasks.append(asyncio.create_task(self.dispatcher.run(), name="inbox"))
        if not self.settings.webhook_url:
            self.poller = Poller(self.app, self.settings, self.dispatcher)
            self._inbox_tasks.append(asyncio.create_task(self.poller.run(), name="poller"))
        if self.settings.scheduler_enabled and self.app.job_queue is not None:
            self.app.job_queue.run_repeating(
                self._tick, interval=self.settings.scheduler_tick_seconds, first=1,
                name="scheduler.tick",
            )
        if self.run_notifier:
            self._notifier_task = asyncio.create_task(self.notifier.run(), name="outbox")

    async def _tick(self, context: Any) -> None:
        await runner.tick(self.settings)

    async def _start_web(self) -> None:
        self.web_runner = web.AppRunner(build_web_app(self))
        await self.web_runner.setup()
        site = web.TCPSite(self.web_runner, self.settings.web_host, self.settings.web_port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.web_port = sockets[0].getsockname()[1] if sockets else self.settings.web_port

    async def stop(self) -> None:
        if self.poller is not None:
            self.poller.stopping = True
        if self.dispatcher is not None:
            await self.dispatcher.stop()
        for task in self._inbox_tasks:
            task.cancel()
        await asyncio.gather(*self._inbox_tasks, return_exceptions=True)
        self._inbox_tasks.clear()
        if self.poller is not None and self.poller.offset is not None:
            try:  # confirm what is stored, so the next start is not sent it again
                await self.app.bot.get_updates(offset=self.poller.offset, timeout=0, limit=1)
            except Exception:
                log.debug("could not confirm the last updates at stop", exc_info=True)
        if self.notifier is not None:
            await self.notifier.stop()
        if self._notifier_task is not None:
            self._notifier_task.cancel()
            await asyncio.gather(self._notifier_task, return_exceptions=True)
        if self.outbox_bot is not None:
            await self.outbox_bot.shutdown()
        if self.application is not None:
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        if self.web_runner is not None:
            await self.web_runner.cleanup()
        if self.open_database:
            await close_db()

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
