"""XLSX workbooks the features export (registers, ledgers, sign-in sheets): one shape for all."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


@dataclass
class Sheet:
    """One sheet: a title row, a bold header row, the rows, column widths."""

    name: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=list)


def xlsx(*sheets: Sheet) -> bytes:
    """The workbook of these sheets, as bytes."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for spec in sheets:
        sheet = book.create_sheet(spec.name[:31])
        sheet.append([spec.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(list(spec.headers))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for row in spec.rows:
            sheet.append(list(row))
        for i, width in enumerate(spec.widths):
            sheet.column_dimensions[sheet.cell(row=2, column=i + 1).column_letter].width = width
        sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
