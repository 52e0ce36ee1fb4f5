"""Reading what people type: quantities, item lines, keyword fields, methods, quotes, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from models.supplies import BuyMethod
from services.errors import InvalidInput
from services.inputs import check_date
from services.timeparse.days import read_day, read_period

MAX_QTY = Decimal("100000")
MAX_PRICE = Decimal("10000000")
CENT = Decimal("0.01")
#: The largest row id the database holds: a longer typed number names nothing.
MAX_ID = 2**31 - 1
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_NUMBER = r"[-－]?(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十]+)"
_LINE_RE = re.compile(rf"^(?P<name>.+?)\s*[×xX*]?\s*(?P<qty>{_NUMBER})\s*(?P<unit>[^\d\s]*)$")
_SPLIT_RE = re.compile(r"[，,；;、\n]+")
#: Field keywords people type (both languages) -> field name.
KEYWORDS = {
    "单位": "unit", "unit": "unit", "规格": "spec", "spec": "spec", "类别": "category",
    "category": "category", "安全库存": "safety", "安全": "safety", "safety": "safety",
    "位置": "location", "存放": "location", "location": "location", "限领": "limit",
    "limit": "limit", "单价": "price", "price": "price", "金额": "amount", "预算": "amount",
    "amount": "amount", "供应商": "supplier", "supplier": "supplier", "方式": "method",
    "method": "method", "报价": "quotes", "quotes": "quotes", "日期": "date", "date": "date",
    "用途": "purpose", "purpose": "purpose", "原因": "reason", "reason": "reason",
    "备注": "note", "note": "note",
}
_KEY_RE = re.compile(
    r"(?:^|(?<=[\s，,；;]))(" + "|".join(sorted(map(re.escape, KEYWORDS), key=len, reverse=True))
    + r")\s*(?:[:：=]\s*|\s+)", re.IGNORECASE,
)
METHODS = {
    "招标": BuyMethod.TENDER, "公开招标": BuyMethod.TENDER, "tender": BuyMethod.TENDER,
    "询价": BuyMethod.COMPARISON, "比价": BuyMethod.COMPARISON, "comparison": BuyMethod.COMPARISON,
    "直接采购": BuyMethod.DIRECT, "直购": BuyMethod.DIRECT, "直接": BuyMethod.DIRECT,
    "direct": BuyMethod.DIRECT,
}
#: A money figure closing a purchase line: '1200元' (the line) or '300元/个' (a unit's price).
_LINE_MONEY_RE = re.compile(
    r"^(?P<rest>.*?\S)\s*(?:共|计|合计|金额|单价)?\s*(?P<money>\d+(?:\.\d+)?)\s*元"
    r"(?:\s*/\s*(?P<per>[^\d\s/]+))?$")
_QUOTE_RE = re.compile(r"([^\s,，;；:：\d][^\s,，;；:：]*?)\s*[:：]?\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class ItemLine:
    """One typed 'name quantity unit' piece."""

    name: str
    qty: Decimal
    unit: str
    text: str


def number(text: str, field: str = "qty") -> Decimal:
    """A decimal from digits or simple Chinese numerals; InvalidInput when it is not one."""
    raw = text.strip().replace("－", "-").replace("，", "").replace(",", "")
    if raw and all(ch in _CN_DIGITS or ch == "十" for ch in raw):
        return Decimal(_chinese(raw))
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput("supplies.error.not_number", value=text.strip() or "∅",
                           field=field) from None
    if not value.is_finite():
        raise InvalidInput("supplies.error.not_number", value=text.strip(), field=field)
    return value


def _chinese(raw: str) -> int:
    if "十" not in raw:
        return int("".join(str(_CN_DIGITS[c]) for c in raw))
    tens, _, ones = raw.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def item_lines(text: str) -> list[ItemLine]:
    """Split 'A4纸 2包，中性笔 5支' into lines; a piece without a quantity is refused."""
    lines = []
    for piece in _SPLIT_RE.split(text):
        piece = piece.strip()
        if not piece:
            continue
        match = _LINE_RE.match(piece)
        if match is None:
            raise InvalidInput("supplies.error.no_qty", piece=piece)
        lines.append(ItemLine(match["name"].strip(), number(match["qty"]), match["unit"], piece))
    if not lines:
        raise InvalidInput("supplies.error.no_items")
    return lines


@dataclass(frozen=True)
class PricedLine:
    """A purchase line as typed: the item, maybe its quantity, and what it cost if given."""

    name: str
    qty: Decimal | None
    #: The line's whole cost, or None when no price was typed.
    amount: Decimal | None
    text: str
    #: Everything before the price ('A4纸' may be a whole name or 'A' and a quantity of 4).
    head: str = ""


def priced_lines(text: str, need_qty: bool = True) -> list[PricedLine]:
    """'硒鼓 4个 1200元，A4纸 20包 25元/包' -> lines with their cost (None when not typed).

    With need_qty False a piece may be just 'name amount元' (prices of items already known).
    """
    lines = []
    for piece in _SPLIT_RE.split(text):
        piece = piece.strip()
        if not piece:
            continue
        money = _LINE_MONEY_RE.match(piece)
        head = money["rest"].strip() if money else piece
        match = _LINE_RE.match(head)
        if match is None and (need_qty or money is None):
            raise InvalidInput("supplies.error.no_qty", piece=piece)
        name = match["name"].strip() if match else head
        qty = number(match["qty"]) if match else None
        amount = None
        if money:
            value = price_of(money["money"])
            if money["per"]:
                if qty is None:
                    raise InvalidInput("supplies.error.no_qty", piece=piece)
                value = (value * qty).quantize(CENT)
            amount = value
        lines.append(PricedLine(name, qty, amount, piece, head))
    if not lines:
        raise InvalidInput("supplies.error.no_items")
    return lines


def fields_of(text: str) -> tuple[str, dict[str, str]]:
    """Split 'items 单价 25 供应商 晨光' into the leading part and the keyword fields."""
    matches = list(_KEY_RE.finditer(text))
    head = text[: matches[0].start()] if matches else text
    found: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        key = KEYWORDS[match.group(1).lower()]
        found[key] = text[match.end():end].strip(" ，,；;")
    return head.strip(" ，,；;"), found


def method(text: str) -> BuyMethod:
    found = METHODS.get(text.strip().lower())
    if found is None:
        raise InvalidInput("supplies.error.bad_method", value=text.strip() or "∅")
    return found


def quotes(text: str) -> list[dict[str, str]]:
    """'晨光25，得力26，齐心27' -> [{supplier, price}], one per supplier."""
    seen: dict[str, str] = {}
    for supplier, price in _QUOTE_RE.findall(text):
        seen.setdefault(supplier, str(price_of(price)))
    return [{"supplier": s, "price": p} for s, p in seen.items()]


def price_of(text: str) -> Decimal:
    value = number(text.replace("元", ""), "price")
    if value < 0 or value > MAX_PRICE:
        raise InvalidInput("supplies.error.bad_price", value=text.strip())
    if value != value.quantize(CENT):  # 0.0000001 would be kept as 0.00 without a word
        raise InvalidInput("input.error.precision", field="price", value=text.strip()[:20],
                           places=2)
    return value.quantize(CENT)


def _noon(today: date) -> datetime:
    """A moment on `today`, for the time parser (zone-free: the day is already local)."""
    return datetime.combine(today, time(12), tzinfo=UTC)


def day(text: str, today: date) -> date:
    """'2026-11-20', '11月20日', '今天', '昨天', '上周五'; never a day in the future."""
    found = read_day(text, _noon(today), "UTC", past=True, code="supplies.error.bad_date")
    check_date(found)
    if found > today:
        raise InvalidInput("supplies.error.future_date", value=found.isoformat())
    return found


def period(text: str, today: date) -> tuple[date, date]:
    """A ledger period: 本月 (when none is said), 上月, 今年, 2026, 2026-11, 上周,
    or 2026-11-01~2026-11-30 (inclusive): whatever the time parser reads as a period."""
    if not text.strip():
        text = "本月"
    start, end = read_period(text, _noon(today), "UTC", code="supplies.error.bad_period")
    check_date(start)
    check_date(end)
    return start, end
