"""The approval engine: submit, decide, transfer, add signers, withdraw, urge, chase, delegate."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.approvals import (
    ApprovalAction,
    ApprovalAssignee,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    AuditAction,
    Delegation,
    ReasonPrompt,
    RequestStatus,
    StepMode,
    StepStatus,
    Verdict,
)
from models.core import ChatPurpose, OutboxMessage, OutboxStatus, Role, Staff
from services import clock, outbox, workdays
from services.approvals.flows import POLICY, chain_for
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleAction
from services.inputs import to_int

log = logging.getLogger(__name__)
OutcomeHandler = Callable[[int, str, ApprovalRequest], Awaitable[None]]
_HANDLERS: dict[str, list[OutcomeHandler]] = {}
CARD = "approvals.card"
#: Cards /pending sends again at most (the newest), the rest reached by the batch offer.
RESEND_LIMIT = 20
NEWS = "approvals.news"
BATCH_NEWS = "approvals.batch_news"
BATCH_DONE = "approvals.batch_done"
#: Inside a batch approval: who would be told of which actions (told once at the end).
_batch_news: ContextVar[dict[int, list[int]] | None] = ContextVar("batch_news", default=None)
MAX_REASON = 500
MAX_TITLE = 200
#: A card stays well within Telegram's 4096 characters.
MAX_DETAILS = 12
MAX_DETAIL = 150
CANDIDATES_LIMIT = 30


# ---------------------------------------------------------------------------- public API


#: Kinds whose feature tells the requester the final result itself (in its own words, with
#: what to do next): the engine does not tell them a second time. One event, one message.
_TELLS_REQUESTER: set[str] = set()


def on_outcome(kind: str, handler: OutcomeHandler, *, tells_requester: bool = False) -> None:
    """Call `handler(subject_id, outcome, request)` inside the decision transaction of a kind
    (`tells_requester`: the handler tells the requester the result, the engine does not)."""
    handlers = _HANDLERS.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)
    if tells_requester:
        _TELLS_REQUESTER.add(kind)


async def submit(kind: str, subject_id: int, requester: Staff, *, title: str,
                 details: list[tuple[str, str]], amount: Decimal | None = None,
                 chosen: Sequence[int] | None = None) -> ApprovalRequest:
    """Start a request on its flow: create the steps and send the first step's cards.

    `chosen` names (by staff id) the approvers of the flow's `{chosen: true}` steps.
    """
    title = (title or "").strip()
    if not title:
        raise InvalidInput("approvals.error.no_title")
    if amount is not None and (amount < 0 or amount >= Decimal("1e12")):
        raise InvalidInput("approvals.error.bad_amount", value=str(amount))
    chain = chain_for(kind, amount)
    if chain is None:
        raise Conflict("approvals.error.no_approver")
    now = clock.now()
    async with in_transaction():
        request = await ApprovalRequest.create(
            kind=kind, subject_id=subject_id, requester=requester, title=title[:MAX_TITLE],
            details=[[str(k)[:64], str(v)[:MAX_DETAIL]] for k, v in details[:MAX_DETAILS]],
            amount=amount, created_at=now,
        )
        for i, spec in enumerate(chain.steps):
            approvers = spec.approvers
            if approvers.get("chosen"):
                if not chosen:
                    raise Conflict("approvals.error.no_approver")
                approvers = {"people": [int(p) for p in chosen], "by_id": True}
            await ApprovalStep.create(
                request=request, seq=(i + 1) * 100, label=spec.label, mode=spec.mode,
                spec=approvers, cc=await _resolve_ids(spec.cc, requester) if spec.cc else [],
                escalate_to=spec.escalate_to,
            )
        await _audit(request, AuditAction.SUBMIT, requester)
        if not await _advance(request, after_seq=0, actor=requester):
            raise Conflict("approvals.error.no_approver")
    return request


async def find(kind: str, subject_id: int) -> ApprovalRequest | None:
    """The latest request about this subject."""
    return await ApprovalRequest.filter(kind=kind, subject_id=subject_id).order_by("-id").first()


async def withdraw(kind: str, subject_id: int, actor: Staff) -> None:
    """Withdraw the pending request of a subject that was cancelled (nothing when none)."""
    request = await find(kind, subject_id)
    if request is None or request.status != RequestStatus.PENDING:
        return
    if actor.id != request.requester_id and actor.role not in (Role.ADMIN, Role.OFFICE):  # type: ignore[attr-defined]
        raise NotAllowed("approvals.error.not_requester")
    async with in_transaction():
        request = await _lock(request.id)
        if request.status != RequestStatus.PENDING:
            return
        await _close(request, RequestStatus.WITHDRAWN, actor, AuditAction.WITHDRAW, "")


# ---------------------------------------------------------------------------- deciding


async def approve(assignee_id: int, actor: Staff, comment: str = "") -> ApprovalRequest:
    """Approve as this step's approver (or their delegate)."""
    async with in_transaction():
        assignee, step, request = await _actionable(assignee_id, actor)
        await _approve(assignee, step, request, actor, comment.strip()[:MAX_REASON])
    return request


async def start_reject(assignee_id: int, actor: Staff) -> ApprovalRequest:
    """Ask for the rejection's reason: the actor's next text message is it."""
    async with in_transaction():
        assignee, _, request = await _actionable(assignee_id, actor)
        if await ReasonPrompt.filter(staff_id=actor.id, assignee_id=assignee.id).exists():
            raise Conflict("approvals.error.reason_pending")
        await ReasonPrompt.filter(staff_id=actor.id).delete()
        await ReasonPrompt.create(staff=actor, assignee=assignee, created_at=clock.now())
    return request


async def prompt_sent(actor: Staff, message_id: int) -> None:
    """Remember which message asks this person for a reason (it is edited once answered)."""
    await ReasonPrompt.filter(staff_id=actor.id).update(message_id=message_id)


async def reason_prompt(actor: Staff) -> ReasonPrompt | None:
    """The rejection waiting for this person's reason, if any."""
    return await ReasonPrompt.get_or_none(staff_id=actor.id)


async def cancel_reject(actor: Staff, assignee_id: int | None = None) -> bool:
    """Drop the actor's reason prompt (only the one for this card when given)."""
    query = ReasonPrompt.filter(staff_id=actor.id)
    if assignee_id is not None:
        query = query.filter(assignee_id=assignee_id)
    return await query.delete() > 0


def checked_reason(reason: str | None) -> str:
    """A reason typed for a rejection or a transfer: required, and not longer than MAX_REASON."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("approvals.error.reason_required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("approvals.error.reason_too_long", limit=MAX_REASON)
    return reason


async def reject_with_reason(actor: Staff, reason: str) -> ApprovalRequest:
    """Reject the request the actor is answering a reason prompt for."""
    prompt = await reason_prompt(actor)
    if prompt is None:
        raise StaleAction("approvals.error.no_prompt")
    reason = checked_reason(reason)
    try:
        return await reject(prompt.assignee_id, actor, reason)  # type: ignore[attr-defined]
    except (StaleAction, NotAllowed, NotFound):
        await ReasonPrompt.filter(staff_id=actor.id).delete()
        raise


async def reject(assignee_id: int, actor: Staff, reason: str) -> ApprovalRequest:
    """Reject with a reason: the step and the whole request end."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("approvals.error.reason_required")
    async with in_transaction():
        assignee, step, request = await _actionable(assignee_id, actor)
        await _settle(assignee, Verdict.REJECTED, actor, reason)
        await _decide_step(step, "rejected", actor)
        action = await _audit(request, AuditAction.REJECT, actor, assignee=assignee,
                              step=step, comment=reason)
        await ReasonPrompt.filter(staff_id=actor.id).delete()
        await _finish(request, RequestStatus.REJECTED, step, action)
    return request


async def transfer_candidates(assignee_id: int, actor: Staff) -> list[Staff]:
    """Who this card may be passed to (not the actor, the requester or someone already on it)."""
    assignee, step, request = await _actionable(assignee_id, actor)
    busy = await ApprovalAssignee.filter(step_id=step.id, verdict=None).values_list(
        "approver_id", flat=True)
    excluded = {actor.id, request.requester_id, assignee.approver_id, *busy}  # type: ignore[attr-defined]
    people = await Staff.filter(active=True).exclude(id__in=list(excluded)).order_by(
        "department", "id").limit(CANDIDATES_LIMIT)
    return list(people)


async def start_transfer(assignee_id: int, actor: Staff, to_staff_id: int) -> Staff:
    """Ask for the transfer's reason: the actor's next text message is it, then the card goes
    to the chosen person, who sees who passed it on and why."""
    async with in_transaction():
        assignee, step, request = await _actionable(assignee_id, actor)
        target = await _candidate(to_staff_id, step, request, actor)
        await ReasonPrompt.filter(staff_id=actor.id).delete()
        await ReasonPrompt.create(staff=actor, assignee=assignee, transfer_to=target,
                                  created_at=clock.now())
    return target


async def transfer_with_reason(actor: Staff, reason: str) -> tuple[ApprovalRequest, Staff]:
    """Transfer the card the actor is answering a transfer prompt for, with that reason."""
    prompt = await reason_prompt(actor)
    if prompt is None or prompt.transfer_to_id is None:  # type: ignore[attr-defined]
        raise StaleAction("approvals.error.no_prompt")
    reason = checked_reason(reason)
    try:
        target = await transfer(prompt.assignee_id, actor,  # type: ignore[attr-defined]
                                prompt.transfer_to_id, reason)  # type: ignore[attr-defined]
    finally:
        await ReasonPrompt.filter(staff_id=actor.id).delete()
    assignee = await ApprovalAssignee.get(id=prompt.assignee_id)  # type: ignore[attr-defined]
    step = await ApprovalStep.get(id=assignee.step_id)  # type: ignore[attr-defined]
    return await ApprovalRequest.get(id=step.request_id), target  # type: ignore[attr-defined]


async def transfer(assignee_id: int, actor: Staff, to_staff_id: int, reason: str = "") -> Staff:
    """Pass the decision to another person; they get the card (saying who passed it and why)."""
    async with in_transaction():
        assignee, step, request = await _actionable(assignee_id, actor)
        target = await _candidate(to_staff_id, step, request, actor)
        await _settle(assignee, Verdict.TRANSFERRED, actor, target.name)
        action = await _audit(request, AuditAction.TRANSFER, actor, assignee=assignee,
                              step=step, target=target, comment=reason[:MAX_REASON])
        new = await _assign(step, target, escalated=assignee.escalated)
        await _send_card(new, f"t{action.id}", note="transferred")
        await _refresh_cards(step, action.id, only=assignee.id)
        await _tell(request, step, action)
    return target


async def add_signer(assignee_id: int, actor: Staff, signer_id: int) -> Staff:
    """Approve and add a signer who must agree before the flow continues."""
    async with in_transaction():
        assignee, step, request = await _actionable(assignee_id, actor)
        signer = await _candidate(signer_id, step, request, actor)
        seq = step.seq + 1
        while await ApprovalStep.filter(request_id=request.id, seq=seq).exists():
            seq += 1
        if seq % 100 == 0:
            raise Conflict("approvals.error.too_many_signers")
        await ApprovalStep.create(
            request=request, seq=seq, label="approvals.step.signer", mode=StepMode.ANY,
            spec={"people": [signer.id], "by_id": True}, cc=[],
            escalate_to=step.escalate_to,
        )
        await _audit(request, AuditAction.ADD_SIGNER, actor, assignee=assignee, step=step,
                     target=signer)
        await _approve(assignee, step, request, actor, "")
    return signer


async def withdraw_request(request_id: int, actor: Staff) -> ApprovalRequest:
    """The requester takes a request back while nobody has decided anything yet."""
    async with in_transaction():
        request = await _lock_own_pending(request_id, actor)
        decided = await ApprovalAssignee.filter(
            step__request_id=request.id, verdict__in=[Verdict.APPROVED, Verdict.REJECTED]
        ).exists()
        if decided:
            raise Conflict("approvals.error.already_started")
        await _close(request, RequestStatus.WITHDRAWN, actor, AuditAction.WITHDRAW, "")
    return request


async def urge(request_id: int, actor: Staff) -> int:
    """Re-ping the waiting approvers, at most once per interval; returns how many."""
    async with in_transaction():
        request = await _lock_own_pending(request_id, actor)
        now = clock.now()
        if request.last_urged_at is not None:
            wait = request.last_urged_at + POLICY.urge_interval - now
            if wait.total_seconds() > 0:
                raise Conflict("approvals.error.urge_too_soon",
                               minutes=max(1, int(wait.total_seconds() // 60) + 1))
        request.last_urged_at = now
        request.urge_count += 1
        await request.save(update_fields=["last_urged_at", "urge_count"])
        step = await _active_step(request)
        action = await _audit(request, AuditAction.URGE, actor, step=step)
        return await _ping(step, f"u{action.id}", "urge") if step else 0


async def batch_approve(actor: Staff, kind: str, upto_assignee_id: int) -> tuple[int, int]:
    """Approve every card of one kind waiting for the actor (up to the one shown last).

    Each requester (and CC) hears once, with the list of what was decided for them, and the
    actor hears when it is done: a batch of 1,000 sends a handful of messages, not 1,000.
    """
    done = skipped = 0
    news: dict[int, list[int]] = {}
    for item in await pending_for(actor):
        if item.step.request.kind != kind or item.id > upto_assignee_id:
            continue
        told: dict[int, list[int]] = {}
        token = _batch_news.set(told)
        try:
            await approve(item.id, actor)
            done += 1
        except (StaleAction, NotAllowed, NotFound, Conflict):
            skipped += 1
            continue
        finally:
            _batch_news.reset(token)
        for person_id, actions in told.items():  # only what a committed approval told
            news.setdefault(person_id, []).extend(actions)
    for person in await Staff.filter(id__in=list(news), active=True):
        actions = news[person.id]
        await outbox.emit_to_staff(person, BATCH_NEWS, {"actions": actions[:500]},
                                   f"ap:batchnews:{actions[0]}")
    await outbox.emit_to_staff(actor, BATCH_DONE, {"n": done, "skipped": skipped, "kind": kind},
                               f"ap:batchdone:{actor.id}:{kind}:{upto_assignee_id}:"
                               f"{clock.now().timestamp():.0f}")
    return done, skipped


async def has_batch(actor: Staff, kind: str, upto_assignee_id: int) -> bool:
    """Whether any card of this kind still waits for the actor (a cheap look before a batch)."""
    return await ApprovalAssignee.filter(
        verdict=None, step__status=StepStatus.ACTIVE, step__request__status=RequestStatus.PENDING,
        step__request__kind=kind, id__lte=upto_assignee_id,
    ).filter(_mine(actor)).exists()


# ---------------------------------------------------------------------------- reading


async def pending_for(staff: Staff) -> list[ApprovalAssignee]:
    """Every card waiting for this person (as approver or delegate), newest last."""
    rows = await ApprovalAssignee.filter(
        verdict=None, step__status=StepStatus.ACTIVE, step__request__status=RequestStatus.PENDING,
    ).filter(_mine(staff)).order_by("id").prefetch_related("step__request", "approver", "acting")
    return list(rows)


def _mine(staff: Staff) -> Any:
    from tortoise.expressions import Q

    return Q(approver_id=staff.id, acting_id=None) | Q(acting_id=staff.id)


async def my_requests(staff: Staff, limit: int = 10) -> list[ApprovalRequest]:
    """The person's latest requests, newest first."""
    return list(await ApprovalRequest.filter(requester_id=staff.id).order_by("-id").limit(limit))


async def history(request_id: int) -> list[ApprovalAction]:
    return list(await ApprovalAction.filter(request_id=request_id).order_by("id")
                .prefetch_related("actor", "target", "on_behalf_of"))


async def actions_of(staff: Staff, limit: int = 30) -> list[ApprovalAction]:
    """What this person did, or what was done in their name (admins' view), newest last."""
    from tortoise.expressions import Q

    rows = await ApprovalAction.filter(Q(actor_id=staff.id) | Q(on_behalf_of_id=staff.id)) \
        .order_by("-id").limit(limit).prefetch_related("request", "actor", "target",
                                                        "on_behalf_of")
    return list(reversed(rows))


async def can_withdraw(request: ApprovalRequest) -> bool:
    return request.status == RequestStatus.PENDING and not await ApprovalAssignee.filter(
        step__request_id=request.id, verdict__in=[Verdict.APPROVED, Verdict.REJECTED]
    ).exists()


async def current_approvers(request: ApprovalRequest) -> list[ApprovalAssignee]:
    step = await _active_step(request)
    if step is None:
        return []
    return list(await ApprovalAssignee.filter(step_id=step.id, verdict=None).order_by("id")
                .prefetch_related("approver", "acting"))


@dataclass
class CardState:
    """What an approver's card shows, read fresh when it is rendered."""

    assignee: ApprovalAssignee
    step: ApprovalStep
    request: ApprovalRequest
    requester: Staff
    approver: Staff
    acting: Staff | None
    actionable: bool
    step_index: int
    step_count: int
    decided_by: Staff | None
    #: How the step was settled, and by whom (another approver may have decided it).
    step_outcome: str | None
    step_decider: Staff | None


async def card(assignee_id: int) -> CardState | None:
    """The fresh state of one card (None when the record is gone)."""
    a = await ApprovalAssignee.get_or_none(id=assignee_id).prefetch_related(
        "step__request__requester", "approver", "acting", "decided_by")
    if a is None:
        return None
    step, request = a.step, a.step.request
    steps: list[int] = list(await ApprovalStep.filter(request_id=request.id).exclude(
        status=StepStatus.SKIPPED).order_by("seq").values_list("id", flat=True))  # type: ignore[arg-type]
    actionable = (a.verdict is None and step.status == StepStatus.ACTIVE
                  and request.status == RequestStatus.PENDING)
    decision = await ApprovalDecision.get_or_none(step_id=step.id).prefetch_related(
        "decided_by")
    return CardState(a, step, request, request.requester, a.approver, a.acting, actionable,
                     list(steps).index(step.id) + 1 if step.id in steps else 0, len(steps),
                     a.decided_by, decision.outcome if decision else None,
                     decision.decided_by if decision else None)


# ---------------------------------------------------------------------------- delegation


async def find_person(text: str) -> Staff:
    """One active staff member by name, @username or Telegram id."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("approvals.error.who")
    # Nobody has a name over 64 characters or an id outside 64 bits: the database would refuse.
    tg_id = to_int(text, low=-2**63, high=2**63 - 1)
    if len(text) > 65:
        people = []
    elif text.startswith("@"):
        people = await Staff.filter(active=True, username=text[1:])
    elif tg_id is not None:
        people = await Staff.filter(active=True, tg_user_id=tg_id)
    else:
        people = await Staff.filter(active=True, name=text)
    if not people:
        raise NotFound("approvals.error.no_such_person",
                       name=text if len(text) <= 64 else text[:64] + "…")
    if len(people) > 1:
        raise InvalidInput("approvals.error.ambiguous_person", name=text)
    return people[0]


async def set_delegation(principal: Staff, delegate: Staff, starts: date,
                         ends: date) -> Delegation:
    """Hand this person's cards to a delegate for the dates (the running cards too)."""
    today = clock.now().astimezone(POLICY.tz).date()
    if delegate.id == principal.id:
        raise InvalidInput("approvals.error.self_delegate")
    if ends < starts:
        raise InvalidInput("approvals.error.range_reversed")
    if ends < today:
        raise InvalidInput("approvals.error.range_past")
    if (ends - starts).days > 92:
        raise InvalidInput("approvals.error.range_too_long", days=92)
    async with in_transaction():
        await Delegation.filter(principal_id=principal.id, cancelled=False).update(
            cancelled=True)
        delegation = await Delegation.create(principal=principal, delegate=delegate,
                                             starts_on=starts, ends_on=ends,
                                             created_at=clock.now())
        action = await _audit(None, AuditAction.DELEGATE, principal, target=delegate,
                              comment=f"{starts.isoformat()} ~ {ends.isoformat()}")
        await outbox.emit_to_staff(delegate, "approvals.delegated",
                                   {"delegation_id": delegation.id}, f"ap:dlg:{action.id}")
        if starts <= today:
            await _reroute(principal, delegate, action.id)
    return delegation


async def cancel_delegation(principal: Staff) -> int:
    """End the person's delegation; cards not yet decided come back to them."""
    async with in_transaction():
        count = await Delegation.filter(principal_id=principal.id, cancelled=False).update(
            cancelled=True)
        if count:
            action = await _audit(None, AuditAction.DELEGATE, principal, comment="off")
            rows = await ApprovalAssignee.filter(
                approver_id=principal.id, verdict=None, step__status=StepStatus.ACTIVE,
            ).exclude(acting_id=None)
            for row in rows:
                row.acting = None  # type: ignore[assignment]
                await row.save(update_fields=["acting_id"])
                await _send_card(row, f"b{action.id}")
    return count


async def current_delegation(principal: Staff) -> Delegation | None:
    today = clock.now().astimezone(POLICY.tz).date()
    return await Delegation.filter(principal_id=principal.id, cancelled=False,
                                   ends_on__gte=today).order_by("-id").first() \
        .prefetch_related("delegate")


async def _reroute(principal: Staff, delegate: Staff, action_id: int) -> None:
    rows = await ApprovalAssignee.filter(
        approver_id=principal.id, verdict=None, step__status=StepStatus.ACTIVE,
        step__request__status=RequestStatus.PENDING,
    ).prefetch_related("step__request")
    for row in rows:
        if row.step.request.requester_id == delegate.id:  # type: ignore[attr-defined]
            continue
        row.acting = delegate
        await row.save(update_fields=["acting_id"])
        await _send_card(row, f"d{action_id}")


async def _delegate_of(staff: Staff, day: date) -> Staff | None:
    found = await Delegation.filter(principal_id=staff.id, cancelled=False, starts_on__lte=day,
                                    ends_on__gte=day).order_by("-id").first() \
        .prefetch_related("delegate")
    if found is None or not found.delegate.active:
        return None
    return found.delegate


# ---------------------------------------------------------------------------- chasing


async def chase(now: datetime) -> dict[str, int]:
    """Remind approvers of long waits, escalate longer ones, and report unreachable approvers."""
    counts = {"reminded": 0, "escalated": 0, "unreachable": 0}
    steps = await ApprovalStep.filter(
        status=StepStatus.ACTIVE, request__status=RequestStatus.PENDING
    ).exclude(started_at=None).prefetch_related("request")
    for step in steps:
        assert step.started_at is not None
        waited = workdays.working_seconds_between(step.started_at, now, POLICY.tz) / 3600
        if step.reminded_at is None and waited >= POLICY.remind_after_hours:
            counts["reminded"] += await _remind(step.id, now)
        if step.escalated_at is None and waited >= POLICY.escalate_after_hours:
            counts["escalated"] += await _escalate(step.id, now)
    counts["rerouted"] = await _sync_delegations(now)
    dead = await OutboxMessage.filter(
        kind=CARD, status=OutboxStatus.DEAD, last_error__startswith="forbidden",
        dedup_key__startswith="ap:card:",
    )
    for row in dead:
        assignee_id = int(row.dedup_key.split(":")[2])
        counts["unreachable"] += await _report_unreachable(assignee_id)
    return counts


async def _sync_delegations(now: datetime) -> int:
    """Move waiting cards to a delegation that began today, and back from one that ended."""
    day = now.astimezone(POLICY.tz).date()
    moved = 0
    rows = await ApprovalAssignee.filter(
        verdict=None, step__status=StepStatus.ACTIVE, step__request__status=RequestStatus.PENDING,
    ).prefetch_related("approver", "step__request")
    for row in rows:
        wanted = await _delegate_of(row.approver, day)
        if wanted is not None and wanted.id == row.step.request.requester_id:  # type: ignore[attr-defined]
            wanted = None
        wanted_id = wanted.id if wanted else None
        if wanted_id == row.acting_id:  # type: ignore[attr-defined]
            continue
        async with in_transaction():
            changed = await ApprovalAssignee.filter(
                id=row.id, verdict=None, acting_id=row.acting_id,  # type: ignore[attr-defined]
            ).update(acting_id=wanted_id)
            if changed:
                row.acting_id = wanted_id  # type: ignore[attr-defined]
                await _send_card(row, f"s{day.isoformat()}-{wanted_id or 0}")
                moved += 1
    return moved


async def _remind(step_id: int, now: datetime) -> int:
    async with in_transaction():
        claimed = await ApprovalStep.filter(id=step_id, reminded_at=None).update(reminded_at=now)
        if not claimed:
            return 0
        step = await ApprovalStep.get(id=step_id).prefetch_related("request")
        action = await _audit(step.request, AuditAction.REMIND, None, step=step)
        await _ping(step, f"r{action.id}", "remind")
    return 1


async def _escalate(step_id: int, now: datetime) -> int:
    async with in_transaction():
        claimed = await ApprovalStep.filter(id=step_id, escalated_at=None).update(
            escalated_at=now)
        if not claimed:
            return 0
        step = await ApprovalStep.get(id=step_id).prefetch_related("request__requester")
        request = step.request
        current = await ApprovalAssignee.filter(step_id=step.id).values_list(
            "approver_id", flat=True)
        people = [p for p in await _resolve(step.escalate_to, request.requester)
                  if p.id not in current]
        action = await _audit(request, AuditAction.ESCALATE, None, step=step,
                              comment=", ".join(p.name for p in people))
        waiting = await ApprovalAssignee.filter(step_id=step.id, verdict=None).prefetch_related(
            "approver", "acting")
        for person in people:
            new = await _assign(step, person, escalated=True)
            await _send_card(new, f"x{action.id}", note="escalated")
        payload = {"action_id": action.id, "request_id": request.id}
        told = {request.requester.id}
        await outbox.emit_to_staff(request.requester, "approvals.escalated", payload,
                                   f"ap:esc:{action.id}")
        for row in waiting:
            who = row.acting or row.approver
            if who.id not in told:
                told.add(who.id)
                await outbox.emit_to_staff(who, "approvals.escalated", payload,
                                           f"ap:esc:{action.id}")
    return 1


async def _report_unreachable(assignee_id: int) -> int:
    a = await ApprovalAssignee.get_or_none(id=assignee_id).prefetch_related(
        "approver", "acting", "step")
    if a is None or a.verdict is not None or a.step.status != StepStatus.ACTIVE:
        return 0
    who = a.acting or a.approver
    # Once per person per day, whatever the number of cards waiting for them.
    day = clock.now().astimezone(POLICY.tz).date().isoformat()
    row = await outbox.emit_to_purpose(
        ChatPurpose.OFFICE, "approvals.unreachable",
        {"assignee_id": a.id, "staff_id": who.id}, f"ap:unreach:{who.id}:{day}")
    return 1 if row is not None else 0


# ---------------------------------------------------------------------------- internals


async def _lock(request_id: int) -> ApprovalRequest:
    request = await ApprovalRequest.filter(id=request_id).select_for_update().first()
    if request is None:
        raise NotFound("approvals.error.unknown")
    return request


async def _lock_own_pending(request_id: int, actor: Staff) -> ApprovalRequest:
    """Lock a request its requester acts on (withdraw, urge); it must still be waiting."""
    request = await _lock(request_id)
    if request.requester_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("approvals.error.not_requester")
    if request.status != RequestStatus.PENDING:
        raise StaleAction("approvals.error.closed", status=request.status.value)
    return request


async def _actionable(assignee_id: int, actor: Staff
                      ) -> tuple[ApprovalAssignee, ApprovalStep, ApprovalRequest]:
    """Lock the request and check that the actor may decide this card now."""
    first = await ApprovalAssignee.get_or_none(id=assignee_id).prefetch_related("step")
    if first is None:
        raise NotFound("approvals.error.unknown")
    request = await _lock(first.step.request_id)  # type: ignore[attr-defined]
    assignee = await ApprovalAssignee.get(id=assignee_id)
    step = await ApprovalStep.get(id=assignee.step_id)  # type: ignore[attr-defined]
    if actor.id not in (assignee.approver_id, assignee.acting_id):  # type: ignore[attr-defined]
        raise NotAllowed("approvals.error.not_yours")
    if assignee.verdict is not None:
        raise StaleAction("approvals.error.already_decided")
    if request.status != RequestStatus.PENDING:
        raise StaleAction("approvals.error.closed", status=request.status.value)
    if step.status != StepStatus.ACTIVE:
        raise StaleAction("approvals.error.moved_on")
    return assignee, step, request


async def _candidate(staff_id: int, step: ApprovalStep, request: ApprovalRequest,
                     actor: Staff) -> Staff:
    target = await Staff.get_or_none(id=staff_id, active=True)
    if target is None:
        raise NotFound("approvals.error.no_such_person", name=str(staff_id))
    if target.id in (actor.id, request.requester_id):  # type: ignore[attr-defined]
        raise InvalidInput("approvals.error.bad_target", name=target.name)
    if await ApprovalAssignee.filter(step_id=step.id, approver_id=target.id,
                                     verdict=None).exists():
        raise Conflict("approvals.error.already_on_step", name=target.name)
    return target


async def _approve(assignee: ApprovalAssignee, step: ApprovalStep, request: ApprovalRequest,
                   actor: Staff, comment: str) -> None:
    await _settle(assignee, Verdict.APPROVED, actor, comment)
    action = await _audit(request, AuditAction.APPROVE, actor, assignee=assignee, step=step,
                          comment=comment)
    left = await ApprovalAssignee.filter(step_id=step.id, verdict=None).exists()
    if step.mode == StepMode.ANY or assignee.escalated or not left:
        await _decide_step(step, "approved", actor)
        await _refresh_cards(step, action.id)
        more = await _advance(request, after_seq=step.seq, actor=actor)
        await _tell(request, step, action, final=not more)
        if not more:
            await _finish(request, RequestStatus.APPROVED, step, action, tell=False)
    else:
        await _refresh_cards(step, action.id, only=assignee.id)
        await _tell(request, step, action)


async def _settle(assignee: ApprovalAssignee, verdict: Verdict, actor: Staff,
                  comment: str) -> None:
    """Record one person's verdict; the conditional update refuses a second."""
    done = await ApprovalAssignee.filter(id=assignee.id, verdict=None).update(
        verdict=verdict, decided_at=clock.now(), decided_by_id=actor.id, comment=comment)
    if not done:
        raise StaleAction("approvals.error.already_decided")
    assignee.verdict = verdict


async def _decide_step(step: ApprovalStep, outcome: str, actor: Staff) -> None:
    """Settle the step once: the unique decision row refuses a second decision."""
    now = clock.now()
    try:
        async with in_transaction():
            await ApprovalDecision.create(step=step, outcome=outcome, decided_by=actor,
                                          decided_at=now)
    except IntegrityError:
        raise StaleAction("approvals.error.already_decided") from None
    step.status = StepStatus.APPROVED if outcome == "approved" else StepStatus.REJECTED
    step.decided_at = now
    await step.save(update_fields=["status", "decided_at"])
    await ApprovalAssignee.filter(step_id=step.id, verdict=None).update(
        verdict=Verdict.CLOSED, decided_at=now)
    # Whoever was about to type a reason for this step no longer can.
    await ReasonPrompt.filter(assignee__step_id=step.id).delete()


async def _advance(request: ApprovalRequest, after_seq: int, actor: Staff) -> bool:
    """Start the next step that has somebody to decide it; False when none is left."""
    requester = await Staff.get(id=request.requester_id)  # type: ignore[attr-defined]
    steps = await ApprovalStep.filter(request_id=request.id, seq__gt=after_seq,
                                      status=StepStatus.WAITING).order_by("seq")
    for step in steps:
        people = await _resolve(step.spec, requester)
        if not people:
            step.status = StepStatus.SKIPPED
            await step.save(update_fields=["status"])
            continue
        step.status, step.started_at = StepStatus.ACTIVE, clock.now()
        await step.save(update_fields=["status", "started_at"])
        for person in people:
            assignee = await _assign(step, person)
            await _send_card(assignee, "0")
        return True
    return False


async def _assign(step: ApprovalStep, person: Staff, escalated: bool = False
                  ) -> ApprovalAssignee:
    day = clock.now().astimezone(POLICY.tz).date()
    delegate = await _delegate_of(person, day)
    request = await ApprovalRequest.get(id=step.request_id)  # type: ignore[attr-defined]
    if delegate is not None and delegate.id == request.requester_id:  # type: ignore[attr-defined]
        delegate = None
    return await ApprovalAssignee.create(step=step, approver=person, acting=delegate,
                                         escalated=escalated, created_at=clock.now())


async def _send_card(assignee: ApprovalAssignee, tag: str, note: str = "") -> None:
    """Queue a card to whoever decides this assignment now (delegate first)."""
    who_id = assignee.acting_id or assignee.approver_id  # type: ignore[attr-defined]
    who = await Staff.get(id=who_id)
    payload: dict[str, Any] = {"assignee_id": assignee.id}
    if note:
        payload["note"] = note
    await outbox.emit_to_staff(who, CARD, payload, f"ap:card:{assignee.id}:{tag}")
    if not who.reachable:
        await _report_unreachable(assignee.id)


async def resend_cards(staff: Staff, limit: int = RESEND_LIMIT) -> list[ApprovalAssignee]:
    """Queue a fresh copy of the latest cards waiting for this person, and a batch offer per kind.

    Returns every waiting item: past `limit`, a chat of hundreds of cards helps nobody.
    """
    items = await pending_for(staff)
    tag = "p" + secrets.token_hex(4)
    by_kind: dict[str, list[int]] = {}
    async with in_transaction():
        for item in items[-limit:]:
            await outbox.emit_to_staff(staff, CARD, {"assignee_id": item.id},
                                       f"ap:card:{item.id}:{tag}")
        for item in items:
            by_kind.setdefault(item.step.request.kind, []).append(item.id)
        for kind, ids in by_kind.items():
            if len(ids) > 1:
                await outbox.emit_to_staff(
                    staff, "approvals.batch_offer", {"kind": kind, "n": len(ids),
                                                     "upto": max(ids)},
                    f"ap:batch:{kind}:{tag}")
    return items


async def _ping(step: ApprovalStep, tag: str, note: str) -> int:
    rows = await ApprovalAssignee.filter(step_id=step.id, verdict=None)
    for row in rows:
        await _send_card(row, tag, note=note)
    return len(rows)


async def _refresh_cards(step: ApprovalStep, action_id: int, only: int | None = None) -> None:
    """Edit every card of the step already sent, so it shows the result without buttons."""
    # A card transferred earlier already shows its result: editing it again changes nothing.
    ids = [only] if only else await ApprovalAssignee.filter(step_id=step.id).exclude(
        verdict=Verdict.TRANSFERRED).values_list("id", flat=True)
    for assignee_id in ids:
        sent = await OutboxMessage.filter(kind=CARD,
                                          dedup_key__startswith=f"ap:card:{assignee_id}:")
        for row in sent:
            if row.payload.get("_edit_of"):
                continue
            await outbox.emit(CARD, row.chat_id,
                              {"assignee_id": assignee_id, "_edit_of": row.dedup_key},
                              f"{row.dedup_key}/e{action_id}")


async def _tell(request: ApprovalRequest, step: ApprovalStep | None,
                action: ApprovalAction, final: bool = False) -> None:
    """Tell the requester and the step's CCs what happened (final: the request is settled)."""
    people = {request.requester_id} | set(step.cc if step else [])  # type: ignore[attr-defined]
    people.discard(action.actor_id)  # type: ignore[attr-defined]
    if final and request.kind in _TELLS_REQUESTER:
        people.discard(request.requester_id)  # type: ignore[attr-defined]
    collected = _batch_news.get()
    for person in await Staff.filter(id__in=list(people), active=True):
        if collected is not None:  # a batch tells each person once, at its end
            collected.setdefault(person.id, []).append(action.id)
            continue
        await outbox.emit_to_staff(person, NEWS, {"action_id": action.id, "final": final},
                                   f"ap:news:{action.id}")


async def _finish(request: ApprovalRequest, status: RequestStatus, step: ApprovalStep | None,
                  action: ApprovalAction, tell: bool = True) -> None:
    """Settle the request, tell whoever must know and call the feature's outcome handlers."""
    request.status, request.decided_at = status, clock.now()
    await request.save(update_fields=["status", "decided_at"])
    if step is not None and status != RequestStatus.APPROVED:
        await _refresh_cards(step, action.id)
    if tell:
        await _tell(request, step, action, final=True)
    outcome = {RequestStatus.APPROVED: "approved", RequestStatus.REJECTED: "rejected",
               RequestStatus.WITHDRAWN: "withdrawn"}[status]
    for handler in _HANDLERS.get(request.kind, []):
        await handler(request.subject_id, outcome, request)


async def _close(request: ApprovalRequest, status: RequestStatus, actor: Staff,
                 what: AuditAction, comment: str) -> None:
    step = await _active_step(request)
    action = await _audit(request, what, actor, step=step, comment=comment)
    if step is not None:
        step.status = StepStatus.CLOSED
        await step.save(update_fields=["status"])
        await ApprovalAssignee.filter(step_id=step.id, verdict=None).update(
            verdict=Verdict.CLOSED, decided_at=clock.now())
    await ReasonPrompt.filter(assignee__step__request_id=request.id).delete()
    await _finish(request, status, step, action, tell=False)
    if step is not None:
        for row in await ApprovalAssignee.filter(step_id=step.id).prefetch_related(
                "approver", "acting"):
            who = row.acting or row.approver
            if who.id != actor.id:
                await outbox.emit_to_staff(who, NEWS, {"action_id": action.id, "final": True},
                                           f"ap:news:{action.id}")
    if actor.id != request.requester_id:  # type: ignore[attr-defined]
        await _tell(request, None, action, final=True)


async def _active_step(request: ApprovalRequest) -> ApprovalStep | None:
    return await ApprovalStep.filter(request_id=request.id, status=StepStatus.ACTIVE).first()


async def _audit(request: ApprovalRequest | None, what: AuditAction, actor: Staff | None, *,
                 assignee: ApprovalAssignee | None = None, step: ApprovalStep | None = None,
                 target: Staff | None = None, comment: str = "") -> ApprovalAction:
    behalf = None
    if assignee is not None and actor is not None and assignee.approver_id != actor.id:  # type: ignore[attr-defined]
        behalf = assignee.approver_id  # type: ignore[attr-defined]
    return await ApprovalAction.create(
        request=request, action=what, actor=actor, on_behalf_of_id=behalf, target=target,
        step_seq=step.seq if step else None, comment=comment, at=clock.now(),
    )


async def _resolve(spec: dict[str, Any], requester: Staff) -> list[Staff]:
    """The active people a spec names, never the requester themselves."""
    query = Staff.filter(active=True).exclude(id=requester.id)
    if "role" in spec:
        people = await query.filter(role=Role(spec["role"])).order_by("id")
    elif spec.get("dept_head"):
        if not requester.department:
            return []
        people = await query.filter(is_head=True, department=requester.department).order_by("id")
    elif "people" in spec:
        wanted = [p for p in spec["people"]]
        if spec.get("by_id"):
            people = await query.filter(id__in=wanted)
        else:
            numbers = {str(p): to_int(str(p), low=-2**63, high=2**63 - 1) for p in wanted}
            ids = [n for n in numbers.values() if n is not None]
            names = [p for p, n in numbers.items() if n is None]
            from tortoise.expressions import Q

            people = await query.filter(Q(tg_user_id__in=ids) | Q(name__in=names)).order_by("id")
    else:
        people = []
    return list(people)


async def _resolve_ids(spec: dict[str, Any], requester: Staff) -> list[int]:
    return [p.id for p in await _resolve(spec, requester)]


def describe_steps(kind: str) -> Sequence[Any]:
    from services.approvals.flows import all_flows

    return all_flows().get(kind, [])


async def audit_since(since: datetime) -> list[ApprovalAction]:
    """Every recorded action from this instant on, oldest first (for the XLSX export)."""
    return list(await ApprovalAction.filter(at__gte=since).order_by("id").prefetch_related(
        "request", "actor", "target", "on_behalf_of"))
