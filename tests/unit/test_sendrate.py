"""Telegram's limits across replicas: every reservation, from any connection, keeps the spacing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import pairwise

from services import clock
from services.clock import FixedClock
from services.sendrate import SendRate


def business() -> float:
    """The test's clock (moved by hand) in place of the wall clock."""
    return clock.now().timestamp()


async def test_concurrent_reservations_are_spaced_at_the_overall_rate(
        db: str, fixed_clock: FixedClock) -> None:
    rate = SendRate(global_per_second=20, now=business)
    # Many at once: on PostgreSQL they go over several pooled connections, as from replicas.
    slots = await asyncio.gather(*(rate.reserve(100_000 + i) for i in range(60)))
    assert all(slot.reserved for slot in slots)
    starts = sorted(slot.wait for slot in slots)
    assert starts[0] == 0.0
    assert min(b - a for a, b in pairwise(starts)) >= 0.05 - 1e-6
    assert starts[-1] < 59 * 0.05 + 0.01  # and no slot is wasted


async def test_a_private_chat_gets_one_a_second_and_a_group_twenty_a_minute(
        db: str, fixed_clock: FixedClock) -> None:
    one, other = SendRate(now=business), SendRate(now=business)  # two replicas' senders
    assert (await one.reserve(1004)).reserved
    early = await other.reserve(1004)
    assert not early.reserved and abs(early.wait - 1.0) < 1e-6
    assert (await other.reserve(1005)).reserved  # another chat is not held up
    fixed_clock.advance(timedelta(seconds=1))
    assert (await other.reserve(1004)).reserved
    assert (await one.reserve(-2001)).reserved
    fixed_clock.advance(timedelta(seconds=2))
    assert not (await other.reserve(-2001)).reserved
    fixed_clock.advance(timedelta(seconds=1.2))
    assert (await other.reserve(-2001)).reserved


async def test_429_pauses_a_chat_or_the_whole_bot_for_every_sender(
        db: str, fixed_clock: FixedClock) -> None:
    one, other = SendRate(now=business), SendRate(now=business)
    await one.pause(1004, 7)
    slot = await other.reserve(1004)
    assert not slot.reserved and slot.wait >= 7.0
    await one.pause(None, 4)
    slot = await other.reserve(-2001)
    assert slot.reserved and slot.wait >= 4.0


async def test_acquire_waits_for_the_chat_then_takes_the_slot(db: str) -> None:
    rate = SendRate(private_per_second=20)
    await rate.acquire(1004)
    waited = await rate.acquire(1004)
    assert 0.0 < waited <= 0.1
