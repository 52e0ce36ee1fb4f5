"""Who holds a piece of work: a name per worker, unique across processes and restarts.

A name is `host:pid:process-token:role:random`. Leases renewed by a heartbeat decide between
hosts; on one host a restarted process also recognises its dead predecessors' names at once
(their pid is gone, or is its own with another process token) and takes their work over
without waiting out the lease.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any

_PROCESS = secrets.token_hex(3)


def _host() -> str:
    return socket.gethostname()[:24]


def worker_id(role: str) -> str:
    """A fresh worker name (at most 64 characters)."""
    return f"{_host()}:{os.getpid()}:{_PROCESS}:{role}:{secrets.token_hex(3)}"[:64]


def is_dead_here(owner: str | None) -> bool:
    """True when `owner` names a process of this host that no longer runs."""
    if not owner:
        return False
    parts = owner.split(":")
    if len(parts) < 3 or parts[0] != _host():
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return parts[2] != _PROCESS  # a predecessor that had our pid (a container's pid 1)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


async def release_dead_here(rows: Any) -> int:
    """Make the leased rows of this host's dead workers claimable now (a restart needs no
    lease wait); `rows` is the queryset of rows being worked (outbox or inbox)."""
    owners = await rows.distinct().values_list("owner", flat=True)
    dead = [o for o in owners if is_dead_here(o)]
    if not dead:
        return 0
    return int(await rows.filter(owner__in=dead).update(lease_until=None))
