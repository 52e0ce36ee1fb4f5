"""Supply requests: a draft, submission to approval, issue (full or partial), signed receipt."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.approvals import ApprovalRequest
from models.core import ChatPurpose, OutboxMessage, OutboxStatus, Staff
from models.supplies import MoveKind, RequestStatus, SupplyItem, SupplyRequest, SupplyRequestLine
from services import approvals, clock, outbox
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleAction
from services.staff import require_role
from services.supplies import parse
from services.supplies.catalogue import OFFICE, check_qty, find, get
from services.supplies.stock import _n, available, move, release, reserve

KIND = "supply_request"
TO_ISSUE = "supplies.to_issue"
TO_SIGN = "supplies.to_sign"
#: The requester's card of a submitted request (the draft card turned into it): kept true
REQUEST_CARD = "supplies.request_card"
#: How long an open draft keeps reading the person's plain messages.
DRAFT_LISTENS = timedelta(minutes=30)
MAX_LINES = 20
COUNTED = [RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.ISSUED,
           RequestStatus.SIGNED]


async def lines_of(request_id: int) -> list[SupplyRequestLine]:
    return list(await SupplyRequestLine.filter(request_id=request_id).order_by("id")
                .prefetch_related("item"))


def summary(lines: list[SupplyRequestLine], issued: bool = False) -> str:
    """'A4纸 2包、中性笔 5支' (data, in the office's own item names and units)."""
    parts = []
    for line in lines:
        qty = line.issued if issued and line.issued is not None else line.quantity
        parts.append(f"{line.item.name} {_n(qty)}{line.item.unit}")
    return "、".join(parts)


async def draft_for(staff: Staff) -> SupplyRequest:
    """The person's open draft, or a new one; it listens for their next message."""
    now = clock.now()
    draft = await SupplyRequest.filter(requester_id=staff.id, status=RequestStatus.DRAFT).first()
    if draft is None:
        draft = await SupplyRequest.create(requester=staff, created_at=now)
    draft.awaiting, draft.touched_at = "items", now
    await draft.save(update_fields=["awaiting", "touched_at"])
    return draft


async def listening_draft(staff: Staff) -> SupplyRequest | None:
    """The draft a plain message of this person belongs to, if one is listening."""
    draft = await SupplyRequest.filter(requester_id=staff.id, status=RequestStatus.DRAFT).first()
    if draft is None or not draft.awaiting or draft.touched_at is None:
        return None
    if clock.now() - draft.touched_at > DRAFT_LISTENS:
        return None
    return draft


async def _own_draft(staff: Staff, draft_id: int) -> SupplyRequest:
    draft = await SupplyRequest.get_or_none(id=draft_id)
    if draft is None:
        raise NotFound("supplies.error.request_gone", id=draft_id)
    if draft.requester_id != staff.id:  # type: ignore[attr-defined]
        raise NotAllowed("error.not_your_button")
    if draft.status != RequestStatus.DRAFT:
        raise StaleAction("supplies.error.not_draft", id=draft_id)
    return draft


async def add_text(staff: Staff, draft_id: int, text: str) -> SupplyRequest:
    """Add typed lines ('A4纸 2包，中性笔 5支 用途 会议') or the purpose to a draft."""
    draft = await _own_draft(staff, draft_id)
    head, fields = parse.fields_of(text)
    if draft.awaiting == "purpose" and not fields and head and not _looks_like_items(head):
        if not await _names_an_item(head):
            fields, head = {"purpose": head}, ""
    found: list[tuple[SupplyItem, Decimal]] = []
    if head:
        for line in parse.item_lines(head):
            item = await find(line.name)
            found.append((item, check_qty(item, line.qty)))
    purpose = fields.get("purpose", "").strip()
    if len(purpose) > 200:
        raise InvalidInput("error.too_long", limit=200)
    async with in_transaction():
        for item, qty in found:
            await _add(draft, item, qty)
        if purpose:
            draft.purpose = purpose
        draft.awaiting = "items" if draft.purpose or not found else "purpose"
        draft.touched_at = clock.now()
        await draft.save(update_fields=["purpose", "awaiting", "touched_at"])
    return draft


def _looks_like_items(text: str) -> bool:
    """True when every piece reads as 'name quantity unit' (then it is not a purpose)."""
    try:
        parse.item_lines(text)
    except InvalidInput:
        return False
    return True


async def _names_an_item(text: str) -> bool:
    """True when the text starts with an item's exact name (an item missing its quantity)."""
    first = text.split()[0].lower()
    return await SupplyItem.filter(active=True, name=first).exists() or any(
        i.name.lower() == first for i in await SupplyItem.filter(active=True))


async def add_item(staff: Staff, draft_id: int, item_id: int) -> SupplyRequest:
    """Add one of an item (a button press); pressing again adds one more."""
    draft = await _own_draft(staff, draft_id)
    item = await get(item_id)
    await _add(draft, item, Decimal(1))
    return draft


async def _add(draft: SupplyRequest, item: SupplyItem, qty: Decimal) -> None:
    line = await SupplyRequestLine.get_or_none(request_id=draft.id, item_id=item.id)
    if line is None:
        if await SupplyRequestLine.filter(request_id=draft.id).count() >= MAX_LINES:
            raise InvalidInput("supplies.error.too_many_lines", max=MAX_LINES)
        await SupplyRequestLine.create(request=draft, item=item, quantity=qty)
        return
    line.quantity = check_qty(item, line.quantity + qty)
    await line.save(update_fields=["quantity"])


async def clear(staff: Staff, draft_id: int) -> SupplyRequest:
    draft = await _own_draft(staff, draft_id)
    await SupplyRequestLine.filter(request_id=draft.id).delete()
    return draft


async def submit(staff: Staff, draft_id: int, tz: ZoneInfo) -> SupplyRequest:
    """Check the draft against stock and monthly limits, then start its approval."""
    async with in_transaction():
        draft = await SupplyRequest.filter(id=draft_id).select_for_update().first()
        if draft is None:
            raise NotFound("supplies.error.request_gone", id=draft_id)
        await _own_draft(staff, draft_id)
        lines = await lines_of(draft.id)
        if not lines:
            raise InvalidInput("supplies.error.no_items")
        if not draft.purpose:
            draft.awaiting = "purpose"
            await draft.save(update_fields=["awaiting"])
            raise InvalidInput("supplies.error.purpose_missing")
        for line in lines:
            if line.quantity > available(line.item):
                raise Conflict("supplies.error.short", item=line.item.name, unit=line.item.unit,
                               on_hand=_n(available(line.item)), wanted=_n(line.quantity))
            await _check_limit(staff, line, tz)
        now = clock.now()
        draft.status, draft.submitted_at, draft.awaiting = RequestStatus.PENDING, now, ""
        await draft.save(update_fields=["status", "submitted_at", "awaiting"])
        await approvals.submit(
            KIND, draft.id, staff, title=summary(lines),
            details=[("supplies.detail.items", summary(lines)),
                     ("supplies.detail.purpose", draft.purpose)],
        )
    return draft


async def _check_limit(staff: Staff, line: SupplyRequestLine, tz: ZoneInfo) -> None:
    limit = line.item.monthly_limit
    if limit is None:
        return
    local = clock.now().astimezone(tz)
    start = datetime(local.year, local.month, 1, tzinfo=tz)
    taken = Decimal(0)
    for other in await SupplyRequestLine.filter(
        item_id=line.item.id, request__requester_id=staff.id, request__status__in=COUNTED,
        request__submitted_at__gte=start,
    ):
        taken += other.issued if other.issued is not None else other.quantity
    if taken + line.quantity > limit:
        raise InvalidInput("supplies.error.over_limit", item=line.item.name, unit=line.item.unit,
                           limit=_n(limit), taken=_n(taken))


async def cancel(staff: Staff, request_id: int) -> SupplyRequest:
    """The requester cancels a draft or a request still waiting for approval."""
    async with in_transaction():
        request = await SupplyRequest.filter(id=request_id).select_for_update().first()
        if request is None:
            raise NotFound("supplies.error.request_gone", id=request_id)
        if request.requester_id != staff.id:  # type: ignore[attr-defined]
            raise NotAllowed("error.not_your_button")
        if request.status not in (RequestStatus.DRAFT, RequestStatus.PENDING):
            raise StaleAction("supplies.error.cannot_cancel", id=request_id,
                              status=request.status.value)
        was_pending = request.status == RequestStatus.PENDING
        request.status, request.awaiting = RequestStatus.CANCELLED, ""
        await request.save(update_fields=["status", "awaiting"])
        if was_pending:
            await approvals.withdraw(KIND, request.id, staff)
            await refresh_card(request)
    return request


def _card_key(request_id: int) -> str:
    return f"supplies.card:{request_id}@"


async def remember_card(request_id: int, chat_id: int, message_id: int) -> None:
    """Record the requester's card (a reply, not sent by the outbox) as a sent card, so a later
    change of the request edits it (`outbox.edit_sent`): its 撤回 button goes once decided."""
    now = clock.now()
    try:
        async with in_transaction():
            await OutboxMessage.create(
                kind=REQUEST_CARD, chat_id=chat_id, payload={"request_id": request_id},
                dedup_key=f"{_card_key(request_id)}{chat_id}", status=OutboxStatus.SENT,
                next_attempt_at=now, created_at=now, sent_at=now, tg_message_id=message_id)
    except IntegrityError:
        pass  # recorded already


async def refresh_card(request: SupplyRequest) -> None:
    """Queue the edit of the requester's card to the request's present state."""
    await outbox.edit_sent(REQUEST_CARD, _card_key(request.id), {}, request.status.value)


async def on_outcome(subject_id: int, outcome: str, approval: ApprovalRequest) -> None:
    """Follow the approval: an approved request waits for the office to issue it."""
    request = await SupplyRequest.filter(id=subject_id).select_for_update().first()
    if request is None or request.status != RequestStatus.PENDING:
        return
    request.decided_at = clock.now()
    if outcome == "approved":
        request.status = RequestStatus.APPROVED
        await outbox.emit_to_purpose(ChatPurpose.OFFICE, TO_ISSUE, {"request_id": request.id},
                                     f"supplies.issue:{request.id}")
    else:
        request.status = (RequestStatus.REJECTED if outcome == "rejected"
                          else RequestStatus.CANCELLED)
    await request.save(update_fields=["status", "decided_at"])
    await refresh_card(request)


def _round(request: SupplyRequest, key: str) -> str:
    """An issue's outbox key: the first issue keeps the plain key, a re-issue gets its round."""
    return key if request.issue_round <= 1 else f"{key}.{request.issue_round}"


async def issue(actor: Staff, request_id: int, partial: dict[int, Decimal] | None = None,
                reason: str = "") -> SupplyRequest:
    """Hand the items out (all, or the given quantities with a reason) and reserve them.

    The stock leaves the books when the requester signs for it; until then the issued quantity
    is reserved, so no one else can be given it.
    """
    require_role(actor, *OFFICE)
    if not 0 < request_id <= parse.MAX_ID:
        raise NotFound("supplies.error.request_gone", id=request_id)
    async with in_transaction():
        request = await SupplyRequest.filter(id=request_id).select_for_update().first()
        if request is None:
            raise NotFound("supplies.error.request_gone", id=request_id)
        if request.status in (RequestStatus.ISSUED, RequestStatus.SIGNED):
            raise StaleAction("supplies.error.already_issued", id=request_id)
        if request.status != RequestStatus.APPROVED:
            raise StaleAction("supplies.error.not_approved", id=request_id,
                              status=request.status.value)
        lines = await lines_of(request.id)
        chosen = {line.item.id: line.quantity for line in lines}
        if partial is not None:
            unknown = set(partial) - set(chosen)
            if unknown:
                names = [i.name for i in await SupplyItem.filter(id__in=list(unknown))]
                raise InvalidInput("supplies.error.not_in_request", items="、".join(names))
            chosen.update(partial)
        short = any(chosen[line.item.id] < line.quantity for line in lines)
        for line in lines:
            qty = check_qty(line.item, chosen[line.item.id], allow_zero=True)
            if qty > line.quantity:
                raise InvalidInput("supplies.error.more_than_asked", item=line.item.name,
                                   asked=_n(line.quantity), unit=line.item.unit)
        if not any(chosen.values()):
            raise InvalidInput("supplies.error.nothing_issued")
        if short and not reason.strip():
            raise InvalidInput("supplies.error.partial_reason")
        request.issue_round += 1
        for line in lines:
            qty = chosen[line.item.id]
            line.issued = qty
            await line.save(update_fields=["issued"])
            if qty:
                await reserve(line.item.id, qty,
                              ref=_round(request, f"request:{request.id}"))
        request.status, request.issued_at, request.issued_by = (
            RequestStatus.ISSUED, clock.now(), actor)
        request.partial_reason = reason.strip()[:200] if short else ""
        await request.save(update_fields=["status", "issued_at", "issued_by_id",
                                          "partial_reason", "issue_round"])
        requester = await Staff.get(id=request.requester_id)  # type: ignore[attr-defined]
        await outbox.emit_to_staff(requester, TO_SIGN, {"request_id": request.id},
                                   _round(request, f"supplies.sign:{request.id}"))
        await outbox.emit_to_purpose(
            ChatPurpose.OFFICE, TO_ISSUE,
            {"request_id": request.id, "_edit_of": f"supplies.issue:{request.id}@office"},
            _round(request, f"supplies.issued:{request.id}"),
        )
    return request


async def sign(staff: Staff, request_id: int) -> SupplyRequest:
    """The requester signs for what was issued: the stock moves and the reservation is released
    in one transaction (a second press changes nothing)."""
    request = await SupplyRequest.get_or_none(id=request_id)
    if request is None:
        raise NotFound("supplies.error.request_gone", id=request_id)
    if request.requester_id != staff.id:  # type: ignore[attr-defined]
        raise NotAllowed("error.not_your_button")
    async with in_transaction():
        # The status update decides a double press or a race with a withdrawal: the loser
        # waits for the row and then finds nothing left to sign.
        updated = await SupplyRequest.filter(id=request_id, status=RequestStatus.ISSUED).update(
            status=RequestStatus.SIGNED, signed_at=clock.now())
        if updated:
            for line in await lines_of(request_id):
                if line.issued:
                    await move(line.item.id, -line.issued, MoveKind.ISSUE,
                               ref=f"request:{request_id}", by=staff, released=line.issued)
    await request.refresh_from_db()
    if not updated:
        if request.status == RequestStatus.SIGNED:
            raise StaleAction("supplies.error.already_signed", id=request_id)
        raise StaleAction("supplies.error.not_issued", id=request_id)
    return request


async def withdraw_issue(actor: Staff, request_id: int) -> SupplyRequest:
    """The office takes back an issue not yet signed for: the reservation is released and the
    request waits to be issued again."""
    require_role(actor, *OFFICE)
    if not 0 < request_id <= parse.MAX_ID:
        raise NotFound("supplies.error.request_gone", id=request_id)
    async with in_transaction():
        request = await SupplyRequest.filter(id=request_id).select_for_update().first()
        if request is None:
            raise NotFound("supplies.error.request_gone", id=request_id)
        updated = await SupplyRequest.filter(id=request_id, status=RequestStatus.ISSUED).update(
            status=RequestStatus.APPROVED, issued_at=None, issued_by_id=None, partial_reason="")
        if not updated:
            await request.refresh_from_db()
            if request.status == RequestStatus.SIGNED:
                raise StaleAction("supplies.error.already_signed", id=request_id)
            raise StaleAction("supplies.error.nothing_to_withdraw", id=request_id)
        for line in await lines_of(request_id):
            if line.issued:
                await release(line.item.id, line.issued)
            line.issued = None
            await line.save(update_fields=["issued"])
        requester = await Staff.get(id=request.requester_id)  # type: ignore[attr-defined]
        sent = _round(request, f"supplies.sign:{request.id}")
        await outbox.emit_to_staff(
            requester, TO_SIGN,
            {"request_id": request.id, "_edit_of": f"{sent}@{requester.tg_user_id}"},
            f"supplies.withdrawn:{request.id}.{request.issue_round}")
        await outbox.emit_to_purpose(
            ChatPurpose.OFFICE, TO_ISSUE,
            {"request_id": request.id, "_edit_of": f"supplies.issue:{request.id}@office"},
            f"supplies.reissue:{request.id}.{request.issue_round}")
        await request.refresh_from_db()
    return request


async def get_request(request_id: int) -> SupplyRequest:
    request = await SupplyRequest.get_or_none(id=request_id).prefetch_related(
        "requester", "issued_by")
    if request is None:
        raise NotFound("supplies.error.request_gone", id=request_id)
    return request


async def mine(staff: Staff, limit: int = 10) -> list[SupplyRequest]:
    return list(await SupplyRequest.filter(requester_id=staff.id)
                .exclude(status=RequestStatus.DRAFT).order_by("-id").limit(limit))


async def waiting_issue() -> list[SupplyRequest]:
    return list(await SupplyRequest.filter(status=RequestStatus.APPROVED).order_by("id")
                .prefetch_related("requester"))


def require_office(actor: Staff) -> None:
    require_role(actor, *OFFICE)
