"""Views of the reports: daily, to-do and period texts, the chart, the annual DOCX and XLSX."""

from __future__ import annotations

import asyncio
import html
import io
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callback as cb
from handlers.texts import has, t
from handlers.views import Rendered, view
from models.core import Staff
from services import clock
from services.reports import Item, Period, daily
from services.reports.figures import Comparison, YearInNumbers, compare, sections

log = logging.getLogger(__name__)
Block = tuple[str, list[Item]]


def num(value: float) -> str:
    """A figure as the report writes it: whole numbers without decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:,.2f}".replace(",", "")


# ------------------------------------------------------------------ items and blocks


def item_text(item: Item, lang: str) -> str:
    """Word one item: its text code, with enum params looked up and user text escaped."""
    params: dict[str, Any] = {}
    for key, value in item.params.items():
        params[key] = html.escape(value) if isinstance(value, str) else value
    for key in ("status", "when"):
        if key in item.params:
            own = f"{item.code}.{key}.{item.params[key]}"
            params[f"{key}_text"] = t(own if has(own) else f"reports.{key}.{item.params[key]}",
                                      lang)
    if "level" in item.params:
        params["level_text"] = t(f"opinion.level.{item.params['level']}", lang)
    code = item.code
    if "variant" in item.params:
        code = f"{code}.{item.params['variant']}"
    return t(code, lang, **params)


def item_button(item: Item, lang: str) -> InlineKeyboardButton | None:
    if item.button is not None:
        label, feature, action, ident = item.button
        return InlineKeyboardButton(t(label, lang),
                                    callback_data=cb.encode(feature, action, ident))
    if item.command is not None:
        return InlineKeyboardButton(t(f"reports.btn.{item.command}", lang),
                                    callback_data=cb.encode("reports", "cmd", item.command))
    return None


def blocks_text(blocks: list[Block], scope: str, lang: str, *, skip_empty: bool = False
                ) -> list[str]:
    lines = []
    for name, items in blocks:
        if skip_empty and not items:
            continue
        title = f"reports.block.{scope}.{name}"
        lines.append("\n<b>" + (t(title, lang) if has(title) else name) + "</b>")
        lines += [f"• {item_text(i, lang)}" for i in items] or [t("reports.empty", lang)]
    return lines


def day_title(key: str, day: date, lang: str, **params: Any) -> str:
    return t(key, lang, date=day.isoformat(), weekday=t(f"weekday.{day.weekday()}", lang),
             **params)


def render_daily(scope: str, blocks: list[Block], day: date, lang: str, *,
                 name: str = "", workday: bool = True) -> Rendered:
    """The daily report of a person ("mine") or of the office."""
    lines = [day_title(f"reports.daily.{scope}.title", day, lang, name=html.escape(name))]
    if not workday:
        lines.append(t("reports.daily.holiday", lang))
    body = blocks_text(blocks, scope, lang, skip_empty=scope == "mine")
    if not body:
        body = ["", t("reports.daily.nothing", lang)]
    lines += body
    return Rendered(_fit("\n".join(lines)))


def render_todo(blocks: list[Block], lang: str) -> Rendered:
    """The to-do list: every waiting item with its button."""
    count = sum(len(items) for _, items in blocks)
    if not count:
        return Rendered(t("reports.todo.none", lang))
    lines = [t("reports.todo.title", lang, n=count)]
    rows: list[list[InlineKeyboardButton]] = []
    number = 0
    for name, items in blocks:
        title = f"reports.block.todo.{name}"
        lines.append("\n<b>" + (t(title, lang) if has(title) else name) + "</b>")
        for item in items:
            number += 1
            lines.append(f"{number}. {item_text(item, lang)}")
            button = item_button(item, lang)
            if button is not None and len(rows) < 30:
                rows.append([InlineKeyboardButton(f"{number}. {button.text}",
                                                  callback_data=button.callback_data)])
    return Rendered(_fit("\n".join(lines)), InlineKeyboardMarkup(rows) if rows else None)


def _fit(text: str, limit: int = 4000) -> str:
    """Keep a message within Telegram's limit (cut at a line)."""
    if len(text) <= limit:
        return text
    return text[: text.rfind("\n", 0, limit - 2)] + "\n…"


# ------------------------------------------------------------------ periods


def metric_label(section: str, metric: str, lang: str) -> str:
    return t(f"reports.m.{section}.{metric}", lang)


def metric_unit(section: str, metric: str, lang: str) -> str:
    key = f"reports.u.{section}.{metric}"
    return t(key, lang) if has(key) else ""


def render_period(comparison: Comparison, lang: str) -> Rendered:
    """The period's figures, each with its change from the previous period."""
    period = comparison.period
    kind = t(f"reports.period.{period.kind}", lang)
    prev = t(f"reports.period.prev.{period.kind}", lang)
    lines = [t("reports.period.title", lang, kind=kind, first=period.first.isoformat(),
               last=period.last.isoformat())]
    if not comparison.changes:
        lines.append(t("reports.period.no_sections", lang))
    current_section = None
    for change in comparison.changes:
        if change.section != current_section:
            current_section = change.section
            lines.append("")
        if change.delta == 0:
            wording = t("reports.period.same", lang, prev=prev)
        else:
            pct = t("reports.period.pct", lang, pct=f"{change.percent:+g}") \
                if change.percent is not None else ""
            wording = t("reports.period.up" if change.delta > 0 else "reports.period.down",
                        lang, prev=prev, delta=num(abs(change.delta)), pct=pct)
        lines.append(t("reports.period.line", lang,
                       label=metric_label(change.section, change.metric, lang),
                       value=num(change.current),
                       unit=metric_unit(change.section, change.metric, lang), change=wording))
    return Rendered(_fit("\n".join(lines)))


def _cjk_font() -> str | None:
    """A font family that has Chinese glyphs, when the machine has one."""
    from matplotlib import font_manager

    for font in font_manager.fontManager.ttflist:
        if "CJK" in font.name and ("SC" in font.name or "JP" in font.name):
            return str(font.name)
    for font in font_manager.fontManager.ttflist:
        if any(word in font.name for word in ("CJK", "WenQuanYi", "Hei", "Song")):
            return str(font.name)
    return None


def chart_png(comparison: Comparison, lang: str) -> bytes:
    """A bar chart of this period against the previous one (PNG, drawn without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    font = _cjk_font()
    labels = [metric_label(c.section, c.metric, lang) for c in comparison.changes]
    if font is None and lang != "en":
        labels = [metric_label(c.section, c.metric, "en") for c in comparison.changes]
    period = comparison.period
    height = max(3.0, 0.45 * len(labels) + 1.5)
    figure = Figure(figsize=(8, height), dpi=100)
    axes = figure.subplots()
    positions = list(range(len(labels)))
    axes.barh([p + 0.2 for p in positions], [c.previous for c in comparison.changes], 0.4,
              color="#c6d4e8", label=t(f"reports.period.prev.{period.kind}", lang))
    axes.barh([p - 0.2 for p in positions], [c.current for c in comparison.changes], 0.4,
              color="#2f5d9b")
    for position, change in zip(positions, comparison.changes, strict=True):
        axes.text(change.current, position - 0.2, f" {num(change.current)}", va="center",
                  fontsize=8)
    axes.set_yticks(positions)
    axes.set_yticklabels(labels, fontfamily=font or "sans-serif")
    axes.invert_yaxis()
    axes.set_title(t("reports.period.chart_title", lang if font or lang == "en" else "en",
                     kind=t(f"reports.period.{period.kind}", lang if font else "en"),
                     first=period.first.isoformat(), last=period.last.isoformat(),
                     prev=t(f"reports.period.prev.{period.kind}", lang if font else "en")),
                   fontfamily=font or "sans-serif")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# ------------------------------------------------------------------ the year


#: Sections that word their own part of the annual sentence (a feature's views register it):
#: name -> func(figures, lang) giving the words, or None to leave the section out this year.
ANNUAL_WORDS: dict[str, Callable[[dict[str, float], str], str | None]] = {}


def annual_sentence(data: YearInNumbers, lang: str) -> str:
    """The year in the words of an annual summary, every figure from the records."""
    parts = []
    for name, figures in data.totals.items():
        if name in ANNUAL_WORDS:
            words = ANNUAL_WORDS[name](figures, lang)
            if words:
                parts.append(words)
            continue
        variant = data.variants.get(name)
        key = f"reports.annual.{name}" + (f".{variant}" if variant else "")
        if not has(key):
            parts.append("，".join(
                f"{metric_label(name, m, lang)}{num(v)}{metric_unit(name, m, lang)}"
                for m, v in figures.items()))
            continue
        worded = t(key, lang, **{m: num(v) for m, v in figures.items()})
        if worded:  # a variant may be a deliberate blank (nothing of that work this year)
            parts.append(worded)
    if not parts:
        return t("reports.annual.nothing", lang, year=data.year)
    joiner, end = ("，", "。") if lang != "en" else ("; ", ".")
    return t("reports.annual.lead", lang, year=data.year) + joiner.join(parts) + end


def annual_docx(data: YearInNumbers, lang: str) -> bytes:
    """The year in numbers as a Word document: title, the summary, a table of figures."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    document.add_heading(t("reports.annual.title", lang, year=data.year), level=1)
    document.add_paragraph(annual_sentence(data, lang))
    rows = [(metric_label(s, m, lang), num(v), metric_unit(s, m, lang))
            for s, figures in data.totals.items() for m, v in figures.items()]
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, ("item", "value", "unit"), strict=True):
        cell.text = t(f"reports.xlsx.{key}", lang)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def annual_xlsx(data: YearInNumbers, lang: str) -> bytes:
    """The figures as a workbook: the year's totals, and one row per month."""
    from openpyxl import Workbook

    book = Workbook()
    total = book.active
    total.title = t("reports.xlsx.sheet_total", lang)
    total.append([t(f"reports.xlsx.{k}", lang) for k in ("item", "value", "unit")])
    columns = [(s, m) for s, figures in data.totals.items() for m in figures]
    for section_name, metric in columns:
        total.append([metric_label(section_name, metric, lang),
                      data.totals[section_name][metric],
                      metric_unit(section_name, metric, lang).strip()])
    months = book.create_sheet(t("reports.xlsx.sheet_months", lang))
    months.append([t("reports.xlsx.month", lang)] + [metric_label(s, m, lang)
                                                     for s, m in columns])
    for first, figures in data.months:
        months.append([first.strftime("%Y-%m")] + [figures.get(s, {}).get(m, 0)
                                                   for s, m in columns])
    for sheet in (total, months):
        sheet.column_dimensions["A"].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ outbox events


@view("reports.daily")
async def daily_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    """Build the pushed daily report from the records as they are at sending time."""
    from services import workdays

    tz = ZoneInfo(str(payload.get("tz") or "Asia/Shanghai"))
    day = date.fromisoformat(str(payload["day"]))
    now = clock.now()
    if payload.get("scope") == "mine":
        staff = await Staff.get(id=int(payload["staff_id"]))
        blocks = await daily.mine(staff, day, now, tz)
        return render_daily("mine", blocks, day, lang, name=staff.name,
                            workday=workdays.is_workday(day))
    return render_daily("office", await daily.office(day, now, tz), day, lang,
                        workday=workdays.is_workday(day))


@view("reports.period")
async def period_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    """The pushed weekly (or monthly) report: its chart, with the figures as the caption."""
    tz = ZoneInfo(str(payload.get("tz") or "Asia/Shanghai"))
    period = Period.of(str(payload["kind"]), date.fromisoformat(str(payload["first"])), tz)
    comparison = await compare(period)
    text = render_period(comparison, lang).text
    if not comparison.changes:
        return Rendered(text)
    png = await asyncio.to_thread(chart_png, comparison, lang)
    return Rendered(text[:1024] if len(text) <= 1024 else text[:1020] + "\n…", photo=png)


@view("reports.calendar_unknown")
def calendar_unknown(payload: dict[str, Any], lang: str) -> Rendered:
    return Rendered(t("jobs.calendar_unknown", lang, year=payload.get("year")))


def available_sections() -> list[str]:
    """Names of the sections the reports can show here (features present)."""
    return [s.name for s in sections()]


def now_in(tz: ZoneInfo) -> datetime:
    return clock.now().astimezone(tz)
