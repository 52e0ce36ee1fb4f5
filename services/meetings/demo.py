"""Demo data: a list of the department heads to invite together."""

from __future__ import annotations

from models.core import Staff
from models.meetings import InviteList
from services import clock


async def seed_demo() -> None:
    """Create the 各部门负责人 list from the demo roster (idempotent)."""
    if await InviteList.exists():
        return
    heads = await Staff.filter(tg_user_id__in=[1002, 1003, 1005]).values_list("id", flat=True)
    if heads:
        await InviteList.create(name="各部门负责人", members=list(heads), updated_at=clock.now())
