"""Repairs (维修, issue 16): faults reported with a place from the office's list (typed or from
a photo), assigned to a staff member or an outside company, accepted, closed with the work
and its cost, confirmed and rated by the reporter; costs above the threshold are approved
first (`repair_cost` flow) and overdue repairs are chased by urgency."""

from __future__ import annotations

from services import approvals
from services.repairs import ledger, places, work
from services.repairs.demo import seed_demo
from services.repairs.work import RULES, configure

approvals.on_outcome(work.KIND, work.on_outcome)

__all__ = ["RULES", "configure", "ledger", "places", "seed_demo", "work"]
