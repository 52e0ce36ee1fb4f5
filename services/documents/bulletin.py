"""The weekly supervision bulletin (督查专报): figures by department and the overdue items."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.core import ChatPurpose
from models.documents import Assignment, AssignmentStatus, Bulletin
from services import clock, outbox
from services.documents import common, handling
from services.documents.common import incoming_no, slip_no, today

ISSUER = "园区党政办公室"


@dataclass
class DepartmentLine:
    """One department's row: tasks this year, done, done on time, open, yellow, red."""

    department: str
    total: int = 0
    done: int = 0
    on_time: int = 0
    open: int = 0
    yellow: int = 0
    red: int = 0


@dataclass(frozen=True)
class OverdueItem:
    number: str
    title: str
    department: str
    person: str
    due_on: date
    days: int


@dataclass
class Figures:
    day: date
    lines: list[DepartmentLine] = field(default_factory=list)
    overdue: list[OverdueItem] = field(default_factory=list)

    @property
    def total(self) -> DepartmentLine:
        whole = DepartmentLine("合计")
        for line in self.lines:
            for name in ("total", "done", "on_time", "open", "yellow", "red"):
                setattr(whole, name, getattr(whole, name) + getattr(line, name))
        return whole


async def issue_for(day: date) -> Bulletin:
    """This week's issue (made once a week, numbered per year without gaps)."""
    year, week, _ = day.isocalendar()
    key = f"{year}-W{week:02d}"
    found = await Bulletin.get_or_none(week=key)
    if found is not None:
        return found
    try:
        async with in_transaction():
            issue = await common.take_number(common.BULLETIN_PREFIX, day.year)
            return await Bulletin.create(year=day.year, issue=issue, week=key,
                                         created_at=clock.now())
    except IntegrityError:  # another replica made this week's issue at the same moment
        return await Bulletin.get(week=key)


async def figures(day: date | None = None) -> Figures:
    """Every task of the year so far by department, and the overdue ones named."""
    day = day or today()
    start = datetime(day.year, 1, 1, tzinfo=common.POLICY.tz)
    tasks = await Assignment.filter(created_at__gte=start).exclude(
        status=AssignmentStatus.CANCELLED).order_by("department", "due_on", "id") \
        .prefetch_related("staff", "document", "slip")
    lines: dict[str, DepartmentLine] = {}
    result = Figures(day)
    for task in tasks:
        line = lines.setdefault(task.department, DepartmentLine(task.department))
        line.total += 1
        if task.status == AssignmentStatus.DONE:
            line.done += 1
            if task.done_at is not None and common.local(task.done_at).date() <= task.due_on:
                line.on_time += 1
            continue
        line.open += 1
        colour = handling.state(task, day)
        if colour == common.YELLOW:
            line.yellow += 1
        elif colour == common.RED:
            line.red += 1
            number = slip_no(task.slip.year, task.slip.seq) if task.slip else (
                incoming_no(task.document.year, task.document.seq) if task.document else "")
            title = task.slip.matter if task.slip else (task.document.title if task.document
                                                        else "")
            result.overdue.append(OverdueItem(
                number, title, task.department, task.staff.name, task.due_on,
                -common.days_left(task.due_on, day, task.due_workdays)))
    result.lines = sorted(lines.values(), key=lambda x: (-x.red, -x.yellow, x.department))
    result.overdue.sort(key=lambda o: (-o.days, o.department))
    return result


def docx(bulletin: Bulletin, found: Figures) -> bytes:
    """The bulletin laid out as one: title, issue, issuer and date, the table, overdue items."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("督查专报")
    run.bold, run.font.size = True, Pt(26)
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    issue = document.add_paragraph()
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issue.add_run(f"{bulletin.year}年第{bulletin.issue}期")
    masthead = document.add_paragraph()
    masthead.add_run(ISSUER)
    masthead.add_run("\t\t\t\t" + _cn_date(found.day))
    document.add_paragraph("─" * 38)
    total = found.total
    document.add_heading("一、督办事项总体情况", level=2)
    document.add_paragraph(
        f"截至{_cn_date(found.day)}，今年交办承办事项{total.total}项，已办结{total.done}项"
        f"（按时办结{total.on_time}项），在办{total.open}项，其中临近期限（黄灯）{total.yellow}项、"
        f"逾期（红灯）{total.red}项。")
    document.add_heading("二、各部门办理情况", level=2)
    headers = ("部门", "承办事项", "已办结", "按时办结", "在办", "黄灯", "红灯")
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for line in [*found.lines, total]:
        cells = table.add_row().cells
        values = (line.department, line.total, line.done, line.on_time, line.open,
                  line.yellow, line.red)
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    document.add_heading("三、逾期事项", level=2)
    if not found.overdue:
        document.add_paragraph("本期无逾期事项。")
    for n, item in enumerate(found.overdue, start=1):
        document.add_paragraph(
            f"{n}. {item.number} {item.title}（承办：{item.department}，责任人：{item.person}，"
            f"期限：{item.due_on.isoformat()}，已逾期{item.days}天）")
    document.add_paragraph("")
    document.add_paragraph(f"报：园区领导\t\t送：各部门\t\t{ISSUER}印发")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def file_name(bulletin: Bulletin) -> str:
    return f"duchazhuanbao-{bulletin.year}-{bulletin.issue:02d}.docx"


async def build(day: date | None = None) -> tuple[Bulletin, bytes]:
    """This week's issue with the figures as they are now."""
    day = day or today()
    bulletin = await issue_for(day)
    return bulletin, docx(bulletin, await figures(day))


async def push(now: datetime) -> str:
    """Queue this week's bulletin for the leaders' group (once a week)."""
    day = common.local(now).date()
    bulletin = await issue_for(day)
    row = await outbox.emit_to_purpose(
        ChatPurpose.LEADERS, "documents.bulletin",
        {"bulletin_id": bulletin.id, "day": day.isoformat()}, f"doc:bulletin:{bulletin.week}")
    state = "queued" if row is not None else "not queued (no leaders' group or sent already)"
    return f"issue {bulletin.year}-{bulletin.issue}: {state}"
