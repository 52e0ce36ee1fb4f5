"""Repairs as messages: the report card, the office's and the handler's cards, the reporter's
confirmation, news, chasing, photos, and the ledger as XLSX."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import t
from handlers.views import Rendered, view
from handlers.workbook import Sheet, xlsx
from models.core import Staff
from models.repairs import Repair, RepairCompany, RepairEvent, RepairPlace, RepairStatus, Urgency
from services import clock
from services.repairs import RULES
from services.repairs.ledger import hours_taken, was_late
from services.repairs.work import limit_of, worker_ids

F = "rp"
URGENCY_ICON = {Urgency.URGENT: "🔴", Urgency.NORMAL: "🟡", Urgency.LOW: "🟢"}


def when(at: datetime | None) -> str:
    return at.astimezone(RULES.tz).strftime("%m-%d %H:%M") if at else ""


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value):,}"


def status_text(status: RepairStatus | str, lang: str) -> str:
    return t(f"repairs.status.{RepairStatus(status).value}", lang)


def urgency_text(urgency: Urgency, lang: str) -> str:
    unit, n = limit_of(urgency)
    return t(f"repairs.urgency.{urgency.value}", lang) + t(f"repairs.limit.{unit}", lang,
                                                          n=f"{n:g}")


def place_of(repair: Repair) -> str:
    return repair.place.name if repair.place else repair.unknown_place


def worker_name(repair: Repair) -> str:
    if repair.handler is not None:
        return repair.handler.name
    if repair.company is not None:
        return repair.company.name
    return ""


def summary(repair: Repair, lang: str, *, title_key: str = "repairs.card.title") -> list[str]:
    """The repair's facts as every card shows them."""
    lines = [t(title_key, lang, id=repair.id, status=status_text(repair.status, lang)),
             t("repairs.card.place", lang, value=escape(place_of(repair)) or "—"),
             t("repairs.card.fault", lang, value=escape(repair.description) or "—")]
    if repair.photos:
        lines.append(t("repairs.card.photos", lang, n=len(repair.photos)))
    if repair.status != RepairStatus.DRAFT:
        lines.append(t("repairs.card.urgency", lang, icon=URGENCY_ICON[repair.urgency],
                       value=urgency_text(repair.urgency, lang), due=when(repair.due_at)))
        lines.append(t("repairs.card.reporter", lang, name=escape(repair.reporter.name),
                       dept=escape(repair.reporter.department), at=when(repair.reported_at)))
    if worker_name(repair):
        lines.append(t("repairs.card.handler", lang, name=escape(worker_name(repair))))
        if repair.company is not None and repair.company.phone:
            lines.append(t("repairs.card.company", lang, contact=escape(repair.company.contact),
                           phone=escape(repair.company.phone)))
    if repair.estimate is not None:
        lines.append(t("repairs.card.estimate", lang, amount=money(repair.estimate)))
    if repair.work_done:
        lines.append(t("repairs.card.work", lang, value=escape(repair.work_done),
                       cost=money(repair.cost) if repair.cost is not None else "—"))
    if repair.rating:
        lines.append(t("repairs.card.rating", lang, stars="★" * repair.rating,
                       note=escape(repair.rating_note)))
    if repair.status in (RepairStatus.REPORTED, RepairStatus.ASSIGNED,
                         RepairStatus.IN_PROGRESS) and was_late(repair, clock.now()):
        lines.append(t("repairs.card.late", lang))
    return lines


async def fresh(repair_id: int) -> Repair | None:
    return await Repair.get_or_none(id=repair_id).prefetch_related(
        "place", "reporter", "handler", "company", "assigned_by")


def draft_card(repair: Repair, lang: str, *, buildings: list[str] | None = None,
               spots: list[RepairPlace] | None = None, problem: str = ""
               ) -> tuple[str, InlineKeyboardMarkup]:
    """The reporter's card while the report is a draft: place, fault, photos, then urgency."""
    lines = summary(repair, lang, title_key="repairs.card.draft_title")
    if problem:
        lines.append("\n⚠️ " + problem)
    rid = repair.id
    rows: list[list[tuple[str, str]]] = []
    if repair.place_id is None:  # type: ignore[attr-defined]
        if repair.unknown_place and not problem:
            lines.append("\n⚠️ " + t("repairs.error.unknown_place", lang,
                                     name=escape(repair.unknown_place),
                                     known="、".join(buildings or [])))
        if spots:
            lines.append("\n" + t("repairs.ask.spot", lang, building=escape(spots[0].building)))
            choices = [(p.spot or t("repairs.whole_building", lang),
                        cb.encode(F, "plc", rid, p.id)) for p in spots]
            rows += [choices[i:i + 2] for i in range(0, len(choices), 2)]
            rows.append([(t("repairs.btn.buildings", lang), cb.encode(F, "pb", rid))])
        else:
            lines.append("\n" + t("repairs.ask.place", lang))
            choices = [(b, cb.encode(F, "bld", rid, i)) for i, b in enumerate(buildings or [])]
            rows += [choices[i:i + 3] for i in range(0, len(choices), 3)]
    elif not repair.description:
        lines.append("\n" + t("repairs.ask.description", lang))
    else:
        lines.append("\n" + t("repairs.ask.urgency", lang))
        rows += [[(f"{URGENCY_ICON[u]} {urgency_text(u, lang)}",
                   cb.encode(F, "urg", rid, u.value))] for u in Urgency]
    rows.append([(t("repairs.btn.discard", lang), cb.encode(F, "x", rid))])
    return "\n".join(lines), buttons(rows)


def office_keyboard(repair: Repair, lang: str) -> InlineKeyboardMarkup | None:
    rid = repair.id
    if repair.status == RepairStatus.REPORTED:
        return buttons([[(t("repairs.btn.assign", lang), cb.encode(F, "as", rid)),
                         (t("repairs.btn.cancel", lang), cb.encode(F, "cx", rid))]])
    if repair.status in (RepairStatus.ASSIGNED, RepairStatus.IN_PROGRESS):
        return buttons([[(t("repairs.btn.reassign", lang), cb.encode(F, "as", rid))]])
    return None


def assign_keyboard(repair: Repair, people: list[Staff], companies: list[RepairCompany],
                    lang: str) -> InlineKeyboardMarkup:
    rid = repair.id
    staff = [(p.name, cb.encode(F, "ast", rid, p.id)) for p in people]
    firms = [(f"🏢 {c.name}", cb.encode(F, "asc", rid, c.id)) for c in companies]
    rows = [staff[i:i + 3] for i in range(0, len(staff), 3)]
    rows += [firms[i:i + 2] for i in range(0, len(firms), 2)]
    rows.append([(t("repairs.btn.assign_typed", lang), cb.encode(F, "asn", rid)),
                 (t("repairs.btn.back", lang), cb.encode(F, "card", rid))])
    return buttons(rows)


def job_keyboard(repair: Repair, lang: str) -> InlineKeyboardMarkup | None:
    rid = repair.id
    if repair.status == RepairStatus.ASSIGNED:
        return buttons([[(t("repairs.btn.accept", lang), cb.encode(F, "ac", rid)),
                         (t("repairs.btn.decline", lang), cb.encode(F, "dc", rid))]])
    if repair.status == RepairStatus.IN_PROGRESS:
        return buttons([[(t("repairs.btn.progress", lang), cb.encode(F, "pg", rid)),
                         (t("repairs.btn.estimate", lang), cb.encode(F, "es", rid))],
                        [(t("repairs.btn.done", lang), cb.encode(F, "dn", rid)),
                         (t("repairs.btn.decline", lang), cb.encode(F, "dc", rid))]])
    return None


def confirm_keyboard(repair: Repair, lang: str) -> InlineKeyboardMarkup | None:
    if repair.status != RepairStatus.DONE:
        return None
    rid = repair.id
    return buttons([[("★" * n, cb.encode(F, "rt", rid, n)) for n in (1, 2, 3)],
                    [("★" * n, cb.encode(F, "rt", rid, n)) for n in (4, 5)],
                    [(t("repairs.btn.reopen", lang), cb.encode(F, "ro", rid))]])


def keyboard_for(repair: Repair, viewer: Staff, lang: str) -> InlineKeyboardMarkup | None:
    """The buttons this person gets on the repair's card."""
    if viewer.id in worker_ids(repair) and repair.status in (RepairStatus.ASSIGNED,
                                                              RepairStatus.IN_PROGRESS):
        return job_keyboard(repair, lang)
    if repair.reporter_id == viewer.id and repair.status == RepairStatus.DONE:  # type: ignore[attr-defined]
        return confirm_keyboard(repair, lang)
    if viewer.role.value in ("admin", "office"):
        return office_keyboard(repair, lang)
    if repair.reporter_id == viewer.id and repair.status == RepairStatus.REPORTED:  # type: ignore[attr-defined]
        return buttons([[(t("repairs.btn.cancel", lang), cb.encode(F, "cx", repair.id))]])
    return None


def card_text(repair: Repair, lang: str, history: list[RepairEvent] | None = None) -> str:
    lines = summary(repair, lang)
    if history:
        lines.append("\n" + t("repairs.card.history", lang))
        lines += [event_line(e, lang) for e in history[-8:]]
    return "\n".join(lines)


def event_line(event: RepairEvent, lang: str) -> str:
    who = event.actor.name if event.actor else t("repairs.system", lang)
    return t(f"repairs.event.{event.action}", lang, at=when(event.at), who=escape(who),
             note=escape(event.note), amount=money(event.amount))


CardView = Callable[[Repair, list[str], dict[str, Any], str], Rendered]


def card_view(kind: str, title_key: str) -> Callable[[CardView], CardView]:
    """Register a view of a repair's card: the repair loaded fresh and summed up under the
    card's title (gone: say so); the function adds what the card asks and its buttons."""

    def wrap(func: CardView) -> CardView:
        @view(kind)
        async def render(payload: dict[str, Any], lang: str) -> Rendered:
            repair = await fresh(int(payload["repair_id"]))
            if repair is None:
                return Rendered(t("repairs.error.no_repair", lang, id=payload["repair_id"]))
            return func(repair, summary(repair, lang, title_key=title_key), payload, lang)

        return func

    return wrap


@card_view("repairs.new", "repairs.card.new_title")
def new_report(repair: Repair, lines: list[str], payload: dict[str, Any], lang: str
               ) -> Rendered:
    """The office's card of a new report (edited as it is assigned and closed)."""
    if repair.status == RepairStatus.REPORTED:
        lines.append("\n" + t("repairs.ask.assign", lang))
    return Rendered("\n".join(lines), office_keyboard(repair, lang))


@card_view("repairs.job", "repairs.card.job_title")
def job(repair: Repair, lines: list[str], payload: dict[str, Any], lang: str) -> Rendered:
    """The handler's card: accept, report progress, estimate, close."""
    mine = int(payload.get("for", 0)) in worker_ids(repair)
    if not mine and repair.status not in (RepairStatus.CANCELLED,):
        lines.append("\n" + t("repairs.card.moved", lang, name=escape(worker_name(repair))))
        return Rendered("\n".join(lines))
    if repair.status == RepairStatus.ASSIGNED:
        lines.append("\n" + t("repairs.ask.accept", lang))
    elif repair.status == RepairStatus.APPROVAL:
        lines.append("\n" + t("repairs.card.in_approval", lang,
                              threshold=money(RULES.threshold)))
    elif repair.status == RepairStatus.DONE:
        lines.append("\n" + t("repairs.card.wait_confirm", lang))
    return Rendered("\n".join(lines), job_keyboard(repair, lang))


@card_view("repairs.confirm", "repairs.card.confirm_title")
def confirm_card(repair: Repair, lines: list[str], payload: dict[str, Any], lang: str
                 ) -> Rendered:
    """The reporter's card: is it fixed, and how well (1 to 5 stars)."""
    if repair.status == RepairStatus.DONE:
        lines.append("\n" + t("repairs.ask.rate", lang))
    return Rendered("\n".join(lines), confirm_keyboard(repair, lang))


@view("repairs.news")
async def news(payload: dict[str, Any], lang: str) -> Rendered:
    event = await RepairEvent.get_or_none(id=int(payload["event_id"])).prefetch_related(
        "actor", "repair__place")
    if event is None:
        return Rendered(t("repairs.error.no_repair", lang, id="?"))
    repair = event.repair
    head = t("repairs.news.head", lang, id=repair.id,
             place=escape(repair.place.name if repair.place else repair.unknown_place),
             fault=escape(repair.description))
    return Rendered(head + "\n" + event_line(event, lang), photo=event.file_id or None)


@card_view("repairs.overdue", "repairs.card.title")
def overdue(repair: Repair, lines: list[str], payload: dict[str, Any], lang: str) -> Rendered:
    late = int(payload.get("late_minutes", 0))
    text = t("repairs.overdue", lang, id=repair.id, n=payload.get("n", 1),
             late=f"{late // 60}h{late % 60:02d}m" if lang == "en" else
             (f"{late // 60}小时{late % 60}分钟" if late >= 60 else f"{late}分钟"))
    return Rendered(text + "\n" + "\n".join(lines[1:]))


@view("repairs.photo")
async def photo(payload: dict[str, Any], lang: str) -> Rendered:
    repair = await Repair.get_or_none(id=int(payload["repair_id"]))
    n = int(payload.get("n", 0))
    if repair is None or n >= len(repair.photos):
        return Rendered(t("repairs.error.no_repair", lang, id=payload["repair_id"]))
    return Rendered(t("repairs.photo_caption", lang, id=repair.id, n=n + 1,
                      total=len(repair.photos)), photo=repair.photos[n])


LEDGER_COLUMNS = (("id", 7), ("reported", 13), ("place", 20), ("fault", 28), ("urgency", 8),
                  ("reporter", 9), ("handler", 16), ("accepted", 13), ("done", 13),
                  ("hours", 8), ("late", 7), ("work", 28), ("cost", 10), ("rating", 7),
                  ("status", 10))


def ledger_xlsx(rows: list[Repair], lang: str, start: date, end: date) -> bytes:
    """The repair ledger of the period, with its total cost."""
    yes, no = t("repairs.xlsx.yes", lang), t("repairs.xlsx.no", lang)
    now = clock.now()
    body: list[list[Any]] = []
    for r in rows:
        body.append([r.id, when(r.reported_at), place_of(r), r.description,
                     t(f"repairs.urgency.{r.urgency.value}", lang), r.reporter.name,
                     worker_name(r), when(r.accepted_at), when(r.done_at), hours_taken(r),
                     yes if was_late(r, now) else no, r.work_done,
                     float(r.cost) if r.cost is not None else None, r.rating,
                     status_text(r.status, lang)])
    total = sum((r.cost or Decimal(0) for r in rows), Decimal(0))
    body.append([t("repairs.xlsx.total", lang, n=len(rows))] + [""] * 11 + [float(total)])
    return xlsx(Sheet(t("repairs.xlsx.sheet", lang),
                      t("repairs.xlsx.title", lang, period=f"{start} ~ {end}"),
                      [t(f"repairs.col.{c}", lang) for c, _ in LEDGER_COLUMNS], body,
                      [w for _, w in LEDGER_COLUMNS]))
