"""The one input boundary: what people type and what the ingest API posts, made safe to keep.

Text pasted from Word or a web page carries control characters, zero-width marks and
full-width digits; a stored control character later breaks every ledger that holds it, and
NUL is refused outright by PostgreSQL. Every text reaches the services through `normalize`
(at the edge: `handlers.common.Ctx` and the web routes), names and fields are checked with
`clean_name` / `clean_text`, numbers are read with `parse_int` / `parse_decimal` (ASCII and
full-width digits only, bounded to what the column holds) and dates checked with
`check_date`. Errors carry codes and parameters; the edge words them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from services.errors import InvalidInput

#: Full-width digits read as digits (the rest of full-width punctuation is Chinese writing).
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
#: Line breaks as Word, old Macs and Unicode write them: a newline (or a space on one line).
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
#: C0/C1 control characters but tab and newline, lone surrogates, bidi overrides and the BOM.
_UNWANTED = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
    "\ufeff\ufffe\uffff]")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\u180e\u00ad\u034f\u115f\u1160\u3164]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)

#: Years a date may have anywhere in the bot (anything else is a typo or an attack).
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: The largest whole number an id or a count column holds on both databases (int32).
INT_MAX = 2**31 - 1


#: What no database column can hold: NUL (PostgreSQL refuses it in text and jsonb) and lone
#: surrogates (not encodable as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """A JSON value (an update as Telegram sent it) with NUL and lone surrogates removed from
    every string, so both databases can keep it; everything else as it was."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value) if _UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def normalize(text: str | None, *, multiline: bool = True) -> str:
    """NFC, full-width digits as ASCII, no control characters; newlines only if multi-line."""
    if not text:
        return ""
    text = _UNWANTED.sub("", _BREAKS.sub("\n", text))
    text = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH_DIGITS)
    text = text.replace("\t", " ")
    if not multiline:
        text = " ".join(text.split("\n"))
    return text


def count_unwanted(text: str) -> int:
    """How many characters `normalize` drops outright (controls, lone surrogates, overrides)."""
    return len(_UNWANTED.findall(text))


def is_blank(text: str) -> bool:
    """Nothing a person could read: empty, spaces, or only invisible marks."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in _INVISIBLE.sub("", text))


def clean_name(value: str | None, field: str, *, max_length: int = 64) -> str:
    """A one-line name (room, item, supplier, unit, person): trimmed, never blank, bounded."""
    text = _SPACES.sub(" ", normalize(value, multiline=False)).strip()
    text = _INVISIBLE.sub("", text).strip()
    if is_blank(text):
        raise InvalidInput("input.error.blank", field=field)
    if len(text) > max_length:
        raise InvalidInput("input.error.too_long", field=field, max=max_length, n=len(text))
    return text


def clean_text(value: str | None, field: str, *, max_length: int = 2000,
               multiline: bool = True, required: bool = True) -> str:
    """A free text (purpose, note, reason): control characters gone, bounded, maybe required."""
    text = normalize(value, multiline=multiline).strip()
    if required and is_blank(text):
        raise InvalidInput("input.error.blank", field=field)
    if len(text) > max_length:
        raise InvalidInput("input.error.too_long", field=field, max=max_length, n=len(text))
    return text


def to_int(text: str | None, *, low: int = 0, high: int = INT_MAX) -> int | None:
    """The whole number written in ASCII or full-width digits, within bounds; None otherwise."""
    if text is None:
        return None
    text = normalize(str(text), multiline=False).strip()
    if len(text) > 20 or not _INT.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_int(text: str | None, field: str, *, low: int = 0, high: int = INT_MAX) -> int:
    """A whole number a person typed, or a polite error naming the field and the range."""
    number = to_int(text, low=low, high=high)
    if number is None:
        raise InvalidInput("input.error.number", field=field, value=str(text or "")[:20],
                           low=low, high=high)
    return number


def parse_decimal(text: str | None, field: str, *, places: int = 2,
                  high: Decimal = Decimal("999999999.99"), low: Decimal = Decimal(0)) -> Decimal:
    """An amount or a quantity: at most `places` decimals (never silently rounded), bounded."""
    raw = normalize(str(text or ""), multiline=False).strip().replace(",", "")
    if len(raw) > 24 or not _DECIMAL.fullmatch(raw):
        raise InvalidInput("input.error.number", field=field, value=str(text or "")[:20],
                           low=low, high=high)
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise InvalidInput("input.error.number", field=field, value=raw[:20], low=low,
                           high=high) from exc
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput("input.error.precision", field=field, value=raw[:20], places=places)
    if not low <= value <= high:
        raise InvalidInput("input.error.number", field=field, value=raw[:20], low=low, high=high)
    return value.quantize(Decimal(1).scaleb(-places))


def date_in_range(day: date | datetime) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def check_date(day: date | datetime, field: str = "date") -> None:
    """Refuse a date outside the years the bot keeps (a typo such as 9999 or 0001)."""
    if not date_in_range(day):
        raise InvalidInput("input.error.date_range", field=field, value=day.isoformat()[:10],
                           first=FIRST_YEAR, last=LAST_YEAR)


def to_date(text: str | None) -> date | None:
    """A date in YYYYMMDD or YYYY-MM-DD (callback data, arguments), in range; None otherwise."""
    raw = normalize(text or "", multiline=False).strip()
    match = re.fullmatch(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})", raw, re.ASCII)
    if not match:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if date_in_range(day) else None
