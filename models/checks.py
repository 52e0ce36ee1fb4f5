"""CHECK rules the database enforces on both engines.

Why guards: Tortoise leaves Meta.constraints' CHECKs out of the tables it creates (SQLite and
PostgreSQL alike), so a model module lists them in its SQLITE_GUARDS (triggers) and
POSTGRES_GUARDS (constraints added once), which `bot.db.install_guards()` applies at start-up.
"""

from __future__ import annotations

from tortoise.migrations.constraints import CheckConstraint


def sqlite_check(table: str, name: str, condition: str) -> list[str]:
    """Triggers refusing an insert or update of `table` unless `condition` (on NEW.) holds."""
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_{when.lower()} BEFORE {when} ON {table} "
        f"WHEN NOT ({condition}) "
        f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
        for when in ("INSERT", "UPDATE")
    ]


def postgres_check(table: str, constraint: CheckConstraint) -> str:
    """Add the constraint once (idempotent)."""
    return (
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = "
        f"'{constraint.name}') THEN ALTER TABLE {table} ADD CONSTRAINT {constraint.name} "
        f"CHECK ({constraint.check}); END IF; END $$"
    )
