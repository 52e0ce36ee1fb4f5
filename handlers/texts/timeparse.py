"""Question sentences for services.timeparse, in Chinese and English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.texts import Html, as_html

PARTS_ZH = {
    "timeparse.error.day": "日期“{value}”无法识别，请写成 明天、下周五、12月1日 或 2026-12-01 这样的日期。",
    "timeparse.error.period": "时段“{value}”无法识别，可写 本月、上月、今年、2026-11 或 11月1日到11月15日。",
    "dawn": "凌晨", "daybreak": "黎明", "morning": "早上", "forenoon": "上午", "noon": "中午", "afternoon": "下午", "early_afternoon": "午后",
    "dusk": "傍晚", "evening": "晚上", "night": "夜里", "daytime": "白天",
}  # fmt: skip
PARTS_EN = {
    "timeparse.error.day": "The date “{value}” is not understood; write e.g. 明天, 下周五, 12月1日 or 2026-12-01.",
    "timeparse.error.period": "The period “{value}” is not understood; write e.g. 本月, 上月, 今年, 2026-11 or 11月1日到11月15日.",
    "dawn": "early morning", "daybreak": "daybreak", "morning": "morning", "forenoon": "morning", "noon": "noon",
    "afternoon": "afternoon", "early_afternoon": "early afternoon", "dusk": "dusk", "evening": "evening", "night": "night",
    "daytime": "daytime",
}  # fmt: skip

ZH = {
    "time.ask.am_or_pm": "您说的 {hour}:{minute:02d} 是上午还是下午？",
    "time.ask.past_date": "{start} 已经过去了，请换一个将来的时间。",
    "time.ask.need_clock_time": (
        "{date} {part_name}几点开始？请说一个具体时间，例如“{part_name}3点”。"
    ),
    "time.ask.weekday_mismatch": "{date} 是星期{actual_name}，不是星期{weekday_name}，请确认日期。",
    "time.ask.ambiguous_date": "“{text}”可以有几种读法，请写成“12月3日”或“2026-12-03”这样的格式。",
    "time.ask.last_or_next": "您说的是 {last} 还是 {next}？请带上年份或月份。",
    "time.ask.vague_time": "“{text}”不是一个确定的时间，请说具体的日期和时间，例如“明天下午3点”。",
    "time.ask.no_such_date": "日历上没有“{text}”这个日期或时间，请检查月份、日期和钟点后再说一遍。",
    "time.ask.out_of_range": "这个日期不在{first}年到{last}年之间，请检查年份后再说一遍。",
    "time.ask.end_before_start": "“{text}”的结束时间早于开始时间，请再说一遍起止时间，例如“下午3点到4点”。",
    "time.ask.unclear_part": "时间里的“{text}”我没能读懂，请把时间完整地再说一遍，例如“12月3日下午3点到5点”。",
}
EN = {
    "time.ask.am_or_pm": "Did you mean {hour}:{minute:02d} in the morning or the afternoon?",
    "time.ask.past_date": "{start} has already passed; please give a time in the future.",
    "time.ask.need_clock_time": "What time on {date} ({part_name})? Please give a clock time.",
    "time.ask.weekday_mismatch": (
        "{date} is a {actual_name_en}, not a {weekday_name_en}; which day did you mean?"
    ),
    "time.ask.ambiguous_date": (
        "\u201c{text}\u201d can be read more than one way; please write it like 2026-12-03."
    ),
    "time.ask.last_or_next": "Did you mean {last} or {next}? Please add the year or month.",
    "time.ask.vague_time": (
        "\u201c{text}\u201d is not a definite time; please give a date and time."
    ),
    "time.ask.no_such_date": (
        "\u201c{text}\u201d is not on the calendar; please check the month, day and hour."
    ),
    "time.ask.out_of_range": "That date is not between {first} and {last}: please check the year.",
    "time.ask.end_before_start": (
        "In \u201c{text}\u201d the end is before the start; please say the start and end again, "
        "for example 下午3点到4点 (3 to 4 pm)."
    ),
    "time.ask.unclear_part": (
        "I could not read \u201c{text}\u201d in the time; please say the whole time again, "
        "for example 12月3日下午3点到5点 (3 to 5 pm on 3 December)."
    ),
}


def render_question(code: str, params: Mapping[str, Any], lang: str = "zh_CN") -> str:
    """Render a timeparse question code with its parameters in the user's language."""
    catalogue = EN if lang.lower().startswith("en") else ZH
    parts = PARTS_EN if catalogue is EN else PARTS_ZH
    values: dict[str, Any] = {
        "hour": 0, "minute": 0, "start": "", "date": "", "text": "", "last": "", "next": "",
        "first": "",
        "read": "", "end": "",
    }  # fmt: skip
    values.update(params)
    zh_days, en_days = (
        "一二三四五六日",
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    )
    for key in ("weekday", "actual"):
        n = int(values.get(key if key == "weekday" else "actual_weekday", 1) or 1)
        values[f"{key}_name"] = zh_days[(n - 1) % 7]
        values[f"{key}_name_en"] = en_days[(n - 1) % 7]
    values["part_name"] = parts.get(str(values.get("part", "")), str(values.get("part", "")))
    for key in ("start", "end"):
        when = str(values.get(key, ""))
        if "T" in when:
            values[key] = when[:16].replace("T", " ")
    template = catalogue.get(f"time.ask.{code}") or catalogue.get(code)
    if template is None:
        raise KeyError(f"unknown timeparse question: {code}")
    # What the person typed comes back in the question: escaped, like every value t() fills in.
    return Html(template.format(**{k: as_html(v) if isinstance(v, str) else v
                                   for k, v in values.items()}))
