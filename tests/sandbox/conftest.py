from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from sandbox.client import SandboxClient
from sandbox.server import Sandbox

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared/data/telegram-bot-api/api-10.0.json"
TOKEN = "123456:TEST-token"


@pytest.fixture
def spec_path() -> Path:
    if not SPEC_PATH.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Bot API spec missing at {SPEC_PATH} (required when CI=true)")
        pytest.skip(f"Bot API spec not found at {SPEC_PATH}; the sandbox tests validate with it")
    return SPEC_PATH


@pytest.fixture
async def sandbox(spec_path: Path) -> AsyncIterator[Sandbox]:
    sb = Sandbox(spec_path)
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.base_url) as c:
        yield c


def make_bot(sb: Sandbox, *, read_timeout: float = 5.0) -> Bot:
    request = HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0)
    return Bot(
        TOKEN,
        base_url=sb.bot_api_base,
        base_file_url=sb.file_api_base,
        request=request,
        get_updates_request=HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0),
    )


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    b = make_bot(sandbox)
    await b.initialize()
    try:
        yield b
    finally:
        await b.shutdown()


BotFactory = Callable[..., Bot]


@pytest.fixture
def bot_factory() -> BotFactory:
    """``bot_factory(sandbox, read_timeout=...)``: an uninitialised PTB Bot for the sandbox."""
    return make_bot
