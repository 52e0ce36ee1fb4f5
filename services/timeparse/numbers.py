"""Numerals (Arabic and Chinese), years written with two digits, full-width characters."""

from __future__ import annotations

from datetime import datetime

CN_DIGIT = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3,
    "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}

#: Full-width ASCII, the ideographic space and the ratio sign, each to one ASCII character, so
#: that offsets in the normalised text are offsets in the user's text.
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x2236: 0x3A})


def num(s: str) -> int:
    """Return the value of an Arabic or Chinese numeral."""
    if s.isascii():
        return int(s)
    if len(s) > 1 and all(c in CN_DIGIT for c in s):
        return int("".join(str(CN_DIGIT[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in CN_DIGIT:
            cur = CN_DIGIT[c]
        elif c in _CN_UNIT:
            total += (cur or 1) * _CN_UNIT[c]
            cur = 0
        elif c == "万":
            total = (total + cur) * 10000
            cur = 0
    return total + cur


def year_of(s: str, now: datetime) -> int:
    """Return a full year from a written year (two-digit years: the nearest such year)."""
    y = num(s)
    if len(s) == 2 and y < 100:
        century = now.year // 100 * 100
        cands = (century - 100 + y, century + y, century + 100 + y)
        y = min(cands, key=lambda c: abs(c - now.year))
    return y


def normalise(text: str) -> str:
    """Return text with full-width characters made ASCII, one character for one."""
    return text.translate(_FULLWIDTH)
