"""Finding documents: by words over number, 文号, sender and title; this month; overdue."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q

from models.core import Role, Staff
from models.documents import (
    Assignment,
    AssignmentStatus,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    SlipStatus,
    SupervisionSlip,
)
from services.documents import common, parsing
from services.documents.common import POLICY, incoming_no, outgoing_no, slip_no, today
from services.errors import InvalidInput

MAX_TERMS = 6
PAGE = 8
_NUMBER_RE = re.compile(r"^(收文|督办)?(\d{1,4})号?$")


@dataclass(frozen=True)
class Hit:
    """One document found: what it is (in, out, slip), its id, number, title and a detail."""

    kind: str
    id: int
    number: str
    title: str
    detail: str
    on: date | None
    colour: str = ""


def terms_of(words: str) -> list[str]:
    """The search terms: folded like the stored text; 收文35号 also finds 收文〔2026〕0035号."""
    terms = []
    for word in parsing.split_words(words)[:MAX_TERMS]:
        folded = parsing.search_form(word)
        number = _NUMBER_RE.match(folded)
        if number and number.group(1):
            n = int(number.group(2))
            terms.append(f"{number.group(1)}〔")
            folded = f"〕{n:04d}号" if number.group(1) == "收文" else f"〕{n}号"
        if folded:
            terms.append(folded)
    if not terms:
        raise InvalidInput("documents.error.search_empty")
    return terms


def _privileged(staff: Staff) -> bool:
    return staff.role in (Role.ADMIN, Role.OFFICE, Role.LEADER)


async def _ids_for(staff: Staff) -> tuple[list[int], list[int]]:
    """Documents and slips a staff member (not the office) may see: those they handle."""
    query = Assignment.filter(staff_id=staff.id)
    if staff.is_head and staff.department:
        query = Assignment.filter(Q(staff_id=staff.id) | Q(department=staff.department))
    rows = await query.values("document_id", "slip_id")
    docs = sorted({r["document_id"] for r in rows if r["document_id"]})
    slips = sorted({r["slip_id"] for r in rows if r["slip_id"]})
    return docs, slips


async def search(staff: Staff, words: str, limit: int = PAGE, offset: int = 0
                 ) -> tuple[list[Hit], int]:
    """Documents whose number, 文号, sender or title hold every term; newest first."""
    terms = terms_of(words)
    incoming = IncomingDocument.exclude(status=IncomingStatus.DRAFT)
    outgoing = OutgoingDocument.exclude(status=OutgoingStatus.DRAFT)
    slips = SupervisionSlip.exclude(status=SlipStatus.DRAFT)
    for term in terms:
        incoming = incoming.filter(search__contains=term)
        outgoing = outgoing.filter(search__contains=term)
        slips = slips.filter(search__contains=term)
    return await _collect(staff, incoming, outgoing, slips, offset, limit)


async def _collect(staff: Staff, incoming: Any, outgoing: Any, slips: Any, offset: int,
                   limit: int) -> tuple[list[Hit], int]:
    """What the person may see of the three queries: one page, newest first, and the count."""
    if not _privileged(staff):
        doc_ids, slip_ids = await _ids_for(staff)
        incoming = incoming.filter(id__in=doc_ids or [0])
        outgoing = outgoing.filter(drafter_id=staff.id)
        slips = slips.filter(id__in=slip_ids or [0])
    total = await incoming.count() + await outgoing.count() + await slips.count()
    window = offset + limit
    found = [_in_hit(d) for d in await incoming.order_by("-registered_at", "-id").limit(window)]
    found += [_out_hit(d) for d in await outgoing.order_by("-created_at", "-id").limit(window)]
    found += [_slip_hit(s) for s in await slips.order_by("-opened_at", "-id").limit(window)]
    found.sort(key=lambda h: (h.on or date.min, h.id), reverse=True)
    return found[offset:window], total


def _in_hit(document: IncomingDocument) -> Hit:
    on = common.local(document.registered_at).date() if document.registered_at else None
    return Hit("in", document.id, incoming_no(document.year, document.seq), document.title,
               " ".join(p for p in (document.sender, document.ref_no) if p), on,
               _in_colour(document))


def _in_colour(document: IncomingDocument) -> str:
    if document.status in (IncomingStatus.DONE, IncomingStatus.FILED):
        return common.DONE
    return common.colour(document.due_on, document.due_workdays, today())


def _out_hit(document: OutgoingDocument) -> Hit:
    moment = document.issued_at or document.created_at
    return Hit("out", document.id, outgoing_no(document.prefix, document.year, document.number),
               document.title, document.doc_type, common.local(moment).date())


def _slip_hit(slip: SupervisionSlip) -> Hit:
    moment = slip.opened_at or slip.created_at
    colour = common.DONE if slip.status == SlipStatus.DONE else common.colour(
        slip.due_on, slip.due_workdays, today())
    return Hit("slip", slip.id, slip_no(slip.year, slip.seq), slip.matter, "",
               common.local(moment).date(), colour)


def month_span(day: date) -> tuple[datetime, datetime]:
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return (datetime.combine(first, time(0), POLICY.tz),
            datetime.combine(after, time(0), POLICY.tz))


async def this_month(staff: Staff, limit: int = 30) -> tuple[list[Hit], int]:
    """Documents registered, issued or slips opened this month, newest first."""
    start, end = month_span(today())
    incoming = IncomingDocument.filter(registered_at__gte=start, registered_at__lt=end)
    outgoing = OutgoingDocument.filter(issued_at__gte=start, issued_at__lt=end)
    slips = SupervisionSlip.filter(opened_at__gte=start, opened_at__lt=end)
    return await _collect(staff, incoming, outgoing, slips, 0, limit)


async def overdue(staff: Staff, limit: int = 30) -> list[tuple[Hit, Assignment]]:
    """Open tasks past their deadline (theirs for staff, all for the office), oldest first."""
    day = today()
    query = Assignment.filter(status__in=[AssignmentStatus.ASSIGNED, AssignmentStatus.WORKING,
                                          AssignmentStatus.REPORTED], due_on__lt=day)
    if not _privileged(staff):
        query = query.filter(Q(staff_id=staff.id) | Q(department=staff.department)) \
            if staff.is_head and staff.department else query.filter(staff_id=staff.id)
    rows = await query.order_by("due_on", "id").limit(limit).prefetch_related(
        "document", "slip", "staff")
    result = []
    for row in rows:
        if row.slip is not None:
            hit = _slip_hit(row.slip)
        else:
            assert row.document is not None
            hit = _in_hit(row.document)
        result.append((Hit(hit.kind, hit.id, hit.number, hit.title, row.department, hit.on,
                           common.RED), row))
    return result
