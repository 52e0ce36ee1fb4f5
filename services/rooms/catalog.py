"""Rooms and their rules: reading room fields, managing rooms, who may book what."""

from __future__ import annotations

import copy
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.signals import post_delete, post_save
from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.rooms import Room
from services.errors import InvalidInput, NotAllowed, NotFound
from services.inputs import clean_name, is_blank, normalize
from services.staff import OFFICE_ROLES, require_role


@dataclass
class RoomRules:
    """Office-wide booking knobs (the wiring fills them from the settings)."""

    tz: str = "Asia/Shanghai"
    reminder_minutes: int = 15
    checkin_grace_minutes: int = 10
    recurrence_horizon_days: int = 180
    max_occurrences: int = 60

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


RULES = RoomRules()


def configure(**values: Any) -> RoomRules:
    """Set the office-wide booking knobs (unknown names are refused)."""
    for key, value in values.items():
        if not hasattr(RULES, key):
            raise AttributeError(key)
        setattr(RULES, key, value)
    return RULES


#: Equipment codes and the words people use for them.
EQUIPMENT: dict[str, tuple[str, ...]] = {
    "projector": ("投影仪", "投影", "projector"),
    "video": ("视频会议", "视频", "video"),
    "screen": ("大屏", "显示屏", "电视", "screen"),
    "whiteboard": ("白板", "whiteboard"),
    "phone": ("电话会议", "会议电话", "phone"),
    "mic": ("话筒", "麦克风", "mic"),
}
_YES = {"是", "要", "需要", "y", "yes", "true", "1", "对", "有"}
_NO = {"否", "不", "不要", "不需要", "n", "no", "false", "0", "无", "没有", ""}
_FIELD_ALIASES: dict[str, str] = {
    "名称": "name", "名字": "name", "name": "name",
    "楼": "building", "楼栋": "building", "building": "building",
    "层": "floor", "楼层": "floor", "floor": "floor",
    "容量": "capacity", "人数": "capacity", "座位": "capacity", "capacity": "capacity",
    "设备": "equipment", "equipment": "equipment",
    "开放": "hours", "开放时间": "hours", "hours": "hours",
    "开始": "opens", "opens": "opens", "结束": "closes", "closes": "closes",
    "最长": "max_hours", "最长小时": "max_hours", "max_hours": "max_hours",
    "提前": "max_days_ahead", "提前天数": "max_days_ahead", "max_days_ahead": "max_days_ahead",
    "角色": "roles", "roles": "roles", "部门": "departments", "departments": "departments",
    "审批": "needs_approval", "needs_approval": "needs_approval",
    "签到": "checkin_required", "checkin_required": "checkin_required",
    "启用": "active", "active": "active",
}  # fmt: skip
_ROLE_WORDS = {
    "admin": Role.ADMIN, "管理员": Role.ADMIN, "leader": Role.LEADER, "领导": Role.LEADER,
    "office": Role.OFFICE, "办公室": Role.OFFICE, "staff": Role.STAFF, "职工": Role.STAFF,
}  # fmt: skip
_CLOCK = re.compile(r"^(\d{1,2})[:：点](\d{2})?$")
_SPLIT = re.compile(r"[,，、;；/ ]+")


def equipment_in(text: str) -> list[str]:
    """The equipment codes a sentence asks for (要投影, 视频会议)."""
    found = []
    text = text.lower()
    for code, words in EQUIPMENT.items():
        if any(w in text for w in words):
            found.append(code)
    return found


def _equipment_codes(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else _SPLIT.split(str(value or ""))
    codes: list[str] = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        code = next((c for c, words in EQUIPMENT.items() if item.lower() in (c, *words)), None)
        if code is None:
            raise InvalidInput("rooms.error.bad_equipment", value=item)
        if code not in codes:
            codes.append(code)
    return codes


def _minutes(value: Any, field: str) -> int:
    text = str(value).strip()
    match = _CLOCK.match(text)
    if not match or int(match[1]) > 24 or int(match[2] or 0) > 59:
        raise InvalidInput("rooms.error.bad_field", field=field, value=text)
    total = int(match[1]) * 60 + int(match[2] or 0)
    if total > 24 * 60:
        raise InvalidInput("rooms.error.bad_field", field=field, value=text)
    return total


def _number(value: Any, field: str, low: float, high: float) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InvalidInput("rooms.error.bad_field", field=field, value=value) from None
    if not low <= number <= high:
        raise InvalidInput("rooms.error.out_of_range", field=field, value=value, low=low,
                           high=high)
    return number


def _whole(value: Any, field: str, low: int, high: int) -> int:
    """A count such as seats or days: 1.5 is refused, not quietly cut to 1."""
    number = _number(value, field, low, high)
    if number != int(number):
        raise InvalidInput("rooms.error.not_whole", field=field, value=value)
    return int(number)


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput("rooms.error.bad_field", field=field, value=value)


def _list(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else _SPLIT.split(str(value or ""))
    return [str(i).strip() for i in items if str(i).strip()]


def parse_room_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Turn `容量=12 设备=投影` style fields (either language) into Room column values."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        field = _FIELD_ALIASES.get(str(key).strip().lower())
        if field is None:
            raise InvalidInput("rooms.error.bad_key", key=key)
        if value is None or (isinstance(value, str) and not value.strip()
                             and field not in ("roles", "departments", "equipment")):
            continue
        if field == "name":
            name = str(value).strip()
            if not name or len(name) > 64:
                raise InvalidInput("rooms.error.bad_name", value=name)
            values["name"] = name
        elif field in ("building", "floor"):
            values[field] = str(value).strip()[: 64 if field == "building" else 16]
        elif field == "capacity":
            values["capacity"] = _whole(value, "capacity", 1, 2000)
        elif field == "equipment":
            values["equipment"] = _equipment_codes(value)
        elif field == "hours":
            parts = re.split(r"\s*[-–~～到至]\s*", str(value).strip())
            if len(parts) != 2:
                raise InvalidInput("rooms.error.bad_field", field="hours", value=value)
            values["opens_minute"] = _minutes(parts[0], "hours")
            values["closes_minute"] = _minutes(parts[1], "hours")
        elif field in ("opens", "closes"):
            values[f"{field}_minute"] = _minutes(value, field)
        elif field == "max_hours":
            values["max_minutes"] = int(_number(value, "max_hours", 0.5, 24) * 60)
        elif field == "max_days_ahead":
            values["max_days_ahead"] = _whole(value, "max_days_ahead", 1, 366)
        elif field == "roles":
            roles = []
            for item in _list(value):
                role = _ROLE_WORDS.get(item.lower())
                if role is None:
                    raise InvalidInput("rooms.error.bad_field", field="roles", value=item)
                roles.append(role.value)
            values["allowed_roles"] = roles
        elif field == "departments":
            values["allowed_departments"] = _list(value)
        else:
            values[field] = _flag(value, field)
    if values.get("opens_minute", 0) >= values.get("closes_minute", 24 * 60):
        raise InvalidInput("rooms.error.bad_hours")
    return values


def parse_pairs(words: Iterable[str]) -> dict[str, str]:
    """Read `key=value` words (also `key：value`) as a mapping."""
    pairs: dict[str, str] = {}
    for word in words:
        parts = re.split(r"[=＝:：]", word, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip():
            raise InvalidInput("rooms.error.bad_pair", word=word)
        pairs[parts[0].strip()] = parts[1].strip()
    return pairs


async def save_room(actor: Staff | None, name: str, fields: Mapping[str, Any], *,
                    create: bool | None = None) -> tuple[Room, bool]:
    """Create or change a room; returns it and whether it is new (office staff only)."""
    if actor is not None:
        require_role(actor, *OFFICE_ROLES)
    name = normalize(name, multiline=False).strip()
    if is_blank(name) or len(name) > 64:
        raise InvalidInput("rooms.error.bad_name", value=name[:64] + "…")
    values = parse_room_fields(fields)
    new_name = clean_name(values.pop("name", name), "room")
    async with in_transaction():
        room = await Room.filter(name=name.strip()).select_for_update().first()
        if room is None:
            if create is False:
                raise NotFound("rooms.error.no_such_room", name=name, known=await room_names())
            if "capacity" not in values:
                raise InvalidInput("rooms.error.capacity_needed", name=new_name)
            room = await Room.create(name=new_name, feed_token=secrets.token_urlsafe(24),
                                     **values)
            return room, True
        if create is True:
            raise InvalidInput("rooms.error.room_exists", name=name)
        if new_name != room.name and await Room.filter(name=new_name).exists():
            raise InvalidInput("rooms.error.room_exists", name=new_name)
        room.update_from_dict({"name": new_name, **values})
        if room.opens_minute >= room.closes_minute:
            raise InvalidInput("rooms.error.bad_hours")
        await room.save()
        return room, False


async def import_rows(rows: Sequence[Mapping[str, Any]]) -> int:
    """Create or update rooms from import rows (each with a name); all or nothing."""
    count = 0
    async with in_transaction():
        for number, row in enumerate(rows, start=1):
            fields = {k: v for k, v in row.items() if k is not None}
            name = str(fields.get("name") or fields.get("名称") or "").strip()
            if not name:
                raise InvalidInput("rooms.error.import_row", row=number, problem="name")
            try:
                await save_room(None, name, fields)
            except InvalidInput as error:
                raise InvalidInput("rooms.error.import_row", row=number,
                                   problem=f"{error.code} {error.params}") from error
            count += 1
    return count


class RoomCache:
    """Every room, remembered between updates (a booking read the room table six times).

    Forgotten when this process saves or deletes a room (Tortoise signals), on PostgreSQL
    when any process changes the table (a trigger NOTIFYs `officebot_rooms`; bot.db listens),
    and on SQLite when another process writes the file (bot.db watches `PRAGMA data_version`).
    An entry lives `live_ttl` seconds while that feed is live, `ttl` seconds without it.
    """

    def __init__(self, ttl: float = 5.0, live_ttl: float = 300.0) -> None:
        self.ttl, self.live_ttl = ttl, live_ttl
        self.live = False
        self._rooms: list[Room] | None = None
        self._loaded = 0.0
        self._generation = 0

    def forget(self) -> None:
        self._generation += 1
        self._rooms = None

    async def shared(self) -> list[Room]:
        """Every room (active or not) by id: the cached instances themselves, which a caller
        only reads (`all` and `one` hand out copies to change)."""
        age = time.monotonic() - self._loaded
        if self._rooms is None or age > (self.live_ttl if self.live else self.ttl):
            generation = self._generation
            rooms = list(await Room.all().order_by("id"))
            if generation != self._generation:  # changed while reading: do not keep it
                return rooms
            self._rooms, self._loaded = rooms, time.monotonic()
        return self._rooms

    async def all(self) -> list[Room]:
        """Every room (active or not) by id; fresh copies a caller may change."""
        return [copy.copy(room) for room in await self.shared()]

    async def one(self, room_id: int | None) -> Room | None:
        """A copy of the room with this id (None if there is none)."""
        room = next((r for r in await self.shared() if r.id == room_id), None)
        return None if room is None else copy.copy(room)


ROOM_CACHE = RoomCache()


@post_save(Room)
async def _room_saved(*args: Any) -> None:
    ROOM_CACHE.forget()


@post_delete(Room)
async def _room_deleted(*args: Any) -> None:
    ROOM_CACHE.forget()


async def list_rooms(include_inactive: bool = False) -> list[Room]:
    rooms = await ROOM_CACHE.all()
    return rooms if include_inactive else [room for room in rooms if room.active]


async def cached_room(room_id: int | None, *, active_only: bool = False) -> Room | None:
    """The room with this id from the cache (None if there is none)."""
    room = await ROOM_CACHE.one(room_id)
    return room if room is not None and (room.active or not active_only) else None


async def room_names() -> str:
    return "、".join(r.name for r in await list_rooms())


async def get_room(room_id: int) -> Room:
    room = await Room.get_or_none(id=room_id)
    if room is None:
        raise NotFound("rooms.error.unknown_room", name=str(room_id), known=await room_names())
    return room


_ROOMISH = re.compile(
    r"([A-Za-z0-9一二三四五六七八九十\u4e00-\u9fff]{1,8}?(?:会议室|会客室|洽谈室|报告厅|多功能厅|室))"
)


def find_room_in(text: str, rooms: Sequence[Room]) -> tuple[Room | None, str]:
    """The room a sentence names (longest name first), or the unknown room name it mentions."""
    for room in sorted(rooms, key=lambda r: -len(r.name)):
        if room.name in text:
            return room, room.name
    match = _ROOMISH.search(text)
    if match:
        word = match[1]
        for lead in ("订", "定", "在", "用", "约", "借", "要", "去"):
            if word.startswith(lead) and len(word) > len(lead) + 1:
                word = word[len(lead):]
        if word not in ("会议室", "室"):
            return None, word
    return None, ""


def may_book(room: Room, staff: Staff) -> bool:
    if staff.role == Role.ADMIN:
        return True
    if room.allowed_roles and staff.role.value not in room.allowed_roles:
        return False
    return not (room.allowed_departments and staff.department not in room.allowed_departments)


def check_rules(room: Room, staff: Staff, start: datetime, end: datetime, now: datetime,
                attendees: int = 0) -> None:
    """Refuse a span the room's rules do not allow, saying which rule and what is allowed."""
    tz = RULES.zone
    if not may_book(room, staff):
        raise NotAllowed("rooms.error.not_for_you", room=room.name)
    if end <= start:
        raise InvalidInput("rooms.error.end_before_start")
    if start < now - timedelta(minutes=1):
        raise InvalidInput("rooms.error.past", start=start.astimezone(tz).strftime("%m-%d %H:%M"))
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day_start = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    opens = day_start + timedelta(minutes=room.opens_minute)
    closes = day_start + timedelta(minutes=room.closes_minute)
    if local_start < opens or local_end > closes:
        raise InvalidInput("rooms.error.closed", room=room.name, opens=hhmm(room.opens_minute),
                           closes=hhmm(room.closes_minute))
    if end - start > timedelta(minutes=room.max_minutes):
        raise InvalidInput("rooms.error.too_long", room=room.name,
                           hours=f"{room.max_minutes / 60:g}")
    if (local_start.date() - now.astimezone(tz).date()).days > room.max_days_ahead:
        raise InvalidInput("rooms.error.too_far", room=room.name, days=room.max_days_ahead)
    if attendees > room.capacity:
        raise InvalidInput("rooms.error.too_small", room=room.name, capacity=room.capacity,
                           attendees=attendees)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
