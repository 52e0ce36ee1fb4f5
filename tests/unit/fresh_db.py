"""Run a scenario on a fresh database, in its own event loop, at a fixed time: each example of a
property test gets its own copy of the migrated template (or a truncated PostgreSQL database)."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot.db import close_db, open_db
from services import clock
from services.clock import FixedClock, SystemClock
from tests.conftest import _truncate_postgres, using_postgres

_run = itertools.count()


async def _open_and_run(url: str, scenario: Callable[[], Awaitable[None]]) -> None:
    await open_db(url, apply_migrations=False)
    try:
        if using_postgres():
            await _truncate_postgres()
        await scenario()
    finally:
        await close_db()


def run_on_fresh_db(migrated_template: str, tmp_path: Path, start: datetime,
                    scenario: Callable[[], Awaitable[None]]) -> None:
    """Run `scenario` on a fresh database with the clock fixed at `start`."""
    if using_postgres():
        url = migrated_template
    else:
        target = tmp_path / f"example{next(_run)}.sqlite3"
        shutil.copy(migrated_template, target)
        url = f"sqlite://{target}"
    clock.set_clock(FixedClock(start))
    try:
        asyncio.run(_open_and_run(url, scenario))
    finally:
        clock.set_clock(SystemClock())
