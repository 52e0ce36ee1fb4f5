"""The holiday calendar as data: next year's notice kept in a YAML store, and the admin's to-do."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from models.core import Role, Staff
from services import outbox, workdays
from services.approvals.flows import POLICY
from services.errors import InvalidInput
from services.inputs import to_int
from services.reports import Item, todo

#: From this month on, an unknown next year is worth a warning (this year always is).
WARN_FROM_MONTH = 12


def read_notice(text: str) -> dict[int, dict[str, list[date]]]:
    """Parse `{2027: {holidays: [...], workdays: [...]}}`, checking every date and year."""
    try:
        # Every scalar as text, so a bad date is named by our own check, not by YAML.
        data = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise InvalidInput("calendar.error.yaml", detail=str(exc)[:200]) from exc
    if not isinstance(data, dict) or not data:
        raise InvalidInput("calendar.error.shape")
    notice: dict[int, dict[str, list[date]]] = {}
    for year_key, days in data.items():
        year = to_int(str(year_key), low=2000, high=2100)
        if year is None:
            raise InvalidInput("calendar.error.year", value=str(year_key)[:20])
        if not isinstance(days, dict) or not set(days) <= {"holidays", "workdays"}:
            raise InvalidInput("calendar.error.shape")
        parsed: dict[str, list[date]] = {}
        for kind in ("holidays", "workdays"):
            parsed[kind] = []
            for value in days.get(kind) or []:
                try:
                    day = value if isinstance(value, date) else date.fromisoformat(str(value))
                except ValueError as exc:
                    raise InvalidInput("calendar.error.date", value=str(value)) from exc
                if day.year != year and not (kind == "workdays" and day.year == year - 1):
                    raise InvalidInput("calendar.error.wrong_year", value=str(day), year=year)
                parsed[kind].append(day)
        if set(parsed["holidays"]) & set(parsed["workdays"]):
            raise InvalidInput("calendar.error.both", year=year)
        if not parsed["holidays"]:
            raise InvalidInput("calendar.error.no_holidays", year=year)
        notice[year] = parsed
    return notice


def _apply(notice: dict[int, dict[str, list[date]]]) -> None:
    for year, days in notice.items():
        workdays.set_extra_days(days["holidays"], days["workdays"], [year])


def load_store(store: Path) -> list[int]:
    """Apply the saved notices (at start-up and each day); the years they cover."""
    if not store.exists():
        return []
    notice = read_notice(store.read_text(encoding="utf-8"))
    _apply(notice)
    return sorted(notice)


def save_notice(source: Path, store: Path) -> list[int]:
    """Check a notice file, merge it into the store (a later notice of a year replaces it)."""
    notice = read_notice(source.read_text(encoding="utf-8"))
    merged: dict[int, dict[str, list[date]]] = {}
    if store.exists():
        merged = read_notice(store.read_text(encoding="utf-8"))
    merged.update(notice)
    body: dict[int, Any] = {
        year: {kind: [d.isoformat() for d in sorted(days[kind])] for kind in days}
        for year, days in sorted(merged.items())
    }
    store.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=store.parent, prefix=".calendar-", suffix=".yaml")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        yaml.safe_dump(body, out, allow_unicode=True, sort_keys=True)
    os.replace(temp, store)  # a crash never leaves half a file
    _apply(notice)
    return sorted(notice)


def unknown_years(today: date) -> list[int]:
    """The years the calendar lacks and needs now: this year, and next year from December on.

    In an unknown year workdays are simply Monday to Friday (services.workdays); the bot keeps
    working, and the admin is asked to load the State Council's notice.
    """
    years = [] if workdays.known_year(today.year) else [today.year]
    if today.month >= WARN_FROM_MONTH and not workdays.known_year(today.year + 1):
        years.append(today.year + 1)
    return years


async def warn_if_unknown(now: datetime, today: date) -> str:
    """Tell the admins once per year (through the outbox) that a year's holidays are missing."""
    years = unknown_years(today)
    if not years:
        return "calendar known"
    told = []
    for year in years:
        sent = await outbox.emit_to_admins("reports.calendar_unknown", {"year": year},
                                           f"calendar-unknown:{year}")
        told.append(f"{year} unknown: {sent} admins told" if sent
                    else f"{year} unknown: already told")
    return "; ".join(told)


@todo("calendar", order=90)
async def calendar_todo(staff: Staff, now: datetime) -> list[Item]:
    """For admins: load the holiday notice of this year or (in December) next year."""
    if staff.role != Role.ADMIN:
        return []
    return [Item("reports.item.calendar_unknown", {"year": year},
                 button=("reports.btn.calendar", "reports", "cal", str(year)))
            for year in unknown_years(now.astimezone(POLICY.tz).date())]
