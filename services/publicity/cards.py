"""Cards the office works from: sent to the office group (or to each office member when no
group is bound), and edited in place through the outbox when their subject changes."""

from __future__ import annotations

from typing import Any

from models.core import ChatPurpose, OutboxMessage, Role
from services import outbox
from services.staff import staff_with_role


async def to_office(kind: str, payload: dict[str, Any], key: str) -> int:
    """Queue a card for the office group, or for every office member when none is bound."""
    if await outbox.emit_to_purpose(ChatPurpose.OFFICE, kind, payload, key) is not None:
        return 1
    sent = 0
    for person in await staff_with_role(Role.OFFICE, Role.ADMIN):
        sent += await outbox.emit_to_staff(person, kind, payload, key) is not None
    return sent


async def to_leaders(kind: str, payload: dict[str, Any], key: str) -> int:
    """Queue a message for the leaders' group, or for every leader when none is bound."""
    if await outbox.emit_to_purpose(ChatPurpose.LEADERS, kind, payload, key) is not None:
        return 1
    sent = 0
    for person in await staff_with_role(Role.LEADER):
        sent += await outbox.emit_to_staff(person, kind, payload, key) is not None
    return sent


async def refresh(key: str, kind: str, payload: dict[str, Any], change: str) -> int:
    """Edit every card queued under `key` (in any chat) to show the subject as it is now."""
    rows = await OutboxMessage.filter(dedup_key__startswith=f"{key}@", kind=kind).exclude(
        dedup_key__contains="#")
    edited = 0
    for row in rows:
        queued = await outbox.emit(kind, row.chat_id, {**payload, "_edit_of": row.dedup_key},
                                   f"{row.dedup_key}#{change}")
        edited += queued is not None
    return edited


async def is_card(chat_id: int, message_id: int, key: str) -> bool:
    """True when this message is a card the outbox sent under `key` (edited by `refresh`)."""
    return await OutboxMessage.filter(chat_id=chat_id, tg_message_id=message_id,
                                      dedup_key__startswith=f"{key}@").exists()
