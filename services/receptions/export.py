"""XLSX exports: the reception list (接待清单) or ledger, and the approval form (审批单)."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from models.core import Staff
from models.receptions import OfficialMeal, Reception, ReceptionStatus
from services import exports
from services.receptions.complete import planned_cost

#: The columns of the reception list, in the order the regulation uses.
LIST_COLUMNS = (
    "序号", "来访单位", "来宾姓名及职务", "接待活动", "开始时间", "结束时间", "地点", "用餐次数",
    "用餐人数（来宾+陪餐）", "费用（元）", "陪同人员", "公函文号", "状态",
)  # fmt: skip
#: Each column's row key, width, kind and whether it is totalled (in LIST_COLUMNS' order).
LIST_LAYOUT = (
    ("no", 6, "int", False), ("unit", 20, "text", False), ("guests", 28, "text", False),
    ("activity", 28, "text", False), ("start", 16, "datetime", False),
    ("end", 16, "datetime", False), ("place", 18, "text", False), ("meals", 8, "int", True),
    ("diners", 12, "int", True), ("cost", 12, "money", True), ("accompany", 18, "text", False),
    ("letter", 16, "text", False), ("status", 8, "text", False),
)
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


#: The ordinary official meals' sheet (公务用餐, recorded with /yongcan): key, head, width,
#: kind, totalled.
MEAL_LAYOUT = (
    ("no", "序号", 6, "int", False), ("day", "日期", 12, "date", False),
    ("unit", "来访单位", 22, "text", False), ("kind", "餐别", 10, "text", False),
    ("guests", "来宾人数", 10, "int", True), ("staff", "陪餐人数", 10, "int", True),
    ("standard", "每人标准（元）", 14, "money", False), ("cost", "费用（元）", 12, "money", True),
    ("by", "登记人", 10, "text", False),
)  # fmt: skip


def meal_sheet(meals: list[OfficialMeal], title: str, period: str) -> exports.Sheet:
    """One row per ordinary official meal (the recorder prefetched), with totals."""
    rows = [{"no": number, "day": meal.held_at, "unit": meal.unit, "kind": meal.kind,
             "guests": meal.guest_diners, "staff": meal.staff_diners,
             "standard": Decimal(meal.standard), "cost": Decimal(meal.cost),
             "by": getattr(meal.recorded_by, "name", "")}
            for number, meal in enumerate(meals, start=1)]
    return exports.Sheet(
        name="公务用餐", title=title, period=f"期间：{period}" if period else "",
        columns=[exports.Column(key, head, width, kind, total)
                 for key, head, width, kind, total in MEAL_LAYOUT],
        rows=rows, total_label="合计（{n}次）", empty="本期没有公务用餐记录。",
    )


def reception_list(receptions: list[Reception], title: str, tz: ZoneInfo, period: str = "",
                   official_meals: list[OfficialMeal] | None = None) -> bytes:
    """Build the reception list or ledger: one row per reception and a totals row; the
    ordinary official meals of the period on a second sheet when there are any."""
    rows = []
    for number, reception in enumerate(receptions, start=1):
        meals, diners, cost = figures(reception)
        rows.append({
            "no": number, "unit": reception.unit,
            "guests": "、".join(f"{name} {title_}" for name, title_ in reception.guests),
            "activity": activity(reception), "start": reception.start, "end": reception.end,
            "place": place(reception), "meals": meals, "diners": diners, "cost": cost,
            "accompany": "、".join(reception.accompany),
            "letter": reception.letter_no or ("扫描件" if reception.letter_file_id else ""),
            "status": STATUS_ZH[reception.status],
        })
    sheet = exports.Sheet(
        name="接待清单", title=title, period=f"期间：{period}" if period else "",
        columns=[exports.Column(key, head, width, kind, total)
                 for (key, width, kind, total), head in zip(LIST_LAYOUT, LIST_COLUMNS,
                                                            strict=True)],
        rows=rows, total_label="合计（{n}批次）", empty="本期没有接待记录。",
    )
    sheets = [sheet]
    if official_meals:
        sheets.append(meal_sheet(official_meals, f"{title}（公务用餐）", period))
    return exports.workbook(sheets, tz)


def approval_form(reception: Reception, tz: ZoneInfo, host: Staff | None,
                  planner: Staff | None) -> bytes:
    """Build the approval form (公务接待审批单) of one reception."""
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
        ("用餐标准（元/人）", Decimal(reception.meal_standard)),
        ("预计餐费（元）", planned_cost(reception)),
        ("住宿安排", reception.accommodation or "无"),
        ("经办人", planner.name if planner else ""),
        ("审批状态", STATUS_ZH[reception.status]),
    ]
    sheet = exports.Sheet(
        name="公务接待审批单", title="公务接待审批单", period=f"接待时间：{when(reception, tz)}",
        columns=[exports.Column("label", "项目", 22), exports.Column("value", "内容", 60)],
        rows=[{"label": label, "value": value} for label, value in rows],
    )
    return exports.workbook([sheet], tz)
