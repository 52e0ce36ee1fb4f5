"""Demo rooms for the sandbox and the demo database."""

from __future__ import annotations

from services.rooms.catalog import import_rows

DEMO_ROOMS = [
    {"name": "1号会议室", "building": "综合楼", "floor": "3", "capacity": 12,
     "equipment": "投影"},
    {"name": "2号会议室", "building": "综合楼", "floor": "3", "capacity": 8},
    {"name": "3号会议室", "building": "综合楼", "floor": "5", "capacity": 20,
     "equipment": "投影,视频会议", "max_hours": 8},
    {"name": "党工委会议室", "building": "综合楼", "floor": "6", "capacity": 30,
     "equipment": "投影,视频会议,话筒", "needs_approval": True},
    {"name": "洽谈室", "building": "服务中心", "floor": "1", "capacity": 6,
     "checkin_required": True},
]


async def seed_demo() -> None:
    """Create or refresh the demo rooms (idempotent)."""
    await import_rows(DEMO_ROOMS)
