"""Supplies as messages: draft and request cards, alerts, digests, stock lists, XLSX ledgers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import has, t
from handlers.views import Rendered, view
from handlers.views.exports import period_row
from models.supplies import (
    Purchase,
    PurchaseStatus,
    RequestStatus,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
from services import exports
from services.supplies import purchases, requests, stock

#: The office's zone for times shown in cards (set by the handlers from the settings).
ZONE = ZoneInfo("Asia/Shanghai")


def qty(value: Decimal | int | None) -> str:
    """5 not 5.00; 2.5 stays 2.5."""
    if value is None:
        return "0"
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def money(value: Decimal | int) -> str:
    return f"{Decimal(str(value)):,.2f}"


def when(at: datetime | None) -> str:
    return at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") if at else "—"


def spec(item: SupplyItem) -> str:
    return f"（{escape(item.spec)}）" if item.spec else ""


def draft_card(draft: SupplyRequest, lines: list[SupplyRequestLine], choices: list[SupplyItem],
               lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The draft with its lines, the purpose, item buttons and submit/clear/cancel."""
    text = [t("supplies.draft.title", lang, id=draft.id)]
    if lines:
        text += [t("supplies.draft.line", lang, name=escape(ln.item.name), spec=spec(ln.item),
                   qty=qty(ln.quantity), unit=escape(ln.item.unit),
                   stock=qty(stock.available(ln.item))) for ln in lines]
    else:
        text.append(t("supplies.draft.empty", lang))
    text.append(t("supplies.draft.purpose", lang, purpose=escape(draft.purpose))
                if draft.purpose else t("supplies.draft.no_purpose", lang))
    text.append("")
    text.append(t("supplies.draft.ask_purpose", lang) if draft.awaiting == "purpose"
                else t("supplies.draft.help", lang))
    rows: list[list[tuple[str, str]]] = []
    picks = [(t("supplies.btn.add", lang, name=i.name)[:30],
              cb.encode("sup", "add", draft.id, i.id)) for i in choices]
    rows += [picks[i:i + 3] for i in range(0, len(picks), 3)]
    rows.append([(t("supplies.btn.submit", lang), cb.encode("sup", "sub", draft.id)),
                 (t("supplies.btn.clear", lang), cb.encode("sup", "clr", draft.id)),
                 (t("supplies.btn.drop_draft", lang), cb.encode("sup", "cancel", draft.id))])
    return "\n".join(text), buttons(rows)


async def request_text(request: SupplyRequest, lang: str) -> str:
    """A request's card text, read fresh: items, purpose, status, issue and signature."""
    lines = await requests.lines_of(request.id)
    requester = await request.requester  # type: ignore[misc]
    text = t("supplies.card", lang, id=request.id,
             status=t(f"supplies.status.{request.status.value}", lang),
             requester=escape(requester.name),
             dept=f"（{escape(requester.department)}）" if requester.department else "",
             items=escape(requests.summary(lines)), purpose=escape(request.purpose))
    if request.status in (RequestStatus.ISSUED, RequestStatus.SIGNED):
        by = await request.issued_by  # type: ignore[misc]
        text += t("supplies.card.issued", lang, items=escape(requests.summary(lines, True)),
                  by=escape(by.name) if by else "—", at=when(request.issued_at))
        if request.partial_reason:
            text += t("supplies.card.partial", lang, reason=escape(request.partial_reason))
    if request.status == RequestStatus.SIGNED:
        text += t("supplies.card.signed", lang, at=when(request.signed_at))
    return text


def issue_keyboard(request: SupplyRequest, lang: str) -> InlineKeyboardMarkup | None:
    if request.status != RequestStatus.APPROVED:
        return None
    return buttons([[(t("supplies.btn.issue_all", lang), cb.encode("sup", "issue", request.id)),
                     (t("supplies.btn.issue_part", lang), cb.encode("sup", "part", request.id))]])


def sign_keyboard(request: SupplyRequest, lang: str) -> InlineKeyboardMarkup | None:
    if request.status != RequestStatus.ISSUED:
        return None
    return buttons([[(t("supplies.btn.sign", lang), cb.encode("sup", "sign", request.id))]])


def cancel_keyboard(request: SupplyRequest, lang: str) -> InlineKeyboardMarkup | None:
    if request.status != RequestStatus.PENDING:
        return None
    return buttons([[(t("supplies.btn.cancel", lang), cb.encode("sup", "cancel", request.id))]])


@view(requests.REQUEST_CARD)
async def request_card(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    """The requester's card as the request stands: 撤回 only while it waits for approval."""
    request = await SupplyRequest.get(id=payload["request_id"])
    return Rendered(await request_text(request, lang), cancel_keyboard(request, lang))


@view(requests.TO_ISSUE)
async def to_issue(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    request = await SupplyRequest.get(id=payload["request_id"])
    text = await request_text(request, lang)
    if request.status == RequestStatus.APPROVED:
        text += t("supplies.card.to_issue", lang, id=request.id)
    return Rendered(text, issue_keyboard(request, lang))


@view(requests.TO_SIGN)
async def to_sign(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    request = await SupplyRequest.get(id=payload["request_id"])
    text = await request_text(request, lang)
    if request.status == RequestStatus.ISSUED:
        text += "\n\n" + t("supplies.to_sign", lang)
    return Rendered(text, sign_keyboard(request, lang))


async def purchase_text(purchase: Purchase, lang: str) -> str:
    """A purchase's card: items (with their cost once known), amount, method and supplier."""
    lines = await purchases.lines_of(purchase.id)
    items = "、".join(
        escape(f"{ln.item.name} {qty(ln.quantity)}{ln.item.unit}")
        + (t("supplies.purchase.line_cost", lang, amount=money(ln.amount))
           if ln.amount is not None and len(lines) > 1 else "")
        for ln in lines)
    text = t("supplies.purchase.card", lang, id=purchase.id,
             status=t(f"supplies.pstatus.{purchase.status.value}", lang),
             items=items, amount=money(purchase.amount),
             method=t(f"supplies.method.{purchase.method.value}", lang))
    if purchase.estimated:
        text += t("supplies.purchase.estimated", lang)
    if purchase.supplier:
        text += t("supplies.purchase.supplier", lang, supplier=escape(purchase.supplier))
    if purchase.status == PurchaseStatus.RECEIVED:
        text += t("supplies.purchase.received", lang, at=when(purchase.received_at))
    return text


@view(purchases.APPROVED)
async def purchase_approved(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    purchase = await Purchase.get(id=payload["purchase_id"])
    keyboard = None
    if purchase.status == PurchaseStatus.APPROVED:
        keyboard = buttons([[(t("supplies.btn.receive", lang),
                              cb.encode("sup", "recv", purchase.id))]])
    return Rendered(await purchase_text(purchase, lang), keyboard)


@view(stock.LOW_STOCK)
async def low_stock(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    item = await SupplyItem.get(id=payload["item_id"])
    # Alerts queued before the split carried only what was available, as "on_hand".
    shelf = Decimal(payload.get("available", payload["on_hand"]))
    reserved = Decimal(payload.get("reserved", "0"))
    on_hand = Decimal(payload["on_hand"]) if "available" in payload else shelf + reserved
    text = t("supplies.low.alert", lang, name=escape(item.name), spec=spec(item),
             on_hand=qty(on_hand), reserved=qty(reserved), available=qty(shelf),
             unit=escape(item.unit), safety=qty(Decimal(payload["safety"])))
    keyboard = None
    if payload.get("purchase_id"):
        purchase = await Purchase.get(id=payload["purchase_id"])
        lines = await purchases.lines_of(purchase.id)
        text += t("supplies.low.drafted", lang, id=purchase.id,
                  items=escape(purchases.summary(lines)), amount=money(purchase.amount))
        if purchase.status == PurchaseStatus.DRAFT:
            keyboard = buttons([[(t("supplies.btn.submit_purchase", lang),
                                  cb.encode("sup", "psub", purchase.id))]])
    return Rendered(text, keyboard)


@view(stock.DIGEST)
async def digest(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    low = await stock.below_safety()
    if not low:
        return Rendered(t("supplies.digest.none", lang))
    lines = [t("supplies.digest.title", lang, day=payload.get("day", ""))]
    lines += [t("supplies.digest.line", lang, name=escape(i.name), spec=spec(i),
                on_hand=qty(i.on_hand), reserved=qty(i.reserved),
                available=qty(stock.available(i)), unit=escape(i.unit),
                safety=qty(i.safety_stock)) for i in low]
    return Rendered("\n".join(lines))


def stock_lines(items: list[SupplyItem], lang: str) -> list[str]:
    """One line an item; an item with issues not yet signed for shows 可用 = 库存 − 待签收."""
    found = []
    for i in items:
        shelf = stock.available(i)
        found.append(t("supplies.stock.line_reserved" if i.reserved else "supplies.stock.line",
                       lang, low="⚠️ " if i.safety_stock > 0 and shelf < i.safety_stock else "",
                       name=escape(i.name), spec=spec(i), qty=qty(i.on_hand),
                       available=qty(shelf), reserved=qty(i.reserved), unit=escape(i.unit),
                       safety=qty(i.safety_stock),
                       location=f" · {escape(i.location)}" if i.location else ""))
    return found


#: Each ledger's columns: (row key, column text key, width, kind, totalled).
COLUMNS: dict[str, list[tuple[str, str, int, str, bool]]] = {
    "stockin": [
        ("id", "id", 7, "int", False), ("at", "in_at", 12, "date", False),
        ("date", "bought_on", 12, "date", False), ("category", "category", 8, "text", False),
        ("name", "name", 14, "text", False), ("spec", "spec", 12, "text", False),
        ("unit", "unit", 5, "text", False), ("qty", "qty", 8, "qty", True),
        ("price", "price", 10, "money", False), ("amount", "amount", 12, "money", True),
        ("supplier", "supplier", 14, "text", False), ("method", "method", 9, "text", False),
        ("purchase", "purchase", 8, "int", False), ("quotes", "quotes", 24, "text", False),
        ("corrects", "corrects", 8, "int", False), ("by", "by", 8, "text", False),
        ("note", "note", 16, "text", False),
    ],
    "issue": [
        ("id", "id", 7, "int", False), ("requester", "requester", 8, "text", False),
        ("dept", "dept", 12, "text", False), ("name", "name", 14, "text", False),
        ("spec", "spec", 12, "text", False), ("unit", "unit", 5, "text", False),
        ("asked", "asked", 8, "qty", True), ("issued", "issued", 8, "qty", True),
        ("value", "value_out", 10, "money", True),
        ("issued_at", "issued_at", 16, "datetime", False),
        ("issued_by", "issued_by", 8, "text", False),
        ("signed_at", "signed_at", 16, "datetime", False),
        ("purpose", "purpose", 16, "text", False), ("reason", "reason", 16, "text", False),
    ],
    "stock": [
        ("category", "category", 8, "text", False), ("name", "name", 14, "text", False),
        ("spec", "spec", 12, "text", False), ("unit", "unit", 5, "text", False),
        ("opening_qty", "opening_qty", 8, "qty", True),
        ("opening_value", "opening_value", 11, "money", True),
        ("in_qty", "in_qty", 8, "qty", True), ("in_value", "in_value", 11, "money", True),
        ("out_qty", "out_qty", 8, "qty", True), ("out_value", "out_value", 11, "money", True),
        ("closing_qty", "closing_qty", 8, "qty", True),
        ("closing_value", "closing_value", 11, "money", True),
        ("safety", "safety", 8, "qty", False), ("location", "location", 12, "text", False),
        ("low", "low", 8, "text", False),
    ],
    "purchase": [
        ("id", "id", 7, "int", False), ("created_at", "created_at", 16, "datetime", False),
        ("requester", "applicant", 8, "text", False), ("items", "items", 26, "text", False),
        ("amount", "amount", 12, "money", True), ("method", "method", 9, "text", False),
        ("supplier", "supplier", 14, "text", False), ("quotes", "quotes", 26, "text", False),
        ("status", "status", 10, "text", False),
        ("decided_at", "decided_at", 16, "datetime", False),
        ("received_at", "received_at", 16, "datetime", False),
        ("received", "received", 12, "money", True),
    ],
}


def _shown(key: str, value: Any, lang: str) -> Any:
    """A row's value as the ledger shows it (enums in words, an unsigned issue said so)."""
    if key == "method":
        return t(f"supplies.method.{value}", lang)
    if key == "status":
        return t(f"supplies.pstatus.{value}", lang)
    if key == "low":
        return t("supplies.yes", lang) if value else ""
    if key == "signed_at" and value is None:
        return t("supplies.ledger.unsigned", lang)
    return value


def ledger_sheet(kind: str, rows: list[dict[str, Any]], lang: str, start: date, end: date
                 ) -> exports.Sheet:
    """One ledger as a sheet: quantities totalled per unit, money and lines for the whole."""
    title = t(f"supplies.ledger.{kind}", lang)
    columns = [exports.Column(key, t(f"supplies.col.{label}", lang), width, kind_, total)
               for key, label, width, kind_, total in COLUMNS[kind]]
    shown = [{key: _shown(key, row.get(key), lang) for key, *_ in COLUMNS[kind]}
             for row in rows]
    notes = [t(f"supplies.ledger.note.{kind}", lang)] if has(f"supplies.ledger.note.{kind}") \
        else []
    return exports.Sheet(
        name=title, title=title,
        period=period_row(start, end, lang),
        columns=columns, rows=shown, unit_key=None if kind == "purchase" else "unit",
        total_label=t("exports.total", lang), subtotal_label=t("exports.subtotal", lang),
        empty=t("exports.none", lang), notes=notes,
    )


def ledger_xlsx(kind: str, rows: list[dict[str, Any]], lang: str, start: date, end: date
                ) -> bytes:
    """One ledger as an XLSX workbook (NothingToExport when the period has no rows)."""
    return exports.workbook([ledger_sheet(kind, rows, lang, start, end)], ZONE)
