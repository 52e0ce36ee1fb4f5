"""Shared fixtures: a migrated database per test (SQLite by default, PostgreSQL by setting)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import Tortoise, connections

from bot.db import close_db, is_sqlite, migrate, open_db
from services import clock
from services.clock import FixedClock, ShiftedClock, SystemClock

# Opt in to PTB's timedelta retry_after now rather than see a deprecation warning per 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")

#: Set to a postgres:// URL to run the whole suite against PostgreSQL (in its own process).
TEST_DB = os.environ.get("OFFICEBOT_TEST_DATABASE_URL", "")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
IN_CI = os.environ.get("CI") == "true"


def shared_path(*parts: str) -> Path:
    """A file of ../shared/data; skip when absent, but fail in CI where it must be there."""
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} is not available on this machine")
    return path


def using_postgres() -> bool:
    return TEST_DB.startswith("postgres")


async def _reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    await migrate(url)
    await Tortoise.close_connections()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session: a template SQLite file, or the PostgreSQL test database."""
    if using_postgres():
        asyncio.run(_reset_postgres(TEST_DB))
        return TEST_DB
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate_then_close(f"sqlite://{path}"))
    return str(path)


async def _migrate_then_close(url: str) -> None:
    await migrate(url)
    await Tortoise.close_connections()


async def _truncate_postgres() -> None:
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'tortoise_migrations'"
    )
    names = ", ".join(f'"{r["tablename"]}"' for r in rows)
    if names:
        await conn.execute_script(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def db_url(migrated_template: str, tmp_path: Path) -> str:
    """A fresh migrated database for this test."""
    if using_postgres():
        return migrated_template
    target = tmp_path / "officebot.sqlite3"
    shutil.copy(migrated_template, target)
    return f"sqlite://{target}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[str]:
    """Open the test database in this test's loop (services can be called directly)."""
    await open_db(db_url, apply_migrations=False)
    if not is_sqlite(db_url):
        await _truncate_postgres()
    try:
        yield db_url
    finally:
        await close_db()


#: The office's "now" in every test: Thursday 2026-11-26 10:00 in Shanghai.
OFFICE_NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def office_clock() -> Iterator[ShiftedClock]:
    """Every test starts at OFFICE_NOW with time running on, whatever day the suite runs.

    The bot reads only this clock, so expected dates never depend on the day of the run; code
    that reads the system clock instead shows up when CI runs the suite under libfaketime.
    A test that must run on real time says so with `real_clock`.
    """
    shifted = ShiftedClock(OFFICE_NOW)
    clock.set_clock(shifted)
    yield shifted
    clock.set_clock(SystemClock())


@pytest.fixture
def real_clock(office_clock: ShiftedClock) -> Iterator[SystemClock]:
    """The system clock, for tests that check the bot on whatever day it really is."""
    system = SystemClock()
    clock.set_clock(system)
    yield system


@pytest.fixture
def fixed_clock(office_clock: ShiftedClock) -> Iterator[FixedClock]:
    """Thursday 2026-11-26 10:00 in Shanghai, standing still unless a test moves it."""
    fixed = FixedClock(OFFICE_NOW)
    clock.set_clock(fixed)
    yield fixed
    clock.set_clock(SystemClock())


@pytest.fixture
def calendar_state() -> Iterator[None]:
    """Give services.workdays its extra calendar years back as the test found them."""
    from services import workdays

    saved = (dict(workdays._extra), set(workdays._extra_years))
    yield
    workdays._extra.clear()
    workdays._extra.update(saved[0])
    workdays._extra_years.clear()
    workdays._extra_years.update(saved[1])
