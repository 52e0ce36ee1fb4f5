"""Approvals in the reports: requests decided; my requests, what waits for me, the oldest."""

from __future__ import annotations

from datetime import datetime

from models.approvals import ApprovalAssignee, ApprovalRequest, RequestStatus, StepStatus
from models.core import Staff
from services.approvals.engine import my_requests, pending_for
from services.reports import Item, Period, mine, office, section, todo


@section("approvals", ("submitted", "approved", "rejected"), order=60)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Requests submitted in the period, and those approved or rejected in it."""
    decided = ApprovalRequest.filter(decided_at__gte=start, decided_at__lt=end)
    return {
        "submitted": await ApprovalRequest.filter(created_at__gte=start,
                                                  created_at__lt=end).count(),
        "approved": await decided.filter(status=RequestStatus.APPROVED).count(),
        "rejected": await decided.filter(status=RequestStatus.REJECTED).count(),
    }


def _hours(since: datetime, now: datetime) -> int:
    """Whole hours waited (a view says hours under a day, days after)."""
    return max(int((now - since).total_seconds() // 3600), 0)


def _waiting(card: ApprovalAssignee, now: datetime) -> Item:
    request = card.step.request
    return Item("reports.item.approval_waiting",
                {"title": request.title, "days": (now - request.created_at).days,
                 "waited_h": _hours(request.created_at, now)},
                command="pending")


@mine("approvals", order=30)
async def my_approvals(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """What waits for the person's decision, then their own open or recent requests."""
    items = [_waiting(card, now) for card in await pending_for(staff)]
    for request in await my_requests(staff, limit=10):
        if request.status == RequestStatus.PENDING or (
                request.decided_at is not None and request.decided_at >= day.start):
            items.append(Item("reports.item.my_request",
                              {"title": request.title, "status": request.status.value}))
    return items


@todo("approvals", order=30)
async def to_decide(staff: Staff, now: datetime) -> list[Item]:
    """Each card waiting for the person's decision (the button opens /pending)."""
    return [_waiting(card, now) for card in await pending_for(staff)]


@office("approvals", order=30)
async def waiting(day: Period, now: datetime) -> list[Item]:
    """How many approvals wait, and the oldest of them."""
    pending = ApprovalRequest.filter(status=RequestStatus.PENDING)
    count = await pending.count()
    if not count:
        return [Item("reports.item.approvals_none")]
    oldest = await pending.order_by("created_at").first()
    assert oldest is not None
    step = await oldest.steps.filter(status=StepStatus.ACTIVE).first()  # type: ignore[attr-defined]
    who = ""
    if step is not None:
        card = await ApprovalAssignee.filter(step_id=step.id, verdict=None).prefetch_related(
            "approver").first()
        who = card.approver.name if card else ""
    return [Item("reports.item.approvals_waiting",
                 {"n": count, "title": oldest.title, "days": (now - oldest.created_at).days,
                  "waited_h": _hours(oldest.created_at, now),
                  "who": who})]
