"""Staff registry: invites, roles, the last admin, bound groups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.core import ChatPurpose, Role, Staff
from services import staff as svc
from services.clock import FixedClock
from services.errors import Conflict, InvalidInput, InviteInvalid, NotAllowed


async def test_single_use_invite_registers_once_then_is_used_up(db: str) -> None:
    invite = await svc.create_invite(Role.STAFF, "规划建设局")
    person = await svc.join_with_invite(invite.token, 1004, "刘工")
    assert (person.role, person.department) == (Role.STAFF, "规划建设局")
    with pytest.raises(InviteInvalid) as err:
        await svc.join_with_invite(invite.token, 1006, "路人")
    assert err.value.params["reason"] == "used"


async def test_expired_invite_is_refused(db: str, fixed_clock: FixedClock) -> None:
    invite = await svc.create_invite(Role.STAFF, valid_for=timedelta(hours=1))
    fixed_clock.advance(timedelta(hours=2))
    with pytest.raises(InviteInvalid) as err:
        await svc.join_with_invite(invite.token, 1004, "刘工")
    assert err.value.params["reason"] == "expired"


async def test_multi_use_invite_registers_several(db: str) -> None:
    invite = await svc.create_invite(Role.STAFF, "财务部", max_uses=None)
    for uid in range(2000, 2005):
        await svc.join_with_invite(invite.token, uid, f"人{uid}")
    assert await Staff.filter(department="财务部").count() == 5


async def test_registered_user_cannot_join_twice(db: str) -> None:
    invite = await svc.create_invite(Role.STAFF, max_uses=2)
    await svc.join_with_invite(invite.token, 1004, "刘工")
    with pytest.raises(Conflict):
        await svc.join_with_invite(invite.token, 1004, "刘工")


async def test_last_admin_keeps_the_role(db: str) -> None:
    admin = await Staff.create(tg_user_id=1001, name="王管理", role=Role.ADMIN)
    with pytest.raises(Conflict):
        await svc.change_role(admin, admin.id, Role.STAFF)
    with pytest.raises(Conflict):
        await svc.deactivate(admin, admin.id)


async def test_only_admins_change_roles(db: str) -> None:
    clerk = await Staff.create(tg_user_id=1003, name="张秘书", role=Role.OFFICE)
    other = await Staff.create(tg_user_id=1004, name="刘工", role=Role.STAFF)
    with pytest.raises(NotAllowed):
        await svc.change_role(clerk, other.id, Role.LEADER)


async def test_binding_moves_a_purpose_to_the_new_group(db: str) -> None:
    admin = await Staff.create(tg_user_id=1001, name="王管理", role=Role.ADMIN)
    await svc.bind_chat(admin, -2001, "旧群", "office")
    await svc.bind_chat(admin, -2003, "新群", "office")
    assert await svc.chat_for(ChatPurpose.OFFICE) == -2003
    with pytest.raises(InvalidInput):
        await svc.bind_chat(admin, -2003, "新群", "everyone")
    with pytest.raises(InvalidInput):
        await svc.bind_chat(admin, 1001, "私聊", "office")
