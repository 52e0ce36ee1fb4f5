"""The entry dialog (/yq 录入): the person's next message in that chat becomes an opinion item."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from models.core import Staff
from models.opinion import EntryRequest, SourceKind
from services import clock
from services.opinion import pipeline
from services.opinion.handling import ACT_ROLES
from services.staff import require_role

#: How long an opened dialog waits for the item.
LISTENS = timedelta(minutes=30)


async def open_entry(actor: Staff, chat_id: int) -> EntryRequest:
    """Wait for this person's next message in this chat (the office and leaders)."""
    require_role(actor, *ACT_ROLES)
    async with in_transaction():
        await EntryRequest.filter(staff_id=actor.id, chat_id=chat_id).delete()
        return await EntryRequest.create(staff=actor, chat_id=chat_id, created_at=clock.now())


async def pending_entry(actor: Staff, chat_id: int) -> EntryRequest | None:
    """The dialog waiting for this person's message here, if it has not expired."""
    request = await EntryRequest.get_or_none(staff_id=actor.id, chat_id=chat_id)
    if request is None or clock.now() - request.created_at > LISTENS:
        return None
    return request


async def cancel_entry(actor: Staff, chat_id: int) -> bool:
    return bool(await EntryRequest.filter(staff_id=actor.id, chat_id=chat_id).delete())


async def take_entry(actor: Staff, chat_id: int, text: str, fallback_source: str = ""
                     ) -> pipeline.ItemResult | None:
    """Record the message as the item the dialog waited for; None when none was waiting.

    A bad message (empty, too long, only a command word) is refused and the dialog stays open.
    """
    if await pending_entry(actor, chat_id) is None:
        return None
    candidate = pipeline.manual_candidate(text, fallback_source=fallback_source)
    [result] = await pipeline.ingest([candidate], via=SourceKind.MANUAL, added_by=actor,
                                     vouched=True)
    await EntryRequest.filter(staff_id=actor.id, chat_id=chat_id).delete()
    return result
