"""Meeting rooms: rooms and rules, booking dialogs, the guard against double booking, usage."""

from __future__ import annotations

from services.rooms import approval
from services.rooms.catalog import RULES, RoomRules, configure
from services.rooms.demo import seed_demo
from services.rooms.schedule import meetings_arranged

__all__ = ["RULES", "RoomRules", "configure", "meetings_arranged", "seed_demo"]

# The approvals engine calls back with the outcome of a restricted room's booking.
approval.register_with_engine()
