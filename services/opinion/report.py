"""Daily and weekly opinion reports, trends and the figures for the annual report."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.core import ChatPurpose
from models.opinion import CaseStatus, DailyReport, OpinionCase, OpinionItem, SourcePoll
from services import outbox
from services.opinion import config
from services.opinion.handling import case_details
from services.staff import chat_for

SENTIMENTS = ("negative", "neutral", "positive")


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tz)


async def summary(start: datetime, end: datetime) -> dict[str, Any]:
    """What was watched in [start, end): items, sentiments, negative stories, sources."""
    items = OpinionItem.filter(fetched_at__gte=start, fetched_at__lt=end)
    scanned = await items.count()
    relevant = await items.filter(relevant=True).count()
    by_sentiment = {s: await items.filter(relevant=True, sentiment=s).count() for s in SENTIMENTS}
    # A story marked 误报 is not negative: its items count as neutral, and it is listed once
    # under 已排除, never among the negatives.
    dismissed = await items.filter(relevant=True, sentiment="negative",
                                   cluster__case__status=CaseStatus.FALSE_ALARM).count()
    by_sentiment["negative"] -= dismissed
    by_sentiment["neutral"] += dismissed
    case_ids = cast(list[int], await OpinionCase.filter(
        created_at__gte=start, created_at__lt=end).order_by("created_at").values_list(
        "id", flat=True))
    cases = [d for d in [await case_details(i) for i in case_ids] if d is not None]
    negatives = [d for d in cases if d["status"] != CaseStatus.FALSE_ALARM]
    excluded = [d for d in cases if d["status"] == CaseStatus.FALSE_ALARM]
    older_open = await OpinionCase.filter(
        created_at__lt=start, status__in=[CaseStatus.PENDING, CaseStatus.HANDLING]).count()
    polls = await SourcePoll.filter(at__gte=start, at__lt=end).order_by("at").prefetch_related(
        "source")
    checked: dict[str, int] = {}
    failed: dict[str, str] = {}
    for poll in polls:
        checked[poll.source.name] = checked.get(poll.source.name, 0) + 1
        if not poll.ok:
            failed[poll.source.name] = poll.error or ""
        else:
            failed.pop(poll.source.name, None)  # a later good poll means it recovered
    return {
        "start": start.isoformat(), "end": end.isoformat(),
        "scanned": scanned, "relevant": relevant, "sentiment": by_sentiment,
        "negatives": [_brief(d) for d in negatives], "older_open": older_open,
        "excluded": [_brief(d) for d in excluded],
        "sources_checked": sorted(checked), "sources_failed": sorted(failed.items()),
        "zero": not negatives,
    }


def _brief(details: dict[str, Any]) -> dict[str, Any]:
    return {k: details[k] for k in ("id", "title", "level", "status", "source", "assignee",
                                    "url", "story_size")}


async def trend(end_day: date, days: int, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Per day for the last `days` days up to end_day: relevant and negative items."""
    rows = []
    for offset in range(days - 1, -1, -1):
        day = end_day - timedelta(days=offset)
        start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
        items = OpinionItem.filter(fetched_at__gte=start, fetched_at__lt=end, relevant=True)
        negative = await items.filter(neg=True).count() - await items.filter(
            neg=True, cluster__case__status=CaseStatus.FALSE_ALARM).count()
        rows.append({"day": day.isoformat(), "relevant": await items.count(),
                     "negative": negative})
    return rows


async def send_daily_report(now: datetime) -> str:
    """Send today's report to the leaders' group (once a day); 今日零报告 when nothing negative."""
    tz = config.get().tz
    day = now.astimezone(tz).date()
    # Since the last report: nothing that came after yesterday's report is left out.
    data = await summary(now - timedelta(days=1), now + timedelta(microseconds=1))
    data["day"] = day.isoformat()
    group = await chat_for(ChatPurpose.LEADERS)
    try:
        async with in_transaction():
            await DailyReport.create(day=day, scanned=data["scanned"], relevant=data["relevant"],
                                     negative=len(data["negatives"]), zero=data["zero"],
                                     created_at=now)
            if group is not None:
                await outbox.emit("opinion.daily", group, data, f"opinion:daily:{day}@{group}")
    except IntegrityError:
        return f"{day}: already reported"
    kind = "zero report" if data["zero"] else f"{len(data['negatives'])} negative"
    return f"{day}: {kind}, {data['relevant']}/{data['scanned']} relevant" + (
        "" if group is not None else ", no leaders group bound")


async def opinion_figures(start: datetime, end: datetime) -> dict[str, int]:
    """Figures for the annual report: items monitored, negative, handled, zero-report days."""
    items = OpinionItem.filter(fetched_at__gte=start, fetched_at__lt=end)
    cases = OpinionCase.filter(created_at__gte=start, created_at__lt=end)
    tz = config.get().tz
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    return {
        "items_monitored": await items.count(),
        "relevant": await items.filter(relevant=True).count(),
        "negative": await cases.exclude(status=CaseStatus.FALSE_ALARM).count(),
        "handled": await cases.filter(status=CaseStatus.HANDLED).count(),
        "false_alarms": await cases.filter(status=CaseStatus.FALSE_ALARM).count(),
        "zero_report_days": await DailyReport.filter(day__gte=first, day__lt=last,
                                                     zero=True).count(),
    }


async def dismiss_from_reports(case: OpinionCase) -> None:
    """A story found to be a false alarm leaves the counts of the daily report that named it
    (each report covers the day before it was sent): one naming nothing else was a zero report
    after all."""
    for daily in await DailyReport.filter(
            created_at__gte=case.created_at,
            created_at__lt=case.created_at + timedelta(days=1)).select_for_update():
        daily.negative = max(daily.negative - 1, 0)
        daily.zero = daily.negative == 0
        await daily.save(update_fields=["negative", "zero"])
