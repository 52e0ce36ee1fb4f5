"""Staff registry: joining by invite, roles, departments, languages, and bound group chats."""

from __future__ import annotations

import copy
import re
import secrets
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from tortoise.signals import post_delete, post_save
from tortoise.transactions import in_transaction

from models.core import BoundChat, ChatPurpose, Invite, Role, Staff
from services import clock
from services.errors import Conflict, InvalidInput, InviteInvalid, NotAllowed, NotFound
from services.inputs import clean_name

LANGS = ("zh_CN", "en")
#: An invite lasts 1 to this many days, or never expires (said plainly as None).
MAX_INVITE_DAYS = 3650
#: Roles that may manage the office's shared records (rooms, stock, opinion terms).
OFFICE_ROLES = (Role.ADMIN, Role.OFFICE)


class StaffCache:
    """Who a Telegram id is, remembered between updates (every update asks).

    Forgotten when this process saves or deletes a staff row (Tortoise signals, and
    `forget` after a bulk update), and on PostgreSQL when any process changes the table (a
    trigger NOTIFYs `officebot_staff`, `bot.db` listens and calls `forget`), and on SQLite when
    another process writes the file (`bot.db` watches `PRAGMA data_version`). An entry lives
    at most `live_ttl` seconds while that feed is live, `ttl` seconds otherwise. A key just
    forgotten is not cached again for `settle` seconds, so a read racing a transaction that
    has not committed yet is not kept.
    """

    def __init__(self, ttl: float = 5.0, live_ttl: float = 300.0, settle: float = 2.0) -> None:
        self.ttl, self.live_ttl, self.settle = ttl, live_ttl, settle
        #: A change feed (PostgreSQL LISTEN) is live: entries may live long.
        self.live = False
        self.enabled = True
        self._rows: dict[int, tuple[float, Staff | None]] = {}
        self._unsettled: dict[int, float] = {}
        self._generation = 0

    def get(self, tg_user_id: int) -> tuple[bool, Staff | None]:
        entry = self._rows.get(tg_user_id)
        if entry is None or not self.enabled:
            return False, None
        loaded, kept = entry
        if time.monotonic() - loaded > (self.live_ttl if self.live else self.ttl):
            del self._rows[tg_user_id]
            return False, None
        # A fresh instance each time: a handler may change its copy without saving it.
        return True, None if kept is None else copy.copy(kept)

    def put(self, tg_user_id: int, staff: Staff | None, generation: int) -> None:
        now = time.monotonic()
        if not self.enabled or generation != self._generation or \
                self._unsettled.get(tg_user_id, 0.0) > now:
            return
        if len(self._rows) > 50_000:
            self._rows.clear()
        self._rows[tg_user_id] = (now, None if staff is None else copy.copy(staff))

    @property
    def generation(self) -> int:
        return self._generation

    def forget(self, tg_user_id: int | None = None) -> None:
        """Drop one person (or everyone, when None)."""
        self._generation += 1
        if tg_user_id is None:
            self._rows.clear()
            return
        self._rows.pop(tg_user_id, None)
        now = time.monotonic()
        if len(self._unsettled) > 1000:
            self._unsettled = {k: v for k, v in self._unsettled.items() if v > now}
        self._unsettled[tg_user_id] = now + self.settle


STAFF_CACHE = StaffCache()


@post_save(Staff)
async def _staff_saved(sender: type[Staff], instance: Staff, *args: Any) -> None:
    STAFF_CACHE.forget(instance.tg_user_id)


@post_delete(Staff)
async def _staff_deleted(sender: type[Staff], instance: Staff, *args: Any) -> None:
    STAFF_CACHE.forget(instance.tg_user_id)


async def find_staff(tg_user_id: int) -> Staff | None:
    """Return the active staff member with this Telegram id, if registered."""
    known, staff = STAFF_CACHE.get(tg_user_id)
    if known:
        return staff
    generation = STAFF_CACHE.generation
    staff = await Staff.get_or_none(tg_user_id=tg_user_id, active=True)
    STAFF_CACHE.put(tg_user_id, staff, generation)
    return staff


def require_role(staff: Staff, *roles: Role) -> None:
    """Refuse unless the staff member holds one of the roles (admins may do everything)."""
    if staff.role == Role.ADMIN or staff.role in roles:
        return
    raise NotAllowed(role=staff.role.value)


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "error.bad_role", value=text, choices="admin/leader/office/staff"
        ) from None


def invite_validity(days: int | None) -> timedelta | None:
    """How long an invite of `days` days lasts; None never expires, 0 and negatives are refused."""
    if days is None:
        return None
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise InvalidInput("error.bad_invite_days", value=days, most=MAX_INVITE_DAYS)
    return timedelta(days=days)


async def create_invite(
    role: Role,
    department: str = "",
    *,
    is_head: bool = False,
    max_uses: int | None = 1,
    valid_for: timedelta | None = timedelta(days=7),
    created_by: Staff | None = None,
) -> Invite:
    """Create an invite token; single-use by default, expiring after a week.

    `valid_for` None makes an invite that never expires; anything else must be longer than
    nothing and at most MAX_INVITE_DAYS days (a zero timedelta is no "never": it is refused).
    """
    if max_uses is not None and max_uses < 1:
        raise InvalidInput("error.bad_number", value=max_uses)
    if valid_for is not None and not (
            timedelta(0) < valid_for <= timedelta(days=MAX_INVITE_DAYS)):
        raise InvalidInput("error.bad_invite_days",
                           value=f"{valid_for.total_seconds() / 86400:g}", most=MAX_INVITE_DAYS)
    department = department.strip()
    if len(department) > 64:
        raise InvalidInput("error.too_long", limit=64)
    expires = clock.now() + valid_for if valid_for is not None else None
    return await Invite.create(
        token=secrets.token_urlsafe(12),
        role=role,
        department=department,
        is_head=is_head,
        max_uses=max_uses,
        expires_at=expires,
        created_by=created_by,
    )


def _person_name(name: str | None, tg_user_id: int) -> str:
    """A Telegram name as the staff list keeps it (any name can be set there)."""
    try:
        return clean_name((name or "")[:64], "person")
    except InvalidInput:
        return str(tg_user_id)


async def join_with_invite(
    token: str, tg_user_id: int, name: str, username: str | None = None
) -> Staff:
    """Register the user with the invite's role and department, using up one use of it."""
    # A token the bot never makes (too long, odd characters) names no invite.
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token or ""):
        raise InviteInvalid(reason="unknown")
    async with in_transaction():
        invite = await Invite.filter(token=token).select_for_update().first()
        if invite is None:
            raise InviteInvalid(reason="unknown")
        if invite.revoked:
            raise InviteInvalid(reason="revoked")
        if invite.expires_at is not None and invite.expires_at <= clock.now():
            raise InviteInvalid(reason="expired")
        if invite.max_uses is not None and invite.uses >= invite.max_uses:
            raise InviteInvalid(reason="used")
        existing = await Staff.get_or_none(tg_user_id=tg_user_id)
        if existing is not None and existing.active:
            raise Conflict("error.already_registered", name=existing.name)
        invite.uses += 1
        await invite.save(update_fields=["uses"])
        fields = {
            "name": _person_name(name, tg_user_id),
            "username": (username or "")[:64] or None,
            "role": invite.role,
            "department": invite.department,
            "is_head": invite.is_head,
            "active": True,
            "reachable": True,
            "invited_by_id": invite.created_by_id,  # type: ignore[attr-defined]
        }
        if existing is not None:
            await existing.update_from_dict(fields).save()
            joined = existing
        else:
            joined = await Staff.create(tg_user_id=tg_user_id, **fields)
        # Whoever made the invite hears who used it (the admins when that person is gone).
        from services import outbox  # outbox reads the registry: imported when used

        key = f"core.joined:{joined.id}:{invite.id}:{invite.uses}"
        creator = await Staff.get_or_none(id=invite.created_by_id, active=True)  # type: ignore[attr-defined]
        if creator is not None and creator.id != joined.id:
            await outbox.emit_to_staff(creator, "core.joined", {"staff_id": joined.id}, key)
        elif creator is None:
            await outbox.emit_to_admins("core.joined", {"staff_id": joined.id}, key)
        return joined


async def list_staff(include_inactive: bool = False) -> Sequence[Staff]:
    query = Staff.all() if include_inactive else Staff.filter(active=True)
    return await query.order_by("department", "id")


async def get_staff(staff_id: int) -> Staff:
    # A typed 20-digit number names nobody (and would overflow the database's integer).
    staff = await Staff.get_or_none(id=staff_id) if 0 < staff_id < 2**31 else None
    if staff is None:
        raise NotFound("error.staff_not_found", id=staff_id)
    return staff


async def change_role(actor: Staff, staff_id: int, role: Role) -> Staff:
    """Give a staff member another role; an admin cannot demote the last admin."""
    require_role(actor, Role.ADMIN)
    async with in_transaction():
        target = await get_staff(staff_id)
        if target.role == Role.ADMIN and role != Role.ADMIN:
            await _keep_one_admin(target)
        target.role = role
        await target.save(update_fields=["role"])
    return target


async def deactivate(actor: Staff, staff_id: int) -> Staff:
    """Switch a staff member off; they keep their history but can no longer use the bot."""
    require_role(actor, Role.ADMIN)
    async with in_transaction():
        target = await get_staff(staff_id)
        if target.role == Role.ADMIN:
            await _keep_one_admin(target)
        target.active = False
        await target.save(update_fields=["active"])
    return target


async def _keep_one_admin(target: Staff) -> None:
    others = await Staff.filter(role=Role.ADMIN, active=True).exclude(id=target.id).count()
    if others == 0:
        raise Conflict("error.last_admin")


async def set_lang(staff: Staff, lang: str) -> Staff:
    if lang not in LANGS:
        raise InvalidInput("error.bad_lang", value=lang)
    staff.lang = lang
    await staff.save(update_fields=["lang"])
    return staff


async def mark_reachable(tg_user_id: int, reachable: bool) -> None:
    await Staff.filter(tg_user_id=tg_user_id).update(reachable=reachable)
    STAFF_CACHE.forget(tg_user_id)


async def bind_chat(actor: Staff, chat_id: int, title: str, purpose: str) -> BoundChat:
    """Mark a group as the office's or the leaders'; a purpose lives in one group at a time."""
    require_role(actor, Role.ADMIN)
    if chat_id > 0:
        raise InvalidInput("error.bind_private")
    try:
        chosen = ChatPurpose(purpose.strip().lower())
    except ValueError:
        raise InvalidInput("error.bad_purpose", value=purpose, choices="office/leaders") from None
    async with in_transaction():
        bound = await BoundChat.filter(purpose=chosen).select_for_update().first()
        if bound is None:
            return await BoundChat.create(
                chat_id=chat_id, title=title[:128], purpose=chosen, bound_by=actor
            )
        bound.chat_id, bound.title, bound.bound_by = chat_id, title[:128], actor  # type: ignore[assignment]
        await bound.save()
        return bound


async def chat_for(purpose: ChatPurpose) -> int | None:
    """Return the chat id bound for this purpose, if any."""
    bound = await BoundChat.get_or_none(purpose=purpose)
    return bound.chat_id if bound else None


async def purposes_of(chat_id: int) -> list[ChatPurpose]:
    return [b.purpose for b in await BoundChat.filter(chat_id=chat_id)]


async def staff_with_role(*roles: Role) -> Sequence[Staff]:
    return await Staff.filter(active=True, role__in=list(roles)).order_by("id")
