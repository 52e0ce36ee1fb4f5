"""Official receptions (公务接待): plan, check against the rules, approve, complete, export."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from models.core import Staff
from models.receptions import OfficialMeal, Reception
from services import exports
from services.errors import StaleAction
from services.receptions import events, export, ports
from services.receptions.complete import (
    actual_breaches,
    ask_actuals,
    differences,
    planned_cost,
    record_actuals,
)
from services.receptions.lists import (
    between,
    month_span,
    reception_figures,
    search,
    upcoming,
    year_meals,
    year_span,
)
from services.receptions.plan import (
    EDITABLE,
    STEPS,
    Answer,
    ChecksFailed,
    cancel,
    checks,
    choose_leader,
    choose_room,
    edit,
    free_rooms,
    get,
    leaders,
    may_change,
    open_question,
    start_or_resume,
    submit,
)
from services.receptions.plan import answer as answer_step
from services.receptions.rules import Breach, Rules

__all__ = [
    "EDITABLE", "STEPS", "Answer", "Breach", "ChecksFailed", "Rules", "actual_breaches",
    "answer", "ask_actuals", "between", "cancel", "checks", "choose_leader", "choose_room",
    "differences", "edit", "export_form", "export_ledger", "free_rooms", "get", "leaders",
    "may_change", "month_span", "open_question", "planned_cost", "reception_figures",
    "record_actuals", "search", "start_or_resume", "submit", "upcoming", "year_meals",
    "year_span",
]  # fmt: skip

# The engine calls this inside its own transaction when a plan is approved, rejected, withdrawn.
ports.on_outcome(events.on_outcome)


async def answer(staff: Staff, given: Answer, *, rules: Rules, tz: str) -> Reception:
    """Apply what the planner sent to their open question (a plan step or the actual figures)."""
    current = await open_question(staff)
    if current is None:
        raise StaleAction("receptions.error.no_question")
    if current.step == "complete":
        return await record_actuals(staff, current.id, given.text, rules)
    return await answer_step(staff, current.id, given, rules=rules, tz=tz)


async def export_ledger(year: int, month: int | None, tz: str) -> tuple[str, bytes, int]:
    """Build the month's reception list or the year's ledger: (file name, bytes, rows)."""
    zone = ZoneInfo(tz)
    if month is None:
        start, end = year_span(year, zone)
        title, name = f"{year}年公务接待台账", f"reception-ledger-{year}.xlsx"
    else:
        start, end = month_span(year, month, zone)
        title, name = f"{year}年{month}月公务接待清单", f"reception-list-{year}-{month:02d}.xlsx"
    found = await between(start, end)
    last = (end - timedelta(days=1)).date()
    period = exports.period_text(start.date(), last)
    # Written off the event loop: a year's ledger must not keep other users waiting.
    meals = await OfficialMeal.filter(held_at__gte=start, held_at__lt=end).order_by(
        "held_at", "id").prefetch_related("recorded_by")
    data = await asyncio.to_thread(export.reception_list, found, title, zone, period, meals)
    return name, data, len(found)


async def export_form(reception_id: int, tz: str) -> tuple[str, bytes]:
    """Build one reception's approval form: (file name, bytes)."""
    reception = await get(reception_id)
    data = export.approval_form(reception, ZoneInfo(tz), reception.host_leader,  # type: ignore[arg-type]
                                reception.created_by)  # type: ignore[arg-type]
    return f"reception-form-{reception.id}.xlsx", data
