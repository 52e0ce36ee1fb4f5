"""Publicity in the reports: stories by level and front pages, information pieces, drafting by
kind and bulletin issues; pieces waiting for the office, versions to review, tasks due."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.core import Role, Staff
from models.publicity import (
    TASK_OPEN,
    TASK_WAITING_ON_DRAFTER,
    Bulletin,
    DraftingTask,
    MediaReport,
)
from services.publicity import bulletin, config, drafting, info
from services.publicity.figures import METRICS, publicity_figures
from services.reports import Figures, Item, Period, mine, office, section, todo

OFFICE_ROLES = (Role.OFFICE, Role.ADMIN)
#: Tasks due within this many days show in the person's daily report.
SOON = timedelta(days=3)


@section("publicity", METRICS, order=45)
async def figures(start: datetime, end: datetime) -> Figures:
    """Stories (once, at their highest level), front pages, pieces, drafts by kind, issues."""
    tz = config.tz()
    found = await publicity_figures(start.astimezone(tz).date(), end.astimezone(tz).date())
    return {key: float(value) for key, value in found.items()}


def _days(since: datetime | None, now: datetime) -> int:
    return max((now - since).days, 0) if since else 0


def _deadline(task: DraftingTask) -> str:
    return task.deadline.astimezone(config.tz()).strftime("%m-%d %H:%M") if task.deadline \
        else "—"


def _task_item(task: DraftingTask, now: datetime) -> Item:
    late = task.deadline is not None and task.deadline <= now
    return Item("publicity.item.task_due", {
        "id": task.id, "title": task.title, "deadline": _deadline(task),
        "variant": "late" if late else "open"}, button=("publicity.btn.upload", "pub", "tup",
                                                        str(task.id)))


async def _pieces_waiting(now: datetime) -> list[Item]:
    return [Item("publicity.item.piece_waiting", {
        "id": p.id, "title": p.title, "name": p.author.name, "days": _days(p.submitted_at, now),
        "waited_h": max(int((now - p.submitted_at).total_seconds() // 3600), 0)
        if p.submitted_at else 0},
        button=("publicity.btn.open", "pub", "icard", str(p.id))) for p in await info.waiting()]


async def _versions(staff: Staff) -> list[Item]:
    return [Item("publicity.item.version_waiting", {
        "id": v.task.id, "n": v.number, "title": v.task.title},
        button=("publicity.btn.open", "pub", "vshow", str(v.id)))
        for v in await drafting.to_review(staff)]


@todo("publicity", order=45)
async def waiting_for(staff: Staff, now: datetime) -> list[Item]:
    """Pieces waiting for the office's decision, versions waiting for the assigner, and the
    person's drafting tasks still owed."""
    items = []
    if staff.role in OFFICE_ROLES:
        items += await _pieces_waiting(now)
    items += await _versions(staff)
    owed = await DraftingTask.filter(drafter_id=staff.id, status__in=TASK_WAITING_ON_DRAFTER
                                     ).order_by("deadline", "id")
    items += [_task_item(task, now) for task in owed]
    return items


@mine("publicity", order=45)
async def my_day(staff: Staff, day: Period, now: datetime) -> list[Item]:
    """The person's drafting tasks due soon, and versions they must review."""
    due = await drafting.due_for(staff, now + SOON)
    return [_task_item(task, now) for task in due] + await _versions(staff)


@office("publicity", order=45)
async def office_day(day: Period, now: datetime) -> list[Item]:
    """Pieces waiting, drafting tasks due today or late, yesterday's reports, the next 参阅."""
    items = []
    waiting = await info.waiting()
    if waiting:
        items.append(Item("publicity.item.pieces_waiting", {"n": len(waiting)}))
    tasks = await DraftingTask.filter(status__in=TASK_OPEN, deadline__lt=day.end).exclude(
        deadline=None).prefetch_related("drafter").order_by("deadline", "id")
    for task in tasks:
        items.append(Item("publicity.item.task_office", {
            "id": task.id, "title": task.title, "name": task.drafter.name if task.drafter else "",
            "deadline": _deadline(task),
            "variant": "late" if task.deadline and task.deadline <= now else "today"}))
    yesterday = (day.start - timedelta(days=1)).date()
    reports = await MediaReport.filter(published_on=yesterday).count()
    if reports:
        items.append(Item("publicity.item.reports_yesterday", {"n": reports}))
    draft = await Bulletin.get_or_none(draft_slot=1)
    queued = len(await bulletin.items(draft.id)) if draft is not None else 0
    if queued:
        items.append(Item("publicity.item.bulletin_queued", {"n": queued},
                          command="canyue"))
    return items
