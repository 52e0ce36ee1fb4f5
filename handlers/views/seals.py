"""Seal use as messages: the request card, the custodian's card, the register as XLSX."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import t
from handlers.views import Rendered, view
from handlers.workbook import Sheet, xlsx
from models.seals import Seal, SealRequest, SealStatus
from services import approvals
from services.seals import RULES
from services.seals.register import RegisterRow
from services.seals.requests import document_of, missing

F = "sl"
COPY_CHOICES = (1, 2, 3, 4, 5, 10)


def when(at: datetime | None) -> str:
    return at.astimezone(RULES.tz).strftime("%Y-%m-%d %H:%M") if at else ""


def status_text(status: SealStatus | str, lang: str) -> str:
    return t(f"seals.status.{SealStatus(status).value}", lang)


def chain_text(seal: Seal, lang: str) -> str:
    """The approval steps a seal's requests take (党政办审核 → 领导审批)."""
    chain = approvals.chain_for(seal.flow, None)
    if chain is None:
        return t("seals.flow.missing", lang, flow=seal.flow)
    return " → ".join(t(step.label, lang) if step.label else "?" for step in chain.steps)


def roles_text(seal: Seal, lang: str) -> str:
    if not seal.allowed_roles:
        return t("seals.roles.all", lang)
    return ("、" if lang != "en" else ", ").join(t(f"role.{r}", lang) for r in seal.allowed_roles)


def seal_line(seal: Seal, lang: str) -> str:
    keeper = seal.custodian.name if seal.custodian else t("seals.no_custodian", lang)
    return t("seals.list.line", lang, name=escape(seal.name), custodian=escape(keeper),
             chain=escape(chain_text(seal, lang)), roles=roles_text(seal, lang),
             inactive="" if seal.active else t("seals.list.inactive", lang))


def fields_lines(request: SealRequest, lang: str) -> list[str]:
    """The request's fields as the cards show them."""
    seal = request.seal.name if request.seal_id and request.seal else "—"  # type: ignore[attr-defined]
    document = escape(document_of(request)) or "—"
    if request.file_id:
        document = f"📎 {document}"
    return [
        t("seals.card.seal", lang, value=escape(seal)),
        t("seals.card.document", lang, value=document),
        t("seals.card.copies", lang, value=request.copies or "—"),
        t("seals.card.purpose", lang, value=escape(request.purpose) or "—"),
    ]


def draft_card(request: SealRequest, seals: list[Seal], lang: str, problem: str = ""
               ) -> tuple[str, InlineKeyboardMarkup]:
    """The requester's card while the request is a draft: what is there, what is asked next."""
    lines = [t("seals.card.draft_title", lang, id=request.id), *fields_lines(request, lang)]
    if problem:
        lines.append("\n⚠️ " + problem)
    need = missing(request)
    rows: list[list[tuple[str, str]]] = []
    rid = request.id
    if need == "seal":
        lines.append("\n" + t("seals.ask.seal", lang))
        choices = [(s.name, cb.encode(F, "seal", rid, s.id)) for s in seals]
        rows += [choices[i:i + 2] for i in range(0, len(choices), 2)]
    elif need is not None:
        lines.append("\n" + t(f"seals.ask.{need}", lang))
        if need == "copies":
            rows.append([(str(n), cb.encode(F, "cp", rid, n)) for n in COPY_CHOICES])
    else:
        lines.append("\n" + t("seals.ask.submit", lang))
        rows.append([(t("seals.btn.submit", lang), cb.encode(F, "ok", rid))])
    fix = [(t(f"seals.btn.re_{name}", lang), cb.encode(F, "re", rid, name))
           for name in ("seal", "document", "copies", "purpose") if name != need]
    rows.append(fix[:2])
    rows.append([*fix[2:], (t("seals.btn.drop", lang), cb.encode(F, "x", rid))])
    return "\n".join(lines), buttons(rows)


def request_text(request: SealRequest, lang: str) -> str:
    """A submitted request: its fields and what became of it."""
    lines = [t("seals.card.title", lang, id=request.id,
               status=status_text(request.status, lang)), *fields_lines(request, lang),
             t("seals.card.requester", lang, name=escape(request.requester.name),
               dept=escape(request.requester.department))]
    if request.status == SealStatus.APPROVED and request.lapses_at:
        lines.append(t("seals.card.lapses", lang, at=when(request.lapses_at)))
    if request.status == SealStatus.USED:
        lines.append(t("seals.card.used", lang, at=when(request.used_at),
                       count=request.used_count, no=request.register_no,
                       year=request.register_year,
                       who=escape(request.stamped_by.name if request.stamped_by else "")))
        if request.used_photo_file_id:
            lines.append(t("seals.card.photo_kept", lang))
    return "\n".join(lines)


def request_keyboard(request: SealRequest, lang: str) -> InlineKeyboardMarkup | None:
    if request.status in (SealStatus.PENDING, SealStatus.APPROVED):
        return buttons([[(t("seals.btn.withdraw", lang), cb.encode(F, "wd", request.id))]])
    return None


def stamp_keyboard(request: SealRequest, lang: str) -> InlineKeyboardMarkup | None:
    if request.status == SealStatus.APPROVED:
        return buttons([[(t("seals.btn.stamp", lang), cb.encode(F, "st", request.id))]])
    if request.status == SealStatus.USED and request.awaiting_photo:
        return buttons([[(t("seals.btn.no_photo", lang), cb.encode(F, "np", request.id))]])
    return None


def count_keyboard(request: SealRequest, lang: str) -> InlineKeyboardMarkup:
    """How many copies were stamped: each number up to the approved copies (ten at most)."""
    copies = request.copies or 1
    counts = list(range(1, copies + 1)) if copies <= 10 else [copies]
    choices = [(t("seals.btn.count", lang, n=n), cb.encode(F, "n", request.id, n))
               for n in counts]
    rows = [choices[i:i + 5] for i in range(0, len(choices), 5)]
    rows.append([(t("seals.btn.back", lang), cb.encode(F, "card", request.id))])
    return buttons(rows)


async def _request(payload: dict[str, Any]) -> SealRequest | None:
    return await SealRequest.get_or_none(id=int(payload["request_id"])).prefetch_related(
        "seal__custodian", "requester", "stamped_by")


@view("seals.to_stamp")
async def to_stamp(payload: dict[str, Any], lang: str) -> Rendered:
    """The custodian's card: stamp this approved request (or what became of it)."""
    request = await _request(payload)
    if request is None:
        return Rendered(t("seals.error.no_request", lang, id=payload.get("request_id")))
    text = t("seals.stamp.title", lang) + "\n" + request_text(request, lang)
    if request.status == SealStatus.APPROVED:
        text += "\n\n" + t("seals.stamp.ask", lang)
    elif request.status == SealStatus.USED and request.awaiting_photo:
        text += "\n\n" + t("seals.stamp.photo", lang)
    return Rendered(text, stamp_keyboard(request, lang))


async def _told(key: str, payload: dict[str, Any], lang: str) -> Rendered:
    request = await _request(payload)
    if request is None:
        return Rendered(t("seals.error.no_request", lang, id=payload.get("request_id")))
    keeper = request.seal.custodian.name if request.seal.custodian else t(
        "seals.no_custodian", lang)
    text = t(key, lang, id=request.id, seal=escape(request.seal.name),
             document=escape(document_of(request)), custodian=escape(keeper),
             at=when(request.lapses_at), count=request.used_count or 0,
             no=request.register_no or "", days=RULES.lapse_days)
    return Rendered(text)


@view("seals.approved")
async def approved(payload: dict[str, Any], lang: str) -> Rendered:
    return await _told("seals.told.approved", payload, lang)


@view("seals.used")
async def used(payload: dict[str, Any], lang: str) -> Rendered:
    return await _told("seals.told.used", payload, lang)


@view("seals.lapsed")
async def lapsed(payload: dict[str, Any], lang: str) -> Rendered:
    return await _told("seals.told.lapsed", payload, lang)


REGISTER_COLUMNS = (("no", 8), ("date", 17), ("seal", 12), ("document", 34), ("copies", 8),
                    ("used_count", 8), ("purpose", 28), ("requester", 10),
                    ("department", 14), ("approvers", 16), ("custodian", 10), ("photo", 8))
LOG_COLUMNS = (("id", 8), ("submitted", 17), ("seal", 12), ("document", 34), ("copies", 8),
               ("purpose", 28), ("requester", 10), ("status", 10))


def register_xlsx(rows: list[RegisterRow], requests: list[SealRequest], lang: str,
                  start: date, end: date) -> bytes:
    """The register in register order, and every request of the period with its outcome."""
    yes, no = t("seals.xlsx.yes", lang), t("seals.xlsx.no", lang)
    register = [[f"{r.year}-{r.no:03d}", when(r.used_at), r.seal, r.document, r.copies,
                 r.used_count, r.purpose, r.requester, r.department, r.approvers, r.custodian,
                 yes if r.photo else no] for r in rows]
    log = [[r.id, when(r.submitted_at), r.seal.name if r.seal else "", document_of(r),
            r.copies, r.purpose, r.requester.name, status_text(r.status, lang)]
           for r in requests]
    period = f"{start.isoformat()} ~ {end.isoformat()}"
    return xlsx(
        Sheet(t("seals.xlsx.register", lang), t("seals.xlsx.register_title", lang,
                                                period=period),
              [t(f"seals.col.{c}", lang) for c, _ in REGISTER_COLUMNS], register,
              [w for _, w in REGISTER_COLUMNS]),
        Sheet(t("seals.xlsx.log", lang), t("seals.xlsx.log_title", lang, period=period),
              [t(f"seals.col.{c}", lang) for c, _ in LOG_COLUMNS], log,
              [w for _, w in LOG_COLUMNS]),
    )
