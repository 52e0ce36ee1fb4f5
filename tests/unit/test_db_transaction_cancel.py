"""A task cancelled while its SQLite transaction begins gives the connection back."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.backends.sqlite.client import SqliteTransactionWrapper
from tortoise.transactions import in_transaction

from models.core import Staff
from tests.conftest import using_postgres

pytestmark = pytest.mark.skipif(using_postgres(), reason="the SQLite connection's lock")


async def test_a_task_cancelled_in_begin_does_not_keep_the_connection(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    entered, never = asyncio.Event(), asyncio.Event()
    real_begin = SqliteTransactionWrapper.begin

    async def slow_begin(self: SqliteTransactionWrapper) -> None:
        await real_begin(self)
        entered.set()
        await never.wait()  # the shutdown cancels the task here

    monkeypatch.setattr(SqliteTransactionWrapper, "begin", slow_begin)

    async def writer() -> None:
        async with in_transaction():
            await Staff.create(tg_user_id=1, name="不会写入")

    task = asyncio.create_task(writer())
    await asyncio.wait_for(entered.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.setattr(SqliteTransactionWrapper, "begin", real_begin)
    # Before the fix every later query waited for ever on the lock the cancelled task kept.
    await asyncio.wait_for(Staff.create(tg_user_id=2, name="之后的写入"), 5)
    async with in_transaction():
        await Staff.create(tg_user_id=3, name="之后的事务")
    assert sorted(await Staff.all().values_list("tg_user_id", flat=True)) == [2, 3]
