"""Views of the opinion duty officer: alert cards, assignment, reports, trend chart, export."""

from __future__ import annotations

import html
import io
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import t
from handlers.views import Rendered, view
from services.opinion import config
from services.opinion.handling import case_details

MAX_TITLE_SHOWN = 80


def _time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(config.get().tz).strftime("%Y-%m-%d %H:%M")


def level_text(level: str | None, lang: str) -> str:
    return t(f"opinion.level.{level or 'yellow'}", lang)


def reason_text(reasons: list[dict[str, Any]], lang: str) -> str:
    """The rule categories with their words, and the model's score, in plain words."""
    parts = []
    for reason in reasons:
        if reason.get("kind") == "rule":
            parts.append(t("opinion.reason.rule", lang,
                           category=t(f"opinion.category.{reason.get('category')}", lang),
                           words="、".join(reason.get("words", []))))
        elif reason.get("kind") == "model":
            parts.append(t("opinion.reason.model", lang, score=f"{reason.get('score', 0):.2f}"))
    return html.escape("；".join(parts) if parts else t("opinion.reason.none", lang))


def short(text: str, limit: int = MAX_TITLE_SHOWN) -> str:
    text = " ".join((text or "").split())
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


def card_text(d: dict[str, Any], lang: str, extra: dict[str, Any] | None = None) -> str:
    """The alert card of a case, as it stands now."""
    extra = extra or {}
    lines = []
    if extra.get("escalation"):
        lines.append(t("opinion.card.escalation", lang, n=extra["escalation"]))
    if extra.get("spread"):
        lines.append(t("opinion.card.spread", lang, n=extra["spread"]))
    link = html.escape(d["url"]) if d["url"] else t("opinion.no_link", lang)
    lines.append(f"#{d['id']} " + t(
        "opinion.card", lang, level=level_text(d["level"], lang), title=short(d["title"], 120),
        source=html.escape(d["source"] or "—"), time=_time(d["published_at"] or d["fetched_at"]),
        reason=reason_text(d["reasons"], lang), link=link,
        status=t(f"opinion.status.{d['status']}", lang),
    ))
    if d["story_size"] > 1:
        lines.append(t("opinion.card.story", lang, n=d["story_size"],
                       sources=html.escape("、".join(d["story_sources"]))))
    if d["acknowledged_by"]:
        lines.append(t("opinion.card.ack", lang, name=html.escape(d["acknowledged_by"])))
    if d["assignee"]:
        lines.append(t("opinion.card.assignee", lang, name=html.escape(d["assignee"])))
    for note in d["notes"]:
        lines.append(t("opinion.card.note", lang, text=short(note["text"], 500),
                       name=html.escape(note["author"]), time=_time(note["at"])))
    if not d["open"] and d["closed_by"]:
        lines.append(t("opinion.card.closed", lang, name=html.escape(d["closed_by"]),
                       time=_time(d["closed_at"])))
    return "\n".join(lines)


def card_keyboard(case_id: int, lang: str) -> InlineKeyboardMarkup:
    def b(action: str, label: str) -> tuple[str, str]:
        return t(f"opinion.btn.{label}", lang), cb.encode("yq", action, case_id)

    return buttons([[b("ack", "ack"), b("ok", "confirm")],
                    [b("as", "assign"), b("dn", "done")],
                    [b("fa", "false_alarm")]])


@view("opinion.alert")
async def alert(payload: dict[str, Any], lang: str) -> Rendered:
    """The alert card, rendered from the case's state at send time."""
    d = await case_details(int(payload["case_id"]))
    if d is None:
        return Rendered(t("opinion.card.gone", lang))
    keyboard = card_keyboard(d["id"], lang) if d["open"] else None
    return Rendered(card_text(d, lang, payload), keyboard)


@view("opinion.assigned")
async def assigned(payload: dict[str, Any], lang: str) -> Rendered:
    """The private card of the person a case was given to."""
    d = await case_details(int(payload["case_id"]))
    if d is None:
        return Rendered(t("opinion.card.gone", lang))
    head = t("opinion.assigned", lang, by=html.escape(str(payload.get("by", ""))))
    keyboard = buttons([[(t("opinion.btn.done", lang), cb.encode("yq", "dn", d["id"]))]]) \
        if d["open"] else None
    return Rendered(f"{head}\n\n{card_text(d, lang)}", keyboard)


def report_text(data: dict[str, Any], lang: str, title: str) -> str:
    """A daily or weekly report from summary data."""
    s = data["sentiment"]
    lines = [title]
    if data["zero"]:
        lines.append(t("opinion.daily.zero" if data.get("daily", True) else "opinion.week.zero",
                       lang))
    lines.append(t("opinion.daily.counts", lang, scanned=data["scanned"],
                   relevant=data["relevant"], negative=s["negative"], neutral=s["neutral"],
                   positive=s["positive"]))
    if data["negatives"]:
        lines.append(t("opinion.daily.negatives", lang, n=len(data["negatives"])))
        for i, n in enumerate(data["negatives"], 1):
            assignee = t("opinion.open.assignee", lang, name=html.escape(n["assignee"])) \
                if n["assignee"] else ""
            lines.append(t("opinion.daily.line", lang, i=i, level=level_text(n["level"], lang),
                           title=short(n["title"], 60), source=html.escape(n["source"] or "—"),
                           status=t(f"opinion.status.{n['status']}", lang), assignee=assignee))
    if data["older_open"]:
        lines.append(t("opinion.daily.older_open", lang, n=data["older_open"]))
    checked = data["sources_checked"]
    lines.append(t("opinion.daily.sources", lang, n=len(checked),
                   names=html.escape("、".join(checked))) if checked
                 else t("opinion.daily.no_sources", lang))
    failed = data["sources_failed"]
    if failed:
        items = "；".join(f"{name}（{error}）" for name, error in failed)
        lines.append(t("opinion.daily.failed", lang, n=len(failed), items=html.escape(items)))
    elif checked:
        lines.append(t("opinion.daily.all_ok", lang))
    return "\n".join(lines)[:4000]


@view("opinion.daily")
def daily(payload: dict[str, Any], lang: str) -> Rendered:
    """The daily report sent to the leaders' group."""
    return Rendered(report_text(payload, lang, t("opinion.daily.title", lang,
                                                   day=payload.get("day", ""))))


def trend_png(rows: list[dict[str, Any]], lang: str) -> bytes:
    """A bar-and-line chart of items about us and negative items per day."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "Noto Serif CJK SC",
                                       "WenQuanYi Zen Hei", "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    days = [r["day"][5:] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=100)
    try:
        ax.bar(days, [r["relevant"] for r in rows], color="#8fb8de",
               label=t("opinion.chart.relevant", lang))
        ax.plot(days, [r["negative"] for r in rows], color="#d62728", marker="o",
                label=t("opinion.chart.negative", lang))
        ax.set_title(t("opinion.chart.title", lang, n=len(rows)))
        ax.legend(loc="upper left")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        step = max(len(days) // 10, 1)
        ax.set_xticks(range(0, len(days), step), days[::step], rotation=45, fontsize=8)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def export_xlsx(cases: list[dict[str, Any]], lang: str) -> bytes:
    """The handling records as a spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("opinion.export.sheet", lang)[:31]
    sheet.append(t("opinion.export.headers", lang).split("|"))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for d in cases:
        notes = "\n".join(f"{n['author']} {_time(n['at'])}：{n['text']}" for n in d["notes"])
        sheet.append([
            d["id"], _time(d["created_at"]),
            t(f"opinion.level.{d['level']}", lang).lstrip("🔴🟠🟡"),
            d["title"], d["source"], d["url"], html.unescape(reason_text(d["reasons"], lang)),
            t(f"opinion.status.{d['status']}", lang), d["acknowledged_by"] or "",
            d["assignee"] or "", notes, _time(d["closed_at"]) if d["closed_at"] else "",
        ])
    for column, width in zip("ABCDEFGHIJKL", (6, 17, 8, 40, 16, 30, 30, 8, 10, 10, 40, 17),
                             strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
