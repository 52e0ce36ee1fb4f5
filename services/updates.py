"""Telegram updates: written to the inbox before Telegram is told they arrived, handled once.

The inbox is worked like the outbox: each chat's oldest update is its head, only heads are
claimed (leased to a worker and renewed by its heartbeat), so chats are handled concurrently
and each chat's updates in order; a killed worker's updates are taken over within a lease.
A replayed update finds its `processed_update` record and does nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Min

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


async def store(payloads: Iterable[dict[str, Any]]) -> int:
    """Write updates to the inbox (an update already there is left alone); returns how many."""
    now = clock.now()
    rows = [
        # A NUL in a text is refused by PostgreSQL's jsonb: stored without it (the input
        # boundary drops it anyway), never left to block the updates behind it.
        InboxUpdate(update_id=int(p["update_id"]), chat_key=chat_key(p), payload=storable(p),
                    received_at=now)
        for p in payloads
    ]
    if not rows:
        return 0
    await InboxUpdate.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _claimable(now: Any) -> Q:
    return Q(status=InboxStatus.PENDING) | Q(
        Q(status=InboxStatus.WORKING), Q(lease_until__lt=now) | Q(lease_until__isnull=True))


async def claim_heads(owner: str, lease: timedelta, limit: int,
                      skip_chats: Collection[int] = ()) -> list[InboxUpdate]:
    """Claim the oldest update of up to `limit` chats that have none being handled."""
    heads = await (
        InboxUpdate.filter(status__in=ACTIVE).annotate(head=Min("id")).group_by("chat_key")
        .values_list("head", flat=True)
    )
    if not heads:
        return []
    now = clock.now()
    claimed: list[InboxUpdate] = []
    for row in await InboxUpdate.filter(id__in=list(heads)).order_by("id"):
        if len(claimed) >= limit:
            break
        if row.chat_key in skip_chats:
            continue
        if (row.status == InboxStatus.WORKING and row.lease_until is not None
                and row.lease_until >= now):
            continue
        won = await InboxUpdate.filter(Q(id=row.id) & _claimable(now)).update(
            status=InboxStatus.WORKING, owner=owner, lease_until=now + lease)
        if won:
            claimed.append(row)
    return claimed


async def renew(owner: str, lease: timedelta, row_ids: Collection[int]) -> int:
    if not row_ids:
        return 0
    return await InboxUpdate.filter(
        owner=owner, status=InboxStatus.WORKING, id__in=list(row_ids)
    ).update(lease_until=clock.now() + lease)


async def finish(row_id: int) -> None:
    """Handled: the row goes (its `processed_update` record stays and stops any replay)."""
    await InboxUpdate.filter(id=row_id).delete()


async def release_dead_here() -> int:
    """Make the updates of this host's dead workers claimable now."""
    return await leases.release_dead_here(InboxUpdate.filter(status=InboxStatus.WORKING))


async def waiting() -> int:
    return await InboxUpdate.filter(status__in=ACTIVE).count()
