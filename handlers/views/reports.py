"""Views of the reports: daily, to-do and period texts, the chart, the annual DOCX and XLSX."""

from __future__ import annotations

import asyncio
import html
import io
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callback as cb
from handlers.texts import has, t, t_plain
from handlers.views import Rendered, charts, view
from handlers.views.exports import period_row
from models.core import Staff
from services import clock, exports
from services.reports import Item, Period, daily
from services.reports.annual import PARAGRAPHS
from services.reports.annual import Figure as SummaryFigure
from services.reports.figures import Change, Comparison, YearInNumbers, compare, sections

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
    if isinstance(item.params.get("waited_h"), int):
        # under a day in hours (已等5小时), never "已等0天"
        hours = item.params["waited_h"]
        params["waited"] = (t("reports.waited.hours", lang, n=hours) if hours < 24
                            else t("reports.waited.days", lang, n=hours // 24))
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


#: Panels of the period chart side by side.
CHART_COLUMNS = 3


def chart_png(comparison: Comparison, lang: str) -> bytes:
    """The period chart as PNG (drawn without a display)."""
    return charts.png(chart_figure(comparison, lang))


#: A chart stays readable: at most this many panels, the figures that moved most.
CHART_PANELS = 12


def chart_changes(changes: list[Change]) -> list[Change]:
    """The figures worth a panel: those not zero in both periods, the largest moves first
    when there are more than fit, shown in report order."""
    moving = [c for c in changes if c.current or c.previous]
    if len(moving) <= CHART_PANELS:
        return moving or changes[:CHART_PANELS]
    ranked = sorted(moving, key=lambda c: abs(c.delta) / max(abs(c.previous), 1.0),
                    reverse=True)[:CHART_PANELS]
    return [c for c in moving if c in ranked]


def chart_figure(comparison: Comparison, lang: str) -> Figure:
    """This period against the previous one: one small panel per figure, each with its own
    axis, so yuan and counts never share a scale."""
    from matplotlib.ticker import MaxNLocator

    font = charts.cjk_font()
    text_lang = lang if font is not None or lang == "en" else "en"
    period = comparison.period
    changes = chart_changes(comparison.changes)
    rows = max(1, -(-len(changes) // CHART_COLUMNS))
    figure = charts.figure(3.2 * CHART_COLUMNS, 2.3 * rows + 0.8)
    prev = t(f"reports.period.prev.{period.kind}", text_lang)
    this = t(f"reports.period.this.{period.kind}", text_lang)
    for index, change in enumerate(changes):
        axes = figure.add_subplot(rows, CHART_COLUMNS, index + 1)
        unit = metric_unit(change.section, change.metric, text_lang).strip()
        whole = float(change.current).is_integer() and float(change.previous).is_integer()
        bars = axes.bar([prev, this], [change.previous, change.current],
                        color=["#c6d4e8", "#2f5d9b"], width=0.6)
        for bar, value in zip(bars, (change.previous, change.current), strict=True):
            axes.annotate(num(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                          ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                          textcoords="offset points")
        axes.set_ylim(0, charts.headroom(max(change.current, change.previous), whole=whole))
        if whole:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        else:
            axes.yaxis.set_major_locator(MaxNLocator(nbins=4))
        label = metric_label(change.section, change.metric, text_lang)
        axes.set_title(f"{label}（{unit}）" if unit and text_lang != "en" else
                       f"{label} ({unit})" if unit else label, fontsize=9)
        axes.tick_params(labelsize=8)
        axes.spines[["top", "right"]].set_visible(False)
    figure.suptitle(t("reports.period.chart_title", text_lang,
                      kind=t(f"reports.period.{period.kind}", text_lang),
                      first=period.first.isoformat(), last=period.last.isoformat(), prev=prev),
                    fontsize=11)
    # Leave the title its own band above the panels.
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.45 / (2.3 * rows + 0.8)))
    return figure


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


#: The mark of a figure the office fills in itself (the bot has no record of it).
BLANK_KEY = "reports.summary.blank"


def figure_text(figure: SummaryFigure | None, lang: str) -> str:
    """A summary figure as written: the number, or the marked blank."""
    if figure is None or figure.value is None:
        return t(BLANK_KEY, lang)
    return num(figure.value)


def summary_paragraphs(year: int, figures: dict[str, SummaryFigure], lang: str) -> list[str]:
    """The annual summary, a paragraph per part of the office's work, in its order; every
    figure from its query (a paragraph whose figures are all zero says so plainly)."""
    result = []
    for paragraph, keys in PARAGRAPHS:
        values = {key: figure_text(figures.get(key), lang) for key in keys}
        known = [figures[k].value for k in keys if k in figures and figures[k].value is not None]
        variant = "none" if known and not any(known) and has(
            f"reports.summary.{paragraph}.none") else ""
        code = f"reports.summary.{paragraph}" + (f".{variant}" if variant else "")
        result.append(t_plain(code, lang, year=year, **values))
    return result


def summary_text(year: int, figures: dict[str, SummaryFigure], lang: str) -> str:
    """The summary for the chat: its title, then the paragraphs."""
    body = "\n\n".join(html.escape(p) for p in summary_paragraphs(year, figures, lang))
    return _fit(t("reports.summary.title", lang, year=year) + "\n\n" + body
                + "\n\n" + t("reports.summary.note", lang))


def annual_docx(data: YearInNumbers, lang: str,
                figures: dict[str, SummaryFigure] | None = None) -> bytes:
    """The year in numbers as a Word document: title, the summary, a table of figures."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    document.add_heading(t("reports.annual.title", lang, year=data.year), level=1)
    document.add_paragraph(annual_sentence(data, lang))
    if figures is not None:
        document.add_heading(t_plain("reports.summary.heading", lang, year=data.year), level=2)
        for paragraph in summary_paragraphs(data.year, figures, lang):
            document.add_paragraph(paragraph)
        document.add_paragraph(t_plain("reports.summary.note", lang))
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


def annual_xlsx(data: YearInNumbers, lang: str,
                figures: dict[str, SummaryFigure] | None = None) -> bytes:
    """The figures as a workbook: the year's totals, and one row per month."""
    columns = [(s, m) for s, figures in data.totals.items() for m in figures]
    period = period_row(date(data.year, 1, 1), date(data.year, 12, 31), lang)
    title = t("reports.annual.title", lang, year=data.year)
    total = exports.Sheet(
        name=t("reports.xlsx.sheet_total", lang), title=title, period=period,
        columns=[exports.Column("item", t("reports.xlsx.item", lang), 18),
                 exports.Column("value", t("reports.xlsx.value", lang), 14, "qty"),
                 exports.Column("unit", t("reports.xlsx.unit", lang), 8)],
        rows=[{"item": metric_label(s, m, lang), "value": data.totals[s][m],
               "unit": metric_unit(s, m, lang).strip()} for s, m in columns],
        empty=t("exports.none", lang))
    months = exports.Sheet(
        name=t("reports.xlsx.sheet_months", lang), title=title, period=period,
        columns=[exports.Column("month", t("reports.xlsx.month", lang), 10, "month")]
        + [exports.Column(f"{s}.{m}", _headed(s, m, lang), 12, "qty") for s, m in columns],
        rows=[{"month": first, **{f"{s}.{m}": figures.get(s, {}).get(m, 0) for s, m in columns}}
              for first, figures in data.months],
        empty=t("exports.none", lang))
    sheets = [total, months]
    if figures is not None:
        sheets.append(exports.Sheet(
            name=t_plain("reports.summary.sheet", lang), title=title, period=period,
            columns=[exports.Column("figure", t_plain("reports.summary.col.figure", lang), 24),
                     exports.Column("value", t_plain("reports.xlsx.value", lang), 10, "qty"),
                     exports.Column("query", t_plain("reports.summary.col.query", lang), 60),
                     exports.Column("n", t_plain("reports.summary.col.n", lang), 10, "qty"),
                     exports.Column("records", t_plain("reports.summary.col.records", lang),
                                    80)],
            rows=[{"figure": t_plain(f"reports.summary.f.{f.key}", lang),
                   "value": f.value if f.value is not None else t_plain(BLANK_KEY, lang),
                   "query": f.query or t_plain("reports.summary.no_record", lang),
                   "n": len(f.records) if f.listed else None,
                   "records": "\n".join(f.records)[:32000]}
                  for f in figures.values()],
            empty=t("exports.none", lang)))
    return exports.workbook(sheets)


def _headed(section: str, metric: str, lang: str) -> str:
    """A month column's head: the figure and its unit, '接待费用（元）'."""
    unit = metric_unit(section, metric, lang).strip()
    label = metric_label(section, metric, lang)
    return (f"{label}（{unit}）" if lang != "en" else f"{label} ({unit})") if unit else label


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
