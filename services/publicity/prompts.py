"""What a person's next message is read as (a headline, a reason, an editor's note...).

One prompt per person, bound to the chat it was asked in; a newer question replaces an older
one, and a prompt older than a day no longer catches messages.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from models.core import Staff
from models.publicity import Prompt
from services import clock

LIFETIME = timedelta(days=1)
CANCEL_WORDS = ("取消", "cancel", "算了")


async def ask(staff: Staff, chat_id: int, kind: str, target_id: int) -> Prompt:
    """Read this person's next message in this chat as `kind` for `target_id`."""
    async with in_transaction():
        await Prompt.filter(staff_id=staff.id).delete()
        return await Prompt.create(staff=staff, chat_id=chat_id, kind=kind, target_id=target_id,
                                   created_at=clock.now())


async def waiting(staff: Staff, chat_id: int) -> Prompt | None:
    """The open prompt of this person in this chat, if any (an old one is dropped)."""
    prompt = await Prompt.get_or_none(staff_id=staff.id, chat_id=chat_id)
    if prompt is not None and clock.now() - prompt.created_at > LIFETIME:
        await Prompt.filter(id=prompt.id).delete()
        return None
    return prompt


async def done(staff: Staff, kind: str | None = None, target_id: int | None = None) -> None:
    """Close the person's prompt (only the one for this target when given)."""
    query = Prompt.filter(staff_id=staff.id)
    if kind is not None:
        query = query.filter(kind=kind)
    if target_id is not None:
        query = query.filter(target_id=target_id)
    await query.delete()


def is_cancel(text: str) -> bool:
    return text.strip().lower() in CANCEL_WORDS
