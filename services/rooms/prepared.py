"""Statements of the booking path built by the ORM once per database, then sent with new values.

Building a filtered query (resolving the filters, composing the SQL) costs the ORM about three
times what running it on SQLite costs, and the one-line booking sends the same two filtered
statements on every booking. A `Prepared` statement lets the ORM build it the first time, keeps
the SQL when the ORM's parameters are exactly the values `values(*args)` gives (same order, same
conversions), and afterwards sends that SQL with `values(*args)`. When they differ (another
Tortoise, another shape), or the ORM's internals are not as expected, every call goes through
the ORM as before: the answer is the same either way, only its cost differs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tortoise.models import Model

log = logging.getLogger(__name__)


class Prepared:
    """`build(*args)` makes the ORM query (an `.exists()` or an `.update(...)`) and
    `values(*args)` its parameters; `await run(*args)` is the count the query returns (rows
    found or changed)."""

    def __init__(self, model: type[Model], build: Callable[..., Any],
                 values: Callable[..., list[Any]]) -> None:
        self.model, self.build, self.values = model, build, values
        #: The SQL by database dialect; None once the ORM's parameters did not match.
        self._sql: dict[str, str | None] = {}

    async def run(self, *args: Any) -> int:
        db = self.model._meta.db  # the transaction's connection inside one
        dialect = db.capabilities.dialect
        sql = self._sql.get(dialect, "")
        if sql:
            return int((await db.execute_query(sql, self.values(*args)))[0])
        query = self.build(*args)
        if sql is None:
            return int(await query)
        try:
            query._choose_db_if_not_chosen(True)
            query._make_query()
            built, params = query.query.get_parameterized_sql()
            db = query._db
        except AttributeError:  # another Tortoise: its own way, every time
            log.warning("prepared statement of %s not available", self.model.__name__)
            self._sql[dialect] = None
            return int(await self.build(*args))
        self._sql[dialect] = built if list(params) == self.values(*args) else None
        return int((await db.execute_query(built, params))[0])

    def forget(self) -> None:
        self._sql.clear()
