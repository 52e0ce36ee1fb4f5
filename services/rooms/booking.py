"""Booking dialogs (drafts), free rooms and slots, confirmation under the database's guard."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from tortoise.exceptions import DoesNotExist, IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from models.core import Staff
from models.rooms import (
    HOLDING,
    Booking,
    BookingDraft,
    BookingSeries,
    BookingStatus,
    DraftStep,
    Room,
)
from services import clock, workdays
from services.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound, StaleAction
from services.inputs import to_int
from services.rooms import approval, hooks
from services.rooms.catalog import (
    ROOM_CACHE,
    RULES,
    cached_room,
    check_rules,
    equipment_in,
    find_room_in,
    hhmm,
    may_book,
)
from services.rooms.prepared import Prepared
from services.timeparse import parse_time

#: Lengths offered as buttons (minutes).
LENGTHS = (30, 60, 90, 120, 180, 240)
#: Head counts offered as buttons.
HEADCOUNTS = (4, 8, 12, 20, 30)
DAYS_AHEAD = 14
_OPEN_STEPS = (DraftStep.DAY, DraftStep.START, DraftStep.LENGTH, DraftStep.NEEDS,
               DraftStep.ROOM, DraftStep.TITLE, DraftStep.CONFIRM, DraftStep.ASK,
               DraftStep.REASON)
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9, "十": 10}
_PEOPLE = re.compile(r"(\d{1,6}|[一二两三四五六七八九十]{1,3})\s*(?:个人|人|位|名)")
_COUNT = re.compile(r"共\s*(\d{1,4}|[一二两三四五六七八九十]{1,3})\s*次")
_UNTIL = re.compile(r"(?:到|至|直到|截至)\s*"
                    r"(\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?|\d{1,2}月\d{1,2}[日号])\s*(?:为止|止)?")
_FILLER = re.compile(
    r"^(?:帮我|请|麻烦|我要|我想|需要|要|预定|预订|订一下|订个|订|约个|约|开个|开一个|开一场|开|用|"
    r"会议室|一间|一个|个会|会议|场会|的会|会|一下|大概|大约|大致|差不多|估计|预计|左右|开始|"
    r"也行|也可以|都行|吧)+$"
)
#: Asking to use a room, said between the time and the subject: no room's name, no subject.
_USE_ROOM = re.compile(r"(?:要|需要|想|得)?(?:借用|使用|用|借)(?:一下|下)?(?=会议室|$|\s|[，,。])")
_LEAD = re.compile(r"^(?:帮我|请|麻烦|我要|我想|需要|预定|预订|订|约|开个|开一个|用|大概|大约)+")
_SEGMENTS = re.compile(r"[，,。、；;！!\s]+")
_CLOCK_SAID = re.compile(r"[\d〇零一二两三四五六七八九十]\s*[点时:：]|\d{3,4}|现在|[后內内]")


@dataclass
class Slot:
    start: datetime
    end: datetime


@dataclass
class Occurrence:
    start: datetime
    end: datetime
    #: Why the booking will skip this date ("" when it books it): taken, window, past, closed, rule
    skip: str = ""

    @property
    def clash(self) -> bool:
        return bool(self.skip)


#: The rule a recurring booking skips a date for, by the error check_rules raises
SKIP_KINDS = {"rooms.error.too_far": "window", "rooms.error.past": "past",
              "rooms.error.closed": "closed"}


@dataclass
class DraftView:
    """What a booking card shows: the draft and the choices for its step."""

    draft: BookingDraft
    room: Room | None = None
    days: list[tuple[date, bool]] = field(default_factory=list)
    starts: list[time] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)
    biggest: int = 0
    #: Why no room is offered, when one reason holds for every room (their opening hours)
    why_none: DomainError | None = None
    #: The coming weekday to offer when a weekday of this week has passed
    next_week: date | None = None
    #: A one-off booking's day when it is a Sunday, Saturday or public holiday
    day_off: date | None = None


@dataclass
class Confirmed:
    bookings: list[Booking]
    skipped: list[Occurrence]
    changed: bool = False
    #: The room booked (the card names it without reading it again)
    room: Room | None = None


def _number(text: str) -> int:
    if to_int(text) is not None:
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_NUM.get(tens, 1) * 10 + _CN_NUM.get(ones, 0)
    return _CN_NUM.get(text, 0)


async def _open_rooms() -> list[Room]:
    """The active rooms as the cache holds them: read them, copy one before changing it."""
    return [room for room in await ROOM_CACHE.shared() if room.active]


def utc(dt: datetime) -> datetime:
    """Query parameters in UTC: SQLite compares the stored UTC text, not instants."""
    return dt.astimezone(UTC)


def _minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


async def _draft(draft_id: int, staff: Staff, *, lock: bool = False) -> BookingDraft:
    query = BookingDraft.filter(id=draft_id)
    if lock:
        query = query.select_for_update()
    draft = await query.first()
    if draft is None:
        raise NotFound("rooms.error.draft_gone")
    if draft.staff_id != staff.id:  # type: ignore[attr-defined]
        raise NotAllowed("rooms.error.not_yours")
    if draft.step == DraftStep.DONE:
        raise StaleAction("rooms.error.already_booked", booking=draft.booking_id)  # type: ignore[attr-defined]
    if draft.step == DraftStep.DROPPED:
        raise StaleAction("rooms.error.draft_closed")
    return draft


async def _note(draft: BookingDraft, step: DraftStep, error: DomainError | None) -> BookingDraft:
    draft.step = step
    draft.question = error.code if error else ""
    draft.question_params = {k: v for k, v in (error.params if error else {}).items()
                             if isinstance(v, str | int | float)}
    await draft.save()
    return draft


async def begin(staff: Staff, chat_id: int, *, target: Booking | None = None) -> BookingDraft:
    """Open a guided booking (or a change of time of `target`), closing older open dialogs."""
    await _DROP_OPEN.run(staff.id, chat_id)
    values: dict[str, Any] = {}
    if target is not None:
        values = {"target": target, "room_id": target.room_id, "title": target.title,  # type: ignore[attr-defined]
                  "attendees": target.attendees}
    return await BookingDraft.create(staff=staff, chat_id=chat_id, step=DraftStep.DAY, **values)


async def open_text_draft(staff: Staff, chat_id: int) -> BookingDraft | None:
    """The dialog in this chat waiting for typed text (a title, an answer, a reason), if any."""
    return await BookingDraft.filter(
        staff_id=staff.id, chat_id=chat_id,
        step__in=[DraftStep.TITLE, DraftStep.ASK, DraftStep.REASON],
    ).order_by("-id").first()


async def open_picking_draft(staff: Staff, chat_id: int) -> BookingDraft | None:
    """The dialog in this chat choosing a day or a time by buttons (a new booking or a change)."""
    return await BookingDraft.filter(
        staff_id=staff.id, chat_id=chat_id,
        step__in=[DraftStep.DAY, DraftStep.START, DraftStep.LENGTH],
    ).order_by("-id").first()


def says_time(text: str) -> bool:
    """Whether a text names a day or a time the parser reads."""
    return parse_time(text.strip()[:500], clock.now(), tz=RULES.tz).status != "none"


def says_clock_time(text: str) -> bool:
    """Whether a text names a time of day (下午3点, 15:00), not only a day."""
    parsed = parse_time(text.strip()[:500], clock.now(), tz=RULES.tz)
    said = text[parsed.span[0]: parsed.span[1]] if parsed.span else ""
    return parsed.status != "none" and parsed.grain in ("minute", "hour") and bool(
        _CLOCK_SAID.search(said))


async def typed_time(draft_id: int, staff: Staff, text: str) -> BookingDraft | None:
    """A time typed while the card offers days and times as buttons (None: no time in it)."""
    draft = await _draft(draft_id, staff)
    parsed = parse_time(text.strip()[:500], clock.now(), tz=RULES.tz)
    if parsed.status == "none":
        return None
    draft.text = text.strip()[:500]
    return await _apply_parse(draft, staff, parsed)


async def drop(draft_id: int, staff: Staff) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    draft.step = DraftStep.DROPPED
    await draft.save()
    return draft


async def choose_day(draft_id: int, staff: Staff, day: date) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    today = clock.now().astimezone(RULES.zone).date()
    if not today <= day <= today + timedelta(days=DAYS_AHEAD * 4):
        return await _note(draft, DraftStep.DAY, InvalidInput("rooms.error.bad_day"))
    draft.day, draft.start_at = day, None
    return await _note(draft, DraftStep.START, None)


async def choose_start(draft_id: int, staff: Staff, minute_of_day: int) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    if draft.day is None or not 0 <= minute_of_day < 24 * 60:
        return await _note(draft, DraftStep.DAY, None)
    start = datetime.combine(draft.day, time(minute_of_day // 60, minute_of_day % 60),
                             RULES.zone)
    if start < clock.now():
        return await _note(draft, DraftStep.START, InvalidInput(
            "rooms.error.past", start=start.strftime("%m-%d %H:%M")))
    draft.start_at = start
    if draft.minutes:
        return await _after_time(draft, staff)
    return await _note(draft, DraftStep.LENGTH, None)


async def choose_length(draft_id: int, staff: Staff, minutes: int) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    if not 15 <= minutes <= 24 * 60:
        return await _note(draft, DraftStep.LENGTH, InvalidInput("rooms.error.bad_length"))
    if draft.start_at is None:
        return await _note(draft, DraftStep.START, None)
    draft.minutes = minutes
    return await _after_time(draft, staff)


async def _after_time(draft: BookingDraft, staff: Staff) -> BookingDraft:
    """With a time chosen: check the named room, or go on to the needs and room choice."""
    if draft.target_id is not None or draft.room_id is not None:  # type: ignore[attr-defined]
        return await _check_named_room(draft, staff)
    if draft.attendees or draft.equipment:
        return await _note(draft, DraftStep.ROOM, None)
    return await _note(draft, DraftStep.NEEDS, None)


async def set_attendees(draft_id: int, staff: Staff, count: int) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    if not 0 <= count <= 100000:
        raise InvalidInput("rooms.error.bad_people", value=count)
    draft.attendees = count
    return await _note(draft, DraftStep.NEEDS, None)


async def toggle_equipment(draft_id: int, staff: Staff, code: str) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    chosen = list(draft.equipment or [])
    draft.equipment = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
    return await _note(draft, DraftStep.NEEDS, None)


async def needs_done(draft_id: int, staff: Staff) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    return await _note(draft, DraftStep.ROOM, None)


async def choose_room(draft_id: int, staff: Staff, room_id: int) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    room = await cached_room(room_id, active_only=True)
    if room is None:
        return await _note(draft, DraftStep.ROOM, NotFound("rooms.error.room_gone"))
    draft.room_id = room.id  # type: ignore[attr-defined]
    draft.unknown_room = ""
    return await _check_named_room(draft, staff)


async def choose_slot(draft_id: int, staff: Staff, room_id: int,
                      epoch_minute: int) -> BookingDraft:
    """Take an offered alternative: another room, or another start of the same length."""
    draft = await _draft(draft_id, staff)
    start = datetime.fromtimestamp(epoch_minute * 60, RULES.zone)
    draft.start_at, draft.day = start, start.date()
    draft.room_id = room_id  # type: ignore[attr-defined]
    draft.unknown_room = ""
    return await _check_named_room(draft, staff)


async def set_title(draft_id: int, staff: Staff, title: str) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    title = " ".join(title.split())
    if not title:
        return await _note(draft, DraftStep.TITLE, InvalidInput("rooms.error.empty_title"))
    if len(title) > 128:
        return await _note(draft, DraftStep.TITLE, InvalidInput("rooms.error.title_long",
                                                                limit=128))
    draft.title = title
    return await _note(draft, DraftStep.CONFIRM, None)


async def default_title(draft_id: int, staff: Staff) -> BookingDraft:
    draft = await _draft(draft_id, staff)
    draft.title = f"{staff.name}·会议"[:128]
    return await _note(draft, DraftStep.CONFIRM, None)


def _span(draft: BookingDraft) -> tuple[datetime, datetime] | None:
    if draft.start_at is None or not draft.minutes:
        return None
    start = draft.start_at.astimezone(RULES.zone)
    return start, start + timedelta(minutes=draft.minutes)


def _holding_at(room_id: int, start: datetime, end: datetime) -> Any:
    return Booking.filter(room_id=room_id, status__in=list(HOLDING), start_at__lt=utc(end),
                          end_at__gt=utc(start))


def _holding_values(room_id: int, start: datetime, end: datetime, *exclude: int) -> list[Any]:
    return [room_id, *(s.value for s in HOLDING), utc(end), utc(start), *exclude, 1]


#: Whether the room is held for the span (every one-line booking asks it), and the same but
#: for one booking (a change of time): built once, sent with new values (services.rooms.prepared).
_BUSY = Prepared(Booking, lambda *a: _holding_at(*a).exists(), _holding_values)
_BUSY_EXCEPT = Prepared(
    Booking, lambda room_id, start, end, exclude: _holding_at(room_id, start, end)
    .exclude(id=exclude).exists(), _holding_values)


async def _busy(room_id: int, start: datetime, end: datetime, exclude: int | None = None) -> bool:
    if exclude is None:
        return bool(await _BUSY.run(room_id, start, end))
    return bool(await _BUSY_EXCEPT.run(room_id, start, end, exclude))


#: Closing a person's open booking dialogs in a chat before a new one opens.
_DROP_OPEN = Prepared(
    BookingDraft, lambda staff_id, chat_id: BookingDraft.filter(
        staff_id=staff_id, chat_id=chat_id, step__in=_OPEN_STEPS).update(step=DraftStep.DROPPED),
    lambda staff_id, chat_id: [DraftStep.DROPPED.value, staff_id, chat_id,
                               *(step.value for step in _OPEN_STEPS)])


async def _room(room_id: int) -> Room:
    """The draft's room (from the cache; DoesNotExist if it was deleted, as Room.get)."""
    room = await cached_room(room_id)
    if room is None:
        raise DoesNotExist(Room)
    return room


async def _taken(room: Room, staff: Staff, start: datetime, end: datetime,
                 exclude: int | None = None) -> Conflict:
    """The room is taken: who holds it, and the nearest free time of the same length there."""
    query = Booking.filter(room_id=room.id, status__in=list(HOLDING), start_at__lt=utc(end),
                           end_at__gt=utc(start))
    if exclude is not None:
        query = query.exclude(id=exclude)
    other = await query.prefetch_related("organiser").order_by("start_at").first()
    holder = other.organiser.name if other is not None else ""
    zone = RULES.zone
    local = start.astimezone(zone)
    free = await next_slots(room, staff, start, end, limit=1)
    if not free:
        return Conflict("rooms.error.taken_full", room=room.name,
                        start=local.strftime("%m-%d %H:%M"), holder=holder)
    slot = free[0]
    return Conflict("rooms.error.taken", room=room.name, start=local.strftime("%m-%d %H:%M"),
                    holder=holder, free=f"{slot.start.astimezone(zone):%m-%d %H:%M}–"
                                        f"{slot.end.astimezone(zone):%H:%M}")


async def _check_named_room(draft: BookingDraft, staff: Staff) -> BookingDraft:
    span = _span(draft)
    if span is None:
        return await _note(draft, DraftStep.START if draft.day else DraftStep.DAY, None)
    room = await _room(draft.room_id)  # type: ignore[attr-defined]
    start, end = span
    try:
        check_rules(room, staff, start, end, clock.now(), draft.attendees)
        if not set(draft.equipment or []) <= set(room.equipment or []):
            raise InvalidInput("rooms.error.lacks_equipment", room=room.name)
    except InvalidInput as error:
        step = DraftStep.DAY if error.code in ("rooms.error.too_far",) else (
            DraftStep.ROOM if error.code in ("rooms.error.too_small",
                                             "rooms.error.lacks_equipment") else DraftStep.START)
        if step == DraftStep.ROOM and draft.target_id is None:  # type: ignore[attr-defined]
            draft.room_id = None  # type: ignore[attr-defined]
        return await _note(draft, step, error)
    except NotAllowed as error:
        draft.room_id = None  # type: ignore[attr-defined]
        return await _note(draft, DraftStep.ROOM, error)
    if draft.recurrence:
        return await _note(draft, DraftStep.TITLE if not draft.title else DraftStep.CONFIRM, None)
    if await _busy(room.id, start, end, exclude=draft.target_id):  # type: ignore[attr-defined]
        return await _note(draft, DraftStep.ROOM, await _taken(
            room, staff, start, end, exclude=draft.target_id))  # type: ignore[attr-defined]
    return await _note(draft, DraftStep.TITLE if not draft.title else DraftStep.CONFIRM, None)


def _parse_counts(text: str) -> tuple[str, int | None, date | None]:
    """Take 共N次 and 到12月31日为止 out of a recurring booking's text."""
    count = until = None
    match = _COUNT.search(text)
    if match:
        count = _number(match[1])
        text = text.replace(match[0], " " * len(match[0]))
    match = _UNTIL.search(text)
    if match:
        parsed = parse_time(match[1], clock.now(), tz=RULES.tz)
        if parsed.start is not None:
            until = parsed.start.date()
            text = text.replace(match[0], " " * len(match[0]))
    return text, count, until


#: Words that ask for a room outright (预订, 订个会议室, 要用一下会议室, 帮我约…).
_ASKS_FOR_ROOM = re.compile(
    r"预订|预定|订(?:一?个|一下|一间|间)?(?:会议室|会|房间)|约(?:一?个|一间|间)?会议室"
    r"|(?:借用?|占用?|找)(?:一下|一?个|一间|间)?会议室"
    r"|(?:要|需要|想|得)(?:用|借|找|订|约)(?:一下|下|一?个|一间|间)?会议室"
    r"|(?:帮我|给我|我要|我想|麻烦)\S{0,4}?(?:订|约|借|找|安排|开个会|开一个会|开一场会)"
    r"|有没有空\S{0,3}会议室|会议室\S{0,6}(?:有没有空|空着|空闲)|空闲的?会议室|空的会议室"
)
#: A question, or talk about a meeting already arranged: not a request for a room.
_CHATTER = re.compile(
    r"[吗呢嘛吧？?]|几点|什么时候|哪天|哪个|谁|是否|有没有|改到|改成|改在|改为|推迟|提前|延期|"
    r"取消|推到|挪到|顺延|大家|各位|同志们|注意|通知|记得|别忘|准时|材料|准备|参加|出席|列席|"
    r"纪要|结束|散会|开完|刚才|昨天|上周|已经|迟到|晚到|我在|在开会|坏了|没电|钥匙|安排在|链接"
)
#: What a booking says besides a time: how long (到, 小时), how many, a room.
_BOOKING_DETAIL = re.compile(r"[到至~～—]|小时|分钟|半天|全天|会议室|\d\s*号(?:厅|室)")


def booking_intent(text: str) -> str:
    """"book" when free text clearly asks for a room, "ask" when it only talks about a meeting
    (the bot offers to book one), "" when it is about something else."""
    if "会" not in text and "室" not in text:
        return ""
    if _ASKS_FOR_ROOM.search(text):
        return "book"
    if _CHATTER.search(text):
        return "ask"
    if _BOOKING_DETAIL.search(text) or _PEOPLE.search(text) or equipment_in(text):
        return "book"
    return "ask"


def asks_for_room(text: str) -> bool:
    """Whether the text asks for a room in so many words (预订会议室, 我想订个会议室)."""
    return bool(_ASKS_FOR_ROOM.search(text))


def is_booking_text(text: str, *, private: bool = True) -> bool:
    """Whether free text clearly asks for a room."""
    return booking_intent(text) == "book"


async def from_text(staff: Staff, chat_id: int, text: str, *, command: bool,
                    private: bool = True) -> BookingDraft | None:
    """Read a one-line booking into a draft; None when free text is not about booking a room."""
    now = clock.now()
    text = text.strip()[:500]
    rest_text, count, until = _parse_counts(text)
    parsed = parse_time(rest_text, now, tz=RULES.tz)
    if not command and (parsed.status == "none" or not is_booking_text(text, private=private)):
        return None
    rooms = await _open_rooms()
    rest = parsed.rest if parsed.status != "none" else rest_text
    rest = _USE_ROOM.sub(" ", _without_unread(rest, parsed))
    room, room_word = find_room_in(rest, rooms)
    room = copy.copy(room) if room is not None else None
    people = _PEOPLE.search(rest)
    attendees = _number(people[1]) if people else 0
    title = rest
    for piece in (room_word, people[0] if people else ""):
        if piece:
            title = title.replace(piece, " ")
    for words in (w for code in equipment_in(rest) for w in _equipment_words(code)):
        title = title.replace(words, " ")
    title = _title_of(title)
    await _DROP_OPEN.run(staff.id, chat_id)
    draft = BookingDraft(
        staff=staff, chat_id=chat_id, room=room, unknown_room="" if room else room_word[:64],
        title=title, attendees=attendees, equipment=equipment_in(rest), text=text,
        count=count, until=until,
    )
    # Not saved yet: _apply_parse saves it once, with the step it reaches (one INSERT, where
    # an INSERT and then an UPDATE of every column were two round trips).
    return await _apply_parse(draft, staff, parsed)


def _without_unread(text: str, parsed: Any) -> str:
    """Drop the time words the parser could not read (it asks about them) from the other words."""
    if parsed.question != "unclear_part":
        return text
    for word in str(parsed.question_params.get("text", "")).split("、"):
        if word:
            text = text.replace(word, " ", 1)
    return text


def _title_of(text: str) -> str:
    """What is left of a one-line booking once time, room, people and equipment are out."""
    kept = []
    for segment in _SEGMENTS.split(text):
        if not segment or _FILLER.match(segment):
            continue
        kept.append(_LEAD.sub("", segment) or segment)
    return " ".join(kept)[:128]


def _equipment_words(code: str) -> tuple[str, ...]:
    from services.rooms.catalog import EQUIPMENT

    words = EQUIPMENT.get(code, ())
    return tuple(sorted(({f"要{w}" for w in words} | {f"需要{w}" for w in words}
                         | set(words)), key=len, reverse=True))


async def _apply_parse(draft: BookingDraft, staff: Staff, parsed: Any) -> BookingDraft:
    if draft.unknown_room:
        draft.room_id = None  # type: ignore[attr-defined]
    if parsed.status == "ask":
        draft.question = parsed.question or ""
        draft.question_params = {k: (v.isoformat() if isinstance(v, datetime) else v)
                                 for k, v in dict(parsed.question_params).items()}
        draft.step = DraftStep.ASK
        await draft.save()
        return draft
    if parsed.status == "none":
        return await _note(draft, DraftStep.DAY, InvalidInput("rooms.error.no_time"))
    if parsed.recurrence:
        draft.recurrence = parsed.recurrence
        draft.workdays_only = parsed.workdays_only
    start = parsed.start.astimezone(RULES.zone) if parsed.start else None
    if start is None:
        return await _note(draft, DraftStep.DAY, None)
    draft.day = start.date()
    said = draft.text[parsed.span[0]: parsed.span[1]] if parsed.span else ""
    if parsed.grain not in ("minute", "hour") or not _CLOCK_SAID.search(said):
        if parsed.duration and parsed.grain in ("minute", "hour") and not draft.minutes:
            draft.minutes = int(parsed.duration.total_seconds() // 60)
        return await _note(draft, DraftStep.START, None)
    draft.start_at = _minute(start)
    if parsed.end is not None and parsed.end > parsed.start:
        draft.minutes = int((parsed.end - parsed.start).total_seconds() // 60)
    elif parsed.end is not None:
        return await _note(draft, DraftStep.LENGTH, InvalidInput("rooms.error.end_before_start"))
    elif parsed.duration:
        draft.minutes = int(parsed.duration.total_seconds() // 60)
    if not draft.minutes:
        return await _note(draft, DraftStep.LENGTH, None)
    if draft.unknown_room:
        return await _note(draft, DraftStep.ROOM, NotFound("rooms.error.unknown_room",
                                                           name=draft.unknown_room))
    if draft.room_id is not None:  # type: ignore[attr-defined]
        return await _check_named_room(draft, staff)
    return await _note(draft, DraftStep.ROOM, None)


async def answer(draft_id: int, staff: Staff, reply: str) -> BookingDraft:
    """Read the user's answer to the parser's question and go on with what was entered."""
    draft = await _draft(draft_id, staff)
    if draft.step != DraftStep.ASK:
        raise StaleAction()
    reply = reply.strip()[:200]
    parsed = parse_time(draft.text, clock.now(), tz=RULES.tz)
    span = parsed.span
    head, tail = (draft.text[: span[0]], draft.text[span[1]:]) if span else ("", draft.text)
    said = draft.text[span[0]: span[1]] if span else ""
    if draft.question == "need_clock_time":
        combined = f"{head}{said}{reply} {tail}"
    elif draft.question == "unclear_part":
        # the answer is the whole time; keep the other words (room, subject) as they were
        combined = f"{reply} {_without_unread(parsed.rest, parsed)}"
    elif draft.question == "end_before_start" and span and draft.question_params.get("start"):
        # 下午3点到4点 answers 明天下午3点到2点: the day said first still holds
        day = datetime.fromisoformat(str(draft.question_params["start"])).date()
        combined = f"{head}{day.year}年{day.month}月{day.day}日{reply} {tail}"
        if parse_time(combined, clock.now(), tz=RULES.tz).question == "unclear_part":
            combined = f"{head}{reply} {tail}"  # the answer names its own day
    else:
        combined = f"{head}{reply} {tail}"
    text, count, until = _parse_counts(combined)
    reparsed = parse_time(text, clock.now(), tz=RULES.tz)
    if reparsed.status == "none":
        reparsed = parse_time(reply, clock.now(), tz=RULES.tz)
    draft.text = combined[:500]
    draft.count, draft.until = count or draft.count, until or draft.until
    return await _apply_parse(draft, staff, reparsed)


_THIS_WEEK = re.compile(r"(?:这|本)(?=周|个?星期|个?礼拜)"
                        r"|(?<![上下这本个])(?=周[一二三四五六日天]|星期)")


def _next_week(said: str) -> str:
    """这周五下午 → 下周五下午, 星期五 → 下星期五."""
    return _THIS_WEEK.sub("下", said, count=1)


def next_week_day(draft: BookingDraft) -> date | None:
    """The same weekday a week on, when a weekday of this week was said and it has passed
    (这周五下午 on a Sunday); None when that is not the question."""
    if draft.question != "past_date" or not draft.question_params.get("start"):
        return None
    parsed = parse_time(draft.text, clock.now(), tz=RULES.tz)
    said = draft.text[parsed.span[0]: parsed.span[1]] if parsed.span else ""
    if not re.search(r"[周星期礼拜][一二三四五六日天]", said):
        return None
    return (datetime.fromisoformat(str(draft.question_params["start"]))
            + timedelta(days=7)).date()


async def choose_answer(draft_id: int, staff: Staff, choice: str) -> BookingDraft:
    """Answer the parser's question with a button: a year (哪一年？) or the coming weekday."""
    draft = await _draft(draft_id, staff)
    parsed = parse_time(draft.text, clock.now(), tz=RULES.tz)
    if draft.step != DraftStep.ASK or not parsed.span:
        raise StaleAction()
    said = draft.text[parsed.span[0]: parsed.span[1]]
    if draft.question == "last_or_next" and choice in ("last", "next"):
        day = date.fromisoformat(str(draft.question_params[choice]))
        fixed = f"{day.year}年{said}"
    elif choice == "nw" and next_week_day(draft) is not None:
        fixed = _next_week(said)
    else:
        raise StaleAction()
    draft.text = draft.text[: parsed.span[0]] + fixed + draft.text[parsed.span[1]:]
    return await _apply_parse(draft, staff, parse_time(draft.text, clock.now(), tz=RULES.tz))


async def choose_half(draft_id: int, staff: Staff, half: str) -> BookingDraft:
    """Answer the am/pm question with a button."""
    draft = await _draft(draft_id, staff)
    if draft.step != DraftStep.ASK or draft.question != "am_or_pm" or half not in ("am", "pm"):
        raise StaleAction()
    chosen = datetime.fromisoformat(str(draft.question_params[half]))
    word = chosen.strftime("%H:%M")
    parsed = parse_time(draft.text, clock.now(), tz=RULES.tz)
    text = draft.text
    if parsed.span:
        hour = int(draft.question_params.get("hour", chosen.hour))
        said = text[parsed.span[0]: parsed.span[1]]
        fixed = re.sub(rf"(?<![\d:]){hour}(?=[点:：时])", str(chosen.hour), said, count=1)
        if fixed == said:
            fixed = said.replace(_cn_hour(hour), str(chosen.hour), 1)
        if fixed != said and half == "pm":
            fixed = re.sub(r"(到|至|-|~)\s*(\d{1,2})(?=[点:：时])",
                           lambda m: f"{m[1]}{int(m[2]) + 12 if int(m[2]) < 12 else m[2]}",
                           fixed, count=1)
        text = text[: parsed.span[0]] + fixed + text[parsed.span[1]:]
    reparsed = parse_time(text, clock.now(), tz=RULES.tz)
    if reparsed.status != "ok":
        reparsed = parse_time(f"{chosen.date().isoformat()} {word}", clock.now(), tz=RULES.tz)
    draft.text = text
    return await _apply_parse(draft, staff, reparsed)


def _cn_hour(hour: int) -> str:
    names = "零一两三四五六七八九十"
    return names[hour] if hour <= 10 else f"十{names[hour - 10]}"


async def view(draft: BookingDraft, staff: Staff) -> DraftView:
    """Gather what the card of this draft shows."""
    result = DraftView(draft=draft)
    if draft.room_id is not None:  # type: ignore[attr-defined]
        result.room = await cached_room(draft.room_id)  # type: ignore[attr-defined]
    now = clock.now().astimezone(RULES.zone)
    rooms = [r for r in await _open_rooms() if may_book(r, staff)]
    result.biggest = max((r.capacity for r in rooms), default=0)
    if draft.step == DraftStep.ASK:
        result.next_week = next_week_day(draft)
    if draft.step == DraftStep.DAY:
        result.days = [(now.date() + timedelta(days=i),
                        workdays.is_workday(now.date() + timedelta(days=i)))
                       for i in range(DAYS_AHEAD + 1)]
    elif draft.step == DraftStep.START and draft.day is not None:
        opens = min((r.opens_minute for r in rooms), default=8 * 60)
        closes = max((r.closes_minute for r in rooms), default=18 * 60)
        if result.room is not None:
            opens, closes = result.room.opens_minute, result.room.closes_minute
        for minute in range(opens, closes - 29, 30):
            at = datetime.combine(draft.day, time(minute // 60, minute % 60), RULES.zone)
            if at >= now:
                result.starts.append(at.time())
    elif draft.step == DraftStep.LENGTH:
        result.lengths = list(LENGTHS)
    elif draft.step == DraftStep.ROOM:
        span = _span(draft)
        if span is not None:
            result.rooms = await free_rooms(staff, span[0], span[1], draft.attendees,
                                            draft.equipment or [], exclude=draft.room_id)  # type: ignore[attr-defined]
            if not result.rooms:
                result.why_none = await why_no_room(staff, span[0], span[1])
            if result.room is not None:
                result.slots = await next_slots(result.room, staff, span[0], span[1])
    elif draft.step in (DraftStep.CONFIRM, DraftStep.TITLE) and draft.recurrence:
        result.occurrences = await occurrences(draft, staff)
    elif draft.step in (DraftStep.CONFIRM, DraftStep.TITLE):
        span = _span(draft)
        if span is not None and not workdays.is_workday(span[0].astimezone(RULES.zone).date()):
            result.day_off = span[0].astimezone(RULES.zone).date()
    return result


async def free_rooms(staff: Staff, start: datetime, end: datetime, attendees: int,
                     equipment: Sequence[str], *, exclude: int | None = None) -> list[Room]:
    """Rooms this person may book, free for the span, with the seats and equipment asked for."""
    now = clock.now()
    taken = set(await Booking.filter(status__in=list(HOLDING), start_at__lt=utc(end),
                                     end_at__gt=utc(start)).values_list("room_id", flat=True))
    found = []
    for room in await _open_rooms():
        if room.id in taken or room.id == exclude:
            continue
        if not set(equipment) <= set(room.equipment or []):
            continue
        try:
            check_rules(room, staff, start, end, now, attendees)
        except DomainError:
            continue
        found.append(copy.copy(room))
    return sorted(found, key=lambda r: (r.capacity, r.id))


async def why_no_room(staff: Staff, start: datetime, end: datetime) -> DomainError | None:
    """The one rule that keeps every room this person may book from this span (the opening
    hours, an end before the start), so the refusal names it instead of “no free room”."""
    now = clock.now()
    codes: dict[str, DomainError] = {}
    rooms = [r for r in await _open_rooms() if may_book(r, staff)]
    for room in rooms:
        try:
            check_rules(room, staff, start, end, now)
        except DomainError as error:
            codes.setdefault(error.code, error)
        else:
            return None  # some room's rules allow it: taken, too small or lacking equipment
    if len(codes) != 1:
        return None
    code, error = next(iter(codes.items()))
    if code == "rooms.error.closed":
        zone = RULES.zone
        return InvalidInput("rooms.error.all_closed",
                            opens=hhmm(min(r.opens_minute for r in rooms)),
                            closes=hhmm(max(r.closes_minute for r in rooms)),
                            start=start.astimezone(zone).strftime("%H:%M"),
                            end=end.astimezone(zone).strftime("%H:%M"))
    return error


async def next_slots(room: Room, staff: Staff, start: datetime, end: datetime,
                     limit: int = 3) -> list[Slot]:
    """The next free starts of this room for the same length (half-hour steps, 7 days)."""
    length = end - start
    now = clock.now()
    horizon = start + timedelta(days=7)
    busy = [(b.start_at, b.end_at) for b in await Booking.filter(
        room_id=room.id, status__in=list(HOLDING), end_at__gt=utc(start),
        start_at__lt=utc(horizon))]
    found: list[Slot] = []
    at = start + timedelta(minutes=30)
    while at < horizon and len(found) < limit:
        stop = at + length
        if not any(b0 < stop and at < b1 for b0, b1 in busy):
            try:
                check_rules(room, staff, at, stop, now)
            except DomainError:
                pass
            else:
                found.append(Slot(at, stop))
        at += timedelta(minutes=30)
    return found


async def occurrences(draft: BookingDraft, staff: Staff) -> list[Occurrence]:
    """The dates a recurring draft books, each marked with the reason the booking will skip it
    (the room taken then, past the room's booking window, …): the same rules `_book` applies,
    so the preview's count is what gets booked."""
    span = _span(draft)
    if span is None or not draft.recurrence:
        return []
    start, end = span
    horizon = start + timedelta(days=RULES.recurrence_horizon_days)
    limit = min(draft.count or RULES.max_occurrences, RULES.max_occurrences)
    if draft.until is not None:
        horizon = min(horizon, datetime.combine(draft.until, time(23, 59), RULES.zone))
    rule = rrulestr(draft.recurrence, dtstart=start.replace(tzinfo=None))
    found: list[Occurrence] = []
    for at in rule:
        local = at.replace(tzinfo=RULES.zone)
        if local > horizon or len(found) >= limit:
            break
        if draft.workdays_only and not workdays.is_workday(local.date()):
            continue
        found.append(Occurrence(local, local + (end - start)))
    room_id = draft.room_id  # type: ignore[attr-defined]
    if room_id is not None and found:
        busy = await Booking.filter(room_id=room_id, status__in=list(HOLDING),
                                    start_at__lt=utc(found[-1].end),
                                    end_at__gt=utc(found[0].start))
        room = await cached_room(room_id)
        now = clock.now()
        for occurrence in found:
            if room is None or any(b.start_at < occurrence.end and occurrence.start < b.end_at
                                   for b in busy):
                occurrence.skip = "taken"
                continue
            try:
                check_rules(room, staff, occurrence.start, occurrence.end, now, draft.attendees)
            except DomainError as error:
                occurrence.skip = SKIP_KINDS.get(error.code, "rule")
    return found


async def confirm(draft_id: int, staff: Staff) -> Confirmed:
    """Book what the draft says; the database refuses an overlap, whoever confirms first wins."""
    try:
        async with in_transaction():
            draft = await _draft(draft_id, staff, lock=True)
            if draft.step != DraftStep.CONFIRM:
                raise StaleAction("rooms.error.not_ready")
            result = await _book(draft, staff)
            draft.step = DraftStep.DONE
            draft.booking_id = result.bookings[0].id  # type: ignore[attr-defined]
            await draft.save(update_fields=["step", "booking_id", "updated_at"])
            return result
    except (IntegrityError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and "overlap" not in str(exc):
            raise
        draft = await BookingDraft.get(id=draft_id)
        room = await _room(draft.room_id)  # type: ignore[attr-defined]
        span = _span(draft)
        error = (await _taken(room, staff, span[0], span[1], exclude=draft.target_id)  # type: ignore[attr-defined]
                 if span else Conflict("rooms.error.taken_full", room=room.name, start="",
                                       holder=""))
        await _note(draft, DraftStep.ROOM, error)
        raise error from None


async def _book(draft: BookingDraft, staff: Staff) -> Confirmed:
    span = _span(draft)
    if span is None or draft.room_id is None:  # type: ignore[attr-defined]
        raise StaleAction("rooms.error.not_ready")
    room = await _room(draft.room_id)  # type: ignore[attr-defined]
    now = clock.now()
    check_rules(room, staff, span[0], span[1], now, draft.attendees)
    title = draft.title or f"{staff.name}·会议"
    status = BookingStatus.PENDING if room.needs_approval else BookingStatus.CONFIRMED
    if draft.target_id is not None:  # type: ignore[attr-defined]
        booking = await Booking.filter(id=draft.target_id).select_for_update().first()  # type: ignore[attr-defined]
        if booking is None or booking.status not in HOLDING:
            raise StaleAction("rooms.error.booking_gone")
        before = hooks.before_of(booking)
        # In UTC: an update stores the value as given, and SQLite compares the stored text.
        booking.start_at, booking.end_at = utc(span[0]), utc(span[1])
        booking.room_id = room.id  # type: ignore[attr-defined]  # another room picked meanwhile
        booking.sequence += 1
        booking.checked_in_at = None
        await booking.save()
        await hooks.booking_changed(booking, "moved", before)
        return Confirmed([booking], [], changed=True, room=room)
    if not draft.recurrence:
        booking = await Booking.create(room=room, organiser=staff, title=title,
                                       start_at=span[0], end_at=span[1],
                                       attendees=draft.attendees, status=status)
        if status == BookingStatus.PENDING:
            await approval.submit(booking, staff, room)
        return Confirmed([booking], [], room=room)
    planned = await occurrences(draft, staff)
    series = await BookingSeries.create(rule=draft.recurrence[:255])
    booked: list[Booking] = []
    skipped: list[Occurrence] = []
    for occurrence in planned:
        if occurrence.skip or occurrence.start < now:
            occurrence.skip = occurrence.skip or "past"
            skipped.append(occurrence)
            continue
        try:
            async with in_transaction():
                check_rules(room, staff, occurrence.start, occurrence.end, now, draft.attendees)
                booking = await Booking.create(
                    room=room, organiser=staff, title=title, start_at=occurrence.start,
                    end_at=occurrence.end, attendees=draft.attendees, status=status,
                    series=series)
                booked.append(booking)
        except IntegrityError:
            occurrence.skip = "taken"
            skipped.append(occurrence)
        except DomainError as error:
            occurrence.skip = SKIP_KINDS.get(error.code, "rule")
            skipped.append(occurrence)
    if not booked:
        raise Conflict("rooms.error.all_clash", room=room.name)
    if status == BookingStatus.PENDING:
        await approval.submit(booked[0], staff, room, series=len(booked))
    return Confirmed(booked, skipped, room=room)


async def back_to(draft_id: int, staff: Staff, step: DraftStep) -> BookingDraft:
    """Go back to choosing the day or the room, keeping everything else."""
    draft = await _draft(draft_id, staff)
    if step == DraftStep.ROOM and draft.target_id is not None:  # type: ignore[attr-defined]
        step = DraftStep.DAY
    return await _note(draft, step, None)
