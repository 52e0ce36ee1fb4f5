"""The seal register (用印登记簿) in register order, the request log, a period's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.approvals import ApprovalAction, AuditAction
from models.seals import SealRequest, SealStatus
from services.seals.requests import document_of


@dataclass(frozen=True)
class RegisterRow:
    """One stamp as the register writes it."""

    year: int
    no: int
    used_at: datetime
    seal: str
    document: str
    copies: int
    used_count: int
    purpose: str
    requester: str
    department: str
    approvers: str
    custodian: str
    photo: bool


def _span(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end] as local days, as instants."""
    return (datetime.combine(start, time(0), tz),
            datetime.combine(end + timedelta(days=1), time(0), tz))


async def _approvers(approval_ids: list[int]) -> dict[int, str]:
    """Who approved each request, in the order they did."""
    found: dict[int, list[str]] = {}
    rows = await ApprovalAction.filter(request_id__in=approval_ids, action=AuditAction.APPROVE
                                       ).order_by("id").prefetch_related("actor")
    for row in rows:
        names = found.setdefault(row.request_id, [])  # type: ignore[attr-defined]
        if row.actor is not None and row.actor.name not in names:
            names.append(row.actor.name)
    return {k: "、".join(v) for k, v in found.items()}


async def register_rows(start: date, end: date, tz: ZoneInfo) -> list[RegisterRow]:
    """The stamps of the period in register order (the year's number, then the number)."""
    first, after = _span(start, end, tz)
    requests = await SealRequest.filter(
        status=SealStatus.USED, used_at__gte=first, used_at__lt=after,
    ).order_by("register_year", "register_no").prefetch_related("seal", "requester",
                                                                  "stamped_by")
    approvers = await _approvers([r.approval_request_id for r in requests
                                  if r.approval_request_id])
    return [RegisterRow(
        year=r.register_year or 0, no=r.register_no or 0, used_at=r.used_at,  # type: ignore[arg-type]
        seal=r.seal.name, document=document_of(r), copies=r.copies or 0,
        used_count=r.used_count or 0, purpose=r.purpose, requester=r.requester.name,
        department=r.requester.department,
        approvers=approvers.get(r.approval_request_id or 0, ""),
        custodian=r.stamped_by.name if r.stamped_by else "",
        photo=bool(r.used_photo_file_id),
    ) for r in requests]


async def requests_between(start: date, end: date, tz: ZoneInfo) -> list[SealRequest]:
    """Every request submitted in the period, whatever became of it, oldest first."""
    first, after = _span(start, end, tz)
    return list(await SealRequest.filter(submitted_at__gte=first, submitted_at__lt=after)
                .order_by("id").prefetch_related("seal", "requester"))


async def seal_figures(start: datetime, end: datetime) -> dict[str, float]:
    """Requests submitted, stamps, copies stamped and approvals that lapsed in [start, end)."""
    submitted = await SealRequest.filter(submitted_at__gte=start, submitted_at__lt=end).count()
    used = await SealRequest.filter(status=SealStatus.USED, used_at__gte=start, used_at__lt=end)
    lapsed = await SealRequest.filter(status=SealStatus.LAPSED, lapses_at__gte=start,
                                      lapses_at__lt=end).count()
    return {"requests": submitted, "stamps": len(used),
            "copies": sum(r.used_count or 0 for r in used), "lapsed": lapsed}
