"""Registers given as positional rows (seal use, repairs, sign-in sheets, the media ledger),
written through the one export helper, `services.exports`, so they share its layout: title
and period rows, typed cells, A4 landscape print setup, text cleaned of what a workbook cannot
hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.texts import plain
from services import exports


@dataclass
class Sheet:
    """One sheet: a title row, a bold header row, the rows, column widths."""

    name: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=list)
    #: The period the sheet covers, written under the title.
    period: str = ""


def xlsx(*sheets: Sheet) -> bytes:
    """The workbook of these sheets, as bytes (NothingToExport when every sheet is empty)."""
    return exports.workbook([
        exports.table(plain(s.name), plain(s.title), s.period, [plain(h) for h in s.headers],
                      s.rows, s.widths) for s in sheets])
