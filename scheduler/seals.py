"""Seal jobs: approved requests not stamped in time lapse."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler import job
from services.seals import requests


@job("seals.lapse", every=timedelta(minutes=10))
async def lapse(now: datetime) -> str:
    """Close approved seal requests whose time ran out and tell their requesters."""
    return f"{await requests.lapse_due(now)} lapsed"
