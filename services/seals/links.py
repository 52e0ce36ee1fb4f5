"""Links from a seal request to a record of another feature (a 发文 or 收文 once documents exist).

Seals depend on no such feature: the documents feature registers a resolver per kind of record
(`register("outgoing", func)`), and a request typed as 发文12 or 收文 #5 is linked only when a
resolver for that kind is there; otherwise the words are the document's name as typed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

#: record id -> its title (None when there is no such record)
Resolver = Callable[[int], Awaitable[str | None]]
_RESOLVERS: dict[str, Resolver] = {}
#: The words people use for each kind of record.
WORDS = {"发文": "outgoing", "收文": "incoming"}
_REF = re.compile(r"(发文|收文)\s*(?:第|#|＃|No\.?)?\s*(\d{1,9})\s*号?")


def register(kind: str, resolver: Resolver) -> None:
    """Let requests link records of this kind (the documents feature calls it)."""
    _RESOLVERS[kind] = resolver


def unregister(kind: str) -> None:
    _RESOLVERS.pop(kind, None)


def find_ref(text: str) -> tuple[str, int, str] | None:
    """A record named in the text whose kind has a resolver: (kind, id, the words used)."""
    for match in _REF.finditer(text):
        kind = WORDS[match[1]]
        if kind in _RESOLVERS:
            return kind, int(match[2]), match[0]
    return None


async def title_of(kind: str, record_id: int) -> str | None:
    resolver = _RESOLVERS.get(kind)
    return await resolver(record_id) if resolver is not None else None
