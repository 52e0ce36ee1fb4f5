"""Information pieces (党政信息): correspondents submit, the office uses (区/市/省) or returns,
and each quarter's ranking of correspondents and departments is scored by the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from tortoise.transactions import in_transaction

from models.core import ChatPurpose, OutboxMessage, Role, Staff
from models.publicity import INFO_RANK, InfoLevel, InfoPiece, InfoStatus, PublicityFile
from services import clock, outbox, workdays
from services.errors import InvalidInput, NotAllowed, StaleAction
from services.publicity import cards, config, files, prompts, records, scoring
from services.staff import require_role

DECIDERS = (Role.OFFICE,)
INSTRUCTORS = (Role.OFFICE, Role.LEADER)
MAX_TITLE, MAX_TEXT, MAX_REASON, MAX_FILES = 200, 20_000, 300, 5
PROMPT_TEXT, PROMPT_REASON = "info", "reason"
CARD = "publicity.info_card"


def card_key(piece_id: int) -> str:
    return f"pub.info:{piece_id}"


async def get(piece_id: int) -> InfoPiece:
    return await records.row(InfoPiece, piece_id, "publicity.error.no_piece")


async def _locked(piece_id: int) -> InfoPiece:
    return await records.row(InfoPiece, piece_id, "publicity.error.no_piece", locked=True)


# ---------------------------------------------------------------------------- the correspondent


async def start(actor: Staff, chat_id: int, text: str = "") -> InfoPiece:
    """Open (or continue) the person's draft piece; its next messages and files go into it."""
    draft = await InfoPiece.filter(author_id=actor.id, status=InfoStatus.DRAFT).first()
    if draft is None:
        draft = await InfoPiece.create(author=actor, department=actor.department,
                                       created_at=clock.now())
    if text.strip():
        draft = await set_text(actor, draft.id, text)
    await prompts.ask(actor, chat_id, PROMPT_TEXT, draft.id)
    return draft


async def _own_draft(actor: Staff, piece_id: int) -> InfoPiece:
    piece = await get(piece_id)
    if piece.author_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("publicity.error.not_your_piece", id=piece_id)
    if piece.status != InfoStatus.DRAFT:
        raise StaleAction("publicity.error.piece_sent", id=piece_id)
    return piece


async def set_text(actor: Staff, piece_id: int, text: str) -> InfoPiece:
    """The message is the piece: its first line the title, the rest the text (sent again, it
    replaces what was there)."""
    piece = await _own_draft(actor, piece_id)
    lines = text.strip().splitlines()
    if not lines:
        raise InvalidInput("publicity.error.piece_empty")
    title, body = lines[0].strip(), "\n".join(lines[1:]).strip()
    if len(title) > MAX_TITLE:
        raise InvalidInput("publicity.error.piece_title_long", limit=MAX_TITLE)
    if len(body) > MAX_TEXT:
        raise InvalidInput("publicity.error.piece_long", limit=MAX_TEXT)
    piece.title, piece.text = title, body
    await piece.save(update_fields=["title", "text"])
    return piece


async def attach(actor: Staff, piece_id: int, name: str, content: bytes) -> PublicityFile:
    piece = await _own_draft(actor, piece_id)
    async with in_transaction():
        if await PublicityFile.filter(info_id=piece.id).count() >= MAX_FILES:
            raise InvalidInput("publicity.error.too_many_files", limit=MAX_FILES)
        return await files.store(actor, name, content, info=piece)


async def attachments(piece_id: int) -> list[PublicityFile]:
    return list(await PublicityFile.filter(info_id=piece_id).order_by("id"))


async def submit(actor: Staff, piece_id: int) -> InfoPiece:
    """Send the draft to the office: its card reaches the office group with the use buttons."""
    async with in_transaction():
        piece = await _locked(piece_id)
        if piece.author_id != actor.id:  # type: ignore[attr-defined]
            raise NotAllowed("publicity.error.not_your_piece", id=piece_id)
        if piece.status != InfoStatus.DRAFT:
            raise StaleAction("publicity.error.piece_sent", id=piece_id)
        if not piece.title:
            raise InvalidInput("publicity.error.piece_empty")
        if not piece.text and not await PublicityFile.exists(info_id=piece.id):
            raise InvalidInput("publicity.error.piece_no_text")
        piece.status, piece.submitted_at = InfoStatus.SUBMITTED, clock.now()
        piece.department = actor.department
        await piece.save(update_fields=["status", "submitted_at", "department"])
        await prompts.done(actor, PROMPT_TEXT)
        await cards.to_office(CARD, {"piece_id": piece.id}, card_key(piece.id))
    return piece


async def cancel(actor: Staff, piece_id: int) -> InfoPiece:
    async with in_transaction():
        piece = await _own_draft(actor, piece_id)
        piece.status = InfoStatus.CANCELLED
        await piece.save(update_fields=["status"])
        await prompts.done(actor, PROMPT_TEXT)
    return piece


async def copy_returned(actor: Staff, piece_id: int, chat_id: int) -> InfoPiece:
    """Start a new draft from a returned piece (its text and files) for the author to revise."""
    piece = await get(piece_id)
    if piece.author_id != actor.id:  # type: ignore[attr-defined]
        raise NotAllowed("publicity.error.not_your_piece", id=piece_id)
    if piece.status != InfoStatus.RETURNED:
        raise StaleAction("publicity.error.piece_not_returned", id=piece_id)
    async with in_transaction():
        await InfoPiece.filter(author_id=actor.id, status=InfoStatus.DRAFT).update(
            status=InfoStatus.CANCELLED)
        draft = await InfoPiece.create(author=actor, department=actor.department,
                                       title=piece.title, text=piece.text,
                                       created_at=clock.now())
        for old in await attachments(piece.id):
            await files.store(actor, old.name, bytes(old.content), info=draft)
        await prompts.ask(actor, chat_id, PROMPT_TEXT, draft.id)
    return draft


async def mine(actor: Staff, limit: int = 10) -> list[InfoPiece]:
    return list(await InfoPiece.filter(author_id=actor.id).exclude(
        status=InfoStatus.CANCELLED).order_by("-created_at", "-id").limit(limit))


# ---------------------------------------------------------------------------- the office


async def waiting() -> list[InfoPiece]:
    """Pieces submitted and not yet used or returned, oldest first."""
    return list(await InfoPiece.filter(status=InfoStatus.SUBMITTED).order_by("submitted_at", "id")
                .prefetch_related("author"))


async def use(actor: Staff, piece_id: int, level: InfoLevel) -> InfoPiece:
    """Mark a piece used at this level (a later, higher use raises it; it scores once)."""
    require_role(actor, *DECIDERS)
    async with in_transaction():
        piece = await _locked(piece_id)
        if piece.status == InfoStatus.USED:
            assert piece.level is not None
            if INFO_RANK[level] <= INFO_RANK[piece.level]:
                raise StaleAction("publicity.error.already_used", id=piece_id,
                                  level=piece.level.value)
        elif piece.status != InfoStatus.SUBMITTED:
            raise StaleAction(f"publicity.error.piece_{piece.status.value}", id=piece_id)
        upgraded = piece.status == InfoStatus.USED
        if not upgraded:
            piece.decided_at, piece.decided_by = clock.now(), actor  # type: ignore[assignment]
        piece.status, piece.level = InfoStatus.USED, level
        await piece.save(update_fields=["status", "level", "decided_at", "decided_by_id"])
        await _tell_author(piece, "publicity.info_used", f"used:{level.value}",
                           {"upgraded": upgraded})
        await cards.refresh(card_key(piece.id), CARD, {"piece_id": piece.id},
                            f"used-{level.value}")
    return piece


async def ask_reason(actor: Staff, piece_id: int, chat_id: int) -> InfoPiece:
    """The office pressed 退回: its next message in this chat is the reason."""
    require_role(actor, *DECIDERS)
    piece = await get(piece_id)
    if piece.status != InfoStatus.SUBMITTED:
        raise StaleAction(f"publicity.error.piece_{piece.status.value}", id=piece_id)
    await prompts.ask(actor, chat_id, PROMPT_REASON, piece.id)
    return piece


async def give_back(actor: Staff, piece_id: int, reason: str) -> InfoPiece:
    """Return a submitted piece to its author with the reason."""
    require_role(actor, *DECIDERS)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("publicity.error.no_reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput("publicity.error.reason_long", limit=MAX_REASON)
    async with in_transaction():
        piece = await _locked(piece_id)
        if piece.status != InfoStatus.SUBMITTED:
            raise StaleAction(f"publicity.error.piece_{piece.status.value}", id=piece_id)
        piece.status, piece.return_reason = InfoStatus.RETURNED, reason
        piece.decided_at, piece.decided_by = clock.now(), actor  # type: ignore[assignment]
        await piece.save(update_fields=["status", "return_reason", "decided_at",
                                        "decided_by_id"])
        await prompts.done(actor, PROMPT_REASON, piece.id)
        await _tell_author(piece, "publicity.info_returned", "returned", {})
        await cards.refresh(card_key(piece.id), CARD, {"piece_id": piece.id}, "returned")
    return piece


async def instruct(actor: Staff, piece_id: int, note: str = "") -> InfoPiece:
    """Record a leader's 批示 on a used piece (worth the bonus once)."""
    require_role(actor, *INSTRUCTORS)
    note = " ".join(note.split())[:MAX_REASON]
    async with in_transaction():
        piece = await _locked(piece_id)
        if piece.status != InfoStatus.USED:
            raise StaleAction("publicity.error.instruct_unused", id=piece_id)
        if piece.instructed and (not note or note == piece.instruction):
            raise StaleAction("publicity.error.already_instructed", id=piece_id)
        first = not piece.instructed
        piece.instructed = True
        if note:
            piece.instruction = note
        await piece.save(update_fields=["instructed", "instruction"])
        if first:
            await _tell_author(piece, "publicity.info_instructed", "instructed", {})
        await cards.refresh(card_key(piece.id), CARD, {"piece_id": piece.id},
                            f"instructed-{len(piece.instruction)}")
    return piece


async def _tell_author(piece: InfoPiece, kind: str, change: str, extra: dict[str, object]
                       ) -> None:
    await records.tell(piece.author_id, kind, {"piece_id": piece.id, **extra},  # type: ignore[attr-defined]
                       f"pub.info.{change}:{piece.id}")


# ---------------------------------------------------------------------------- quarters and scores


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    """[first, after) of the quarter."""
    if not 1 <= quarter <= 4:
        raise InvalidInput("publicity.error.bad_quarter", value=str(quarter))
    first = date(year, 3 * (quarter - 1) + 1, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after


def _bounds(first: date, after: date) -> tuple[datetime, datetime]:
    tz = config.tz()
    return datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)


@dataclass
class Correspondent:
    staff_id: int
    name: str
    department: str
    used: int = 0
    raw: Decimal = Decimal(0)
    points: Decimal = Decimal(0)

    @property
    def capped(self) -> bool:
        return self.points < self.raw


@dataclass
class Department:
    name: str
    used: int = 0
    points: Decimal = Decimal(0)
    people: int = 0


@dataclass
class Ranking:
    """A quarter's standing: correspondents and departments by capped points."""

    year: int
    quarter: int
    rules: scoring.Rules
    correspondents: list[Correspondent] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    submitted: int = 0

    @property
    def used(self) -> int:
        return sum(c.used for c in self.correspondents)


async def ranking(year: int, quarter: int) -> Ranking:
    """Pieces used in the quarter, scored by the rules: each correspondent's points capped, each
    department the sum of its correspondents' capped points."""
    rules = await scoring.current()
    start, end = _bounds(*quarter_days(year, quarter))
    used = await InfoPiece.filter(status=InfoStatus.USED, decided_at__gte=start,
                                  decided_at__lt=end).order_by("decided_at", "id"
                                                               ).prefetch_related("author")
    people: dict[int, Correspondent] = {}
    for piece in used:
        who = people.setdefault(piece.author.id, Correspondent(
            piece.author.id, piece.author.name, piece.department or piece.author.department))
        who.used += 1
        who.raw += rules.piece(piece.level, piece.instructed)
        who.department = piece.department or who.department
    departments: dict[str, Department] = {}
    for who in people.values():
        who.points = rules.capped(who.raw)
        dept = departments.setdefault(who.department, Department(who.department))
        dept.used += who.used
        dept.points += who.points
        dept.people += 1
    result = Ranking(year, quarter, rules)
    result.correspondents = sorted(people.values(),
                                   key=lambda c: (-c.points, -c.used, c.name, c.staff_id))
    result.departments = sorted(departments.values(), key=lambda d: (-d.points, -d.used, d.name))
    result.submitted = await InfoPiece.filter(submitted_at__gte=start,
                                              submitted_at__lt=end).count()
    return result


async def standing(author_id: int, day: date) -> Correspondent | None:
    """The author's points in the quarter holding `day`."""
    year, quarter = quarter_of(day)
    found = await ranking(year, quarter)
    return next((c for c in found.correspondents if c.staff_id == author_id), None)


def last_workday(year: int, quarter: int) -> date:
    day = quarter_days(year, quarter)[1] - timedelta(days=1)
    while not workdays.is_workday(day):
        day -= timedelta(days=1)
    return day


async def push_ranking(day: date) -> str:
    """Queue the quarter's ranking and chart for the office group on its last workday; a
    quarter whose push was missed (the bot was down) goes out on a later day instead."""
    year, quarter = quarter_of(day)
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    due = []
    if day == last_workday(year, quarter):
        due.append((year, quarter))
    if not await OutboxMessage.filter(dedup_key__startswith=_rank_key(*previous)).exists():
        due.append(previous)
    queued = []
    for y, q in due:
        found = await ranking(y, q)
        if not found.correspondents and not found.submitted:
            continue
        payload = {"year": y, "quarter": q}
        async with in_transaction():
            text = await outbox.emit_to_purpose(ChatPurpose.OFFICE, "publicity.ranking",
                                                payload, _rank_key(y, q))
            await outbox.emit_to_purpose(ChatPurpose.OFFICE, "publicity.ranking_chart",
                                         payload, _rank_key(y, q) + ".chart")
        if text is not None:
            queued.append(f"{y}Q{q}")
    return "queued " + ", ".join(queued) if queued else "nothing due"


def _rank_key(year: int, quarter: int) -> str:
    return f"pub.rank:{year}Q{quarter}"


async def figures(first: date, after: date) -> dict[str, int]:
    """Pieces submitted and used (and with a leader's 批示) in [first, after)."""
    start, end = _bounds(first, after)
    used = InfoPiece.filter(status=InfoStatus.USED, decided_at__gte=start, decided_at__lt=end)
    return {
        "info_submitted": await InfoPiece.filter(submitted_at__gte=start,
                                                 submitted_at__lt=end).count(),
        "info_used": await used.count(),
        "info_instructed": await used.filter(instructed=True).count(),
    }
