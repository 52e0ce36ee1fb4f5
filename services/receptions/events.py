"""What the approvals engine decides about a plan, and the reminder the day before."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models.core import ChatPurpose, Staff
from models.receptions import Reception, ReceptionStatus
from services import clock, outbox
from services.receptions import ports

#: Remind the host leader and the office this long before the reception starts.
REMIND_BEFORE = timedelta(hours=24)
_OUTCOMES = {
    "approved": ReceptionStatus.APPROVED,
    "rejected": ReceptionStatus.REJECTED,
    "withdrawn": ReceptionStatus.WITHDRAWN,
}


async def tell(reception: Reception, kind: str, payload: dict[str, Any], key: str) -> None:
    """Queue the event for the host leader, the planner and the office group."""
    people: dict[int, Staff] = {}
    for staff_id in (reception.host_leader_id, reception.created_by_id):  # type: ignore[attr-defined]
        if staff_id is not None:
            person = await Staff.get_or_none(id=staff_id, active=True)
            if person is not None:
                people[person.id] = person
    for person in people.values():
        await outbox.emit_to_staff(person, kind, payload, key)
    await outbox.emit_to_purpose(ChatPurpose.OFFICE, kind, payload, key)


async def on_outcome(subject_id: int, outcome: str, request: Any = None) -> None:
    """Apply the engine's decision to the plan and tell the host leader and the office."""
    status = _OUTCOMES.get(outcome)
    reception = await Reception.filter(id=subject_id).select_for_update().first()
    if status is None or reception is None:
        return
    if reception.status != ReceptionStatus.SUBMITTED:
        return  # cancelled meanwhile, or a repeated outcome: nothing changes
    now = clock.now()
    reception.status, reception.decided_at, reception.updated_at = status, now, now
    await reception.save(update_fields=["status", "decided_at", "updated_at"])
    if outcome == "withdrawn":
        return
    comment = await ports.decision_comment(request) if outcome == "rejected" else ""
    await tell(
        reception, "receptions.decided",
        {"reception_id": reception.id, "outcome": outcome, "comment": str(comment)[:200]},
        f"receptions:decided:{reception.id}:{reception.approval_request_id}:{outcome}",
    )


async def send_reminders(now: datetime | None = None) -> int:
    """Remind of approved receptions starting within a day (once each); return how many."""
    now = now or clock.now()
    due = await Reception.filter(
        status=ReceptionStatus.APPROVED, reminded_at__isnull=True,
        start__gt=now, start__lte=now + REMIND_BEFORE,
    ).order_by("start")
    for reception in due:
        async with in_transaction():
            await tell(reception, "receptions.reminder", {"reception_id": reception.id},
                        f"receptions:remind:{reception.id}")
            reception.reminded_at = now
            await reception.save(update_fields=["reminded_at"])
    return len(due)
