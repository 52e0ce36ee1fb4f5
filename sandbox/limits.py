"""Token buckets modelling Telegram's flood limits on message-creating calls."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimits", "TokenBucket"]


@dataclass
class RateLimits:
    """Rates in tokens per second and bucket capacities (the tolerated burst)."""

    global_rate: float = 30.0
    global_capacity: float = 30.0
    private_rate: float = 1.0
    private_capacity: float = 3.0
    group_rate: float = 20.0 / 60.0
    group_capacity: float = 20.0


class TokenBucket:
    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self.tokens = capacity
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def retry_after(self) -> int:
        """0 if a token is available now, else whole seconds (>= 1) until one is."""
        self._refill()
        if self.tokens >= 1.0:
            return 0
        if self.rate <= 0:
            return 3600
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))

    def take(self) -> None:
        self._refill()
        self.tokens -= 1.0
