"""The one workbook helper every export uses: typed cells, totals that never add units, print
setup, no empty workbooks, and no stored text that could break a file or run as a formula."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from services import exports
from services.exports import Column, NothingToExport, Sheet

COLUMNS = [Column("day", "日期", 12, "date"), Column("at", "时间", 16, "datetime"),
           Column("name", "名称", 20), Column("unit", "单位", 6),
           Column("qty", "数量", 8, "qty", True), Column("amount", "金额", 10, "money", True)]


def _sheet(rows: list[dict[str, object]], **extra: object) -> Sheet:
    return Sheet("台账", "入库登记台账", "期间：2026-11-01 至 2026-11-30", COLUMNS, rows,
                 unit_key="unit", total_label="合计（{n} 项）", subtotal_label="小计（{unit}）",
                 **extra)  # type: ignore[arg-type]


def _load(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_cells_keep_their_types_and_totals_keep_units_apart() -> None:
    rows = [
        {"day": date(2026, 11, 2), "at": datetime(2026, 11, 2, 1, 30, tzinfo=UTC),
         "name": "A4纸", "unit": "包", "qty": Decimal(2), "amount": Decimal("50.00")},
        {"day": date(2026, 11, 3), "at": datetime(2026, 11, 3, 2, 0, tzinfo=UTC),
         "name": "中性笔", "unit": "支", "qty": 5, "amount": "10.5"},
        {"day": date(2026, 11, 4), "at": None, "name": "A4纸", "unit": "包", "qty": 3,
         "amount": 75},
    ]
    data = exports.workbook([_sheet(rows)], ZoneInfo("Asia/Shanghai"))
    got = _load(data)
    assert got[0][0] == "入库登记台账" and got[1][0].startswith("期间")
    assert got[2] == ["日期", "时间", "名称", "单位", "数量", "金额"]
    assert got[3][:2] == [datetime(2026, 11, 2), datetime(2026, 11, 2, 9, 30)]  # office time
    assert got[4][4:] == [5, 10.5]
    assert got[6] == ["小计（包）", None, None, None, 5, None]
    assert got[7] == ["小计（支）", None, None, None, 5, None]
    assert got[8] == ["合计（3 项）", None, None, None, None, 135.5]  # money, not "10 units"


def test_a_sheet_of_one_unit_totals_its_quantity_in_the_total_row() -> None:
    rows = [{"name": "A4纸", "unit": "包", "qty": 2, "amount": 50},
            {"name": "A4纸", "unit": "包", "qty": 3, "amount": 75}]
    got = _load(exports.workbook([_sheet(rows)]))
    assert got[-1] == ["合计（2 项）", None, None, None, 5, 125]


def test_print_setup_is_a4_landscape_fit_to_width_with_repeated_heads() -> None:
    data = exports.workbook([_sheet([{"name": "x", "unit": "个", "qty": 1, "amount": 1}])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$3" and sheet.freeze_panes == "A4"


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x0b", "\x1b", "\x1f"])
def test_control_characters_are_dropped_so_any_stored_text_can_be_written(bad: str) -> None:
    rows = [{"name": f"A4{bad}纸", "unit": "包", "qty": 1, "amount": 1}]
    data = exports.workbook([_sheet(rows, notes=[f"注{bad}"])])
    got = _load(data)
    assert got[3][2] == "A4纸"


def test_text_that_looks_like_a_formula_stays_text_and_long_text_is_cut() -> None:
    rows = [{"name": "=HYPERLINK(\"http://x\",\"点我\")", "unit": "个", "qty": 1, "amount": 1},
            {"name": "长" * 40_000, "unit": "个", "qty": 1, "amount": 1}]
    data = exports.workbook([_sheet(rows)])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cell = sheet.cell(row=4, column=3)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\",\"点我\")"
    assert len(str(sheet.cell(row=5, column=3).value)) == exports.CELL_LIMIT


def test_a_workbook_with_no_rows_is_not_written() -> None:
    with pytest.raises(NothingToExport) as raised:
        exports.workbook([_sheet([])])
    assert raised.value.params == {"title": "入库登记台账",
                                   "period": "期间：2026-11-01 至 2026-11-30"}


def test_an_empty_sheet_beside_a_full_one_says_so() -> None:
    full = _sheet([{"name": "x", "unit": "个", "qty": 1, "amount": 1}])
    empty = _sheet([], empty="本期没有记录。")
    book = load_workbook(io.BytesIO(exports.workbook([full, empty])))
    assert book.sheetnames == ["台账", "台账 (2)"]
    assert book.worksheets[1].cell(row=4, column=1).value == "本期没有记录。"


def test_sheet_names_drop_what_excel_refuses() -> None:
    assert exports.sheet_name("2026/11: [入库]*?") == "202611 入库"
    assert exports.sheet_name("x" * 40) == "x" * 31
    assert exports.sheet_name("台账", ["台账"]) == "台账 (2)"
