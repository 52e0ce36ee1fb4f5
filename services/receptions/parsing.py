"""Reading what planners type: numbers, names with positions, itinerary stops, guest files."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from services.errors import InvalidInput

#: Answers that mean "none" (no letter yet, no meals, no accommodation, no room).
NONE_WORDS = frozenset({"无", "没有", "不需要", "不用", "暂无", "否", "none", "no", "-", "—", "0"})

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
NUMBER = re.compile(r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+")
_SPLIT_NAME = re.compile(r"^\s*(\S+?)\s*(?:[\s,，、:：/|]+)\s*(.+?)\s*$")
_STOP = re.compile(r"^\s*(\d{1,2})\s*(?:[:：点时])\s*(\d{1,2}|半)?\s*分?\s*[-—~～到至\s]*(.*)$")
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}


def normalise(text: str) -> str:
    """Fold full-width letters and digits and trim the text."""
    return text.translate(_FULLWIDTH).strip()


def is_none(text: str) -> bool:
    """Tell whether the answer means "none"."""
    return normalise(text).lower().rstrip("。.") in NONE_WORDS


def _cn_number(word: str) -> int:
    total, section, current = 0, 0, 0
    for char in word:
        if char in _CN_DIGIT:
            current = _CN_DIGIT[char]
        elif char == "万":
            total += (section + current) * 10000
            section = current = 0
        else:
            section += (current or 1) * _CN_UNIT[char]
            current = 0
    return total + section + current


def numbers(text: str) -> list[Decimal]:
    """Return every number in the text, Arabic or Chinese, in order."""
    found: list[Decimal] = []
    for match in NUMBER.finditer(normalise(text)):
        word = match.group(0)
        try:
            found.append(Decimal(word) if word[0] in "0123456789" else Decimal(_cn_number(word)))
        except (InvalidOperation, KeyError):
            continue
    return found


def whole_number(text: str, code: str) -> int:
    """Read one whole number (8, 八, 8人); raise InvalidInput(code) when there is none."""
    found = numbers(text)
    if len(found) != 1 or found[0] != int(found[0]):
        raise InvalidInput(code, value=normalise(text)[:20])
    return int(found[0])


def name_and_title(line: str) -> tuple[str, str] | None:
    """Split "张三 处长" (or 张三，处长) into name and position; None when there is no position."""
    match = _SPLIT_NAME.match(normalise(line))
    if match is None:
        return None
    name, title = match.group(1), match.group(2)
    if len(name) > 32 or len(title) > 64:
        return None
    return name, title


def guest_lines(text: str, limit: int) -> list[list[str]]:
    """Read one guest a line ("姓名 职务"); raise with the first bad line's number."""
    guests: list[list[str]] = []
    lines = [line for line in normalise(text).splitlines() if line.strip()]
    if not lines:
        raise InvalidInput("receptions.error.guests_empty")
    if len(lines) > limit:
        raise InvalidInput("receptions.error.guests_too_many", count=len(lines), limit=limit)
    for number, line in enumerate(lines, start=1):
        pair = name_and_title(line)
        if pair is None:
            raise InvalidInput("receptions.error.guest_line", line=number, text=line[:40])
        guests.append([pair[0], pair[1]])
    return guests


def guest_file(file_name: str, content: bytes, limit: int) -> list[list[str]]:
    """Read guests from the first two columns of an XLSX or CSV file (a header row is skipped)."""
    rows: list[list[str]]
    lower = file_name.lower()
    try:
        if lower.endswith(".xlsx"):
            rows = _xlsx_rows(content)
        elif lower.endswith(".csv"):
            rows = _csv_rows(content)
        else:
            raise InvalidInput("receptions.error.guest_file_type", name=file_name[:60])
    except InvalidInput:
        raise
    except Exception:  # a broken or disguised file: say so, never a traceback
        raise InvalidInput("receptions.error.guest_file_bad", name=file_name[:60]) from None
    rows = [r for r in rows if any(cell for cell in r)]
    if rows and ("姓名" in rows[0][0] or rows[0][0].lower() == "name"):
        rows = rows[1:]
    if not rows:
        raise InvalidInput("receptions.error.guests_empty")
    if len(rows) > limit:
        raise InvalidInput("receptions.error.guests_too_many", count=len(rows), limit=limit)
    guests = []
    for number, row in enumerate(rows, start=1):
        name, title = ([*row, "", ""])[:2]
        if not name or not title or len(name) > 32 or len(title) > 64:
            raise InvalidInput("receptions.error.guest_line", line=number,
                               text=" ".join(row)[:40])
        guests.append([name, title])
    return guests


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    rows = [
        ["" if cell is None else str(cell).strip() for cell in row[:2]]
        for row in sheet.iter_rows(values_only=True, max_row=5000)
    ]
    book.close()
    return rows


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("not text")
    return [[cell.strip() for cell in row[:2]] for row in csv.reader(io.StringIO(text))]


def names(text: str, limit: int = 30) -> list[str]:
    """Split a list of names written with 、，, or spaces."""
    found = [n for n in re.split(r"[\s、，,;；]+", normalise(text)) if n]
    if len(found) > limit:
        raise InvalidInput("receptions.error.too_many_names", limit=limit)
    if any(len(n) > 32 for n in found):
        raise InvalidInput("receptions.error.name_too_long")
    return found


def itinerary(text: str, limit: int = 20) -> list[list[str]]:
    """Read one stop a line, "9:30 参观展厅"; raise with the first bad line's number."""
    stops: list[list[str]] = []
    lines = [line for line in normalise(text).splitlines() if line.strip()]
    if len(lines) > limit:
        raise InvalidInput("receptions.error.too_many_stops", limit=limit)
    for number, line in enumerate(lines, start=1):
        match = _STOP.match(line)
        if match is None or not match.group(3).strip():
            raise InvalidInput("receptions.error.stop_line", line=number, text=line[:40])
        hour = int(match.group(1))
        minute_text = match.group(2) or "0"
        minute = 30 if minute_text == "半" else int(minute_text)
        if hour > 23 or minute > 59:
            raise InvalidInput("receptions.error.stop_line", line=number, text=line[:40])
        stops.append([f"{hour:02d}:{minute:02d}", match.group(3).strip()[:64]])
    return stops
