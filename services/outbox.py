"""The outbox: messages the bot starts are written with the change that causes them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Min
from tortoise.transactions import in_transaction

from models.core import ChatPurpose, OutboxMessage, OutboxStatus, Role, Staff
from services import clock, leases
from services.staff import STAFF_CACHE, chat_for

#: Chat that hears about failures; set by the wiring from the settings (None = every admin).
_admin_chat_id: int | None = None
#: Kinds that report a failure: never report their own failure again (no loops).
FAILURE_KINDS = frozenset({"core.delivery_failed", "core.error_report"})


def configure(admin_chat_id: int | None) -> None:
    global _admin_chat_id
    _admin_chat_id = admin_chat_id


async def emit(
    kind: str,
    chat_id: int,
    payload: dict[str, Any],
    dedup_key: str,
    *,
    not_before: Any = None,
) -> OutboxMessage | None:
    """Queue one message; inside the caller's transaction; a repeated dedup key is ignored."""
    now = clock.now()
    try:
        # A savepoint: on PostgreSQL a unique violation would otherwise abort the caller's
        # whole transaction.
        async with in_transaction():
            return await OutboxMessage.create(
                kind=kind,
                chat_id=chat_id,
                payload=payload,
                dedup_key=dedup_key[:191],
                next_attempt_at=not_before or now,
                created_at=now,
            )
    except IntegrityError:
        return None


async def emit_to_staff(
    staff: Staff, kind: str, payload: dict[str, Any], dedup_key: str
) -> OutboxMessage | None:
    return await emit(kind, staff.tg_user_id, payload, f"{dedup_key}@{staff.tg_user_id}")


async def emit_to_purpose(
    purpose: ChatPurpose, kind: str, payload: dict[str, Any], dedup_key: str
) -> OutboxMessage | None:
    """Queue a message for the group bound for this purpose; None when no group is bound."""
    chat_id = await chat_for(purpose)
    if chat_id is None:
        return None
    return await emit(kind, chat_id, payload, f"{dedup_key}@{purpose.value}")


async def edit_sent(kind: str, key_prefix: str, payload: dict[str, Any], tag: str) -> int:
    """Queue an edit of every card of this kind sent under keys starting with `key_prefix`.

    The view renders the card afresh (from the sent row's payload updated with `payload`), so
    it shows the record as it is now; `tag` makes the edit's own dedup key (one edit per
    change). Returns how many cards will be edited.
    """
    count = 0
    for row in await OutboxMessage.filter(kind=kind, dedup_key__startswith=key_prefix):
        if row.payload.get("_edit_of"):
            continue
        edited = await emit(kind, row.chat_id,
                            {**row.payload, **payload, "_edit_of": row.dedup_key},
                            f"{row.dedup_key}/{tag}")
        count += edited is not None
    return count


async def admin_chats() -> list[int]:
    if _admin_chat_id is not None:
        return [_admin_chat_id]
    admins = await Staff.filter(role=Role.ADMIN, active=True).values_list("tg_user_id", flat=True)
    return list(admins)  # type: ignore[arg-type]


async def emit_to_admins(kind: str, payload: dict[str, Any], dedup_key: str) -> int:
    count = 0
    for chat_id in await admin_chats():
        if await emit(kind, chat_id, payload, f"{dedup_key}@{chat_id}") is not None:
            count += 1
    return count


#: Rows still to deliver: a chat's oldest of them is its head, and only the head may be sent.
ACTIVE = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def _claimable(now: datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        Q(status=OutboxStatus.SENDING),
        Q(lease_until__lt=now) | Q(lease_until__isnull=True),
    )


async def chat_heads() -> list[OutboxMessage]:
    """Each chat's oldest row due now, oldest first (one per chat: no chat waits behind
    another's backlog, and a chat's messages go out in the order they were written; a row
    held for later, such as an alert kept until the morning, holds nothing up)."""
    now = clock.now()
    heads = await (
        OutboxMessage.filter(Q(status=OutboxStatus.SENDING)
                             | Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now))
        .annotate(head=Min("id"))
        .group_by("chat_id")
        .values_list("head", flat=True)
    )
    if not heads:
        return []
    return list(await OutboxMessage.filter(id__in=list(heads)).order_by("id"))


async def claim_heads(
    owner: str, lease: timedelta, limit: int, skip_chats: Collection[int] = ()
) -> list[OutboxMessage]:
    """Claim up to `limit` chat heads that are due, for `owner`, leased for `lease`.

    A head that is being sent under a live lease holds its chat (strict per-chat order); a
    head whose lease ran out lost its worker and is taken over. Each claim is one conditional
    update, so two workers racing for a row cannot both win it.
    """
    now = clock.now()
    claimed: list[OutboxMessage] = []
    for row in await chat_heads():
        if len(claimed) >= limit:
            break
        if row.chat_id in skip_chats:
            continue
        if row.status == OutboxStatus.PENDING and row.next_attempt_at > now:
            continue
        if (row.status == OutboxStatus.SENDING and row.lease_until is not None
                and row.lease_until >= now):
            continue
        won = await OutboxMessage.filter(Q(id=row.id) & _claimable(now)).update(
            status=OutboxStatus.SENDING, owner=owner, lease_until=now + lease
        )
        if won:
            row.status, row.owner, row.lease_until = OutboxStatus.SENDING, owner, now + lease
            claimed.append(row)
    return claimed


async def renew(owner: str, lease: timedelta, row_ids: Collection[int] | None = None) -> int:
    """The heartbeat: extend the lease of the rows this owner is sending; returns how many it
    still holds (a row missing here was taken over and must not be sent)."""
    query = OutboxMessage.filter(owner=owner, status=OutboxStatus.SENDING)
    if row_ids is not None:
        if not row_ids:
            return 0
        query = query.filter(id__in=list(row_ids))
    return await query.update(lease_until=clock.now() + lease)


#: Kinds a storm folds into one digest (kind -> text key naming them), registered by features.
DIGESTIBLE: dict[str, str] = {}
DIGEST = "core.digest"
STORM_WINDOW = timedelta(minutes=1)


def digestible(kind: str, label_key: str) -> None:
    """Let a storm of this kind to one chat become one digest message."""
    DIGESTIBLE[kind] = label_key


async def fold_storm(head: OutboxMessage, threshold: int, owner: str,
                     lease: timedelta) -> OutboxMessage | None:
    """When more than `threshold` digestible messages wait for the head's chat within a minute
    of it, fold them into one digest row (claimed by `owner`) and return it; else None.

    The folded rows are marked sent with `last_error` naming the digest (nothing is lost: the
    digest's button lists them); a card never sent has no message to edit later.
    """
    if threshold <= 0 or head.kind not in DIGESTIBLE or head.payload.get("_edit_of"):
        return None
    waiting = await OutboxMessage.filter(
        chat_id=head.chat_id, status=OutboxStatus.PENDING, kind__in=list(DIGESTIBLE),
        created_at__lte=head.created_at + STORM_WINDOW, id__gt=head.id,
    ).order_by("id").limit(2000).only("id", "kind", "payload")
    rows = [r for r in waiting if not r.payload.get("_edit_of")]
    if len(rows) + 1 <= threshold:
        return None
    ids = [head.id, *(r.id for r in rows)]
    kinds: dict[str, int] = {}
    for kind in [head.kind, *(r.kind for r in rows)]:
        kinds[kind] = kinds.get(kind, 0) + 1
    now = clock.now()
    async with in_transaction():
        folded = await OutboxMessage.filter(
            id__in=ids[1:], status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENT, sent_at=now, last_error=f"folded: digest of {head.id}")
        await OutboxMessage.filter(id=head.id, owner=owner).update(
            status=OutboxStatus.SENT, sent_at=now, owner=None, lease_until=None,
            last_error=f"folded: digest of {head.id}")
        digest = await OutboxMessage.create(
            kind=DIGEST, chat_id=head.chat_id, dedup_key=f"digest:{head.id}",
            payload={"head": head.id, "ids": ids[: folded + 1], "kinds": kinds,
                     "n": folded + 1},
            status=OutboxStatus.SENDING, owner=owner, lease_until=now + lease,
            next_attempt_at=now, created_at=now,
        )
    return digest


async def digest_items(head_id: int, chat_id: int) -> list[OutboxMessage] | None:
    """The messages a digest folded, in order; None when no such digest reached this chat."""
    digest = await OutboxMessage.get_or_none(dedup_key=f"digest:{head_id}", chat_id=chat_id)
    if digest is None:
        return None
    ids = [int(i) for i in digest.payload.get("ids", [])]
    return list(await OutboxMessage.filter(id__in=ids, chat_id=chat_id).order_by("id"))


async def release_dead_here() -> int:
    """Make the rows of this host's dead workers claimable now (a restart needs no lease wait)."""
    return await leases.release_dead_here(OutboxMessage.filter(status=OutboxStatus.SENDING))


async def claim_due(
    limit: int = 100, lease: timedelta = timedelta(seconds=60), owner: str = "legacy"
) -> list[OutboxMessage]:
    """Claim due chat heads (kept for tools and tests that take rows by hand)."""
    return await claim_heads(owner, lease, limit)


async def mark_sent(
    row_id: int, text: str, tg_message_id: int | None, markup: str | None = None
) -> None:
    row = await OutboxMessage.get_or_none(id=row_id).only("id", "chat_id")
    await OutboxMessage.filter(id=row_id).update(
        status=OutboxStatus.SENT,
        sent_at=clock.now(),
        sent_text=text,
        sent_markup=markup,
        tg_message_id=tg_message_id,
        lease_until=None,
        owner=None,
        attempts=_inc(),
    )
    if row is not None and row.chat_id > 0:
        # Reachability is a fact: a delivery that succeeded makes the person reachable again.
        if await Staff.filter(tg_user_id=row.chat_id, reachable=False).update(reachable=True):
            _forget_staff(row.chat_id)


def _forget_staff(tg_user_id: int) -> None:
    """A queryset update fires no signal: drop the cached person so the next update reads it."""
    STAFF_CACHE.forget(tg_user_id)


def _inc() -> Any:
    return F("attempts") + 1


async def mark_retry(row_id: int, delay: timedelta, error: str, max_attempts: int,
                     *, counts: bool = True) -> bool:
    """Schedule another try; returns False (and marks it dead) when the tries are used up.

    A try that does not count (a 429: Telegram pacing us) never uses one up.
    """
    row = await OutboxMessage.get(id=row_id)
    if counts and row.failures + 1 >= max_attempts:
        await mark_dead(row_id, f"gave up: {error}")
        return False
    await OutboxMessage.filter(id=row_id).update(
        status=OutboxStatus.PENDING,
        next_attempt_at=clock.now() + delay,
        last_error=error[:255],
        lease_until=None,
        owner=None,
        attempts=_inc(),
        failures=F("failures") + (1 if counts else 0),
    )
    return True


async def mark_dead(row_id: int, error: str) -> None:
    """Stop trying a message and tell the admins (unless it was itself a failure report)."""
    async with in_transaction():
        row = await OutboxMessage.get(id=row_id)
        row.status = OutboxStatus.DEAD
        row.last_error = error[:255]
        row.lease_until = None
        row.owner = None
        row.attempts += 1
        await row.save()
        if error.startswith("forbidden") and row.chat_id > 0:
            await Staff.filter(tg_user_id=row.chat_id).update(reachable=False)
            _forget_staff(row.chat_id)
        if row.kind in FAILURE_KINDS:
            return
        who = await Staff.get_or_none(tg_user_id=row.chat_id)
        await emit_to_admins(
            "core.delivery_failed",
            {
                "outbox_id": row.id,
                "kind": row.kind,
                "chat_id": row.chat_id,
                "who": who.name if who else None,
                "error": error[:200],
            },
            f"dead:{row.id}",
        )


async def revive_for_chat(chat_id: int) -> int:
    """Send again what Telegram refused because this user had not started the bot yet."""
    return await OutboxMessage.filter(
        chat_id=chat_id, status=OutboxStatus.DEAD, last_error__startswith="forbidden"
    ).update(status=OutboxStatus.PENDING, next_attempt_at=clock.now(), attempts=0, failures=0)


async def record_edit(row_id: int, text: str, markup: str | None) -> None:
    """Remember what a sent card shows after an edit."""
    await OutboxMessage.filter(id=row_id).update(sent_text=text, sent_markup=markup)


async def sent_message(dedup_key: str) -> OutboxMessage | None:
    return await OutboxMessage.get_or_none(dedup_key=dedup_key, status=OutboxStatus.SENT)


async def undelivered(chat_id: int | None = None) -> Sequence[OutboxMessage]:
    query = OutboxMessage.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
    if chat_id is not None:
        query = query.filter(chat_id=chat_id)
    return await query.order_by("id")
