"""Reading what people type: a report line, dates, headlines, lengths and keyword fields."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from models.publicity import DraftKind, InfoLevel, OutletLevel, ReportKind
from services.errors import InvalidInput
from services.opinion.normalize import normalize

MAX_HEADLINE = 300
MAX_URL = 1000
#: A date typed without its year is last year's only when that was this recent.
YEARLESS_LOOKBACK_DAYS = 60
URL_RE = re.compile(r"https?://[^\s<>\"'，。；）)】]+", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")
_FULL_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$")
_SHORT_DATE = re.compile(r"^(\d{1,2})(?:[-/.]|月)(\d{1,2})[日号]?$")
_RELATIVE = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
_PAGE = re.compile(r"^(?:第?([a-zA-Z]?)0*(\d{1,2})|第([一二三四五六七八九十]+))版$")
_FRONT = {"头版", "头版头条", "一版", "front", "front-page", "frontpage"}
KIND_WORDS = {
    "消息": ReportKind.NEWS, "新闻": ReportKind.NEWS, "news": ReportKind.NEWS,
    "通讯": ReportKind.FEATURE, "特写": ReportKind.FEATURE, "feature": ReportKind.FEATURE,
    "专题": ReportKind.SPECIAL, "专版": ReportKind.SPECIAL, "special": ReportKind.SPECIAL,
    "评论": ReportKind.COMMENT, "言论": ReportKind.COMMENT, "时评": ReportKind.COMMENT,
    "comment": ReportKind.COMMENT,
}  # fmt: skip
LEVEL_WORDS = {
    "市级": OutletLevel.CITY, "市": OutletLevel.CITY, "city": OutletLevel.CITY,
    "市级以上": OutletLevel.HIGHER_CITY, "higher_city": OutletLevel.HIGHER_CITY,
    "省级及以上": OutletLevel.PROVINCE, "省级": OutletLevel.PROVINCE, "省": OutletLevel.PROVINCE,
    "province": OutletLevel.PROVINCE, "中央": OutletLevel.CENTRAL, "中央级": OutletLevel.CENTRAL,
    "central": OutletLevel.CENTRAL,
}  # fmt: skip
INFO_LEVEL_WORDS = {
    "区": InfoLevel.DISTRICT, "区级": InfoLevel.DISTRICT, "district": InfoLevel.DISTRICT,
    "市": InfoLevel.CITY, "市级": InfoLevel.CITY, "city": InfoLevel.CITY,
    "省": InfoLevel.PROVINCE, "省级": InfoLevel.PROVINCE, "province": InfoLevel.PROVINCE,
}  # fmt: skip
DRAFT_KIND_WORDS = {
    "讲话": DraftKind.SPEECH, "讲话稿": DraftKind.SPEECH, "致辞": DraftKind.SPEECH,
    "发言": DraftKind.SPEECH, "speech": DraftKind.SPEECH,
    "报告": DraftKind.REPORT, "汇报": DraftKind.REPORT, "总结": DraftKind.REPORT,
    "report": DraftKind.REPORT,
    "请示": DraftKind.REQUEST, "request": DraftKind.REQUEST,
    "调研报告": DraftKind.RESEARCH, "调研": DraftKind.RESEARCH, "research": DraftKind.RESEARCH,
    "纪要": DraftKind.MINUTES, "会议纪要": DraftKind.MINUTES, "minutes": DraftKind.MINUTES,
    "方案": DraftKind.PLAN, "实施方案": DraftKind.PLAN, "plan": DraftKind.PLAN,
    "其他": DraftKind.OTHER, "other": DraftKind.OTHER,
}  # fmt: skip
CREDIT_WORDS = ("供稿", "通讯员", "部门", "作者", "credit")


@dataclass
class ReportLine:
    """What a one-line report says: each part as typed, or empty."""

    words: list[str] = field(default_factory=list)
    day: date | None = None
    day_text: str = ""
    url: str = ""
    kind: ReportKind | None = None
    front_page: bool = False
    page: str = ""
    credit: str = ""


def headline_key(text: str) -> str:
    """The headline without spaces and punctuation, simplified and lower-case."""
    return _NON_WORD.sub("", normalize(text)).lower()[:191]


def url_key(url: str) -> str | None:
    return hashlib.sha1(url.strip().encode()).hexdigest() if url.strip() else None


def bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(max(len(key) - 1, 1))} if key else set()


def likeness(a: str, b: str) -> float:
    """How alike two headline keys are (0-1): the Dice coefficient of their character pairs,
    raised to their overlap when one headline holds nearly all of the other (a longer title of
    the same story: 绿谷产业园打造环保产业高地 / 全力打造环保产业高地)."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    common = len(x & y)
    dice = 2 * common / (len(x) + len(y))
    overlap = common / min(len(x), len(y))
    if min(len(x), len(y)) >= 6 and overlap >= 0.8:
        return max(dice, overlap)
    return dice


def day_of(token: str, today: date) -> date | None:
    """A typed date: 2026-12-03, 2026年12月3日, 12月3日, 12/3, 今天, 昨天; None if not a date.

    A date without a year is this year's, or last year's when that was within a couple of
    months (on 2 January, 12月30日 is three days ago). It may lie in the future: the caller
    refuses it with the date it read.
    """
    raw = token.strip().lower()
    if raw in _RELATIVE:
        return today - timedelta(days=_RELATIVE[raw])
    full = _FULL_DATE.match(raw)
    short = _SHORT_DATE.match(raw) if full is None else None
    if full is None and short is None:
        return None
    try:
        if full is not None:
            return date(int(full[1]), int(full[2]), int(full[3]))
        assert short is not None
        month, day = int(short[1]), int(short[2])
        found = date(today.year, month, day)
    except ValueError:
        raise InvalidInput("publicity.error.bad_date", value=token.strip()[:20]) from None
    if found > today:
        try:
            last_year = date(today.year - 1, month, day)
        except ValueError:
            return found
        if (today - last_year).days <= YEARLESS_LOOKBACK_DAYS:
            return last_year
    return found


def page_of(token: str) -> tuple[bool, str] | None:
    """(front page, page as typed) when the token names a page: 头版, A1版, 第3版."""
    raw = token.strip()
    if raw.lower() in _FRONT:
        return True, "1"
    match = _PAGE.match(raw)
    if match is None:
        return None
    if match[3]:
        number = _chinese_number(match[3])
        return number == 1, str(number)
    return int(match[2]) == 1, f"{match[1].upper()}{int(match[2])}"


def _chinese_number(text: str) -> int:
    digits = "一二三四五六七八九"
    if "十" not in text:
        return digits.index(text[0]) + 1 if text and text[0] in digits else 0
    tens, _, ones = text.partition("十")
    return ((digits.index(tens) + 1) if tens else 1) * 10 + (
        (digits.index(ones) + 1) if ones else 0)


def check_url(url: str) -> str:
    url = url.strip()
    if len(url) > MAX_URL or not URL_RE.fullmatch(url):
        raise InvalidInput("publicity.error.bad_url", value=url[:80])
    return url


def report_line(text: str, today: date) -> ReportLine:
    """Split '新华日报 头版 2026-12-03 消息 供稿 招商局 标题…' into its parts; the words left
    over are the outlet and the headline, in the order typed."""
    line = ReportLine()
    tokens = text.replace("\u3000", " ").split()
    skip = False
    for index, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        lower = token.lower()
        if URL_RE.fullmatch(token):
            if not line.url:
                line.url = check_url(token)
            continue
        credit = _credit_of(token)
        if credit is not None:
            if credit:
                line.credit = credit[:64]
            elif index + 1 < len(tokens):
                line.credit, skip = tokens[index + 1][:64], True
            continue
        if lower in KIND_WORDS and line.kind is None:
            line.kind = KIND_WORDS[lower]
            continue
        page = page_of(token)
        if page is not None and not line.page:
            line.front_page, line.page = page
            continue
        if line.day is None:
            found = day_of(token, today)
            if found is not None:
                line.day, line.day_text = found, token
                continue
        line.words.append(token)
    return line


def _credit_of(token: str) -> str | None:
    """'供稿' -> '' (the value follows), '供稿:招商局' -> '招商局', anything else -> None."""
    for word in CREDIT_WORDS:
        if token.lower() == word:
            return ""
        for sep in (":", "：", "="):
            if token.lower().startswith(word + sep):
                return token[len(word) + 1:].strip()
    return None


def clean_headline(text: str) -> str:
    headline = " ".join(text.split()).strip(" ，,。;；:：|-—_")
    if not headline:
        raise InvalidInput("publicity.error.no_headline")
    if len(headline) > MAX_HEADLINE:
        raise InvalidInput("publicity.error.headline_long", limit=MAX_HEADLINE)
    return headline


_LENGTH = re.compile(r"^(\d{1,6})\s*(?:字|words?|chars?)?$", re.IGNORECASE)
_LENGTH_K = re.compile(r"^(\d{1,3}(?:\.\d)?)\s*(?:千|k)字?$", re.IGNORECASE)
MAX_LENGTH = 200_000


def length_of(text: str) -> int:
    """'3000字', '3000', '3千字', '5k' -> characters; refuses zero, huge or unreadable."""
    raw = text.strip().replace(",", "").replace("，", "")
    match = _LENGTH.match(raw)
    value: float | None = int(match[1]) if match else None
    if value is None:
        k = _LENGTH_K.match(raw)
        value = float(k[1]) * 1000 if k else None
    if value is None:
        raise InvalidInput("publicity.error.bad_length", value=text.strip()[:20])
    if not 0 < value <= MAX_LENGTH:
        raise InvalidInput("publicity.error.length_range", value=text.strip()[:20],
                           limit=MAX_LENGTH)
    return int(value)


def length_of_or_none(text: str) -> int | None:
    """A length when the word is clearly one (3000字, 3千字), else None."""
    raw = text.strip()
    if not (raw.endswith("字") or _LENGTH_K.match(raw)):
        return None
    try:
        return length_of(raw)
    except InvalidInput:
        return None


#: Field keywords of a drafting task (both languages) -> field name.
TASK_KEYWORDS = {
    "类型": "kind", "类别": "kind", "kind": "kind", "type": "kind",
    "起草人": "drafter", "起草": "drafter", "执笔": "drafter", "drafter": "drafter",
    "截止": "deadline", "期限": "deadline", "截止时间": "deadline", "deadline": "deadline",
    "due": "deadline",
    "字数": "length", "篇幅": "length", "length": "length",
    "题目": "title", "标题": "title", "title": "title",
    "要求": "brief", "要点": "brief", "说明": "brief", "brief": "brief",
}  # fmt: skip
_TASK_KEY = re.compile(
    r"(?:^|(?<=[\s，,；;]))(" + "|".join(sorted(map(re.escape, TASK_KEYWORDS), key=len,
                                                 reverse=True))
    + r")\s*(?:[:：=]\s*|\s+)", re.IGNORECASE,
)


def task_fields(text: str) -> tuple[str, dict[str, str]]:
    """Split '讲话 起草人 刘工 截止 周五 题目 …' into the leading words and the keyword fields."""
    matches = list(_TASK_KEY.finditer(text))
    head = text[: matches[0].start()] if matches else text
    found: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        found[TASK_KEYWORDS[match.group(1).lower()]] = text[match.end():end].strip(" ，,；;")
    return head.strip(" ，,；;"), found


_QUARTER = re.compile(r"^(?:(\d{4})年?)?(?:第?([1-4一二三四])季度?|q([1-4]))$")
_QUARTER_WORDS = {"": 0, "本季度": 0, "本季": 0, "this": 0, "上季度": -1, "上季": -1, "上": -1,
                  "last": -1, "prev": -1}


def quarter_of_text(text: str, today: date) -> tuple[int, int]:
    """'', '本季度', '上季度', '2026Q3', '2026年第3季度', '第三季度' -> (year, quarter)."""
    raw = text.strip().lower().replace(" ", "").replace("-", "")
    year, quarter = today.year, (today.month - 1) // 3 + 1
    if raw in _QUARTER_WORDS:
        shift = _QUARTER_WORDS[raw]
        index = year * 4 + quarter - 1 + shift
        return index // 4, index % 4 + 1
    match = _QUARTER.match(raw)
    if match is None:
        raise InvalidInput("publicity.error.bad_quarter", value=text.strip()[:20])
    found_year = int(match[1]) if match[1] else year
    digit = match[2] or match[3]
    found = "一二三四".index(digit) + 1 if digit in "一二三四" else int(digit)
    if not 2000 <= found_year <= 2100:
        raise InvalidInput("publicity.error.bad_quarter", value=text.strip()[:20])
    if (found_year, found) > (year, quarter):
        raise InvalidInput("publicity.error.future_quarter", year=found_year, quarter=found)
    return found_year, found
