"""Telegram updates: written to the inbox before Telegram is told they arrived, handled once.

The inbox is worked like the outbox: each chat's oldest update is its head, only heads are
claimed (leased to a worker and renewed by its heartbeat), so chats are handled concurrently
and each chat's updates in order; a killed worker's updates are taken over within a lease.
A replayed update finds its `processed_update` record and does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError

from models.core import InboxStatus, InboxUpdate, ProcessedUpdate
from services import clock, leases
from services.inputs import storable

ACTIVE = (InboxStatus.PENDING, InboxStatus.WORKING)


async def already_processed(update_id: int) -> bool:
    return await ProcessedUpdate.filter(update_id=update_id).exists()


async def record_processed(update_id: int) -> None:
    """Record the update as processed (a second record of the same id is ignored)."""
    try:
        await ProcessedUpdate.create(update_id=update_id)
    except IntegrityError:
        pass


def chat_key(payload: dict[str, Any]) -> int:
    """The chat whose updates must keep their order (the sender's for a button press)."""
    for kind in ("message", "edited_message", "channel_post", "my_chat_member", "chat_member"):
        part = payload.get(kind)
        if isinstance(part, dict) and isinstance(part.get("chat"), dict):
            return int(part["chat"].get("id") or 0)
    query = payload.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"].get("id") or 0)
        if isinstance(query.get("from"), dict):
            return int(query["from"].get("id") or 0)
    for part in payload.values():
        if isinstance(part, dict) and isinstance(part.get("from"), dict):
            return int(part["from"].get("id") or 0)
    return 0


def _utc(moment: datetime) -> datetime:
    # Tortoise writes a queryset update's datetime as given; every time here goes in as UTC so
    # the text SQLite compares is always in the same zone.
    return moment.astimezone(UTC)


def _postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


# The hot path is raw SQL, one statement each: per update the bot stores it (per batch),
# claims it (per batch of chats) and finishes it; the ORM's query building cost more CPU than
# the statements themselves (issue 20's profile).
_STORE = {
    # An update already processed (its record kept) is not stored again, so the dispatcher
    # never needs to ask; one already waiting is left alone.
    "postgres": (
        "INSERT INTO inbox_update (update_id, chat_key, payload, status, received_at) "
        "SELECT $1::bigint, $2::bigint, $3::jsonb, 'pending', $4::timestamptz "
        "WHERE NOT EXISTS (SELECT 1 FROM processed_update WHERE update_id = $1::bigint) "
        "ON CONFLICT (update_id) DO NOTHING"
    ),
    "sqlite": (
        "INSERT INTO inbox_update (update_id, chat_key, payload, status, received_at) "
        "SELECT ?1, ?2, ?3, 'pending', ?4 "
        "WHERE NOT EXISTS (SELECT 1 FROM processed_update WHERE update_id = ?1) "
        "ON CONFLICT (update_id) DO NOTHING"
    ),
}


def _row(payload: dict[str, Any], now: datetime) -> tuple[int, int, str, datetime]:
    # A NUL in a text is refused by PostgreSQL's jsonb: stored without it (the input boundary
    # drops it anyway), never left to block the updates behind it.
    return (int(payload["update_id"]), chat_key(payload),
            json.dumps(storable(payload), ensure_ascii=False, separators=(",", ":")), now)


async def store(payloads: Iterable[dict[str, Any]]) -> int:
    """Write updates to the inbox (one already there or already processed is left alone);
    returns how many were given."""
    now = _utc(clock.now())
    rows = [_row(p, now) for p in payloads]
    if not rows:
        return 0
    conn = connections.get("default")
    sql = _STORE["postgres" if _postgres() else "sqlite"]
    if len(rows) == 1:
        await conn.execute_query(sql, list(rows[0]))
    else:
        await conn.execute_many(sql, [list(r) for r in rows])
    return len(rows)


#: Claim the oldest update of each chat that has none being handled, in one statement. The
#: outer condition is checked again on the row as it is when locked (PostgreSQL re-reads a
#: row another claim just changed), so two replicas never both win a row.
_CLAIM = {
    # (Tortoise returns no rows for a statement that starts with UPDATE: hence the WITH.)
    "postgres": (
        "WITH claimed AS ("
        "UPDATE inbox_update SET status = 'working', owner = $1, lease_until = $2 "
        "WHERE id IN ("
        " SELECT u.id FROM inbox_update u JOIN ("
        "  SELECT min(id) AS id FROM inbox_update WHERE status IN ('pending', 'working')"
        "  GROUP BY chat_key) h ON h.id = u.id"
        " WHERE (u.status = 'pending' OR u.lease_until IS NULL OR u.lease_until < $3)"
        " {skip} ORDER BY u.id LIMIT $4 FOR UPDATE OF u SKIP LOCKED)"
        " AND (status = 'pending' OR lease_until IS NULL OR lease_until < $3) "
        "RETURNING id, update_id, chat_key, payload) SELECT * FROM claimed"
    ),
    "sqlite": (
        "UPDATE inbox_update SET status = 'working', owner = ?1, lease_until = ?2 "
        "WHERE id IN ("
        " SELECT u.id FROM inbox_update u JOIN ("
        "  SELECT min(id) AS id FROM inbox_update WHERE status IN ('pending', 'working')"
        "  GROUP BY chat_key) h ON h.id = u.id"
        " WHERE (u.status = 'pending' OR u.lease_until IS NULL OR u.lease_until < ?3)"
        " {skip} ORDER BY u.id LIMIT ?4) "
        "RETURNING id, update_id, chat_key, payload"
    ),
}


@dataclass(frozen=True, slots=True)
class Claimed:
    """An update this worker now holds."""

    id: int
    update_id: int
    chat_key: int
    payload: dict[str, Any]


async def claim_heads(owner: str, lease: timedelta, limit: int,
                      skip_chats: Collection[int] = ()) -> list[Claimed]:
    """Claim the oldest update of up to `limit` chats that have none being handled."""
    if limit <= 0:
        return []
    now = _utc(clock.now())
    postgres = _postgres()
    values: list[Any] = [owner, now + lease, now, int(limit)]
    skip = ""
    if skip_chats:
        marks = []
        for chat in skip_chats:
            values.append(int(chat))
            marks.append(f"${len(values)}" if postgres else f"?{len(values)}")
        skip = f"AND u.chat_key NOT IN ({', '.join(marks)})"
    sql = _CLAIM["postgres" if postgres else "sqlite"].replace("{skip}", skip)
    _, rows = await connections.get("default").execute_query(sql, values)
    claimed = [
        Claimed(int(r["id"]), int(r["update_id"]), int(r["chat_key"]),
                r["payload"] if isinstance(r["payload"], dict) else json.loads(r["payload"]))
        for r in rows
    ]
    claimed.sort(key=lambda c: c.id)
    return claimed


#: Store an update and, when its chat has nothing waiting or in work, claim it in the same
#: statement: a quiet chat's update goes straight to the worker that received it, without the
#: claim's round trip. Two replicas taking the same idle chat's updates at once both see it
#: idle; the unique index of working rows per chat (models.core) refuses the second, which is
#: then stored to wait its turn.
_TAKE = {
    "postgres": (
        "INSERT INTO inbox_update (update_id, chat_key, payload, status, owner, lease_until,"
        " received_at) "
        "SELECT $1::bigint, $2::bigint, $3::jsonb,"
        " CASE WHEN b.busy THEN 'pending' ELSE 'working' END,"
        " CASE WHEN b.busy THEN NULL ELSE $5 END,"
        " CASE WHEN b.busy THEN NULL ELSE $6::timestamptz END, $4::timestamptz "
        "FROM (SELECT EXISTS (SELECT 1 FROM inbox_update WHERE chat_key = $2::bigint"
        " AND status IN ('pending', 'working')) AS busy) b "
        "WHERE NOT EXISTS (SELECT 1 FROM processed_update WHERE update_id = $1::bigint) "
        "ON CONFLICT (update_id) DO NOTHING RETURNING id, status"
    ),
    "sqlite": (
        "INSERT INTO inbox_update (update_id, chat_key, payload, status, owner, lease_until,"
        " received_at) "
        "SELECT ?1, ?2, ?3,"
        " CASE WHEN b.busy THEN 'pending' ELSE 'working' END,"
        " CASE WHEN b.busy THEN NULL ELSE ?5 END,"
        " CASE WHEN b.busy THEN NULL ELSE ?6 END, ?4 "
        "FROM (SELECT EXISTS (SELECT 1 FROM inbox_update WHERE chat_key = ?2"
        " AND status IN ('pending', 'working')) AS busy) b "
        "WHERE NOT EXISTS (SELECT 1 FROM processed_update WHERE update_id = ?1) "
        "ON CONFLICT (update_id) DO NOTHING RETURNING id, status"
    ),
}


async def take(payload: dict[str, Any], owner: str, lease: timedelta) -> Claimed | None:
    """Store one update, claimed for `owner` when its chat is idle: the claimed row, or None
    when it waits its turn (or was stored or processed before)."""
    now = _utc(clock.now())
    update_id, chat, text, _ = row = _row(payload, now)
    conn = connections.get("default")
    postgres = _postgres()
    try:
        rows = await conn.execute_query_dict(_TAKE["postgres" if postgres else "sqlite"],
                                             [*row, owner, now + lease])
    except IntegrityError:
        # Another replica took this chat's previous update a moment ago: this one waits.
        await store([payload])
        return None
    if not rows or rows[0]["status"] != InboxStatus.WORKING.value:
        return None
    return Claimed(int(rows[0]["id"]), update_id, chat, json.loads(text))


async def renew(owner: str, lease: timedelta, row_ids: Collection[int]) -> int:
    if not row_ids:
        return 0
    return await InboxUpdate.filter(
        owner=owner, status=InboxStatus.WORKING, id__in=list(row_ids)
    ).update(lease_until=_utc(clock.now()) + lease)


#: Finish an update and say whether its chat has another waiting: only then (or when the
#: dispatcher was full) need it look for more work, which saves a claim statement on every
#: update of a quiet chat. The SELECT sees the inbox as it was before the DELETE, hence `id <>`.
_FINISH = {
    "postgres": (
        "WITH gone AS (DELETE FROM inbox_update WHERE id = $1 RETURNING update_id),"
        " done AS (INSERT INTO processed_update (update_id, processed_at)"
        " SELECT update_id, $2 FROM gone ON CONFLICT (update_id) DO NOTHING) "
        "SELECT EXISTS (SELECT 1 FROM inbox_update WHERE chat_key = $3 AND id <> $1"
        " AND status = 'pending') AS more"
    ),
    "sqlite": (
        "DELETE FROM inbox_update WHERE id = ?1 RETURNING (SELECT EXISTS (SELECT 1 FROM"
        " inbox_update WHERE chat_key = ?2 AND id <> ?1 AND status = 'pending')) AS more"
    ),
}


async def finish(row: Claimed) -> bool:
    """Handled: the row goes and the update's `processed_update` record stops any replay.
    Returns whether another update of the same chat waits (stored before this statement).

    On PostgreSQL both in one statement. On SQLite (one process) the row goes first: a crash
    between the two leaves an update handled but unrecorded, which nothing sends again (it was
    confirmed to Telegram when stored); the other order would handle it twice after a restart.
    """
    conn = connections.get("default")
    now = _utc(clock.now())
    if _postgres():
        _, rows = await conn.execute_query(_FINISH["postgres"], [row.id, now, row.chat_key])
        return bool(rows and rows[0]["more"])
    _, rows = await conn.execute_query(_FINISH["sqlite"], [row.id, row.chat_key])
    await conn.execute_query(
        "INSERT INTO processed_update (update_id, processed_at) VALUES (?, ?) "
        "ON CONFLICT (update_id) DO NOTHING", [row.update_id, now])
    return bool(rows and rows[0]["more"])


async def release_dead_here() -> int:
    """Make the updates of this host's dead workers claimable now."""
    return await leases.release_dead_here(InboxUpdate.filter(status=InboxStatus.WORKING))


async def waiting() -> int:
    return await InboxUpdate.filter(status__in=ACTIVE).count()
