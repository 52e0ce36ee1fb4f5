"""Public opinion in the reports: items watched, negative and handled, zero reports; my cases."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.core import Staff
from models.opinion import CaseStatus, OpinionCase
from services.opinion.report import opinion_figures, summary
from services.reports import Figures, Item, Period, mine, office, section, todo

OPEN = (CaseStatus.PENDING, CaseStatus.HANDLING)


def _variant(figures: Figures) -> str | None:
    """'all handled' may only be said when every negative story was handled."""
    if not figures.get("negative"):
        return "none"
    return "all_handled" if figures["handled"] + figures["false_alarms"] >= figures[
        "negative"] else "open"


@section("opinion", ("items_monitored", "negative", "handled", "false_alarms",
                     "zero_report_days"), order=40, variant=_variant)
async def figures(start: datetime, end: datetime) -> dict[str, float]:
    """Items monitored, negative stories and their handling, zero-report days."""
    return {k: float(v) for k, v in (await opinion_figures(start, end)).items()}


async def _my_cases(staff: Staff) -> list[OpinionCase]:
    return list(await OpinionCase.filter(assignee_id=staff.id, status__in=OPEN)
                .order_by("created_at").prefetch_related("item"))


def _case_item(case: OpinionCase) -> Item:
    return Item("reports.item.opinion_case",
                {"title": case.item.title or case.item.text[:40], "level": case.level,
                 "status": case.status.value},
                button=("reports.btn.handled", "yq", "ok", str(case.id)))


@mine("opinion", order=40)
async def my_cases(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """List the negative stories assigned to the person and not yet closed."""
    return [_case_item(c) for c in await _my_cases(staff)]


@todo("opinion", order=40)
async def cases_to_handle(staff: Staff, now: datetime) -> list[Item]:
    """Each open negative story assigned to the person, with its 已处置 button."""
    return [_case_item(c) for c in await _my_cases(staff)]


@office("opinion", order=40)
async def yesterday(day: Period, now: datetime) -> list[Item]:
    """Summarise yesterday's watch: items, relevant, negative stories, a zero report or not."""
    start = day.start - timedelta(days=1)
    data = await summary(start, day.start)
    return [Item("reports.item.opinion_yesterday",
                 {"scanned": data["scanned"], "relevant": data["relevant"],
                  "negative": len(data["negatives"]), "open": data["older_open"],
                  "variant": "zero" if data["zero"] else "found"})]
