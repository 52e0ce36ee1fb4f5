"""Cards the outbox keeps up to date, and the buttons pressed on them."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from handlers.common import Ctx
from models.core import OutboxMessage


async def from_outbox(ctx: Ctx, kinds: tuple[str, ...]) -> bool:
    """Whether the pressed message is an outbox card of these kinds (the ones the service's
    refresh edits)."""
    message = ctx.query.message if ctx.query is not None else None
    if message is None:
        return False
    return await OutboxMessage.exists(chat_id=message.chat.id, tg_message_id=message.message_id,
                                      kind__in=list(kinds))


async def settle(ctx: Ctx, text: str, keyboard: InlineKeyboardMarkup | None = None, *,
                 kinds: tuple[str, ...]) -> None:
    """Show a card's new state after a change whose service queued the card's refresh.

    Why: the outbox edits the cards it sent, racing with an edit made here; both at once
    make one of them an edit that changes nothing, which Telegram refuses. A card sent as a
    reply (not by the outbox) has no refresh coming, so it is edited here.
    """
    if not await from_outbox(ctx, kinds):
        await ctx.edit(text, keyboard)
