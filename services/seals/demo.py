"""Demo data: the park's four seals, kept by the office clerk."""

from __future__ import annotations

from models.core import Staff
from models.seals import Seal

#: (name, approval chain, roles that may ask for it)
DEMO_SEALS = [
    ("党工委章", "seal_use_leader", ["admin", "leader", "office"]),
    ("管委会章", "seal_use_leader", ["admin", "leader", "office"]),
    ("党政办章", "seal_use", []),
    ("合同专用章", "seal_use_leader", ["admin", "leader", "office"]),
]


async def seed_demo() -> None:
    """Create the seals with 张秘书 (1003) as custodian (idempotent)."""
    if await Seal.exists():
        return
    keeper = await Staff.get_or_none(tg_user_id=1003)
    for name, flow, roles in DEMO_SEALS:
        await Seal.create(name=name, flow=flow, allowed_roles=roles, custodian=keeper)
