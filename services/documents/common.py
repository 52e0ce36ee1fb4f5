"""What the documents feature shares: its settings, numbers, colours, departments, prompts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.documents import DocumentCounter, Prompt
from services import clock, workdays
from services.errors import InvalidInput, NotAllowed

INCOMING_PREFIX = "收文"
SLIP_PREFIX = "督办"
BULLETIN_PREFIX = "督查专报"
OFFICE_ROLES = (Role.ADMIN, Role.OFFICE)
#: A prompt older than this no longer reads what the person types (a completion report being
#: put together over several messages keeps longer: what was sent of it is not lost).
PROMPT_TTL = timedelta(minutes=30)
LONG_PROMPTS = {"rep": timedelta(hours=4)}


@dataclass
class Policy:
    """Thresholds and the office's zone, set from the settings."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    #: Yellow when this many days or fewer remain.
    yellow_days: int = 3
    #: The office is chased too once an item has been red this many workdays.
    office_after_days: int = 2
    #: Prefixes of outgoing numbers (园区发〔2026〕12号): one sequence per prefix and year.
    prefixes: tuple[str, ...] = ("园区发",)


POLICY = Policy()


def configure(settings: Any) -> None:
    """Take the thresholds from the settings (missing ones keep their defaults)."""
    if settings is None:
        return
    POLICY.tz = ZoneInfo(getattr(settings, "timezone", "Asia/Shanghai"))
    POLICY.yellow_days = int(getattr(settings, "documents_yellow_days", 3))
    POLICY.office_after_days = int(getattr(settings, "documents_office_after_days", 2))
    prefixes = str(getattr(settings, "documents_outgoing_prefixes", "园区发"))
    POLICY.prefixes = tuple(p.strip() for p in prefixes.split(",") if p.strip()) or ("园区发",)


def today() -> date:
    return clock.now().astimezone(POLICY.tz).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(POLICY.tz)


def require_office(staff: Staff) -> None:
    if staff.role not in OFFICE_ROLES:
        raise NotAllowed("documents.error.office_only")


def is_office(staff: Staff) -> bool:
    return staff.role in OFFICE_ROLES


# ------------------------------------------------------------------ numbers


async def take_number(prefix: str, year: int) -> int:
    """Take the next number of a sequence, inside the caller's transaction.

    The counter row is locked (PostgreSQL) or the write transaction holds the database (SQLite):
    two takers never get one number, and a rolled-back taker gives its number back, so the
    numbers have no gap.
    """
    await DocumentCounter.bulk_create([DocumentCounter(prefix=prefix, year=year, taken=0)],
                                      ignore_conflicts=True)
    row = await DocumentCounter.filter(prefix=prefix, year=year).select_for_update().get()
    row.taken += 1
    await row.save(update_fields=["taken"])
    return row.taken


def incoming_no(year: int | None, seq: int | None) -> str:
    if year is None or seq is None:
        return ""
    return f"{INCOMING_PREFIX}〔{year}〕{seq:04d}号"


def outgoing_no(prefix: str, year: int | None, number: int | None) -> str:
    if year is None or number is None:
        return ""
    return f"{prefix}〔{year}〕{number}号"


def slip_no(year: int | None, seq: int | None) -> str:
    if year is None or seq is None:
        return ""
    return f"{SLIP_PREFIX}〔{year}〕{seq}号"


# ------------------------------------------------------------------ colours


GREEN, YELLOW, RED, DONE = "green", "yellow", "red", "done"


def days_left(due: date, day: date, in_workdays: bool) -> int:
    """Days from `day` to the deadline (workdays when it counts them); negative once past."""
    if due < day:
        if not in_workdays:
            return -(day - due).days
        count, current = 0, due
        while current < day:
            current += timedelta(days=1)
            if workdays.is_workday(current):
                count += 1
        return -max(count, 1)
    if not in_workdays:
        return (due - day).days
    count, current = 0, day
    while current < due:
        current += timedelta(days=1)
        if workdays.is_workday(current):
            count += 1
    return count


def colour(due: date | None, in_workdays: bool, day: date, *, done: bool = False) -> str:
    """Green, yellow (this many days or fewer left) or red (overdue); done when finished."""
    if done:
        return DONE
    if due is None:
        return GREEN
    if day > due:
        return RED
    return YELLOW if days_left(due, day, in_workdays) <= POLICY.yellow_days else GREEN


# ------------------------------------------------------------------ departments


async def departments() -> list[str]:
    """The departments the staff registry knows (the ones that can handle documents)."""
    names = await Staff.filter(active=True).exclude(department="").distinct().values_list(
        "department", flat=True)
    return sorted(set(names))  # type: ignore[arg-type]


async def people_names() -> list[str]:
    return list(await Staff.filter(active=True).values_list("name", flat=True))  # type: ignore[arg-type]


async def responsible(department: str, named: list[str]) -> Staff:
    """Who answers for a department: a person named in the instruction, else its head."""
    members = list(await Staff.filter(active=True, department=department).order_by("id"))
    if not members:
        raise InvalidInput("documents.error.department_empty", department=department)
    for person in members:
        if person.name in named:
            return person
    heads = [p for p in members if p.is_head]
    non_leaders = [p for p in members if p.role != Role.LEADER]
    return (heads or non_leaders or members)[0]


async def head_of(department: str) -> Staff | None:
    return await Staff.filter(active=True, department=department, is_head=True).order_by(
        "id").first()


# ------------------------------------------------------------------ prompts


async def ask(staff: Staff, action: str, target: int, data: dict[str, Any] | None = None
              ) -> Prompt:
    """Make this person's next message the answer to `action` (replacing any older question)."""
    async with in_transaction():
        await Prompt.filter(staff_id=staff.id).delete()
        return await Prompt.create(staff=staff, action=action, target=target, data=data or {},
                                   created_at=clock.now())


async def open_prompt(staff: Staff) -> Prompt | None:
    """The question this person's next message answers, if one is open and fresh."""
    found = await Prompt.get_or_none(staff_id=staff.id)
    if found is None:
        return None
    if found.created_at < clock.now() - LONG_PROMPTS.get(found.action, PROMPT_TTL):
        await Prompt.filter(id=found.id).delete()
        return None
    return found


async def drop_prompt(staff: Staff, action: str | None = None) -> None:
    query = Prompt.filter(staff_id=staff.id)
    if action is not None:
        query = query.filter(action=action)
    await query.delete()


async def update_prompt(prompt: Prompt, data: dict[str, Any]) -> None:
    prompt.data = data
    prompt.created_at = clock.now()
    await prompt.save(update_fields=["data", "created_at"])


def clip(text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("documents.error.empty")
    if len(text) > limit:
        raise InvalidInput("error.too_long", limit=limit)
    return text
