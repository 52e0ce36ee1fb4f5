"""Text normalisation shared by the rules layer and the model."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", re.I)
# Emoji, pictographs, dingbats, variation selectors, zero-width characters.
_NOISE = re.compile(
    "["
    "\U0001f000-\U0001faff"
    "\U00002600-\U000027bf"
    "\U0001f1e6-\U0001f1ff"
    "\ufe00-\ufe0f"
    "\u200b-\u200f\u2060\ufeff"
    "]+"
)
# Weibo-style bracketed emoticons such as [哈哈] or [怒].
_EMOTICON = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,6}\]")
_REPEAT = re.compile(r"([?？!！。.~～])\1{2,}")
_SPACE = re.compile(r"\s+")


_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Characters zhconv would change on their own: only texts holding one are converted, which keeps
# simplified text fast and untouched by zhconv's vocabulary swaps.
# zhconv and its table load at the first text that needs them: importing zhconv brings
# pkg_resources, a tenth of a second of every replica's start (issue 20).
@functools.cache
def _zhconv() -> Any:
    import zhconv

    return zhconv


@functools.cache
def _traditional() -> frozenset[str]:
    return frozenset(
        k for k, v in _zhconv().zhconv.getdict("zh-cn").items() if len(k) == 1 and k != v
    )


def to_halfwidth(text: str) -> str:
    """Convert full-width ASCII forms and the ideographic space to half-width."""
    return text.translate(_HALFWIDTH)


def normalize(text: str) -> str:
    """Return text in half-width, simplified script, without URLs, emoji or extra spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = to_halfwidth(text)
    text = _URL.sub(" ", text)
    text = _NOISE.sub("", text)
    text = _EMOTICON.sub(lambda m: m.group(0)[1:-1], text)
    if not _traditional().isdisjoint(text):
        text = _zhconv().convert(text, "zh-cn")
    text = _REPEAT.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()
