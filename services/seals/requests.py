"""Seal requests: the draft, approval by the seal's chain, the custodian's stamp, lapses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.approvals import ApprovalRequest
from models.core import ChatPurpose, Role, Staff
from models.seals import Seal, SealRequest, SealStatus
from services import approvals, clock, outbox
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleAction
from services.receptions.parsing import normalise, numbers
from services.seals import catalogue, links
from services.staff import OFFICE_ROLES

MAX_COPIES = 1000
MAX_TEXT = 200
#: Fields a request needs, asked in this order.
FIELDS = ("seal", "document", "copies", "purpose")
TYPED = ("document", "copies", "purpose")
OPEN = (SealStatus.PENDING, SealStatus.APPROVED)
#: A draft's question takes typed text (or a file) for this long.
PROMPT_TTL = timedelta(hours=12)
CARD = "seals.to_stamp"

_COPIES = re.compile(r"(\d{1,9}|[一二两三四五六七八九十百]{1,4})\s*(?:份|页|本|套|张)")
_TITLE = re.compile(r"[《<〈](.{1,200}?)[》>〉]")
_LABELLED = re.compile(r"(用途|事由|用于|文件|材料|名称)\s*[:：]\s*")
_SEAL_WORD = re.compile(r"([\u4e00-\u9fffA-Za-z]{1,10}?(?:专用章|公章|印章|章))")


@dataclass
class SealRules:
    """How long an approved request waits for its stamp, and the office's zone."""

    lapse_days: int = 7
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


RULES = SealRules()


def configure(*, lapse_days: int = 7, tz: str = "Asia/Shanghai") -> SealRules:
    RULES.lapse_days = max(1, int(lapse_days))
    RULES.tz = ZoneInfo(tz)
    return RULES


def document_of(request: SealRequest) -> str:
    """What the card calls the document: its typed name, else the attached file's."""
    return request.document or request.file_name


def missing(request: SealRequest) -> str | None:
    """The first field the request still needs."""
    if request.seal_id is None:  # type: ignore[attr-defined]
        return "seal"
    if not document_of(request) and not request.document_ref:
        return "document"
    if not request.copies:
        return "copies"
    if not request.purpose:
        return "purpose"
    return None


async def get(request_id: int) -> SealRequest:
    found = await SealRequest.get_or_none(id=request_id).prefetch_related(
        "seal__custodian", "requester", "stamped_by") if 0 < request_id < 2**31 else None
    if found is None:
        raise NotFound("seals.error.no_request", id=request_id)
    return found


async def draft_for(staff: Staff) -> SealRequest:
    """The person's open draft, or a new one."""
    draft = await SealRequest.filter(requester_id=staff.id, status=SealStatus.DRAFT
                                     ).order_by("-id").first()
    if draft is None:
        draft = await SealRequest.create(requester=staff, created_at=clock.now())
    return draft


async def open_draft(staff: Staff) -> SealRequest | None:
    """The draft waiting for the person to type or send something (asked lately), if any."""
    return await SealRequest.filter(
        Q(seal_id=None) | ~Q(asking=""), requester_id=staff.id, status=SealStatus.DRAFT,
        asked_at__gte=clock.now() - PROMPT_TTL,
    ).order_by("-id").first()


async def _own_draft(staff: Staff, request_id: int) -> SealRequest:
    request = await SealRequest.get_or_none(id=request_id)
    if request is None:
        raise NotFound("seals.error.no_request", id=request_id)
    if request.requester_id != staff.id:  # type: ignore[attr-defined]
        raise NotAllowed("seals.error.not_yours")
    if request.status != SealStatus.DRAFT:
        raise StaleAction("seals.error.not_draft", id=request.id, status=request.status.value)
    return request


async def _next(request: SealRequest) -> SealRequest:
    """Ask for the next missing field that is typed (the seal is chosen with buttons)."""
    need = missing(request)
    request.asking = need if need in TYPED else ""
    request.asked_at = clock.now()
    await request.save()
    return request


def _copies(value: int) -> int:
    if value <= 0:
        raise InvalidInput("seals.error.copies_zero")
    if value > MAX_COPIES:
        raise InvalidInput("seals.error.copies_huge", limit=MAX_COPIES)
    return value


def _text(value: str, code: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise InvalidInput(code)
    if len(value) > MAX_TEXT:
        raise InvalidInput("seals.error.too_long", limit=MAX_TEXT)
    return value


async def add_text(staff: Staff, request_id: int, text: str) -> SealRequest:
    """Read what the person typed into the draft: a seal, 《document》, N份, 用途：…, the rest.

    What reads well is kept even when a part is refused (an unknown or forbidden seal, zero
    copies): the error names the part, and the card asks for it again.
    """
    request = await _own_draft(staff, request_id)
    rest = normalise(text)[:1000]
    problem: Exception | None = None
    seal, word = catalogue.match_in(rest, await catalogue.seals())
    if word:
        rest = rest.replace(word, " ", 1)
    elif request.seal_id is None:  # type: ignore[attr-defined]
        named = _SEAL_WORD.search(rest)
        if named:
            problem = NotFound("seals.error.unknown_seal", name=named[1],
                               known=await catalogue.names())
            rest = rest.replace(named[1], " ", 1)
    ref = links.find_ref(rest)
    if ref is not None:
        kind, record_id, used = ref
        title = await links.title_of(kind, record_id)
        if title is None:
            problem = problem or NotFound("seals.error.no_record", ref=used)
        else:
            request.document_ref, request.document = f"{kind}:{record_id}", title[:MAX_TEXT]
        rest = rest.replace(used, " ", 1)
    title = _TITLE.search(rest)
    if title:
        request.document = _text(title[0], "seals.error.no_document")
        rest = rest.replace(title[0], " ", 1)
    copies = _COPIES.search(rest)
    if copies:
        found = numbers(copies[1])
        try:
            request.copies = _copies(int(found[0]) if found else 0)
        except InvalidInput as error:
            problem = problem or error
        rest = rest.replace(copies[0], " ", 1)
    rest = _labelled(request, rest)
    leftover = " ".join(rest.replace("，", " ").replace(",", " ").split()).strip("，,。;；")
    if leftover:
        target = request.asking if request.asking in TYPED else (
            "document" if not document_of(request) else "purpose")
        try:
            if target == "copies":
                found = numbers(leftover)
                if len(found) != 1:
                    raise InvalidInput("seals.error.copies_number", value=leftover[:20])
                request.copies = _copies(int(found[0]))
            elif target == "document":
                request.document = _text(leftover, "seals.error.no_document")
            elif not request.purpose:
                request.purpose = _text(leftover, "seals.error.no_purpose")
        except InvalidInput as error:
            problem = problem or error
    if seal is not None:
        if catalogue.may_use(seal, staff):
            request.seal = seal
        else:
            problem = problem or _refusal(seal, staff)
    await _next(request)
    if problem is not None:
        raise problem
    return request


def _labelled(request: SealRequest, text: str) -> str:
    """Take 用途：… and 文件：… parts (up to the next label) out of the text."""
    parts = _LABELLED.split(text)
    rest = parts[0]
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        value = value.strip(" ，,。;；")
        if not value:
            continue
        if label in ("用途", "事由", "用于"):
            request.purpose = _text(value, "seals.error.no_purpose")
        else:
            request.document = _text(value, "seals.error.no_document")
    return rest


def _refusal(seal: Seal, staff: Staff) -> NotAllowed:
    return NotAllowed("seals.error.role_refused", seal=seal.name, role=staff.role.value,
                      allowed=",".join(seal.allowed_roles))


async def choose_seal(staff: Staff, request_id: int, seal_id: int) -> SealRequest:
    request = await _own_draft(staff, request_id)
    seal = await Seal.get_or_none(id=seal_id, active=True)
    if seal is None:
        raise NotFound("seals.error.unknown_seal", name=str(seal_id),
                       known=await catalogue.names())
    if not catalogue.may_use(seal, staff):
        raise _refusal(seal, staff)
    request.seal = seal
    return await _next(request)


async def set_copies(staff: Staff, request_id: int, copies: int) -> SealRequest:
    request = await _own_draft(staff, request_id)
    request.copies = _copies(copies)
    return await _next(request)


async def attach_file(staff: Staff, request_id: int, file_id: str, file_name: str
                      ) -> SealRequest:
    """The document as a file (its name stands for the document unless one was typed)."""
    request = await _own_draft(staff, request_id)
    request.file_id, request.file_name = file_id[:255], (file_name or "file")[:128]
    return await _next(request)


async def retype(staff: Staff, request_id: int, what: str) -> SealRequest:
    """Let the person give one field again (the seal is chosen again with the buttons)."""
    request = await _own_draft(staff, request_id)
    if what == "seal":
        request.seal = None  # type: ignore[assignment]
        request.asking = ""
    elif what in TYPED:
        request.asking = what
    request.asked_at = clock.now()
    await request.save()
    return request


async def drop(staff: Staff, request_id: int) -> SealRequest:
    request = await _own_draft(staff, request_id)
    await request.delete()
    return request


async def submit(staff: Staff, request_id: int) -> SealRequest:
    """Send a complete draft into the seal's approval chain."""
    async with in_transaction():
        request = await _own_draft(staff, request_id)
        need = missing(request)
        if need is not None:
            raise InvalidInput(f"seals.error.missing_{need}")
        seal = await Seal.get(id=request.seal_id)  # type: ignore[attr-defined]
        if not seal.active:
            raise StaleAction("seals.error.seal_inactive", seal=seal.name)
        if not catalogue.may_use(seal, staff):
            raise _refusal(seal, staff)
        if approvals.chain_for(seal.flow, None) is None:
            raise Conflict("seals.error.no_flow", seal=seal.name, flow=seal.flow)
        approvals.on_outcome(seal.flow, on_outcome)
        request.status, request.submitted_at, request.asking = (
            SealStatus.PENDING, clock.now(), "")
        await request.save()
        details = [("seals.detail.seal", seal.name),
                   ("seals.detail.document", document_of(request)),
                   ("seals.detail.copies", str(request.copies)),
                   ("seals.detail.purpose", request.purpose)]
        approval = await approvals.submit(
            seal.flow, request.id, staff, title=f"{seal.name} · {document_of(request)}",
            details=details)
        request.approval_request_id = approval.id
        await request.save(update_fields=["approval_request_id"])
    return request


async def on_outcome(subject_id: int, outcome: str, approval: ApprovalRequest) -> None:
    """An approved request goes to the seal's custodian; a refused one is closed."""
    request = await SealRequest.filter(id=subject_id).select_for_update().first()
    if request is None or request.status != SealStatus.PENDING:
        return
    now = clock.now()
    request.decided_at = now
    if outcome == "approved":
        request.status = SealStatus.APPROVED
        request.lapses_at = now + timedelta(days=RULES.lapse_days)
        await request.save()
        await _send_card(request)
        requester = await Staff.get(id=request.requester_id)  # type: ignore[attr-defined]
        await outbox.emit_to_staff(requester, "seals.approved", {"request_id": request.id},
                                   f"seals.approved:{request.id}")
        return
    request.status = SealStatus.REJECTED if outcome == "rejected" else SealStatus.WITHDRAWN
    await request.save()


async def _keeper(request: SealRequest) -> Staff | None:
    seal = await Seal.get(id=request.seal_id).prefetch_related("custodian")  # type: ignore[attr-defined]
    custodian: Staff | None = seal.custodian
    return custodian if custodian is not None and custodian.active else None


async def _send_card(request: SealRequest) -> None:
    """The custodian's card (the office group's when the seal has no custodian)."""
    payload = {"request_id": request.id}
    keeper = await _keeper(request)
    if keeper is not None:
        await outbox.emit_to_staff(keeper, CARD, payload, f"seals.stamp:{request.id}")
    else:
        await outbox.emit_to_purpose(ChatPurpose.OFFICE, CARD, payload,
                                     f"seals.stamp:{request.id}")


async def _refresh_card(request: SealRequest, tag: str) -> None:
    """Edit the custodian's card so it shows what became of the request."""
    await outbox.edit_sent(CARD, f"seals.stamp:{request.id}@", {"request_id": request.id}, tag)


def may_stamp(request: SealRequest, seal: Seal, actor: Staff) -> bool:
    """The seal's custodian stamps; the office does when the seal has none."""
    custodian_id = seal.custodian_id  # type: ignore[attr-defined]
    if custodian_id is not None:
        return bool(custodian_id == actor.id)
    return actor.role in OFFICE_ROLES


async def stamp(actor: Staff, request_id: int, count: int) -> SealRequest:
    """The custodian confirms 已用印 with the copies stamped; the request enters the register."""
    for attempt in range(3):
        try:
            return await _stamp(actor, request_id, count)
        except IntegrityError:
            # Two stamps took the same register number at once: the next try takes the next.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _stamp(actor: Staff, request_id: int, count: int) -> SealRequest:
    async with in_transaction():
        request = await SealRequest.filter(id=request_id).select_for_update().first()
        if request is None:
            raise NotFound("seals.error.no_request", id=request_id)
        seal = await Seal.get(id=request.seal_id)  # type: ignore[attr-defined]
        if not may_stamp(request, seal, actor):
            raise NotAllowed("seals.error.not_custodian", seal=seal.name)
        _check_stampable(request)
        now = clock.now()
        if request.lapses_at is not None and request.lapses_at <= now:
            raise StaleAction("seals.error.lapsed", id=request.id)
        assert request.copies is not None
        if count <= 0:
            raise InvalidInput("seals.error.count_zero")
        if count > request.copies:
            raise InvalidInput("seals.error.count_over", count=count, copies=request.copies)
        year = now.astimezone(RULES.tz).year
        last = await SealRequest.filter(register_year=year).order_by("-register_no").first()
        request.register_year = year
        request.register_no = (last.register_no or 0) + 1 if last else 1
        request.status, request.used_at, request.used_count = SealStatus.USED, now, count
        request.stamped_by, request.awaiting_photo = actor, True  # type: ignore[assignment]
        await request.save()
        await SealRequest.filter(stamped_by_id=actor.id, awaiting_photo=True).exclude(
            id=request.id).update(awaiting_photo=False)
        await _refresh_card(request, "used")
        requester = await Staff.get(id=request.requester_id)  # type: ignore[attr-defined]
        await outbox.emit_to_staff(requester, "seals.used", {"request_id": request.id},
                                   f"seals.used:{request.id}")
    return request


def _check_stampable(request: SealRequest) -> None:
    if request.status == SealStatus.USED:
        raise StaleAction("seals.error.already_used", id=request.id, no=request.register_no)
    if request.status == SealStatus.LAPSED:
        raise StaleAction("seals.error.lapsed", id=request.id)
    if request.status != SealStatus.APPROVED:
        raise StaleAction("seals.error.not_approved", id=request.id,
                          status=request.status.value)


async def check_stampable(actor: Staff, request_id: int) -> SealRequest:
    """The request the custodian is about to stamp, refused when it is not theirs or not due."""
    request = await get(request_id)
    if not may_stamp(request, request.seal, actor):
        raise NotAllowed("seals.error.not_custodian", seal=request.seal.name)
    _check_stampable(request)
    return request


async def photo_wanted(actor: Staff) -> SealRequest | None:
    """The request the custodian just stamped and may still add a photo to."""
    return await SealRequest.filter(stamped_by_id=actor.id, awaiting_photo=True,
                                    status=SealStatus.USED).order_by("-used_at").first()


async def add_photo(actor: Staff, file_id: str) -> SealRequest | None:
    """Keep the custodian's photo of the stamped pages with the request just stamped."""
    request = await photo_wanted(actor)
    if request is None:
        return None
    request.used_photo_file_id, request.awaiting_photo = file_id[:255], False
    await request.save(update_fields=["used_photo_file_id", "awaiting_photo"])
    return request


async def no_photo(actor: Staff, request_id: int) -> SealRequest:
    request = await get(request_id)
    if request.stamped_by_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("seals.error.not_custodian", seal=request.seal.name)
    request.awaiting_photo = False
    await request.save(update_fields=["awaiting_photo"])
    return request


async def withdraw(actor: Staff, request_id: int) -> SealRequest:
    """The requester takes back a request not yet stamped (in approval or approved)."""
    request = await get(request_id)
    if request.requester_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("seals.error.not_yours")
    if request.status == SealStatus.PENDING:
        await approvals.withdraw(request.seal.flow, request.id, actor)
        return await get(request_id)
    async with in_transaction():
        locked = await SealRequest.filter(id=request_id).select_for_update().first()
        assert locked is not None
        if locked.status != SealStatus.APPROVED:
            raise StaleAction("seals.error.not_withdrawable", id=locked.id,
                              status=locked.status.value)
        locked.status = SealStatus.WITHDRAWN
        await locked.save(update_fields=["status"])
        await _refresh_card(locked, "withdrawn")
    return await get(request_id)


async def lapse_due(now: datetime) -> int:
    """Close approved requests not stamped in time; the requester and the custodian are told."""
    count = 0
    for request in await SealRequest.filter(status=SealStatus.APPROVED, lapses_at__lte=now):
        async with in_transaction():
            changed = await SealRequest.filter(id=request.id, status=SealStatus.APPROVED
                                               ).update(status=SealStatus.LAPSED)
            if not changed:
                continue
            requester = await Staff.get(id=request.requester_id)  # type: ignore[attr-defined]
            await outbox.emit_to_staff(requester, "seals.lapsed", {"request_id": request.id},
                                       f"seals.lapsed:{request.id}")
            await _refresh_card(request, "lapsed")
            count += 1
    return count


async def mine(staff: Staff, limit: int = 10) -> list[SealRequest]:
    """The person's latest requests (drafts left out), newest first."""
    return list(await SealRequest.filter(requester_id=staff.id).exclude(
        status=SealStatus.DRAFT).order_by("-id").limit(limit).prefetch_related("seal"))


async def waiting_stamp(actor: Staff) -> list[SealRequest]:
    """Approved requests this person may stamp, oldest first."""
    rows = await SealRequest.filter(status=SealStatus.APPROVED).order_by("id").prefetch_related(
        "seal", "requester")
    return [r for r in rows if may_stamp(r, r.seal, actor)]


def is_office(staff: Staff) -> bool:
    return staff.role in (Role.ADMIN, Role.OFFICE)
