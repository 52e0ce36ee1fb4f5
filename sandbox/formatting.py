"""Telegram-style parsing of ``parse_mode=HTML`` text into plain text plus message entities.

Strict like Telegram: only the documented tags are accepted, tags must nest properly, and the
errors read like Telegram's ("can't parse entities: ..."). Offsets and lengths of the produced
entities are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EntityParseError", "parse_html", "utf16_len"]

_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SPECIAL_TAGS = {"a", "span", "tg-emoji", "tg-time"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]*")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is Telegram's reason."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    start: int  # UTF-16 offset in the output
    byte_offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def _unescape(raw: str) -> str:
    def repl(m: re.Match[str]) -> str:
        body = m.group(1)
        if body.startswith("#"):
            try:
                code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
                return chr(code) if 0 < code <= 0x10FFFF else m.group(0)
            except ValueError:
                return m.group(0)
        return _NAMED_ENTITIES.get(body.lower(), m.group(0))

    return _ENTITY_RE.sub(repl, raw)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _parse_attrs(source: str, pos: int, tag_start: int) -> tuple[dict[str, str], int]:
    """Parse attributes from ``pos`` up to the closing ``>``; returns (attrs, index after '>')."""
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while pos < n and source[pos].isspace():
            pos += 1
        if pos >= n:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, tag_start)}"
            )
        if source[pos] == ">":
            return attrs, pos + 1
        if source[pos] == "/" and pos + 1 < n and source[pos + 1] == ">":
            return attrs, pos + 2
        m = _ATTR_NAME_RE.match(source, pos)
        name = m.group(0) if m else ""
        if not name:
            raise EntityParseError(
                f"Empty attribute name in the tag at byte offset {_byte_offset(source, tag_start)}"
            )
        pos += len(name)
        while pos < n and source[pos].isspace():
            pos += 1
        if pos < n and source[pos] != "=":
            # attribute without a value (e.g. <blockquote expandable>)
            attrs[name.lower()] = ""
            continue
        if pos >= n:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, tag_start)}"
            )
        pos += 1
        while pos < n and source[pos].isspace():
            pos += 1
        if pos < n and source[pos] in "\"'":
            quote = source[pos]
            end = source.find(quote, pos + 1)
            if end < 0:
                raise EntityParseError(
                    f"Unclosed end of attribute value at byte offset {_byte_offset(source, pos)}"
                )
            value = source[pos + 1 : end]
            pos = end + 1
        else:
            start = pos
            while pos < n and not source[pos].isspace() and source[pos] != ">":
                pos += 1
            value = source[start:pos]
        attrs[name.lower()] = _unescape(value)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(plain_text, entities)`` for Telegram HTML, or raise :class:`EntityParseError`."""
    out: list[str] = []
    out_len = 0  # UTF-16 units emitted so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    n = len(source)
    while pos < n:
        lt = source.find("<", pos)
        chunk_end = n if lt < 0 else lt
        if chunk_end > pos:
            text = _unescape(source[pos:chunk_end])
            out.append(text)
            out_len += utf16_len(text)
        if lt < 0:
            break
        tag_start = lt
        if lt + 1 < n and source[lt + 1] == "/":
            m = _TAG_NAME_RE.match(source, lt + 2)
            name = (m.group(0) if m else "").lower()
            end = lt + 2 + len(name)
            while end < n and source[end].isspace():
                end += 1
            if end >= n or source[end] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, tag_start)}"
                )
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, tag_start)}"
                )
            top = stack[-1]
            if name and name != top.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, tag_start)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            stack.pop()
            lang = top.attrs.get("class", "")
            if (
                top.name == "code"
                and stack
                and stack[-1].name == "pre"
                and stack[-1].start == top.start
                and lang.startswith("language-")
            ):
                # <pre><code class="language-x"> is one pre entity with a language
                stack[-1].attrs["language"] = lang[len("language-") :]
            else:
                _close(top, out_len, entities)
            pos = end + 1
            continue
        m = _TAG_NAME_RE.match(source, lt + 1)
        name = (m.group(0) if m else "").lower()
        if name not in _SIMPLE_TAGS and name not in _SPECIAL_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, tag_start)}'
            )
        attrs, pos = _parse_attrs(source, lt + 1 + len(name), tag_start)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if name == "a" and "href" not in attrs:
            # Telegram drops <a> without href silently; keep it as plain text
            attrs["href"] = ""
        if name == "tg-emoji" and "emoji-id" not in attrs:
            raise EntityParseError('Tag "tg-emoji" must have attribute "emoji-id"')
        stack.append(_Open(name, out_len, _byte_offset(source, tag_start), attrs))
    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        )
    text = "".join(out)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, entities


def _close(tag: _Open, end: int, entities: list[dict[str, Any]]) -> None:
    length = end - tag.start
    if length <= 0:
        return
    entity: dict[str, Any] = {"offset": tag.start, "length": length}
    if tag.name in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[tag.name]
        if tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        if tag.name == "pre" and tag.attrs.get("language"):
            entity["language"] = tag.attrs["language"]
    elif tag.name == "span":
        entity["type"] = "spoiler"
    elif tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        m = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if m:
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(m.group(1)), "is_bot": False, "first_name": ""}
        else:
            entity["type"] = "text_link"
            entity["url"] = href
    elif tag.name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif tag.name == "tg-time":
        entity["type"] = "date_time"
        if tag.attrs.get("unix", "").isdigit():
            entity["unix_time"] = int(tag.attrs["unix"])
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    else:  # pragma: no cover - guarded by the caller
        return
    entities.append(entity)
