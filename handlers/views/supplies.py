"""Supplies as messages: draft and request cards, alerts, digests, stock lists, XLSX ledgers."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import t
from handlers.views import Rendered, view
from models.supplies import (
    Purchase,
    PurchaseStatus,
    RequestStatus,
    SupplyItem,
    SupplyRequest,
    SupplyRequestLine,
)
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
                 (t("supplies.btn.cancel", lang), cb.encode("sup", "cancel", draft.id))])
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
    lines = await purchases.lines_of(purchase.id)
    text = t("supplies.purchase.card", lang, id=purchase.id,
             status=t(f"supplies.pstatus.{purchase.status.value}", lang),
             items=escape(purchases.summary(lines)), amount=money(purchase.amount),
             method=t(f"supplies.method.{purchase.method.value}", lang))
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
    text = t("supplies.low.alert", lang, name=escape(item.name), spec=spec(item),
             qty=qty(Decimal(payload["on_hand"])), unit=escape(item.unit),
             safety=qty(Decimal(payload["safety"])))
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
                qty=qty(stock.available(i)), unit=escape(i.unit), safety=qty(i.safety_stock))
              for i in low]
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


#: Each ledger's columns: (row key, column text key, width).
COLUMNS: dict[str, list[tuple[str, str, int]]] = {
    "stockin": [("id", "id", 8), ("date", "date", 12), ("category", "category", 10),
                ("name", "name", 16), ("spec", "spec", 14), ("unit", "unit", 6),
                ("qty", "qty", 8), ("price", "price", 10), ("amount", "amount", 12),
                ("supplier", "supplier", 16), ("method", "method", 10),
                ("quotes", "quotes", 30), ("corrects", "corrects", 10), ("by", "by", 10),
                ("note", "note", 20)],
    "issue": [("id", "id", 8), ("requester", "requester", 10), ("dept", "dept", 14),
              ("name", "name", 16), ("spec", "spec", 14), ("unit", "unit", 6),
              ("asked", "asked", 8), ("issued", "issued", 8), ("issued_at", "issued_at", 17),
              ("issued_by", "issued_by", 10), ("signed_at", "signed_at", 17),
              ("purpose", "purpose", 20), ("reason", "reason", 20)],
    "stock": [("category", "category", 10), ("name", "name", 16), ("spec", "spec", 14),
              ("unit", "unit", 6), ("qty", "qty", 8), ("price", "price", 10),
              ("value", "value", 12), ("safety", "safety", 10), ("location", "location", 16),
              ("low", "low", 12)],
    "purchase": [("id", "id", 8), ("created_at", "created_at", 17),
                 ("requester", "requester", 10), ("items", "items", 30),
                 ("amount", "amount", 12), ("method", "method", 10),
                 ("supplier", "supplier", 16), ("quotes", "quotes", 30),
                 ("status", "status", 12), ("decided_at", "decided_at", 17),
                 ("received_at", "received_at", 17)],
}
#: Columns that get a total in the last row.
TOTALS = {"stockin": ("amount",), "issue": ("issued",), "stock": ("value",),
          "purchase": ("amount",)}


def _cell(kind: str, key: str, value: Any, lang: str) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if key == "method":
        return t(f"supplies.method.{value}", lang)
    if key == "status":
        return t(f"supplies.pstatus.{value}", lang)
    if key == "low":
        return t("supplies.yes", lang) if value else ""
    if key == "signed_at" and value is None:
        return t("supplies.ledger.unsigned", lang)
    return "" if value is None else value


def ledger_xlsx(kind: str, rows: list[dict[str, Any]], lang: str, start: date, end: date
                ) -> bytes:
    """One ledger as an XLSX workbook: a title row, a header row, the rows and a total."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t(f"supplies.ledger.{kind}", lang)[:31]
    columns = COLUMNS[kind]
    sheet.append([f"{t(f'supplies.ledger.{kind}', lang)} {start.isoformat()} ~ {end.isoformat()}"])
    sheet.append([t(f"supplies.col.{label}", lang) for _, label, _ in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(kind, key, row.get(key), lang) for key, _, _ in columns])
    total = [""] * len(columns)
    total[0] = t("supplies.col.total", lang)
    for i, (key, _, _) in enumerate(columns):
        if key in TOTALS[kind]:
            total[i] = _cell(kind, key, sum((Decimal(str(r.get(key) or 0)) for r in rows),
                                            Decimal(0)), lang)
    sheet.append(total)
    for i, (_, _, width) in enumerate(columns):
        sheet.column_dimensions[sheet.cell(row=2, column=i + 1).column_letter].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
