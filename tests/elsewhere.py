"""Write to the test database through a connection of its own: another replica or another
process, as far as the code under test knows (its caches must notice)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from urllib.parse import urlsplit

from bot.db import is_sqlite


async def run_elsewhere(db: str, *statements: tuple[str, int]) -> None:
    """Run each (SQL with one `$1` parameter, value) and commit, outside this process's
    Tortoise connection."""
    if is_sqlite(db):
        parts = urlsplit(db)
        path = parts.netloc + parts.path

        def write() -> None:
            with sqlite3.connect(path, timeout=10) as other:
                for sql, value in statements:
                    other.execute(re.sub(r"\$1\b", "?", sql), (value,))
            other.close()

        await asyncio.to_thread(write)
        return
    import asyncpg

    other = await asyncpg.connect(db.split("?")[0].replace("postgres://", "postgresql://"))
    try:
        for sql, value in statements:
            await other.execute(sql, value)
    finally:
        await other.close()
