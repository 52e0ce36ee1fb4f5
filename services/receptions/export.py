"""XLSX exports: the reception list (接待清单) or ledger, and the approval form (审批单)."""

from __future__ import annotations

import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from models.core import Staff
from models.receptions import Reception, ReceptionStatus
from services.receptions.complete import planned_cost

#: The columns of the reception list, in the order the regulation uses.
LIST_COLUMNS = (
    "序号", "来访单位", "来宾姓名及职务", "接待活动", "时间", "地点", "用餐次数",
    "用餐人数（来宾+陪餐）", "费用（元）", "陪同人员", "公函文号", "状态",
)  # fmt: skip
STATUS_ZH = {
    ReceptionStatus.DRAFT: "草稿", ReceptionStatus.SUBMITTED: "审批中",
    ReceptionStatus.APPROVED: "已批准", ReceptionStatus.REJECTED: "已驳回",
    ReceptionStatus.WITHDRAWN: "已撤回", ReceptionStatus.CANCELLED: "已取消",
    ReceptionStatus.COMPLETED: "已完成",
}  # fmt: skip


def when(reception: Reception, tz: ZoneInfo) -> str:
    """Format the reception's time span in the office's zone."""
    if reception.start is None:
        return ""
    start = reception.start.astimezone(tz)
    text = start.strftime("%Y-%m-%d %H:%M")
    if reception.end is not None:
        end = reception.end.astimezone(tz)
        text += end.strftime("-%H:%M") if end.date() == start.date() else end.strftime(
            " 至 %Y-%m-%d %H:%M")
    return text


def place(reception: Reception) -> str:
    """The room and the itinerary's stops."""
    parts = [reception.room_name] if reception.room_name else []
    parts += [stop for _, stop in reception.itinerary if stop not in parts]
    return "、".join(parts)


def activity(reception: Reception) -> str:
    """The purpose, followed by the itinerary with its times."""
    if not reception.itinerary:
        return reception.purpose
    route = "；".join(f"{at} {stop}" for at, stop in reception.itinerary)
    return f"{reception.purpose}（{route}）"


def figures(reception: Reception) -> tuple[int, int, Decimal]:
    """Meals, diners and cost: actual once completed, planned before."""
    if reception.status == ReceptionStatus.COMPLETED:
        diners = (reception.actual_guest_diners or 0) + (reception.actual_staff_diners or 0)
        return reception.actual_meals or 0, diners, Decimal(reception.cost_total)
    diners = reception.guest_diners + reception.staff_diners if reception.meals else 0
    return reception.meals or 0, diners, planned_cost(reception)


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def reception_list(receptions: list[Reception], title: str, tz: ZoneInfo) -> bytes:
    """Build the reception list or ledger: one row per reception and a totals row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "接待清单"
    sheet.append([title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append(list(LIST_COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    total_meals, total_diners, total_cost = 0, 0, Decimal(0)
    for number, reception in enumerate(receptions, start=1):
        meals, diners, cost = figures(reception)
        total_meals, total_diners, total_cost = (
            total_meals + meals, total_diners + diners, total_cost + cost
        )
        guests = "、".join(f"{name} {title_}" for name, title_ in reception.guests)
        sheet.append([
            number, reception.unit, guests, activity(reception), when(reception, tz),
            place(reception), meals, diners, float(cost), "、".join(reception.accompany),
            reception.letter_no or ("扫描件" if reception.letter_file_id else ""),
            STATUS_ZH[reception.status],
        ])
    sheet.append(["合计", f"{len(receptions)}批次", "", "", "", "", total_meals, total_diners,
                  float(total_cost), "", "", ""])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _widths(sheet, [6, 20, 30, 30, 22, 18, 8, 12, 12, 18, 16, 8])
    return _bytes(book)


def approval_form(reception: Reception, tz: ZoneInfo, host: Staff | None,
                  planner: Staff | None) -> bytes:
    """Build the approval form (公务接待审批单) of one reception."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "公务接待审批单"
    sheet.append(["公务接待审批单"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    meals = reception.meals or 0
    rows: list[tuple[str, object]] = [
        ("编号", reception.id),
        ("来访单位", reception.unit),
        ("公函文号", reception.letter_no or ("扫描件已存" if reception.letter_file_id else "无")),
        ("接待时间", when(reception, tz)),
        ("来宾人数", reception.guest_count),
        ("带队领导及职务", f"{reception.head_name} {reception.head_title}"),
        ("来宾名单", "\n".join(f"{n} {t}" for n, t in reception.guests)),
        ("接待事由", reception.purpose),
        ("主陪领导", host.name if host else ""),
        ("陪同人员", "、".join(reception.accompany)),
        ("参观线路", "\n".join(f"{at} {stop}" for at, stop in reception.itinerary)),
        ("会议室", reception.room_name),
        ("用餐次数", meals),
        ("用餐人数（来宾+陪餐）",
         f"{reception.guest_diners}+{reception.staff_diners}" if meals else "0"),
        ("用餐标准（元/人）", float(reception.meal_standard)),
        ("预计餐费（元）", float(planned_cost(reception))),
        ("住宿安排", reception.accommodation or "无"),
        ("经办人", planner.name if planner else ""),
        ("审批状态", STATUS_ZH[reception.status]),
    ]
    for label, value in rows:
        sheet.append([label, value])
    for row in sheet.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _widths(sheet, [22, 50])
    return _bytes(book)
