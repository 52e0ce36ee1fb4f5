"""Browser harness: `officebot sandbox --demo` in a subprocess, Chromium driven by Playwright."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, TEST_DB, using_postgres

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("OFFICEBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 760}
START_TIMEOUT = 60.0


def _missing(reason: str) -> None:
    """Skip outside CI, fail in CI where the browser test must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reset_postgres(url: str) -> None:
    import asyncpg

    async def reset() -> None:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    asyncio.run(reset())


@dataclass
class Demo:
    """A running `officebot sandbox --demo`: its URL, its database, its log."""

    base_url: str
    db_url: str
    log: Path
    process: subprocess.Popen[bytes]

    def url(self, user: int, chat: int | None = None) -> str:
        query = f"?user={user}" + (f"&chat={chat}" if chat is not None else "")
        return f"{self.base_url}/{query}"

    def api(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the sandbox control API (GET without body, POST JSON with one)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.loads(resp.read())

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """Read the bot's database as it is now (`?` placeholders on both engines)."""
        if self.db_url.startswith("sqlite://"):
            conn = sqlite3.connect(self.db_url.removeprefix("sqlite://"), timeout=10)
            conn.row_factory = sqlite3.Row
            try:
                return [dict(r) for r in conn.execute(sql, params)]
            finally:
                conn.close()
        import asyncpg

        parts = sql.split("?")
        numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))

        async def fetch() -> list[dict[str, Any]]:
            conn = await asyncpg.connect(self.db_url.replace("postgres://", "postgresql://", 1))
            try:
                return [dict(r) for r in await conn.fetch(numbered, *params)]
            finally:
                await conn.close()

        # Playwright's sync API keeps an event loop running in this thread: query from another.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, fetch()).result(timeout=30)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def demo(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Start the README's `officebot sandbox --demo` on free ports with a fresh database."""
    work = tmp_path_factory.mktemp("webchat")
    if using_postgres():
        _reset_postgres(TEST_DB)
        db_url = TEST_DB
    else:
        db_url = f"sqlite://{work / 'demo.sqlite3'}"
    port = _free_port()
    env = {
        **os.environ,
        "OFFICEBOT_DATABASE_URL": db_url,
        "OFFICEBOT_DATA_DIR": str(work),
        "OFFICEBOT_WEB_PORT": "0",
        "OFFICEBOT_SCHEDULER_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("OFFICEBOT_TOKEN", None)
    log = work / "officebot.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "sandbox", "--demo", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    running = Demo(f"http://127.0.0.1:{port}", db_url, log, process)
    try:
        _wait_until_ready(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(demo: Demo) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if demo.process.poll() is not None:
            pytest.fail(f"officebot sandbox --demo exited ({demo.process.returncode}):\n"
                        f"{demo.tail()}")
        if "Open the web chat" in demo.log.read_text(errors="replace"):
            try:
                users = demo.api("/sandbox/users")
            except (urllib.error.URLError, OSError):
                users = []
            if len(users) >= 5:
                return
        time.sleep(0.2)
    pytest.fail(f"officebot sandbox --demo did not come up in {START_TIMEOUT}s:\n{demo.tail()}")


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Find Chromium and Playwright before starting anything; skip (fail in CI) without them."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("playwright is not installed (pip install playwright; no `playwright install`)")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright's sync API, in this (loop-free) test thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() gives every run a fresh temporary profile (its own --user-data-dir).
        instance = pw.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True,
            downloads_path=str(tmp_path_factory.mktemp("downloads")),
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def open_page(browser: Any, demo: Demo) -> Iterator[Any]:
    """Open the web chat as a user in a chat, each in its own browser context."""
    contexts: list[Any] = []

    def opener(user: int, chat: int | None = None, viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
            accept_downloads=True, device_scale_factor=1,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(demo.url(user, chat))
        # The page picks the person and the chat after it loads: type only once it has.
        page.wait_for_selector('body[data-ready="1"]', state="attached")
        return page

    yield opener
    for context in contexts:
        context.close()
