"""Public opinion in the reports: items watched, negative and handled, zero reports; the cases
waiting for the duty office, the leaders or the person they were given to."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.core import Role, Staff
from models.opinion import CaseStatus, OpinionCase
from services.opinion.report import opinion_figures, summary
from services.reports import Figures, Item, Period, mine, office, section, todo

OPEN = (CaseStatus.PENDING, CaseStatus.HANDLING)
#: Who acts on an alert nobody took yet (as the alert cards go to them).
DUTY = (Role.OFFICE, Role.LEADER)


def _variant(figures: Figures) -> str | None:
    """'all handled' may only be said when every negative story was handled."""
    if not figures.get("negative"):
        return "none"
    return "all_handled" if figures["handled"] >= figures["negative"] else "open"


@section("opinion", ("items_monitored", "negative", "handled", "false_alarms",
                     "zero_report_days"), order=40, variant=_variant)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Items monitored, negative stories and their handling, zero-report days."""
    return {k: float(v) for k, v in (await opinion_figures(start, end)).items()}


async def _my_cases(staff: Staff) -> list[OpinionCase]:
    return list(await OpinionCase.filter(assignee_id=staff.id, status__in=OPEN)
                .order_by("created_at").prefetch_related("item"))


def _case_item(case: OpinionCase, *, mine_: bool) -> Item:
    """A case: the person it was given to reports it handled, the duty staff take it (知悉)."""
    button = ("reports.btn.handled", "yq", "dn", str(case.id)) if mine_ else \
        ("reports.btn.ack", "yq", "ack", str(case.id))
    return Item("reports.item.opinion_case",
                {"id": case.id, "title": case.item.title or case.item.text[:40],
                 "level": case.level, "status": case.status.value},
                button=button)


async def _untaken() -> list[OpinionCase]:
    """Open cases nobody was given yet: they wait for the duty office and the leaders."""
    return list(await OpinionCase.filter(status=CaseStatus.PENDING, assignee_id=None)
                .order_by("created_at").prefetch_related("item"))


@mine("opinion", order=40)
async def my_cases(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """The cases given to the person; for the office and leaders also yesterday's watch and
    the cases nobody took yet."""
    items = [_case_item(c, mine_=True) for c in await _my_cases(staff)]
    if staff.role in DUTY:
        items += await yesterday(day, now)
        items += [_case_item(c, mine_=False) for c in await _untaken()]
    return items


@todo("opinion", order=40)
async def cases_to_handle(staff: Staff, now: datetime) -> list[Item]:
    """Each open case given to the person (已处置), and for the office and leaders each case
    nobody took yet (知悉)."""
    items = [_case_item(c, mine_=True) for c in await _my_cases(staff)]
    if staff.role in DUTY:
        items += [_case_item(c, mine_=False) for c in await _untaken()]
    return items


@office("opinion", order=40)
async def yesterday(day: Period, now: datetime) -> list[Item]:
    """Summarise yesterday's watch: items, relevant, negative stories, a zero report or not."""
    start = day.start - timedelta(days=1)
    data = await summary(start, day.start)
    return [Item("reports.item.opinion_yesterday",
                 {"scanned": data["scanned"], "relevant": data["relevant"],
                  "negative": len(data["negatives"]), "open": data["older_open"],
                  "excluded": len(data["excluded"]),
                  "variant": ("zero" if data["zero"] else "found")
                  + ("_excluded" if data["excluded"] else "")})]
