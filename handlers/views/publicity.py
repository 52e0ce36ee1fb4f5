"""Publicity as messages: report and story cards, questions, the ledger XLSX, information-piece
cards and the quarter's ranking with its chart, drafting-task cards and reminders, the 参阅
editing card and issue, and the annual wording of the feature's figures."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import plain, t, t_plain
from handlers.views import Rendered, charts, view
from handlers.views import reports as report_views
from handlers.workbook import Sheet, xlsx
from models.core import Staff
from models.publicity import (
    INFO_RANK,
    Bulletin,
    BulletinItem,
    DraftingTask,
    DraftVersion,
    InfoLevel,
    InfoPiece,
    InfoStatus,
    MediaOutlet,
    MediaReport,
    MediaStory,
    OutletLevel,
    PublicityFile,
    TaskStatus,
)
from services import clock
from services.exports import period_text
from services.publicity import bulletin, config, drafting, info
from services.publicity.media import Asked, Recorded

F = "pub"
Rows = list[list[tuple[str, str]]]
#: Characters of a piece's text shown on the office's card.
EXCERPT = 300
CAPTION = 1024


def tz() -> ZoneInfo:
    return config.tz()


def when(at: datetime | None) -> str:
    return at.astimezone(tz()).strftime("%Y-%m-%d %H:%M") if at else "—"


def short(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def points(value: Decimal | int) -> str:
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else f"{value.normalize():f}"


def person_name(person: Staff | None) -> str:
    return person.name if person is not None else "—"


def level_name(level: OutletLevel | str, lang: str) -> str:
    return t(f"publicity.level.{OutletLevel(level).value}", lang)


def ilevel_name(level: InfoLevel | str | None, lang: str) -> str:
    return t(f"publicity.ilevel.{InfoLevel(level).value}", lang) if level else "—"


def _fit(lines: list[str], lang: str, limit: int = 3900) -> str:
    """Whole lines within Telegram's limit, then how many were left out."""
    shown, size = [], 0
    for index, line in enumerate(lines):
        if size + len(line) + 1 > limit:
            shown.append(t("publicity.more", lang, n=len(lines) - index))
            break
        shown.append(line)
        size += len(line) + 1
    return "\n".join(shown)


# ---------------------------------------------------------------------------- media reports


def report_line(report: MediaReport, lang: str, *, with_id: bool = True) -> str:
    outlet: MediaOutlet = report.outlet
    front = t("publicity.front", lang) if report.front_page else ""
    return t("publicity.report.line", lang, id=report.id if with_id else "",
             day=report.published_on.isoformat(), outlet=escape(outlet.name),
             level=level_name(report.level, lang), headline=short(report.headline, 80),
             front=front)


def report_card(report: MediaReport, story: MediaStory, members: list[MediaReport],
                lang: str, *, suggestions: list[tuple[MediaReport, float]] | None = None,
                title_key: str = "publicity.report.recorded") -> tuple[str, InlineKeyboardMarkup]:
    """A ledger entry, the story it counts in, and the buttons to fix the grouping."""
    outlet: MediaOutlet = report.outlet
    lines = [t(title_key, lang, id=report.id),
             f"《{escape(report.headline)}》",
             t("publicity.report.where", lang, outlet=escape(outlet.name),
               level=level_name(report.level, lang), day=report.published_on.isoformat(),
               kind=t(f"publicity.kind.{report.kind.value}", lang),
               front=t("publicity.front", lang) if report.front_page else "",
               page=t("publicity.page", lang, page=escape(report.page))
               if report.page and not report.front_page else "")]
    credit = report.credit_department
    if report.credit_staff_id is not None:  # type: ignore[attr-defined]
        person: Staff | None = getattr(report, "credit_staff", None)
        if isinstance(person, Staff):
            credit = f"{person.name}（{person.department}）" if person.department else person.name
    if credit:
        lines.append(t("publicity.report.credit", lang, credit=escape(credit)))
    if report.url:
        lines.append(f"🔗 {escape(report.url)}")
    if len(members) > 1:
        names = "、".join(escape(m.outlet.name) for m in members)
        lines.append(t("publicity.report.story", lang, n=len(members), outlets=names,
                       level=level_name(story.level, lang)))
    else:
        lines.append(t("publicity.report.alone", lang, level=level_name(story.level, lang)))
    rows: Rows = []
    for other, _score in suggestions or []:
        lines.append(t("publicity.report.maybe", lang, id=other.id,
                       headline=short(other.headline, 40), outlet=escape(other.outlet.name)))
        rows.append([(t("publicity.btn.merge", lang, id=other.id),
                      cb.encode(F, "merge", report.id, other.id))])
    tools = []
    if len(members) > 1:
        tools.append((t("publicity.btn.split", lang), cb.encode(F, "split", report.id)))
    tools.append((t("publicity.btn.to_bulletin", lang), cb.encode(F, "rcy", report.id)))
    tools.append((t("publicity.btn.remove", lang), cb.encode(F, "rdel", report.id)))
    rows.append(tools)
    return "\n".join(lines), buttons(rows)


def asked_card(asked: Asked, lang: str, known: list[MediaOutlet]
               ) -> tuple[str, InlineKeyboardMarkup]:
    """The question a report draft waits on, with its answer buttons."""
    p = asked.params
    draft = asked.draft.id
    cancel = (t("publicity.btn.cancel", lang), cb.encode(F, "rdx", draft))
    rows: Rows = []
    if asked.question == "level":
        text = t("publicity.ask.level", lang, outlet=escape(p["outlet"]))
        rows.append([(level_name(level, lang), cb.encode(F, "lvl", draft, level.value))
                     for level in OutletLevel])
    elif asked.question == "outlet":
        text = t("publicity.ask.outlet", lang, headline=short(p.get("headline", ""), 80))
        picks = [(o.name[:20], cb.encode(F, "out", draft, o.id)) for o in known]
        rows += [picks[i:i + 3] for i in range(0, len(picks), 3)]
    elif asked.question == "headline":
        if p.get("link"):
            reason = (t("publicity.ask.link_status", lang, status=p["status"])
                      if p.get("status") else t("publicity.ask.link_error", lang))
            text = t("publicity.ask.headline_link", lang, reason=reason,
                     url=escape(p.get("url", "")))
        else:
            text = t("publicity.ask.headline", lang)
    elif asked.question == "day":
        text = t("publicity.ask.day_future", lang, value=p["value"], today=p["today"],
                 headline=short(p.get("headline", ""), 80))
    else:
        text = t("publicity.ask.day_old", lang, value=p.get("value", ""))
    rows.append([cancel])
    return text + "\n\n" + t("publicity.ask.cancel_hint", lang), buttons(rows)


def outcome_card(outcome: Recorded | Asked, members: list[MediaReport], lang: str,
                 known: list[MediaOutlet]) -> tuple[str, InlineKeyboardMarkup]:
    if isinstance(outcome, Asked):
        return asked_card(outcome, lang, known)
    return report_card(outcome.report, outcome.story, members, lang,
                       suggestions=outcome.suggestions)


def ledger_summary(figures: dict[str, int], recent: list[MediaReport], lang: str,
                   month: str, office: bool) -> str:
    lines = [t("publicity.ledger.title", lang, month=month, n=figures["reports"],
               front=figures["front_pages"], articles=figures.get("articles", 0)),
             t("publicity.ledger.levels", lang,
               **{level.value: figures.get(level.value, 0) for level in OutletLevel})]
    if recent:
        lines.append("")
        lines.append(t("publicity.ledger.recent", lang))
        lines += [report_line(r, lang) for r in recent]
    else:
        lines.append(t("publicity.ledger.empty", lang))
    lines.append("")
    lines.append(t("publicity.xuanchuan.usage" if office else "publicity.xuanchuan.usage_view",
                   lang))
    return _fit(lines, lang)


def outlet_list(outlets: list[MediaOutlet], lang: str) -> str:
    lines = [t("publicity.outlets.title", lang, n=len(outlets))]
    for level in reversed(list(OutletLevel)):
        names = [escape(o.name) for o in outlets if o.level == level]
        lines.append(f"<b>{level_name(level, lang)}</b>：" + ("、".join(names) or "—"))
    lines.append("")
    lines.append(t("publicity.outlets.usage", lang))
    return _fit(lines, lang)


def ledger_xlsx(reports: list[MediaReport], lang: str, first: date, last: date) -> bytes:
    """The media-report ledger as a workbook: one row per report, its story and whether it
    counts (the first report of each story in the period carries the story's count)."""
    header = [t_plain(f"publicity.xlsx.{c}", lang) for c in (
        "no", "day", "outlet", "level", "headline", "kind", "front", "credit", "url", "story",
        "story_level", "counted")]
    rows: list[list[object]] = []
    counted: set[int] = set()
    for number, report in enumerate(reports, start=1):
        story: MediaStory = report.story
        first_of_story = story.id not in counted
        counted.add(story.id)
        person = report.credit_staff if report.credit_staff_id else None  # type: ignore[attr-defined]
        credit = person.name if isinstance(person, Staff) else report.credit_department
        rows.append([
            number, report.published_on, report.outlet.name,
            plain(level_name(report.level, lang)), report.headline,
            t_plain(f"publicity.kind.{report.kind.value}", lang),
            t_plain("publicity.xlsx.yes", lang) if report.front_page else "", credit, report.url,
            f"#{story.id}", plain(level_name(story.level, lang)),
            1 if first_of_story and story.first_on >= first else 0,
        ])
    return xlsx(Sheet(t_plain("publicity.xlsx.sheet", lang),
                      t_plain("publicity.xlsx.title", lang, first=first.isoformat(),
                              last=last.isoformat()),
                      header, rows, (6, 12, 14, 10, 48, 8, 6, 14, 36, 8, 10, 6),
                      period=period_text(first, last)))


# ---------------------------------------------------------------------------- information pieces


def piece_state(piece: InfoPiece, lang: str) -> str:
    if piece.status == InfoStatus.USED:
        state = t("publicity.istate.used_at", lang, level=ilevel_name(piece.level, lang))
        if piece.instructed:
            state += t("publicity.istate.instructed", lang)
        return state
    return t(f"publicity.istate.{piece.status.value}", lang)


def draft_piece_card(piece: InfoPiece, attached: list[PublicityFile], lang: str
                     ) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t("publicity.info.draft", lang, id=piece.id)]
    if piece.title:
        lines.append(t("publicity.info.title", lang, title=escape(piece.title)))
        lines.append(short(piece.text, 200) if piece.text else t("publicity.info.no_text", lang))
    else:
        lines.append(t("publicity.info.empty", lang))
    if attached:
        lines.append(t("publicity.info.files", lang,
                       names="、".join(escape(f.name) for f in attached)))
    lines.append("")
    lines.append(t("publicity.info.draft_help", lang))
    return "\n".join(lines), buttons([[
        (t("publicity.btn.submit", lang), cb.encode(F, "isub", piece.id)),
        (t("publicity.btn.cancel", lang), cb.encode(F, "icancel", piece.id))]])


async def piece_card(piece_id: int, lang: str) -> Rendered:
    """The office's card of a piece, as it stands now (with the buttons still useful)."""
    piece = await InfoPiece.get(id=piece_id).prefetch_related("author", "decided_by")
    attached = await info.attachments(piece.id)
    lines = [t("publicity.info.card", lang, id=piece.id, state=piece_state(piece, lang)),
             f"《{escape(piece.title)}》",
             t("publicity.info.by", lang, name=escape(piece.author.name),
               dept=escape(piece.department or "—"), at=when(piece.submitted_at))]
    if piece.text:
        lines.append(short(piece.text, EXCERPT))
    if attached:
        lines.append(t("publicity.info.files", lang,
                       names="、".join(escape(f.name) for f in attached)))
    decider: Staff | None = piece.decided_by
    if piece.status == InfoStatus.RETURNED:
        lines.append(t("publicity.info.returned_by", lang, reason=escape(piece.return_reason),
                       name=escape(decider.name if decider else "—")))
    elif piece.status == InfoStatus.USED:
        lines.append(t("publicity.info.used_by", lang,
                       name=escape(decider.name if decider else "—"), at=when(piece.decided_at)))
        if piece.instruction:
            lines.append(t("publicity.info.instruction", lang, note=escape(piece.instruction)))
    rows: Rows = []
    if piece.status in (InfoStatus.SUBMITTED, InfoStatus.USED):
        current = INFO_RANK[piece.level] if piece.level else 0
        uses = [(t(f"publicity.btn.use.{level.value}", lang), cb.encode(F, "iuse", piece.id,
                                                                          level.value))
                for level in InfoLevel if INFO_RANK[level] > current]
        if uses:
            rows.append(uses)
    tools = []
    if piece.status == InfoStatus.SUBMITTED:
        tools.append((t("publicity.btn.return", lang), cb.encode(F, "iret", piece.id)))
    if piece.status == InfoStatus.USED and not piece.instructed:
        tools.append((t("publicity.btn.instruct", lang), cb.encode(F, "iins", piece.id)))
    if attached:
        tools.append((t("publicity.btn.files", lang, n=len(attached)),
                      cb.encode(F, "ifiles", piece.id)))
    if tools:
        rows.append(tools)
    return Rendered("\n".join(lines), buttons(rows) if rows else None)


@view("publicity.info_card")
async def info_card(payload: dict[str, Any], lang: str) -> Rendered:
    return await piece_card(int(payload["piece_id"]), lang)


async def _standing_line(piece: InfoPiece, lang: str) -> str:
    if piece.decided_at is None:
        return ""
    day = piece.decided_at.astimezone(tz()).date()
    found = await info.standing(piece.author_id, day)  # type: ignore[attr-defined]
    if found is None:
        return ""
    rules = (await info.ranking(*info.quarter_of(day))).rules
    key = "publicity.info.standing_capped" if found.capped else "publicity.info.standing"
    return t(key, lang, points=points(found.points), raw=points(found.raw),
             cap=points(rules.cap), quarter=info.quarter_of(day)[1])


@view("publicity.info_used")
async def info_used(payload: dict[str, Any], lang: str) -> Rendered:
    piece = await InfoPiece.get(id=int(payload["piece_id"]))
    rules = (await info.ranking(*info.quarter_of(clock.now().astimezone(tz()).date()))).rules
    key = "publicity.info.upgraded" if payload.get("upgraded") else "publicity.info.used"
    text = t(key, lang, id=piece.id, title=short(piece.title, 80),
             level=ilevel_name(piece.level, lang),
             points=points(rules.piece(piece.level, piece.instructed)))
    return Rendered(text + "\n" + await _standing_line(piece, lang))


@view("publicity.info_returned")
async def info_returned(payload: dict[str, Any], lang: str) -> Rendered:
    piece = await InfoPiece.get(id=int(payload["piece_id"]))
    return Rendered(t("publicity.info.returned", lang, id=piece.id, title=short(piece.title, 80),
                      reason=escape(piece.return_reason)),
                    buttons([[(t("publicity.btn.copy", lang), cb.encode(F, "icopy", piece.id))]]))


@view("publicity.info_instructed")
async def info_instructed(payload: dict[str, Any], lang: str) -> Rendered:
    piece = await InfoPiece.get(id=int(payload["piece_id"]))
    rules = (await info.ranking(*info.quarter_of(clock.now().astimezone(tz()).date()))).rules
    text = t("publicity.info.instructed", lang, id=piece.id, title=short(piece.title, 80),
             bonus=points(rules.bonus),
             note=escape(piece.instruction) if piece.instruction else "—")
    return Rendered(text + "\n" + await _standing_line(piece, lang))


def my_pieces(pieces: list[InfoPiece], lang: str) -> list[str]:
    return [t("publicity.info.mine_line", lang, id=p.id, title=short(p.title or "—", 40),
              state=piece_state(p, lang)) for p in pieces]


def rules_text(rules: Any, lang: str) -> str:
    return t("publicity.rules", lang, district=points(rules.points[InfoLevel.DISTRICT]),
             city=points(rules.points[InfoLevel.CITY]),
             province=points(rules.points[InfoLevel.PROVINCE]), bonus=points(rules.bonus),
             cap_text=t("publicity.rules.cap", lang, cap=points(rules.cap)) if rules.cap > 0
             else t("publicity.rules.no_cap", lang))


def ranking_text(ranking: info.Ranking, lang: str) -> str:
    lines = [t("publicity.rank.title", lang, year=ranking.year, quarter=ranking.quarter,
               submitted=ranking.submitted, used=ranking.used)]
    if not ranking.correspondents:
        lines.append(t("publicity.rank.none", lang))
        return "\n".join(lines)
    lines.append("")
    lines.append(t("publicity.rank.departments", lang))
    for place, dept in enumerate(ranking.departments, start=1):
        lines.append(t("publicity.rank.dept_line", lang, place=place,
                       name=escape(dept.name or "—"), points=points(dept.points), used=dept.used))
    lines.append("")
    lines.append(t("publicity.rank.people", lang))
    for place, who in enumerate(ranking.correspondents, start=1):
        capped = t("publicity.rank.capped", lang, raw=points(who.raw)) if who.capped else ""
        lines.append(t("publicity.rank.person_line", lang, place=place, name=escape(who.name),
                       dept=escape(who.department or "—"), points=points(who.points),
                       used=who.used, capped=capped))
    lines.append("")
    lines.append(rules_text(ranking.rules, lang))
    return _fit(lines, lang)


def ranking_png(ranking: info.Ranking, lang: str) -> bytes:
    """Departments and correspondents by points, side by side (matplotlib, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from handlers.views.charts import cjk_font

    font = cjk_font() or "sans-serif"
    if cjk_font() is None:
        lang = "en"  # no font with Chinese glyphs here: English titles, names in pinyin
    people = ranking.correspondents[:15]
    depts = ranking.departments[:15]
    height = max(3.0, 0.42 * max(len(people), len(depts), 1) + 1.6)
    figure = Figure(figsize=(10, height), dpi=100)
    left, right = figure.subplots(1, 2)
    for axes, rows, color, title in (
            (left, [(d.name or "—", float(d.points)) for d in depts], "#2f5d9b",
             t("publicity.chart.departments", lang)),
            (right, [(c.name, float(c.points)) for c in people], "#c0504d",
             t("publicity.chart.people", lang))):
        labels = [name if cjk_font() is not None else _latin(name) for name, _ in rows]
        values = [value for _, value in rows]
        axes.barh(range(len(rows)), values, color=color)
        axes.set_yticks(range(len(rows)))
        axes.set_yticklabels(labels, fontfamily=font)
        axes.invert_yaxis()
        axes.set_title(title, fontfamily=font)
        for index, value in enumerate(values):
            axes.text(value, index, f" {points(Decimal(str(value)))}", va="center", fontsize=8)
    figure.suptitle(t("publicity.chart.title", lang, year=ranking.year, quarter=ranking.quarter),
                    fontfamily=font)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _latin(name: str) -> str:
    """A Chinese name in pinyin, for a chart drawn without a Chinese font."""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(name)).title() if not name.isascii() else name


@view("publicity.ranking")
async def ranking_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    found = await info.ranking(int(payload["year"]), int(payload["quarter"]))
    return Rendered(ranking_text(found, lang))


@view("publicity.ranking_chart")
async def ranking_chart_pushed(payload: dict[str, Any], lang: str) -> Rendered:
    found = await info.ranking(int(payload["year"]), int(payload["quarter"]))
    png = await charts.drawn(None, ranking_png, found, lang)
    return Rendered(t("publicity.chart.caption", lang, year=found.year, quarter=found.quarter),
                    photo=png)


# ---------------------------------------------------------------------------- drafting tasks


def deadline_text(deadline: datetime | None, lang: str) -> str:
    if deadline is None:
        return "—"
    local = deadline.astimezone(tz())
    return t("publicity.task.deadline_at", lang, at=local.strftime("%Y-%m-%d %H:%M"),
             weekday=t(f"weekday.{local.weekday()}", lang))


def task_lines(task: DraftingTask, lang: str) -> list[str]:
    drafter: Staff | None = task.drafter
    lines = [t("publicity.task.head", lang, id=task.id,
               kind=t(f"publicity.dkind.{task.kind.value}", lang) if task.kind else "—",
               title=escape(task.title or "—")),
             t("publicity.task.drafter", lang, name=escape(drafter.name) if drafter else "—"),
             t("publicity.task.deadline", lang, deadline=deadline_text(task.deadline, lang))]
    if task.length:
        lines.append(t("publicity.task.length", lang, n=task.length))
    if task.brief:
        lines.append(t("publicity.task.brief", lang, brief=escape(task.brief)))
    return lines


def task_draft_card(task: DraftingTask, gaps: list[str], lang: str
                    ) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t("publicity.task.draft_title", lang), *task_lines(task, lang), ""]
    if gaps:
        lines.append(t("publicity.task.missing", lang,
                       fields="、".join(t(f"publicity.field.{g}", lang) for g in gaps)))
    lines.append(t("publicity.task.draft_help", lang))
    rows = [[(t("publicity.btn.dispatch", lang), cb.encode(F, "tgo", task.id)),
             (t("publicity.btn.cancel", lang), cb.encode(F, "tcancel", task.id))]]
    return "\n".join(lines), buttons(rows)


def task_state(task: DraftingTask, lang: str, now: datetime) -> str:
    state = t(f"publicity.tstate.{task.status.value}", lang)
    if task.status in (TaskStatus.OPEN, TaskStatus.RETURNED) and task.deadline is not None:
        if task.deadline <= now:
            state += t("publicity.task.overdue_mark", lang)
    return state


def task_list(tasks: list[DraftingTask], lang: str, now: datetime) -> str:
    lines = [t("publicity.task.list_title", lang, n=len(tasks))]
    for task in tasks:
        drafter: Staff | None = task.drafter
        lines.append(t("publicity.task.list_line", lang, id=task.id,
                       kind=t(f"publicity.dkind.{task.kind.value}", lang) if task.kind else "—",
                       title=short(task.title, 40),
                       name=escape(drafter.name) if drafter else "—",
                       deadline=task.deadline.astimezone(tz()).strftime("%m-%d %H:%M")
                       if task.deadline else "—", state=task_state(task, lang, now)))
    return _fit(lines, lang)


async def task_card(task_id: int, lang: str) -> Rendered:
    task = await DraftingTask.get(id=task_id).prefetch_related("drafter", "assigner")
    lines = task_lines(task, lang)
    lines.append(t("publicity.task.state", lang, state=task_state(task, lang, clock.now()),
                   assigner=escape(task.assigner.name)))
    for version in await drafting.versions(task.id):
        lines.append(t("publicity.task.version_line", lang, n=version.number,
                       at=when(version.uploaded_at),
                       verdict=t(f"publicity.verdict.{version.verdict.value}", lang),
                       comment=t("publicity.task.comment", lang, comment=escape(version.comment))
                       if version.comment else ""))
    return Rendered("\n".join(lines))


def upload_button(task: DraftingTask, lang: str) -> InlineKeyboardMarkup:
    return buttons([[(t("publicity.btn.upload", lang), cb.encode(F, "tup", task.id))]])


@view("publicity.task_assigned")
async def task_assigned(payload: dict[str, Any], lang: str) -> Rendered:
    task = await DraftingTask.get(id=int(payload["task_id"])).prefetch_related("drafter",
                                                                              "assigner")
    if task.status not in (TaskStatus.OPEN, TaskStatus.RETURNED, TaskStatus.REVIEW):
        return Rendered(t("publicity.task.assigned_gone", lang, id=task.id))
    lines = [t("publicity.task.assigned", lang, name=escape(task.assigner.name)),
             *task_lines(task, lang), "", t("publicity.task.upload_help", lang)]
    return Rendered("\n".join(lines), upload_button(task, lang))


def version_keyboard(version: DraftVersion, lang: str) -> InlineKeyboardMarkup:
    return buttons([[(t("publicity.btn.vreturn", lang), cb.encode(F, "vret", version.id)),
                     (t("publicity.btn.vaccept", lang), cb.encode(F, "vok", version.id))]])


async def version_rendered(version_id: int, lang: str) -> Rendered:
    """A version as the assigner gets it: the DOCX, with 退回修改 / 采用定稿 while it waits."""
    version = await DraftVersion.get(id=version_id).prefetch_related("task__drafter", "file")
    task = version.task
    caption = t("publicity.task.version", lang, id=task.id, n=version.number,
                kind=t(f"publicity.dkind.{task.kind.value}", lang) if task.kind else "—",
                title=short(task.title, 60), name=escape(person_name(task.drafter)),
                deadline=deadline_text(task.deadline, lang),
                state=t(f"publicity.verdict.{version.verdict.value}", lang))
    keyboard = version_keyboard(version, lang) if version.verdict.value == "pending" else None
    return Rendered(caption[:CAPTION], keyboard,
                    document=(version.file.name, bytes(version.file.content)))


@view("publicity.task_version")
async def task_version(payload: dict[str, Any], lang: str) -> Rendered:
    return await version_rendered(int(payload["version_id"]), lang)


@view("publicity.task_returned")
async def task_returned(payload: dict[str, Any], lang: str) -> Rendered:
    version = await DraftVersion.get(id=int(payload["version_id"])).prefetch_related("task")
    return Rendered(t("publicity.task.returned", lang, id=version.task.id, n=version.number,
                      title=short(version.task.title, 60), comment=escape(version.comment),
                      deadline=deadline_text(version.task.deadline, lang)),
                    upload_button(version.task, lang))


@view("publicity.task_accepted")
async def task_accepted(payload: dict[str, Any], lang: str) -> Rendered:
    version = await DraftVersion.get(id=int(payload["version_id"])).prefetch_related("task")
    return Rendered(t("publicity.task.accepted", lang, id=version.task.id, n=version.number,
                      title=short(version.task.title, 60)))


@view("publicity.task_cancelled")
async def task_cancelled(payload: dict[str, Any], lang: str) -> Rendered:
    task = await DraftingTask.get(id=int(payload["task_id"]))
    return Rendered(t("publicity.task.cancelled", lang, id=task.id, title=short(task.title, 60)))


@view("publicity.task_reminder")
async def task_reminder(payload: dict[str, Any], lang: str) -> Rendered:
    task = await DraftingTask.get(id=int(payload["task_id"]))
    if task.status not in (TaskStatus.OPEN, TaskStatus.RETURNED):
        return Rendered(t("publicity.task.reminder_void", lang, id=task.id))
    return Rendered(t(f"publicity.task.remind.{payload.get('when', 'today')}", lang, id=task.id,
                      title=short(task.title, 60), deadline=deadline_text(task.deadline, lang)),
                    upload_button(task, lang))


@view("publicity.task_overdue")
async def task_overdue(payload: dict[str, Any], lang: str) -> Rendered:
    task = await DraftingTask.get(id=int(payload["task_id"])).prefetch_related("drafter")
    return Rendered(t("publicity.task.overdue", lang, id=task.id, title=short(task.title, 60),
                      name=escape(person_name(task.drafter)),
                      deadline=deadline_text(task.deadline, lang)))


# ---------------------------------------------------------------------------- the bulletin


def issue_name(issue: Bulletin, lang: str) -> str:
    return t("publicity.bulletin.name", lang, year=issue.year, number=issue.number)


def editing_card(issue: Bulletin, items: list[BulletinItem], next_number: int, lang: str
                 ) -> tuple[str, InlineKeyboardMarkup]:
    """The draft issue with its items in order, and the buttons to edit and issue it."""
    year = clock.now().astimezone(tz()).year
    lines = [t("publicity.bulletin.editing", lang, year=year, number=next_number, n=len(items)),
             t("publicity.bulletin.note", lang, note=escape(issue.editor_note))
             if issue.editor_note else t("publicity.bulletin.no_note", lang), ""]
    rows: Rows = []
    for index, item in enumerate(items, start=1):
        source = f"（{escape(item.source)}）" if item.source else ""
        lines.append(f"{index}. {short(item.title, 60)}{source}")
        rows.append([(f"{index} ⬆", cb.encode(F, "bup", item.id)),
                     (f"{index} ⬇", cb.encode(F, "bdn", item.id)),
                     (f"{index} ✖", cb.encode(F, "bdrop", item.id))])
    if not items:
        lines.append(t("publicity.bulletin.empty", lang))
    rows.append([(t("publicity.btn.note", lang), cb.encode(F, "bnote", issue.id)),
                 (t("publicity.btn.sign", lang), cb.encode(F, "bsign", issue.id)),
                 (t("publicity.btn.refresh", lang), cb.encode(F, "bref", issue.id))])
    lines.append("")
    lines.append(t("publicity.bulletin.edit_help", lang))
    return _fit(lines, lang), buttons(rows)


def issues_list(issues: list[Bulletin], waiting: int, lang: str
                ) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [t("publicity.bulletin.list_title", lang)]
    for issue in issues:
        lines.append(t("publicity.bulletin.list_line", lang, name=issue_name(issue, lang),
                       day=issue.issued_at.astimezone(tz()).date().isoformat()
                       if issue.issued_at else "—"))
    if not issues:
        lines.append(t("publicity.bulletin.none_issued", lang))
    lines.append("")
    lines.append(t("publicity.bulletin.waiting", lang, n=waiting))
    lines.append(t("publicity.canyue.usage", lang))
    picks = [(t("publicity.btn.issue", lang, number=i.number, year=i.year),
              cb.encode(F, "bfile", i.id)) for i in issues[:9]]
    rows = [picks[i:i + 3] for i in range(0, len(picks), 3)]
    rows.append([(t("publicity.btn.edit", lang), cb.encode(F, "bedit", 0))])
    return _fit(lines, lang), buttons(rows)


async def issue_rendered(bulletin_id: int, lang: str) -> Rendered:
    """The issued bulletin as its archived DOCX, with the contents as the caption."""
    issue, stored = await bulletin.issued_file(bulletin_id)
    items = await bulletin.items(issue.id)
    lines = [t("publicity.bulletin.issued", lang, name=issue_name(issue, lang),
               day=issue.issued_at.astimezone(tz()).date().isoformat() if issue.issued_at
               else "—", n=len(items))]
    lines += [f"{i}. {short(item.title, 50)}" for i, item in enumerate(items, start=1)]
    caption = "\n".join(lines)
    if len(caption) > CAPTION:
        caption = caption[: caption.rfind("\n", 0, CAPTION - 2)] + "\n…"
    return Rendered(caption, document=(stored.name, bytes(stored.content)))


@view("publicity.bulletin")
async def bulletin_issued(payload: dict[str, Any], lang: str) -> Rendered:
    return await issue_rendered(int(payload["bulletin_id"]), lang)


# ---------------------------------------------------------------------------- the annual wording


def annual_words(figures: dict[str, float], lang: str) -> str | None:
    """The year's publicity as the office's summary words it, every figure from the records:
    reports (and front pages), information pieces, drafting by kind, bulletin issues; areas
    with nothing recorded are left out (None when all are)."""
    n = {k: int(v) for k, v in figures.items()}
    clauses = []
    if n.get("reports"):
        key = "publicity.annual.media_front" if n.get("front_pages") else "publicity.annual.media"
        clauses.append(t(key, lang, reports=n["reports"], front=n.get("front_pages", 0)))
    if n.get("info_used"):
        key = "publicity.annual.info_instructed" if n.get("info_instructed") \
            else "publicity.annual.info"
        clauses.append(t(key, lang, used=n["info_used"], submitted=n.get("info_submitted", 0),
                         instructed=n.get("info_instructed", 0)))
    elif n.get("info_submitted"):
        clauses.append(t("publicity.annual.info_submitted", lang, submitted=n["info_submitted"]))
    if n.get("drafts_done"):
        kinds = sorted(((n.get(f"drafts_{k}", 0), k) for k in (
            "speech", "report", "request", "research", "minutes", "plan")), key=lambda p: -p[0])
        named = [t(f"publicity.dkind.{k}", lang) for count, k in kinds if count][:4]
        key = "publicity.annual.drafts_kinds" if named else "publicity.annual.drafts"
        clauses.append(t(key, lang, done=n["drafts_done"],
                         kinds=t("publicity.annual.joiner_kinds", lang).join(named)))
    if n.get("bulletins"):
        clauses.append(t("publicity.annual.bulletins", lang, issues=n["bulletins"]))
    if not clauses:
        return None
    return t("publicity.annual.joiner", lang).join(clauses)


report_views.ANNUAL_WORDS["publicity"] = annual_words
