"""The input boundary at the door: every update is cleaned before any handler reads it.

Text people send (messages, captions, button data, file names, their own names) goes through
`services.inputs.normalize` here, once, so no handler can read a control character, a NUL
(which PostgreSQL refuses outright) or a lone surrogate, whichever way it reads the update.
Entity offsets are moved with the characters taken out, so commands and links still line up.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from telegram import Bot, Update

from services.inputs import normalize

#: Fields of an update that carry people's text.
_TEXT_FIELDS = {"text", "caption", "data", "file_name", "first_name", "last_name", "username",
                "title", "query", "question"}


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _clean_with_map(text: str) -> tuple[str, list[int]]:
    """The cleaned text, and for each UTF-16 position of the original, its new position."""
    kept: list[str] = []
    mapping: list[int] = []
    position = 0
    for char in text:
        cleaned = normalize(char) if char not in "\r\t" else char
        width = _utf16_units(char)
        mapping.extend([position] * width)
        if cleaned:
            kept.append(cleaned)
            position += sum(_utf16_units(c) for c in cleaned)
    mapping.append(position)
    joined = "".join(kept)
    # Compose accents only where that changes no length (offsets stay right).
    composed = unicodedata.normalize("NFC", joined)
    if len(composed) == len(joined):
        joined = composed
    return joined, mapping


def _move_entities(entities: list[dict[str, Any]], mapping: list[int]) -> list[dict[str, Any]]:
    moved = []
    last = len(mapping) - 1
    for entity in entities:
        start = mapping[min(entity["offset"], last)]
        end = mapping[min(entity["offset"] + entity["length"], last)]
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return moved


def _clean(value: Any) -> Any:
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in _TEXT_FIELDS and isinstance(item, str):
            if normalize(item) == item:  # nearly every text: nothing to take out
                out[key] = item
                continue
            cleaned, mapping = _clean_with_map(item)
            out[key] = cleaned
            entities_key = "entities" if key == "text" else "caption_entities"
            if key in ("text", "caption") and value.get(entities_key):
                out[entities_key] = _move_entities(value[entities_key], mapping)
        elif key not in out:
            out[key] = _clean(item)
    return out


def clean_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """An update as Telegram sent it (JSON), with every person's text through the boundary;
    the poller and the webhook store updates this way, so the dispatcher reads them clean."""
    cleaned = _clean(payload)
    return payload if cleaned == payload else cleaned


def clean_update(update: Update, bot: Bot) -> Update:
    """The same update with every person's text through the input boundary."""
    raw = update.to_dict()
    cleaned = _clean(raw)
    if cleaned == raw:
        return update
    return Update.de_json(cleaned, bot)
