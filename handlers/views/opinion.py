"""Views of the opinion duty officer: alert cards, assignment, reports, trend chart, export."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import t, t_plain
from handlers.views import Rendered, charts, view
from handlers.views.exports import period_row
from services import exports
from services.opinion import config
from services.opinion.handling import case_details

#: What a feed's failure was, from the technical note the fetcher left (kept for the logs).
_PROBLEMS = (
    (re.compile(r"^HTTP (\d{3})"), "http"),
    (re.compile(r"timeout|timed out", re.I), "timeout"),
    (re.compile(r"not a feed", re.I), "not_feed"),
    (re.compile(r"larger than", re.I), "too_big"),
    (re.compile(r"DNS|Name or service|getaddrinfo|resolve", re.I), "dns"),
    (re.compile(r"connect|refused|reset|SSL|certificate", re.I), "connect"),
)


def fetch_problem(error: str, lang: str) -> str:
    """Why a feed could not be read, in people's words (never an exception's class name)."""
    for pattern, kind in _PROBLEMS:
        found = pattern.search(error or "")
        if found:
            code = found.group(1) if kind == "http" else ""
            return t_plain(f"opinion.fetch.{kind}", lang, code=code)
    return t_plain("opinion.fetch.other", lang)

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
    excerpt = " ".join(str(d.get("text") or "").split())
    # what it says, not only the title
    if excerpt and excerpt != " ".join(str(d["title"]).split()):
        lines.append(t("opinion.card.excerpt", lang, text=short(excerpt, 160)))
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
    excluded = data.get("excluded") or []
    if excluded:
        lines.append(t("opinion.daily.excluded", lang, n=len(excluded)))
        for i, n in enumerate(excluded, 1):
            lines.append(t("opinion.daily.excluded_line", lang, i=i,
                           title=short(n["title"], 60), source=html.escape(n["source"] or "—")))
    if data["older_open"]:
        lines.append(t("opinion.daily.older_open", lang, n=data["older_open"]))
    checked = data["sources_checked"]
    lines.append(t("opinion.daily.sources", lang, n=len(checked),
                   names=html.escape("、".join(checked))) if checked
                 else t("opinion.daily.no_sources", lang))
    failed = data["sources_failed"]
    if failed:
        items = "；".join(f"{name}（{fetch_problem(error, lang)}）" for name, error in failed)
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
    """Items about us (bars) and negative items (line) per day: one measure, items, on one
    axis fitted to the days' counts."""
    from matplotlib.ticker import MaxNLocator

    days = [r["day"][5:] for r in rows]
    fig = charts.figure(8, 3.6)
    ax = fig.subplots()
    ax.bar(days, [r["relevant"] for r in rows], color="#8fb8de",
           label=t("opinion.chart.relevant", lang))
    ax.plot(days, [r["negative"] for r in rows], color="#d62728", marker="o",
            label=t("opinion.chart.negative", lang))
    top = max([r["relevant"] for r in rows] + [r["negative"] for r in rows] + [0])
    ax.set_ylim(0, charts.headroom(top))
    ax.set_ylabel(t("opinion.chart.unit", lang))
    ax.set_title(t("opinion.chart.title", lang, n=len(rows)))
    ax.legend(loc="upper left", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(len(days) // 10, 1)
    ax.set_xticks(range(0, len(days), step), days[::step], rotation=45, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return charts.png(fig)


#: The handling records' columns: (row key, width, kind), in the order of the headers text.
EXPORT_COLUMNS = (("id", 6, "int"), ("found", 16, "datetime"), ("level", 8, "text"),
                  ("title", 40, "text"), ("source", 16, "text"), ("url", 30, "text"),
                  ("reason", 30, "text"), ("status", 8, "text"), ("ack", 10, "text"),
                  ("assignee", 10, "text"), ("notes", 40, "text"), ("closed", 16, "datetime"))


def export_xlsx(cases: list[dict[str, Any]], lang: str, first: date | None = None,
                last: date | None = None) -> bytes:
    """The handling records as a workbook (NothingToExport when there are none)."""
    rows = [{
        "id": d["id"], "found": d["created_at"],
        "level": t(f"opinion.level.{d['level']}", lang).lstrip("🔴🟠🟡"),
        "title": d["title"], "source": d["source"], "url": d["url"],
        "reason": html.unescape(reason_text(d["reasons"], lang)),
        "status": t(f"opinion.status.{d['status']}", lang), "ack": d["acknowledged_by"],
        "assignee": d["assignee"],
        "notes": "\n".join(f"{n['author']} {_time(n['at'])}：{n['text']}" for n in d["notes"]),
        "closed": d["closed_at"],
    } for d in cases]
    headers = t("opinion.export.headers", lang).split("|")
    title = t("opinion.export.sheet", lang)
    period = period_row(first, last, lang) if first and last else ""
    return exports.workbook([exports.Sheet(
        name=title, title=title, period=period,
        columns=[exports.Column(key, head, width, kind)
                 for (key, width, kind), head in zip(EXPORT_COLUMNS, headers, strict=True)],
        rows=rows, total_label=t("exports.total", lang), empty=t("exports.none", lang),
    )], config.get().tz)
