"""Views turn outbox events into messages in the recipient's language (the notifier calls them)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup


@dataclass
class Rendered:
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    #: (file name, bytes) to send as a document with `text` as its caption; a str instead of
    #: the bytes is a Telegram file id sent again.
    document: tuple[str, bytes | str] | None = None
    #: PNG bytes, or the Telegram file id of a photo sent again.
    photo: bytes | str | None = None


View = Callable[[dict[str, Any], str], Rendered | Awaitable[Rendered]]
VIEWS: dict[str, View] = {}


def view(kind: str) -> Callable[[Any], Any]:
    """Register the function (plain or async) that renders events of this kind."""

    def register(func: Any) -> Any:
        VIEWS[kind] = func
        return func

    return register


def render(kind: str, payload: dict[str, Any], lang: str) -> Rendered | Awaitable[Rendered]:
    if kind not in VIEWS:
        raise KeyError(f"no view renders outbox events of kind {kind!r}")
    return VIEWS[kind](payload, lang)


def _load() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_load()
