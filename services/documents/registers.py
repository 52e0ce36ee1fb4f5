"""The registers as workbooks: 收文登记簿 and 发文登记簿 for a period, in register order."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from models.documents import (
    Assignment,
    AssignmentStatus,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
)
from services import exports
from services.documents import common, parsing
from services.documents.common import POLICY, incoming_no, outgoing_no, today
from services.errors import InvalidInput

#: The register's columns, from OFFICE.md (number … file number), and what the office adds.
INCOMING_COLUMNS = ("收文编号", "收文日期", "来文单位", "来文字号", "标题", "附件", "份数",
                    "密级", "缓急", "承办单位", "签批领导", "领导批示", "办理期限", "办理状态",
                    "复文号", "归档日期", "档号")
OUTGOING_COLUMNS = ("发文字号", "文种", "标题", "拟稿单位", "拟稿人", "核稿人", "签发人",
                    "签发日期", "状态", "作废原因")
STATUS_WORDS = {
    IncomingStatus.REGISTERED: "待拟办", IncomingStatus.SIGNING: "领导签批中",
    IncomingStatus.RETURNED: "领导退回", IncomingStatus.SIGNED: "待分办",
    IncomingStatus.HANDLING: "办理中", IncomingStatus.DONE: "已办结",
    IncomingStatus.FILED: "已归档",
}


def period(text: str, day: date) -> tuple[date, date, str]:
    """The period asked for: 本月 (default), 上月, 本年/今年, 2026, 2026-11 or 2026年11月.

    Returns [first, after) and a label for the title.
    """
    word = parsing.normalise(text)
    month_first = day.replace(day=1)
    if word in ("", "本月", "这个月"):
        first = month_first
    elif word in ("上月", "上个月"):
        first = (month_first - timedelta(days=1)).replace(day=1)
    elif word in ("本年", "今年", "全年"):
        return date(day.year, 1, 1), date(day.year + 1, 1, 1), f"{day.year}年"
    else:
        year_only = re.fullmatch(r"((?:19|20)\d{2})年?", word)
        if year_only:
            year = int(year_only.group(1))
            return date(year, 1, 1), date(year + 1, 1, 1), f"{year}年"
        month = re.fullmatch(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})月?", word)
        if not month or not 1 <= int(month.group(2)) <= 12:
            raise InvalidInput("documents.error.period", value=word[:20])
        first = date(int(month.group(1)), int(month.group(2)), 1)
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after, f"{first.year}年{first.month}月"


def _span(first: date, after: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time(0), POLICY.tz),
            datetime.combine(after, time(0), POLICY.tz))


async def incoming_rows(first: date, after: date) -> list[list[object]]:
    """The 收文登记簿's rows: documents registered in the period, by registration number."""
    start, end = _span(first, after)
    documents = await IncomingDocument.filter(
        registered_at__gte=start, registered_at__lt=end).exclude(
        status=IncomingStatus.DRAFT).order_by("year", "seq")
    ids = [d.id for d in documents]
    units: dict[int, list[str]] = {}
    dues: dict[int, date] = {}
    for task in await Assignment.filter(document_id__in=ids or [0]).exclude(
            status=AssignmentStatus.CANCELLED).order_by("-lead", "id"):
        doc_id = task.document_id  # type: ignore[attr-defined]
        name = task.department + ("（牵头）" if task.lead else "")
        units.setdefault(doc_id, []).append(name)
        dues[doc_id] = max(dues.get(doc_id, task.due_on), task.due_on)
    rows: list[list[object]] = []
    for d in documents:
        due = dues.get(d.id) or d.due_on
        rows.append([
            incoming_no(d.year, d.seq), d.received_on, d.sender, d.ref_no, d.title,
            d.attachments, d.copies, d.secrecy, d.urgency or "平件",
            "、".join(units.get(d.id, [])), d.signers, d.instructions,
            due, STATUS_WORDS.get(d.status, d.status.value), d.reply_no, d.filed_on,
            d.file_no,
        ])
    return rows


async def outgoing_rows(first: date, after: date) -> list[list[object]]:
    """The 发文登记簿's rows: documents numbered in the period, in number order per prefix."""
    start, end = _span(first, after)
    documents = await OutgoingDocument.filter(
        issued_at__gte=start, issued_at__lt=end,
        status__in=[OutgoingStatus.ISSUED, OutgoingStatus.VOIDED]).order_by(
        "prefix", "year", "number").prefetch_related("drafter", "reviewer", "signer")
    return [[
        outgoing_no(d.prefix, d.year, d.number), d.doc_type, d.title, d.department,
        d.drafter.name, d.reviewer.name if d.reviewer else "", d.signer.name if d.signer else "",
        common.local(d.issued_at).date() if d.issued_at else None,
        "作废" if d.status == OutgoingStatus.VOIDED else "已印发", d.void_reason,
    ] for d in documents]


def workbook(title: str, columns: tuple[str, ...], rows: list[list[object]],
             widths: dict[str, int], period_label: str = "") -> bytes:
    """A register through the one export helper (title, period, typed cells, print setup)."""
    from openpyxl.utils import get_column_letter

    width_list = [widths.get(get_column_letter(i + 1), 12) for i in range(len(columns))]
    return exports.workbook([exports.table(title, title, period_label, columns, rows,
                                           width_list)], POLICY.tz)


async def incoming_register(text: str = "") -> tuple[str, bytes, int]:
    """The 收文登记簿 of a period: (file name, bytes, rows)."""
    first, after, label = period(text, today())
    rows = await incoming_rows(first, after)
    data = workbook("收文登记簿", INCOMING_COLUMNS, rows,
                    {"A": 18, "B": 12, "C": 20, "D": 20, "E": 40, "J": 24, "L": 30, "M": 12},
                    label)
    return f"shouwen-{first.isoformat()}.xlsx", data, len(rows)


async def outgoing_register(text: str = "") -> tuple[str, bytes, int]:
    """The 发文登记簿 of a period: (file name, bytes, rows)."""
    first, after, label = period(text, today())
    rows = await outgoing_rows(first, after)
    data = workbook("发文登记簿", OUTGOING_COLUMNS, rows,
                    {"A": 18, "C": 40, "D": 14, "H": 12, "J": 20}, label)
    return f"fawen-{first.isoformat()}.xlsx", data, len(rows)
