"""Workbooks the bot writes: one shape for every export, so each can be handed to an inspector.

Every sheet has a title row and its period, then a bold header row that repeats on each printed
page; dates are stored as dates and numbers as numbers (with their formats); totals add money and
counts, and quantities only within one unit (a subtotal per unit when a sheet mixes 包, 支 and 个).
Pages are A4 landscape and fit the width. A workbook with no rows at all is never written: the
caller gets `NothingToExport` and says so instead. Text is cleaned of the control characters a
workbook cannot hold, cut to Excel's cell limit and never read as a formula, so no stored value
can break a file.

The labels (合计, 小计, the empty-sheet message) come from the caller in the reader's language:
this module holds the layout only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from services.errors import DomainError

if TYPE_CHECKING:
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.worksheet import Worksheet

#: What each column kind stores and how Excel shows it.
FORMATS = {
    "int": "0",
    "qty": "General",
    "money": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "month": "yyyy-mm",
    "percent": "0.0%",
}
KINDS = ("text", *FORMATS)
#: Excel keeps at most this many characters in a cell.
CELL_LIMIT = 32_767
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
#: What openpyxl's ILLEGAL_CHARACTERS_RE takes out (control characters a cell cannot hold).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@lru_cache(maxsize=1)
def _xl() -> SimpleNamespace:
    """openpyxl, imported at the first workbook: about 30 MB a replica that never exports one
    does not carry."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    return SimpleNamespace(
        Workbook=Workbook, Cell=Cell, Alignment=Alignment, Font=Font,
        get_column_letter=get_column_letter,
        BOX=Border(left=thin, right=thin, top=thin, bottom=thin),
        HEAD_FILL=PatternFill("solid", fgColor="DDE6F0"),
    )
#: Rows above the table: the title, the period, the header.
HEAD_ROWS = 3


class NothingToExport(DomainError):
    """Every sheet of the workbook would be empty: say so instead of sending "0 rows"."""

    code = "exports.empty"


@dataclass(frozen=True)
class Column:
    """One column: the row key it shows, its header, width, kind, and whether it is totalled."""

    key: str
    title: str
    width: int = 12
    kind: str = "text"
    total: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.total and self.kind not in ("int", "qty", "money"):
            raise ValueError(f"column {self.key!r} of kind {self.kind} cannot be totalled")


@dataclass
class Sheet:
    """One sheet: its tab name, title and period rows, columns and rows (dicts by key)."""

    name: str
    title: str
    period: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    #: The row key holding each row's unit: quantity totals are then given per unit.
    unit_key: str | None = None
    #: The total row's first cell; "{n}" becomes the number of rows.
    total_label: str = ""
    #: A unit's subtotal row's first cell; "{unit}" becomes the unit.
    subtotal_label: str = "{unit}"
    #: Written in place of the table when the sheet has no rows.
    empty: str = ""
    #: Lines written under the table (notes, how a figure was reached).
    notes: Sequence[str] = field(default_factory=list)

    @property
    def totalled(self) -> bool:
        return any(c.total for c in self.columns) or "{n}" in self.total_label


def clean(value: str) -> str:
    """Text a workbook can hold: no control characters, within Excel's cell limit."""
    return _ILLEGAL.sub("", value)[:CELL_LIMIT]


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A tab name Excel accepts (no []:*?/\\, at most 31 characters), unique in the book."""
    base = clean(_SHEET_NAME_BAD.sub("", name)).strip().strip("'")[:31] or "Sheet"
    taken = {t.lower() for t in taken}
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    return candidate


def _number(value: Any) -> int | float | Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", ""))
    except ArithmeticError:
        return None


def _stored(column: Column, value: Any, tz: ZoneInfo) -> Any:
    """The value as the cell should store it for this column's kind."""
    if value is None:
        return None
    if isinstance(value, datetime):
        local = (value.astimezone(tz) if value.tzinfo else value).replace(tzinfo=None)
        return local.date() if column.kind in ("date", "month") else local
    if isinstance(value, date):
        return value
    if column.kind in ("int", "qty", "money", "percent"):
        found = _number(value)
        if found is not None:
            return found
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return clean(str(value)) or None


def _put(sheet: Worksheet, row: int, col: int, value: Any, number_format: str | None = None
         ) -> Any:
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, str):
        value = clean(value)
    cell.value = value
    if isinstance(value, str) and cell.data_type != "s":
        cell.data_type = "s"  # "=..." typed by a person is text, never a formula
    if number_format and not isinstance(value, str) and value is not None:
        cell.number_format = number_format
    return cell


def _body_style(sheet: Worksheet, column: Column) -> StyleArray:
    """A body cell's style for this column: boxed, top-aligned, its number format."""
    scratch = _xl().Cell(sheet)  # not in the sheet: only its style is kept
    scratch.border = _xl().BOX
    scratch.alignment = _xl().Alignment(vertical="top", wrap_text=column.kind == "text")
    if column.kind in FORMATS:
        scratch.number_format = FORMATS[column.kind]
    return copy(scratch._style)


def _sum(rows: Iterable[dict[str, Any]], key: str) -> Decimal:
    total = Decimal(0)
    for row in rows:
        value = _number(row.get(key))
        if value is not None:
            total += Decimal(str(value))
    return total


def totals(sheet: Sheet) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal]]:
    """The sheet's totals: quantities per unit ({unit: {key: sum}}) and everything else."""
    overall: dict[str, Decimal] = {}
    per_unit: dict[str, dict[str, Decimal]] = {}
    units = sorted({str(r.get(sheet.unit_key) or "") for r in sheet.rows}) \
        if sheet.unit_key else []
    for column in sheet.columns:
        if not column.total:
            continue
        if column.kind == "qty" and sheet.unit_key:
            for unit in units:
                per_unit.setdefault(unit, {})[column.key] = _sum(
                    (r for r in sheet.rows if str(r.get(sheet.unit_key) or "") == unit),
                    column.key)
        else:
            overall[column.key] = _sum(sheet.rows, column.key)
    return per_unit, overall


def _write(sheet: Worksheet, spec: Sheet, tz: ZoneInfo) -> None:
    width = max(len(spec.columns), 1)
    title = _put(sheet, 1, 1, spec.title)
    title.font = _xl().Font(bold=True, size=14)
    period = _put(sheet, 2, 1, spec.period)
    period.font = _xl().Font(size=10, color="555555")
    for row in (1, 2):
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.cell(row=row, column=1).alignment = _xl().Alignment(horizontal="center")
    for index, column in enumerate(spec.columns, start=1):
        head = _put(sheet, HEAD_ROWS, index, column.title)
        head.font, head.fill, head.border = _xl().Font(bold=True), _xl().HEAD_FILL, _xl().BOX
        head.alignment = _xl().Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[_xl().get_column_letter(index)].width = column.width
    line = HEAD_ROWS
    if not spec.rows:
        line += 1
        _put(sheet, line, 1, spec.empty)
    # Each column's style is made once and copied: styling cell by cell is what makes a
    # year's ledger slow to write.
    styles = [_body_style(sheet, column) for column in spec.columns]
    for data in spec.rows:
        line += 1
        for index, column in enumerate(spec.columns, start=1):
            value = _stored(column, data.get(column.key), tz)
            cell = _put(sheet, line, index, value)
            cell._style = copy(styles[index - 1])
    if spec.rows and spec.totalled:
        per_unit, overall = totals(spec)
        several = len(per_unit) > 1
        if several:
            for unit, sums in per_unit.items():
                line += 1
                _put(sheet, line, 1, spec.subtotal_label.format(unit=unit or "—"))
                for index, column in enumerate(spec.columns, start=1):
                    if column.key in sums:
                        _put(sheet, line, index, sums[column.key], FORMATS[column.kind])
                for cell in sheet[line]:
                    cell.font, cell.border = _xl().Font(bold=True), _xl().BOX
        line += 1
        _put(sheet, line, 1, spec.total_label.format(n=len(spec.rows)))
        single = next(iter(per_unit.values())) if len(per_unit) == 1 else {}
        for index, column in enumerate(spec.columns, start=1):
            value = overall.get(column.key, single.get(column.key))
            if value is not None:
                _put(sheet, line, index, value, FORMATS[column.kind])
        for cell in sheet[line]:
            cell.font, cell.border = _xl().Font(bold=True), _xl().BOX
    if spec.notes:
        line += 1  # a blank row between the table and its notes
    for note in spec.notes:
        line += 1
        _put(sheet, line, 1, note).font = _xl().Font(size=9, color="555555")
    _print_setup(sheet)


def _print_setup(sheet: Worksheet) -> None:
    """A4 landscape, the title, period and header on every page, the width on one page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"1:{HEAD_ROWS}"
    sheet.freeze_panes = f"A{HEAD_ROWS + 1}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "&P / &N"


def workbook(sheets: Sequence[Sheet], tz: ZoneInfo | None = None) -> bytes:
    """Write the sheets as one XLSX workbook; NothingToExport when none has a row."""
    if not sheets or not any(s.rows for s in sheets):
        first = sheets[0] if sheets else None
        raise NothingToExport(title=first.title if first else "",
                              period=first.period if first else "")
    zone = tz or ZoneInfo("Asia/Shanghai")
    book = _xl().Workbook()
    taken: list[str] = []
    for index, spec in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = sheet_name(spec.name, taken)
        taken.append(sheet.title)
        _write(sheet, spec, zone)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _kind_of(values: Sequence[Any]) -> str:
    """A column's kind from what it holds: dates as dates, numbers as numbers."""
    found = [v for v in values if v not in (None, "")]
    if not found:
        return "text"
    if all(isinstance(v, datetime) for v in found):
        return "datetime"
    if all(isinstance(v, date) and not isinstance(v, datetime) for v in found):
        return "date"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in found):
        return "int"
    if all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in found):
        return "qty"
    return "text"


def table(name: str, title: str, period: str, headers: Sequence[str],
          rows: Sequence[Sequence[Any]], widths: Sequence[int] = ()) -> Sheet:
    """A sheet of positional rows (a register as its columns come), each column's kind read
    from its values."""
    count = max([len(headers), *(len(r) for r in rows)] or [0])
    columns = []
    for index in range(count):
        values = [row[index] if index < len(row) else None for row in rows]
        columns.append(Column(f"c{index}", str(headers[index]) if index < len(headers) else "",
                              widths[index] if index < len(widths) else 12, _kind_of(values)))
    body = [{f"c{i}": value for i, value in enumerate(row)} for row in rows]
    return Sheet(name, title, period, columns, body)


def period_text(first: date, last: date, joiner: str = " 至 ") -> str:
    """'2026-11-01 至 2026-11-30' (one day once)."""
    return first.isoformat() if first == last else f"{first.isoformat()}{joiner}{last.isoformat()}"
