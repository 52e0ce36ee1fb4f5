"""The everything-consumed check: a time word the grammar did not read makes the answer a question.

The grammar reads one expression and leaves the rest of the text (a room, a title, a head count)
alone. When that rest still holds a word that bears on the time (去年的 in 去年的今天, 2.15 in
2.15早上, 后天 in 明天或后天, 上旬 glued after a clock time), the answer was read from part of
what the user said and may well be wrong, so the parse asks instead (``unclear_part``, quoting
the unread words). This stage knows nothing of how expressions are read: it only lists the
words that bear on time, wherever they are, and which of them lie outside what was read. It is
deliberately wider than the grammar, so a word the grammar has never learnt still asks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from services.timeparse import lexicon as lx

_NUMERAL = r"(?:\d+(?:\.\d+)?[ \t]*|[零〇○一二两三四五六七八九十百千几]+|半(?!年))"
_UNIT = (
    r"(?:个)?(?:半)?(?P<unit>点钟|点|时|分钟|分|秒钟|秒|号|日|月|年|周|星期|礼拜"
    r"|天|刻钟|刻|小时|钟头)"
)
#: Words that always bear on time: numbers with a unit of time, days, weekdays, weeks and
#: months said relatively, parts of day, 月底, clock and calendar notations.
_HARD = re.compile(
    "|".join(
        [
            rf"(?P<num>{_NUMERAL}){_UNIT}",
            r"\d{1,2}:\d{2}",
            r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}",
            r"(?P<md>\d{1,2})[./](?P<dd>\d{1,2})(?![\d./%万亿元米倍])",
            r"(?<![然之以最随落背过])(?:大大后天|大后天|后天|后年)",
            r"(?<![之以目提])(?:大前天|前天|前年|前晚)",
            r"今天|今日|今晚|今早|今晨|今夜|今年|明天|明日|明晚|明早|明晨|明年|昨天|昨日|昨晚|昨夜",
            r"去年|次日|翌日|当天|当晚|当日|本日|第二天",
            r"(?:今明后?|明后|昨今)[ \t]*(?:[两二三][ \t]*)?[天日]",
            r"(?:周|星期|礼拜)[一二三四五六日天末1-7]",
            r"(?:上上|下下|上|下|本|这|该|每|同|当)(?:一)?(?:个)?"
            r"(?:(?:周|星期|礼拜)[一二三四五六日天末]?|月|年|半年|旬)",
            r"每(?:个|一)?(?:天|日|晚|早)",
            r"凌晨|黎明|拂晓|清晨|早晨|早上|早间|上午|中午|午间|下午|午后|傍晚|晚上|晚间|夜里|夜间",
            r"后半夜|前半夜|半夜|深夜|午夜|黄昏|白天|晌午",
            r"[早晚](?=[ \t]*(?:\d{1,2}|[三四五六七八九]|十[一二]?)[ \t]*[点时:])",
            r"月底|月末|月初|年底|年末|上旬|中旬|下旬|周末",
            r"现在|此刻|刚才|刚刚",
            r"(?<=[年月天日号周])[初底末]",
        ]
    )
)
#: Words about time that are also common in a meeting's subject (三季度经济运行分析会,
#: 国庆安保部署会, 近期重点工作): they count only in the stretch of text the expression is in
#: (no space or punctuation between), where they change its meaning (第三季度末下午3点,
#: 国庆节后第一天, 春节前下午3点).
_SOFT = re.compile(
    "|".join(
        [
            r"[零〇○一二两三四1-4]季度|季度|[上中下]旬|\d+世纪|月中|年初|年中|周初|季末|季初|前夕|开春",
            r"年关|最近(?!的)|近期|近日|工作日|全天|整天",
            r"节后|节前|节假日|假期|长假|黄金周|春节|元旦|国庆|中秋|端午|清明|除夕|元宵|寒假|暑假",
            r"五一|劳动节",
            # 半年工作会, 上半年总结: a meeting's subject far more often than a length of time
            r"[上下]?半年",
        ]
    )
)
_SEPARATOR = re.compile(r"[\s,，。.;；、!！?？]")
#: Words after a number and 年/月/日 that make it no date: 2026年度 is a title's word.
_NOT_AFTER = {
    "年": "度级纪龄轻",
    "月": "饼薪票台光亮球嫂",
    "日": "元",
    "周": "年",
}


def _is_time(m: re.Match[str], text: str) -> bool:
    """Tell whether a token match bears on time (3号会议室, 第3点, 十分感谢 do not)."""
    if m.re is not _HARD:
        return True
    if m["md"] is not None:
        return 1 <= int(m["md"]) <= 12 and 1 <= int(m["dd"]) <= 31
    numeral = m["num"]
    if numeral is None:
        return True
    unit = m["unit"]
    after = text[m.end() : m.end() + 1]
    if after and after in _NOT_AFTER.get(unit, ""):
        return False
    if unit == "号" and re.match(lx.ROOM_AFTER, text[m.end() :]):
        return False
    if unit in ("点", "点钟"):
        before = text[m.start() - 1 : m.start()]
        if before == "第" or lx.NOT_CLOCK_AFTER.match(text, m.end()):
            return False
        if numeral in ("一", "两") and before and before in lx.NOT_CLOCK_BEFORE:
            return False  # 晚一点, 快一点: a little, not one o'clock
    if unit == "分" and (numeral == "十" or after == "之"):
        return False  # 十分感谢 (very), 百分之五十 (per cent)
    return True


def time_words(text: str) -> list[tuple[int, int]]:
    """Return the spans of the words in text that always bear on time."""
    return [m.span() for m in _HARD.finditer(text) if _is_time(m, text)]


def unread(text: str, read: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the spans of time words not wholly inside one of the read spans.

    A word that is also common in a subject (三季度, 国庆, 近期) counts only when it stands in the
    same unbroken stretch of text as something that was read.
    """
    stretches = [_stretch(text, b, e) for b, e in read if e > b]
    soft = [
        m.span()
        for m in _SOFT.finditer(text)
        if any(lo <= m.start() and m.end() <= hi for lo, hi in stretches)
    ]
    found = sorted(set(time_words(text)) | set(soft))
    return [(b, e) for b, e in found if not any(rb <= b and e <= re_ for rb, re_ in read)]


def _stretch(text: str, b: int, e: int) -> tuple[int, int]:
    """Return the run of text around [b, e) with no space or punctuation in it."""
    while e > b and _SEPARATOR.match(text, e - 1):  # a read span may end on its space
        e -= 1
    while b < e and _SEPARATOR.match(text, b):
        b += 1
    while b > 0 and not _SEPARATOR.match(text, b - 1):
        b -= 1
    while e < len(text) and not _SEPARATOR.match(text, e):
        e += 1
    return b, e
