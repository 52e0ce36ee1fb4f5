"""Drafting tasks (文稿): a leader or the office assigns, the drafter uploads DOCX versions, the
assigner returns one with comments or accepts it; deadlines are chased in working hours, the
workday before and on the day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.publicity import (
    TASK_OPEN,
    TASK_WAITING_ON_DRAFTER,
    DraftingTask,
    DraftKind,
    DraftVersion,
    PublicityFile,
    TaskStatus,
    VersionVerdict,
)
from services import clock, workdays
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.publicity import config, files, parse, prompts, records
from services.staff import require_role
from services.timeparse import parse_time

ASSIGNERS = (Role.LEADER, Role.OFFICE)
MAX_TITLE, MAX_BRIEF, MAX_COMMENT = 200, 2000, 1000
PROMPT_TASK, PROMPT_COMMENT, PROMPT_UPLOAD = "task", "comment", "upload"
#: A deadline given as a day alone is the end of that working day.
DAY_END = workdays.WORK_END
#: How far ahead a deadline may be.
MAX_AHEAD = timedelta(days=366)


async def get(task_id: int) -> DraftingTask:
    return await records.row(DraftingTask, task_id, "publicity.error.no_task")


async def _locked(task_id: int) -> DraftingTask:
    return await records.row(DraftingTask, task_id, "publicity.error.no_task", locked=True)


def may_decide(actor: Staff, task: DraftingTask) -> bool:
    """The assigner decides on versions (an admin may stand in)."""
    return actor.role == Role.ADMIN or actor.id == task.assigner_id  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- assigning


async def new_task(actor: Staff, chat_id: int, text: str = "") -> DraftingTask:
    """Open (or continue) the assigner's task being set up, filling in what the text says."""
    require_role(actor, *ASSIGNERS)
    task = await DraftingTask.filter(assigner_id=actor.id, status=TaskStatus.DRAFT).first()
    if task is None:
        task = await DraftingTask.create(assigner=actor, created_at=clock.now())
    if text.strip():
        task = await fill(actor, task.id, text)
    await prompts.ask(actor, chat_id, PROMPT_TASK, task.id)
    return task


async def _own_draft(actor: Staff, task_id: int) -> DraftingTask:
    task = await get(task_id)
    if task.assigner_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("publicity.error.not_your_task", id=task_id)
    if task.status != TaskStatus.DRAFT:
        raise StaleAction("publicity.error.task_sent", id=task_id)
    return task


async def person(text: str) -> Staff:
    """One active staff member by name (or @username)."""
    text = text.strip().lstrip("@") if text.strip().startswith("@") else text.strip()
    if not text or len(text) > 64:
        raise InvalidInput("publicity.error.no_such_person", name=text[:64] or "∅")
    people = await Staff.filter(active=True, name=text)
    if not people:
        people = await Staff.filter(active=True, username=text)
    if not people:
        raise InvalidInput("publicity.error.no_such_person", name=text)
    if len(people) > 1:
        raise InvalidInput("publicity.error.ambiguous_person", name=text)
    return people[0]


def deadline_of(text: str, now: datetime) -> tuple[datetime, str]:
    """'12月5日' (the end of that working day), '周五前', '12月5日下午3点' -> the instant, and
    the words around the time expression."""
    tz = config.tz()
    found = parse_time(text, now, tz=tz.key)
    if found.question == "last_or_next":
        # A yearless date already gone this year: most likely a slip, so say it has passed.
        gone = date.fromisoformat(str(found.question_params["last"]))
        raise InvalidInput("publicity.error.deadline_past",
                           value=datetime.combine(gone, DAY_END).strftime("%Y-%m-%d %H:%M"))
    if found.status == "none" or found.start is None:
        raise InvalidInput("publicity.error.bad_deadline", value=text.strip()[:30])
    if found.status == "ask" and found.question != "past_date":
        raise InvalidInput("publicity.error.bad_deadline", value=text.strip()[:30])
    if found.deadline and found.end is not None:
        day = (found.end - timedelta(seconds=1)).astimezone(tz).date()
        when = datetime.combine(day, DAY_END, tz)
    elif found.grain in ("day", "week", "month", "year"):
        last = (found.end - timedelta(seconds=1)) if found.end else found.start
        when = datetime.combine(last.astimezone(tz).date(), DAY_END, tz)
    else:
        when = found.start
    if when <= now:
        raise InvalidInput("publicity.error.deadline_past",
                           value=when.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
    if when > now + MAX_AHEAD:
        raise InvalidInput("publicity.error.deadline_far",
                           value=when.astimezone(tz).strftime("%Y-%m-%d"))
    return when, found.rest.strip()


async def fill(actor: Staff, task_id: int, text: str) -> DraftingTask:
    """Read '讲话 起草人 刘工 截止 12月5日 字数 3000 题目 … 要求 …' into the task being set up.

    Keyword fields may come in any order and over several messages; before the first keyword,
    a kind word (讲话, 请示…), a staff member's name and a length (3000字) are recognised and
    any other words are the title.
    """
    task = await _own_draft(actor, task_id)
    head, found = parse.task_fields(text.strip())
    title_words: list[str] = []
    for word in head.split():
        kind = parse.DRAFT_KIND_WORDS.get(word.lower())
        if kind is not None and "kind" not in found and task.kind is None:
            found["kind"] = word
            continue
        if "drafter" not in found and await Staff.filter(active=True, name=word).exists():
            found["drafter"] = word
            continue
        if "length" not in found and parse.length_of_or_none(word) is not None:
            found["length"] = word
            continue
        title_words.append(word)
    if title_words and "title" not in found:
        found["title"] = " ".join(title_words)
    if not found:
        raise InvalidInput("publicity.error.task_nothing")
    if "kind" in found:
        kind = parse.DRAFT_KIND_WORDS.get(found["kind"].strip().lower())
        if kind is None:
            raise InvalidInput("publicity.error.bad_kind", value=found["kind"][:20])
        task.kind = kind
    if "drafter" in found:
        task.drafter = await person(found["drafter"])  # type: ignore[assignment]
    if "deadline" in found:
        task.deadline, rest = deadline_of(found["deadline"], clock.now())
        if rest and "title" not in found:
            found["title"] = rest
    if "length" in found:
        task.length = parse.length_of(found["length"])
    if "title" in found:
        title = " ".join(found["title"].split())
        if len(title) > MAX_TITLE:
            raise InvalidInput("publicity.error.task_title_long", limit=MAX_TITLE)
        task.title = title
    if "brief" in found:
        brief = found["brief"].strip()
        if len(brief) > MAX_BRIEF:
            raise InvalidInput("publicity.error.brief_long", limit=MAX_BRIEF)
        task.brief = brief
    await task.save()
    return task


def missing(task: DraftingTask) -> list[str]:
    """What the task still needs before it can be sent to the drafter."""
    gaps = []
    if task.kind is None:
        gaps.append("kind")
    if not task.title:
        gaps.append("title")
    if task.drafter_id is None:  # type: ignore[attr-defined]
        gaps.append("drafter")
    if task.deadline is None:
        gaps.append("deadline")
    return gaps


async def dispatch(actor: Staff, task_id: int) -> DraftingTask:
    """Send the task to its drafter (with an upload button)."""
    async with in_transaction():
        task = await _locked(task_id)
        if task.assigner_id != actor.id:  # type: ignore[attr-defined]
            raise NotAllowed("publicity.error.not_your_task", id=task_id)
        if task.status != TaskStatus.DRAFT:
            raise StaleAction("publicity.error.task_sent", id=task_id)
        gaps = missing(task)
        if gaps:
            raise InvalidInput("publicity.error.task_missing", fields=",".join(gaps))
        assert task.deadline is not None
        if task.deadline <= clock.now():
            raise InvalidInput("publicity.error.deadline_past",
                               value=task.deadline.astimezone(config.tz())
                               .strftime("%Y-%m-%d %H:%M"))
        task.status, task.assigned_at = TaskStatus.OPEN, clock.now()
        await task.save(update_fields=["status", "assigned_at"])
        await prompts.done(actor, PROMPT_TASK)
        await records.tell(task.drafter_id, "publicity.task_assigned",  # type: ignore[attr-defined]
                           {"task_id": task.id}, f"pub.task.assigned:{task.id}")
    return task


async def cancel(actor: Staff, task_id: int) -> DraftingTask:
    """Call a task off (its assigner); the drafter is told if it had reached them."""
    async with in_transaction():
        task = await _locked(task_id)
        if not may_decide(actor, task):
            raise NotAllowed("publicity.error.not_your_task", id=task_id)
        if task.status in (TaskStatus.ACCEPTED, TaskStatus.CANCELLED):
            raise StaleAction(f"publicity.error.task_{task.status.value}", id=task_id)
        was_sent = task.status != TaskStatus.DRAFT
        task.status, task.done_at = TaskStatus.CANCELLED, clock.now()
        await task.save(update_fields=["status", "done_at"])
        await prompts.done(actor, PROMPT_TASK, task.id)
        if was_sent and task.drafter_id is not None:  # type: ignore[attr-defined]
            await records.tell(task.drafter_id, "publicity.task_cancelled",  # type: ignore[attr-defined]
                               {"task_id": task.id}, f"pub.task.cancelled:{task.id}")
    return task


# ---------------------------------------------------------------------------- versions


@dataclass
class Received:
    """A file a drafter sent: the version it became, or the tasks it could belong to."""

    version: DraftVersion | None = None
    file: PublicityFile | None = None
    choices: list[DraftingTask] = field(default_factory=list)


async def waiting_on(drafter: Staff) -> list[DraftingTask]:
    """The drafter's tasks that still want a version, nearest deadline first."""
    return list(await DraftingTask.filter(drafter_id=drafter.id, status__in=TASK_OPEN)
                .order_by("deadline", "id"))


async def receive(actor: Staff, chat_id: int, name: str, content: bytes) -> Received | None:
    """A document the person sent: a version of the task they were uploading for, or of their
    only open task; with several open tasks they are asked which. None: not a drafter's file."""
    prompt = await prompts.waiting(actor, chat_id)
    tasks = await waiting_on(actor)
    target = None
    if prompt is not None and prompt.kind == PROMPT_UPLOAD:
        target = next((t for t in tasks if t.id == prompt.target_id), None)
    if target is None and not tasks:
        return None
    if not files.is_docx(name, content):
        raise InvalidInput("publicity.error.not_docx", name=(name or "?")[:60])
    if target is None and len(tasks) > 1:
        async with in_transaction():
            stored = await files.store(actor, name, content)
        return Received(file=stored, choices=tasks)
    task = target or tasks[0]
    async with in_transaction():
        stored = await files.store(actor, name, content)
        version = await _add_version(actor, task.id, stored)
    return Received(version=version)


async def attach(actor: Staff, task_id: int, file_id: int) -> DraftVersion:
    """Make an already stored file (the drafter picked its task by button) a version."""
    stored = await files.get(file_id)
    if stored.uploaded_by_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("publicity.error.not_your_file")
    if await DraftVersion.exists(file_id=stored.id):
        raise StaleAction("publicity.error.file_used")
    async with in_transaction():
        return await _add_version(actor, task_id, stored)


async def _add_version(actor: Staff, task_id: int, stored: PublicityFile) -> DraftVersion:
    task = await _locked(task_id)
    if task.drafter_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("publicity.error.not_your_task", id=task_id)
    if task.status not in TASK_OPEN:
        raise StaleAction(f"publicity.error.task_{task.status.value}", id=task_id)
    last = await DraftVersion.filter(task_id=task.id).order_by("-number").first()
    number = last.number + 1 if last is not None else 1
    await DraftVersion.filter(task_id=task.id, verdict=VersionVerdict.PENDING).update(
        verdict=VersionVerdict.SUPERSEDED)
    version = await DraftVersion.create(task=task, number=number, file=stored,
                                        uploaded_at=clock.now())
    task.status = TaskStatus.REVIEW
    await task.save(update_fields=["status"])
    await prompts.done(actor, PROMPT_UPLOAD)
    await records.tell(task.assigner_id, "publicity.task_version",  # type: ignore[attr-defined]
                       {"version_id": version.id}, f"pub.task.version:{version.id}")
    return version


async def ask_upload(actor: Staff, task_id: int, chat_id: int) -> DraftingTask:
    task = await get(task_id)
    if task.drafter_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("publicity.error.not_your_task", id=task_id)
    if task.status not in TASK_OPEN:
        raise StaleAction(f"publicity.error.task_{task.status.value}", id=task_id)
    await prompts.ask(actor, chat_id, PROMPT_UPLOAD, task.id)
    return task


async def _pending_version(actor: Staff, version_id: int) -> tuple[DraftVersion, DraftingTask]:
    version = await DraftVersion.filter(id=version_id).select_for_update().first() \
        if 0 < version_id < 2**31 else None
    if version is None:
        raise NotFound("publicity.error.no_version", id=version_id)
    task = await _locked(version.task_id)  # type: ignore[attr-defined]
    if not may_decide(actor, task):
        raise NotAllowed("publicity.error.not_assigner", id=task.id)
    if version.verdict != VersionVerdict.PENDING:
        raise StaleAction(f"publicity.error.version_{version.verdict.value}",
                          id=task.id, n=version.number)
    return version, task


async def ask_comment(actor: Staff, version_id: int, chat_id: int) -> DraftVersion:
    """The assigner pressed 退回修改: their next message here is the comment."""
    async with in_transaction():
        version, _ = await _pending_version(actor, version_id)
        await prompts.ask(actor, chat_id, PROMPT_COMMENT, version.id)
    return version


async def give_back(actor: Staff, version_id: int, comment: str) -> DraftVersion:
    """Return the version with the assigner's comments; the drafter writes the next one."""
    comment = comment.strip()
    if not comment:
        raise InvalidInput("publicity.error.no_comment")
    if len(comment) > MAX_COMMENT:
        raise InvalidInput("publicity.error.comment_long", limit=MAX_COMMENT)
    async with in_transaction():
        version, task = await _pending_version(actor, version_id)
        version.verdict, version.comment = VersionVerdict.RETURNED, comment
        version.decided_at, version.decided_by = clock.now(), actor  # type: ignore[assignment]
        await version.save(update_fields=["verdict", "comment", "decided_at", "decided_by_id"])
        await DraftingTask.filter(id=task.id).update(status=TaskStatus.RETURNED,
                                                     returns=F("returns") + 1)
        await prompts.done(actor, PROMPT_COMMENT, version.id)
        await records.tell(task.drafter_id, "publicity.task_returned",  # type: ignore[attr-defined]
                           {"version_id": version.id}, f"pub.task.returned:{version.id}")
    return version


async def accept(actor: Staff, version_id: int) -> DraftVersion:
    """Accept the version as final: the task is done."""
    async with in_transaction():
        version, task = await _pending_version(actor, version_id)
        now = clock.now()
        version.verdict, version.decided_at = VersionVerdict.ACCEPTED, now
        version.decided_by = actor  # type: ignore[assignment]
        await version.save(update_fields=["verdict", "decided_at", "decided_by_id"])
        await DraftingTask.filter(id=task.id).update(status=TaskStatus.ACCEPTED, done_at=now)
        await records.tell(task.drafter_id, "publicity.task_accepted",  # type: ignore[attr-defined]
                           {"version_id": version.id}, f"pub.task.accepted:{version.id}")
    return version


async def versions(task_id: int) -> list[DraftVersion]:
    return list(await DraftVersion.filter(task_id=task_id).order_by("number"))


# ---------------------------------------------------------------------------- lists and chasing


async def open_tasks(actor: Staff) -> list[DraftingTask]:
    """Open tasks: all for the office and leaders, one's own (drafting or assigned) for staff."""
    query = DraftingTask.filter(status__in=TASK_OPEN)
    if actor.role not in (Role.ADMIN, Role.OFFICE, Role.LEADER):
        mine = await DraftingTask.filter(status__in=TASK_OPEN, drafter_id=actor.id
                                         ).values_list("id", flat=True)
        query = query.filter(id__in=list(mine) or [0])
    return list(await query.order_by("deadline", "id").prefetch_related("drafter", "assigner"))


def reminder_day(deadline_day: date) -> date:
    """The workday before the deadline's day (when the day-before reminder goes out)."""
    day = deadline_day - timedelta(days=1)
    for _ in range(30):
        if workdays.is_workday(day):
            return day
        day -= timedelta(days=1)
    return deadline_day - timedelta(days=1)


def in_working_hours(now: datetime) -> bool:
    local = now.astimezone(config.tz())
    return workdays.is_workday(local.date()) and \
        workdays.WORK_START <= local.time() < workdays.WORK_END


async def chase(now: datetime) -> dict[str, int]:
    """Remind drafters in working hours on the workday before the deadline and on the day, and
    tell drafter and assigner once when it has passed (each step claimed once)."""
    counts = {"before": 0, "day": 0, "overdue": 0}
    if not in_working_hours(now):
        return counts
    tz = config.tz()
    today = now.astimezone(tz).date()
    tasks = await DraftingTask.filter(status__in=TASK_WAITING_ON_DRAFTER).exclude(deadline=None)
    for task in tasks:
        assert task.deadline is not None and task.assigned_at is not None
        due_day = task.deadline.astimezone(tz).date()
        assigned_day = task.assigned_at.astimezone(tz).date()
        if now >= task.deadline:
            counts["overdue"] += await _claim(task, "overdue_at", now, "overdue")
        elif due_day == today and assigned_day < today:
            counts["day"] += await _claim(task, "reminded_day_at", now, "today")
        elif today == reminder_day(due_day) and assigned_day < today:
            counts["before"] += await _claim(task, "reminded_before_at", now, "before")
    return counts


async def _claim(task: DraftingTask, column: str, now: datetime, when: str) -> int:
    async with in_transaction():
        claimed = await DraftingTask.filter(id=task.id, **{column: None}).update(
            **{column: now})
        if not claimed:
            return 0
        payload: dict[str, Any] = {"task_id": task.id, "when": when}
        await records.tell(task.drafter_id, "publicity.task_reminder", payload,  # type: ignore[attr-defined]
                           f"pub.task.{when}:{task.id}")
        if when == "overdue":
            await records.tell(task.assigner_id, "publicity.task_overdue", payload,  # type: ignore[attr-defined]
                               f"pub.task.overdue:{task.id}")
    return 1


async def figures(first: date, after: date) -> dict[str, int]:
    """Drafting tasks accepted in [first, after), in all and by kind."""
    tz = config.tz()
    start, end = datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)
    done = DraftingTask.filter(status=TaskStatus.ACCEPTED, done_at__gte=start, done_at__lt=end)
    result = {"drafts_done": await done.count()}
    for kind in DraftKind:
        result[f"drafts_{kind.value}"] = await done.filter(kind=kind).count()
    return result


async def due_for(staff: Staff, before: datetime) -> list[DraftingTask]:
    """The person's tasks waiting on them with a deadline before `before`."""
    return list(await DraftingTask.filter(drafter_id=staff.id, status__in=TASK_WAITING_ON_DRAFTER,
                                          deadline__lt=before).order_by("deadline", "id"))


async def to_review(staff: Staff) -> list[DraftVersion]:
    """Versions waiting for this assigner's verdict."""
    return list(await DraftVersion.filter(verdict=VersionVerdict.PENDING,
                                          task__assigner_id=staff.id)
                .order_by("uploaded_at", "id").prefetch_related("task"))
