"""Opens the database, applies migrations and the guard triggers, and closes it cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise import timezone as tortoise_timezone
from tortoise.backends.sqlite.client import SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.transactions import in_transaction

from bot.settings import Settings, get_settings
from models import APPS
from services import clock
from services.rooms.catalog import ROOM_CACHE
from services.sendrate import forget_local as forget_send_slots
from services.staff import STAFF_CACHE

log = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite://")


def _with_params(url: str, settings: Settings) -> str:
    """Add the pool size (PostgreSQL) or the busy timeout (SQLite) unless the URL sets them."""
    sep = "&" if "?" in url else "?"
    if is_sqlite(url):
        # WAL with synchronous=NORMAL: a commit no longer waits for fsync (the database stays
        # consistent, a power cut may lose the last moments) - commits are most of a reply's cost.
        extra = [p for p in ("busy_timeout=10000", "synchronous=NORMAL")
                 if p.split("=")[0] not in url]
        return f"{url}{sep}{'&'.join(extra)}" if extra else url
    if "maxsize" in url:
        return url
    return f"{url}{sep}maxsize={settings.database_pool_size}"


def tortoise_config(url: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Build the Tortoise config: one app per feature, each with its migrations package."""
    settings = settings or get_settings()
    url = url or settings.database_url
    apps = {
        label: {
            "models": modules,
            "default_connection": "default",
            "migrations": f"models.migrations.{label}",
        }
        for label, modules in APPS.items()
    }
    return {
        "connections": {"default": _with_params(url, settings)},
        "apps": apps,
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_folder(url: str) -> None:
    path = urlsplit(url).netloc + urlsplit(url).path
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


async def _begin_immediate(self: SqliteTransactionWrapper) -> None:
    """Take SQLite's write lock when a transaction starts, so a second process waits, not fails."""
    await self._connection.commit()
    await self._connection.execute("BEGIN IMMEDIATE")


def _office_now() -> datetime:
    """Tortoise's "now" for auto_now fields, read from the bot's clock."""
    now = clock.now()
    return now if tortoise_timezone.get_use_tz() else now.replace(tzinfo=None)


# Why patch: auto_now and auto_now_add stamp rows with Tortoise's own reading of the system
# clock; the bot's records must agree with the clock its services (and tests) run on.
tortoise_timezone.now = _office_now

# Why patch: Tortoise opens SQLite transactions with a plain BEGIN (deferred), which lets two
# processes both read and then fail to upgrade to a write lock ("database is locked").
SqliteTransactionWrapper.begin = _begin_immediate  # type: ignore[method-assign]


async def _enter_or_give_back(self: SqliteTransactionContext) -> Any:
    """Enter a SQLite transaction; if BEGIN fails or the task is cancelled meanwhile, give the
    connection's lock back (and end what BEGIN may have opened)."""
    await self._trxlock.acquire()
    try:
        await self.ensure_connection()
        self.token = get_connections().set(self.connection_name, self.connection)
        try:
            await self.connection.begin()
        except BaseException:
            get_connections().reset(self.token)
            raise
    except BaseException:
        with contextlib.suppress(Exception):
            await self.connection._connection.rollback()
        self._trxlock.release()
        raise
    return self.connection


# Why patch: Tortoise takes the one SQLite connection's lock and then awaits BEGIN; a task
# cancelled there (the outbox worker stopped at shutdown) or a BEGIN that fails kept the lock
# for ever, and every later query of the process waited on it (tests hung in teardown).
SqliteTransactionContext.__aenter__ = _enter_or_give_back  # type: ignore[method-assign]


async def migrate(url: str | None = None, settings: Settings | None = None) -> None:
    """Apply every feature's migrations (idempotent).

    On SQLite a migration that rebuilds a table would, with foreign keys on, delete the child
    rows of the rebuilt parent: migrate with them off, then check the references still hold.
    """
    config = tortoise_config(url, settings)
    db_url = config["connections"]["default"]
    sqlite = is_sqlite(db_url)
    if sqlite:
        _ensure_sqlite_folder(db_url)
        config["connections"]["default"] = f"{db_url}&foreign_keys=OFF"
    lock = None if sqlite else await _migration_lock(db_url)
    try:
        await tortoise_migrate(config=config)
        if sqlite:
            _, broken = await connections.get("default").execute_query("PRAGMA foreign_key_check")
            if broken:
                raise DatabaseUnavailable(f"migration broke foreign keys: {broken[:5]}")
    except OSError as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    finally:
        await Tortoise.close_connections()
        if lock is not None:
            await lock.close()  # the session's advisory lock goes with it


def _asyncpg_dsn(url: str) -> str:
    return url.split("?", 1)[0].replace("postgres://", "postgresql://", 1)


async def _migration_lock(url: str) -> Any:
    """Hold PostgreSQL's advisory lock while migrating: replicas that start together migrate
    one after another (the later ones find nothing left to do)."""
    import asyncpg

    try:
        conn = await asyncpg.connect(_asyncpg_dsn(url))
    except (OSError, asyncpg.PostgresError) as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    await conn.execute("SELECT pg_advisory_lock(20261207)")
    return conn


async def open_db(
    url: str | None = None, settings: Settings | None = None, *, apply_migrations: bool = True
) -> None:
    """Connect (visible to every task of the process), migrate, and install the guards."""
    config = tortoise_config(url, settings)
    db_url = config["connections"]["default"]
    if is_sqlite(db_url):
        _ensure_sqlite_folder(db_url)
    try:
        if apply_migrations:
            await migrate(url, settings)
        await Tortoise.init(config=config, _enable_global_fallback=True)
        await install_guards()
        STAFF_CACHE.forget()
        ROOM_CACHE.forget()
        forget_send_slots()
        if is_sqlite(db_url):
            _watch_sqlite_changes()
        else:
            await _listen_for_staff_changes(db_url)
    except OSError as exc:
        raise DatabaseUnavailable(str(exc)) from exc


async def close_db() -> None:
    watcher = _stop_watching()
    if watcher is not None and watcher.get_loop() is asyncio.get_running_loop():
        await asyncio.gather(watcher, return_exceptions=True)
    await _stop_listening()
    await Tortoise.close_connections()
    STAFF_CACHE.forget()
    ROOM_CACHE.forget()


#: The connection that hears `officebot_staff` (PostgreSQL), while the database is open.
_listener: Any = None
#: The task that watches the SQLite file for other processes' writes, while it is open.
_watcher: asyncio.Task[None] | None = None

#: How often the SQLite watcher asks whether another process wrote (seconds).
SQLITE_WATCH_SECONDS = 1.0


def _forget_cached(live: bool | None = None) -> None:
    """Forget every cached person and the rooms; `live` says whether a change feed now
    stands behind the caches (entries may live long) or not (they expire in seconds)."""
    if live is not None:
        STAFF_CACHE.live = ROOM_CACHE.live = live
    STAFF_CACHE.forget()
    ROOM_CACHE.forget()


def _watch_sqlite_changes() -> None:
    """SQLite's change feed: `PRAGMA data_version` changes when another connection (the CLI,
    a second process on the same file) commits, never for this process's own writes, which
    forget their entries themselves. Asked once a second, it lets the caches keep people and
    rooms as long as on PostgreSQL (the office's staff seldom write twice within the 5 s a
    cache entry lived before, so nearly every update looked its sender up again), and another
    process's change is seen within a second instead of five."""
    global _watcher
    _stop_watching()
    _watcher = asyncio.get_running_loop().create_task(_sqlite_watch(), name="sqlite-changes")


async def _sqlite_watch() -> None:
    conn = connections.get("default")
    seen: Any = None
    try:
        while True:
            try:
                _, rows = await conn.execute_query("PRAGMA data_version")
                version = rows[0][0]
            except Exception:
                log.warning("cannot watch the SQLite file for other writers; cached people "
                            "expire after %.0f s", STAFF_CACHE.ttl, exc_info=True)
                _forget_cached(live=False)
                return
            if seen is None:
                _forget_cached(live=True)  # what was read before the watch began
            elif version != seen:
                _forget_cached()
            seen = version
            await asyncio.sleep(SQLITE_WATCH_SECONDS)
    finally:
        # Only while still the watcher: one replaced by a newer `open_db` (without `close_db`
        # between) must not turn the newer one's feed off.
        if _watcher is None or _watcher is asyncio.current_task():
            STAFF_CACHE.live = ROOM_CACHE.live = False


def _stop_watching() -> asyncio.Task[None] | None:
    """Stop the SQLite watcher; the task, to wait for, when it was still running."""
    global _watcher
    task, _watcher = _watcher, None
    STAFF_CACHE.live = ROOM_CACHE.live = False
    if task is None or task.done():
        return None
    task.cancel()
    return task


async def _listen_for_staff_changes(url: str) -> None:
    """Forget a cached person or the rooms as soon as any process (any replica, the CLI)
    changes their rows.

    Without this connection the caches keep their rows only a few seconds (StaffCache.ttl).
    """
    global _listener
    import asyncpg  # PostgreSQL only

    def heard(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            STAFF_CACHE.forget(int(payload))
        except ValueError:
            STAFF_CACHE.forget()

    def rooms_changed(*_args: Any) -> None:
        ROOM_CACHE.forget()

    def lost(_conn: Any) -> None:
        _forget_cached(live=False)

    try:
        _listener = await asyncpg.connect(_asyncpg_dsn(url))
        await _listener.add_listener("officebot_staff", heard)
        await _listener.add_listener("officebot_rooms", rooms_changed)
        _listener.add_termination_listener(lost)
    except (OSError, asyncpg.PostgresError) as exc:
        log.warning("no staff change feed (%s); cached people expire after %.0f s",
                    exc, STAFF_CACHE.ttl)
        _listener = None
        return
    _forget_cached(live=True)


async def _stop_listening() -> None:
    global _listener
    STAFF_CACHE.live = ROOM_CACHE.live = False
    if _listener is not None:
        with contextlib.suppress(Exception):
            await _listener.close()
        _listener = None


def dialect() -> str:
    return connections.get("default").capabilities.dialect


async def install_guards() -> None:
    """Create each feature's guard triggers/constraints that rebuilt tables may have lost."""
    name = "SQLITE_GUARDS" if dialect() == "sqlite" else "POSTGRES_GUARDS"
    statements = [statement for modules in APPS.values() for module_name in modules
                  for statement in getattr(importlib.import_module(module_name), name, ())]
    if name == "SQLITE_GUARDS":
        conn = connections.get("default")
        for statement in statements:
            await conn.execute_script(statement)
        return
    # Replicas start together: one at a time, or two CREATE OR REPLACE FUNCTION of the same
    # function fail with "tuple concurrently updated".
    async with in_transaction() as conn:
        await conn.execute_query("SELECT pg_advisory_xact_lock(20261206)")
        for statement in statements:
            await conn.execute_script(statement)
