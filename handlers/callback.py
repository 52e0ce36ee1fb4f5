"""Callback data is `feature:action:id[:extra]`, encoded and checked in this one place."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.inputs import INT_MAX, to_int

MAX_BYTES = 64
_PART = re.compile(r"^[A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class CallbackData:
    feature: str
    action: str
    id: str
    extra: tuple[str, ...] = ()

    @property
    def int_id(self) -> int | None:
        """The id as a record number (0 to what an id column holds); None for anything else."""
        return to_int(self.id, low=0)

    def extra_int(self, index: int = 0, *, low: int = 0, high: int = INT_MAX) -> int | None:
        """An extra part as a bounded whole number; None when missing or not one."""
        return to_int(self.extra[index], low=low, high=high) if index < len(self.extra) else None


@dataclass(frozen=True)
class ButtonData(CallbackData):
    """Callback data whose id is known to be a number."""

    @property
    def int_id(self) -> int:
        return int(self.id)


def encode(feature: str, action: str, id: object = "", *extra: object) -> str:
    parts = [feature, action, str(id), *(str(e) for e in extra)]
    for part in parts:
        if not _PART.match(part):
            raise ValueError(f"callback part {part!r} has characters outside [A-Za-z0-9_.-]")
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data {data!r} is longer than {MAX_BYTES} bytes")
    return data


def decode(data: str | None) -> CallbackData | None:
    """Parse callback data; None when it is not of our shape (forged or from an old version)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 3 or not all(_PART.match(p) for p in parts):
        return None
    return CallbackData(parts[0], parts[1], parts[2], tuple(parts[3:]))


def pattern(feature: str) -> str:
    return rf"^{re.escape(feature)}:"
