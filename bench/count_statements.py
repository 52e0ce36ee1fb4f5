"""Count the SQL statements the bot sends to the database (every round trip through Tortoise).

Used by `bench/profile_paths.py --statements`. `install()` wraps the execute methods of
Tortoise's SQLite and asyncpg clients (and their transaction wrappers' BEGIN/COMMIT/ROLLBACK),
so each statement is recorded with the task that sent it; a statement sent from inside another
wrapped call (a subclass calling its parent) counts once.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

_METHODS = ("execute_query", "execute_insert", "execute_many", "execute_script",
            "execute_query_dict", "execute_query_dict_with_affected")
_TRANSACTION = {"begin": "BEGIN", "commit": "COMMIT", "rollback": "ROLLBACK",
                "savepoint": "SAVEPOINT", "release_savepoint": "RELEASE SAVEPOINT",
                "savepoint_rollback": "ROLLBACK TO SAVEPOINT"}
_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("counting", default=False)
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


class Statements:
    """The statements recorded since `reset()`, with the task (coroutine) that sent each."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.recording = False

    def reset(self) -> None:
        self.seen = []

    def add(self, sql: str) -> None:
        if not self.recording:
            return
        task = asyncio.current_task()
        where = task.get_coro().__qualname__ if task is not None else "?"  # type: ignore[union-attr]
        self.seen.append((where, shape(sql)))

    def report(self, per: int, *, only: Callable[[str], bool] = lambda _w: True) -> str:
        """A table of distinct statements (counts per `per` runs), grouped by sending task."""
        lines = []
        chosen = [(w, s) for w, s in self.seen if only(w)]
        tasks = Counter(w for w, _s in chosen)
        for task, count in tasks.most_common():
            lines.append(f"-- task {task}: {count / per:.2f} per run")
            shapes = Counter(s for w, s in chosen if w == task)
            for sql, n in shapes.most_common():
                lines.append(f"  {n / per:6.2f}  {sql[:150]}")
        lines.append(f"total: {len(chosen) / per:.2f} statements per run "
                     f"({len(chosen)} over {per})")
        return "\n".join(lines)


STATEMENTS = Statements()


def shape(sql: str) -> str:
    """The statement with literals as ?, so the same query with other values counts as one."""
    return " ".join(_LITERALS.sub("?", sql).split())


def _wrap_execute(method: Any) -> Any:
    @functools.wraps(method)
    async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if _inside.get():
            return await method(self, query, *args, **kwargs)
        STATEMENTS.add(query)
        token = _inside.set(True)
        try:
            return await method(self, query, *args, **kwargs)
        finally:
            _inside.reset(token)

    counted.__counted__ = True  # type: ignore[attr-defined]
    return counted


def _wrap_transaction(method: Any, sql: str) -> Any:
    @functools.wraps(method)
    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _inside.get():
            STATEMENTS.add(sql)
        token = _inside.set(True)
        try:
            return await method(self, *args, **kwargs)
        finally:
            _inside.reset(token)

    counted.__counted__ = True  # type: ignore[attr-defined]
    return counted


def _client_classes() -> list[type]:
    from tortoise.backends.sqlite import client as sqlite

    classes: list[type] = [sqlite.SqliteClient, sqlite.SqliteTransactionWrapper]
    try:
        from tortoise.backends.asyncpg import client as pg

        classes += [pg.AsyncpgDBClient, pg.TransactionWrapper]
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pass
    return classes


def install() -> Statements:
    """Wrap the clients' methods (once); recording starts with `STATEMENTS.recording = True`."""
    for cls in _client_classes():
        for name in _METHODS:
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "__counted__", False):
                setattr(cls, name, _wrap_execute(method))
        for name, sql in _TRANSACTION.items():
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "__counted__", False):
                setattr(cls, name, _wrap_transaction(method, sql))
    return STATEMENTS
