"""The demo roster of ARCHITECTURE.md, seeded in the database and in the sandbox."""

from __future__ import annotations

import importlib
import logging

from models.core import BoundChat, ChatPurpose, Role, Staff

log = logging.getLogger(__name__)

#: (Telegram id, name, username, role, department, department head)
ROSTER = [
    (1001, "王管理", "wang_admin", Role.ADMIN, "党政办", False),
    (1002, "李主任", "li_leader", Role.LEADER, "园区领导", False),
    (1003, "张秘书", "zhang_office", Role.OFFICE, "党政办", False),
    (1004, "刘工", "liu_staff", Role.STAFF, "规划建设局", False),
    (1005, "陈科长", "chen_head", Role.STAFF, "规划建设局", True),
]
GROUPS = [
    (-2001, "党政办工作群", ChatPurpose.OFFICE, [1001, 1002, 1003, 1004, 1005]),
    (-2002, "领导舆情群", ChatPurpose.LEADERS, [1001, 1002, 1003]),
]
#: Each feature's demo data: "module:function" of an async function taking no arguments.
#: A feature adds its line here.
FEATURE_SEEDERS: list[str] = []
FEATURE_SEEDERS.append("services.receptions.demo:seed_demo")
FEATURE_SEEDERS.append("services.opinion.demo:seed_demo")
FEATURE_SEEDERS.append("services.supplies.demo:seed_demo")
FEATURE_SEEDERS.append("services.rooms.demo:seed_demo")
FEATURE_SEEDERS.append("services.seals.demo:seed_demo")
FEATURE_SEEDERS.append("services.repairs.demo:seed_demo")
FEATURE_SEEDERS.append("services.meetings.demo:seed_demo")
FEATURE_SEEDERS.append("services.documents.demo:seed_demo")
FEATURE_SEEDERS.append("services.publicity.demo:seed_demo")


async def seed_database() -> None:
    """Create the demo staff, bound groups and every feature's demo data (idempotent)."""
    for uid, name, username, role, dept, head in ROSTER:
        await Staff.update_or_create(
            tg_user_id=uid,
            defaults={"name": name, "username": username, "role": role, "department": dept,
                      "is_head": head, "active": True},
        )
    admin = await Staff.get(tg_user_id=1001)
    for chat_id, title, purpose, _ in GROUPS:
        await BoundChat.update_or_create(
            purpose=purpose, defaults={"chat_id": chat_id, "title": title, "bound_by": admin}
        )
    for target in FEATURE_SEEDERS:
        module_name, func_name = target.split(":")
        await getattr(importlib.import_module(module_name), func_name)()


async def seed_sandbox(client: object) -> None:
    """Create the demo users and groups in the sandbox (a SandboxClient)."""
    for uid, name, username, *_ in ROSTER:
        await client.add_user(uid, name, username=username, started=True)  # type: ignore[attr-defined]
    for chat_id, title, _, members in GROUPS:
        await client.add_chat(chat_id, "group", title=title, members=members)  # type: ignore[attr-defined]
