"""Approval chasing: remind slow approvers, escalate long waits, report unreachable approvers."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services import approvals


@job("approvals.chase", every=timedelta(minutes=1))
async def chase(now: datetime) -> str:
    """Sweep the waiting steps (idempotent: each reminder and escalation is claimed once)."""
    counts = await approvals.chase(now)
    return ", ".join(f"{k}={v}" for k, v in counts.items())
