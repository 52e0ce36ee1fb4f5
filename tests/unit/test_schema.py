"""The migrations and the models agree, on whichever database the suite runs against."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from bot.db import dialect, tortoise_config


async def test_models_need_no_new_migration(db: str) -> None:
    config = tortoise_config(db)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert [w.name for w in writers] == [], "models changed without a migration"


async def _columns(table: str) -> set[str]:
    conn = connections.get("default")
    if dialect() == "sqlite":
        _, rows = await conn.execute_query(f'PRAGMA table_info("{table}")')
        return {r["name"] for r in rows}
    _, rows = await conn.execute_query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1", [table]
    )
    return {r["column_name"] for r in rows}


async def test_migrated_tables_have_every_model_column(db: str) -> None:
    checked = 0
    for app in Tortoise.apps.values():
        for model in app.values():
            meta = model._meta
            expected = {meta.fields_db_projection[f] for f in meta.db_fields}
            assert expected <= await _columns(meta.db_table), meta.db_table
            checked += 1
    assert checked >= 6
