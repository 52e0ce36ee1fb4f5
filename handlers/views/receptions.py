"""How a reception looks: the plan card, list lines, rule breaches, and its outbox events."""

from __future__ import annotations

import html
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from handlers.texts import t
from handlers.views import Rendered, view
from handlers.views.approvals import DETAIL_WORDS
from models.core import Staff
from models.receptions import Reception, ReceptionStatus
from services.receptions import Breach, planned_cost
from services.receptions.export import when as when_text

#: The office's zone for rendering times (set from the settings when the handlers register).
OFFICE_TZ = ZoneInfo("Asia/Shanghai")


def set_zone(name: str) -> None:
    """Render reception times in this zone."""
    global OFFICE_TZ
    OFFICE_TZ = ZoneInfo(name)


def escape(value: object) -> str:
    return html.escape(str(value))


def yuan(value: Decimal | float | int) -> str:
    """Format an amount without needless decimals."""
    text = f"{Decimal(str(value)):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def status_text(status: str, lang: str) -> str:
    return t(f"receptions.status.{status}", lang)


def breach_lines(breaches: list[Breach] | list[tuple[str, dict[str, Any]]], lang: str) -> str:
    """Word each failed rule check: which rule, and by how much."""
    lines = []
    for item in breaches:
        code, params = (item.code, item.params) if isinstance(item, Breach) else item
        params = dict(params)
        if code == "incomplete":
            params["fields"] = "、".join(t(f"receptions.f.{f}", lang) for f in params["fields"])
        lines.append(t(f"receptions.breach.{code}", lang, **params))
    return "\n".join(lines)


def card(reception: Reception, lang: str, *, host: Staff | None = None,
         planner: Staff | None = None, breaches: list[Breach] | None = None) -> str:
    """The plan's card: every answer, the rule checks (when given) and the actuals."""
    unset = t("receptions.card.unset", lang)
    none = t("receptions.card.none", lang)

    def line(field: str, value: str) -> str:
        return t("receptions.card.line", lang, label=t(f"receptions.f.{field}", lang),
                 value=value or unset)

    if reception.letter_no:
        letter = escape(reception.letter_no)
        if reception.letter_file_id:
            letter += f"（{t('receptions.card.letter_file', lang)}）"
    elif reception.letter_file_id:
        letter = t("receptions.card.letter_file", lang)
    else:
        letter = t("receptions.card.letter_missing", lang)
    guests = ""
    if reception.guests:
        names = "、".join(escape(f"{n} {p}") for n, p in reception.guests[:5])
        guests = names if len(reception.guests) <= 5 else t(
            "receptions.card.guests_more", lang, names=names, n=len(reception.guests))
    if reception.meals is None:
        meals = ""
    elif reception.meals == 0:
        meals = t("receptions.card.no_meals", lang)
    else:
        meals = t("receptions.card.meals", lang, meals=reception.meals,
                  guests=reception.guest_diners, staff=reception.staff_diners,
                  standard=yuan(reception.meal_standard), cost=yuan(planned_cost(reception)))
    if reception.room_name:
        room = escape(reception.room_name)
    else:
        room = t("receptions.card.no_room", lang) if reception.room_decided else ""
    head = f"{reception.head_name} {reception.head_title}".strip()
    lines = [
        t("receptions.card.title", lang, id=reception.id,
          status=status_text(reception.status.value, lang)),
        line("time", when_text(reception, OFFICE_TZ)),
        line("unit", escape(reception.unit)),
        line("letter", letter),
        line("guest_count", t("receptions.card.people", lang, n=reception.guest_count)
             if reception.guest_count else ""),
        line("head", escape(head)),
        line("guests", guests),
        line("purpose", escape(reception.purpose)),
        line("leader", escape(host.name) if host else ""),
        line("accompany", escape("、".join(reception.accompany)) or none),
        line("itinerary", escape("；".join(f"{a} {s}" for a, s in reception.itinerary)) or none),
        line("room", room),
        line("meals", meals),
        line("accommodation", none if reception.accommodation == "" else
             escape(reception.accommodation or "")),
    ]
    if planner is not None:
        lines.append(line("planner", escape(planner.name)))
    if reception.status == ReceptionStatus.COMPLETED:
        lines.append("")
        lines.append(t("receptions.card.actual", lang, guests=reception.actual_guests,
                       meals=reception.actual_meals, gd=reception.actual_guest_diners,
                       sd=reception.actual_staff_diners, total=yuan(reception.cost_total)))
        lines += [t("receptions.card.cost_item", lang, item=escape(item), amount=yuan(Decimal(a)))
                  for item, a in reception.costs]
    if breaches is not None:
        lines.append("")
        if breaches:
            lines.append(t("receptions.card.checks_bad", lang))
            lines.append(breach_lines(breaches, lang))
        else:
            lines.append(t("receptions.card.checks_ok", lang))
    return "\n".join(lines)


def list_line(reception: Reception, lang: str) -> str:
    """One reception in a list."""
    start = reception.start.astimezone(OFFICE_TZ).strftime("%m-%d %H:%M") \
        if reception.start else ""
    return t("receptions.list.line", lang, id=reception.id, when=start,
             unit=escape(reception.unit), guests=reception.guest_count or 0,
             status=status_text(reception.status.value, lang))


async def _event_fields(payload: dict[str, Any]) -> tuple[Reception | None, dict[str, Any]]:
    reception = await Reception.get_or_none(id=int(payload.get("reception_id", 0)))
    if reception is None:
        return None, {}
    host = await Staff.get_or_none(id=reception.host_leader_id)  # type: ignore[attr-defined]
    return reception, {
        "id": reception.id,
        "when": when_text(reception, OFFICE_TZ),
        "unit": escape(reception.unit),
        "guests": reception.guest_count or 0,
        "leader": escape(host.name) if host else "—",
        "room": escape(reception.room_name) or "—",
    }


@view("receptions.decided")
async def decided(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    """Tell the host leader, the planner and the office what the approval decided."""
    _, fields = await _event_fields(payload)
    outcome = str(payload.get("outcome", "approved"))
    comment = str(payload.get("comment") or "")
    fields.setdefault("id", payload.get("reception_id"))
    fields["comment"] = t("receptions.decided.comment", lang, comment=escape(comment)) \
        if comment else ""
    return Rendered(t(f"receptions.decided.{outcome}", lang, **fields))


@view("receptions.reminder")
async def reminder(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    """Remind the host leader, the planner and the office of tomorrow's reception."""
    _, fields = await _event_fields(payload)
    fields.setdefault("id", payload.get("reception_id"))
    return Rendered(t("receptions.reminder", lang, **fields))


@view("receptions.cancelled")
async def cancelled(payload: dict[str, Any], lang: str) -> Rendered:  # type: ignore[misc]
    """Tell the host leader, the planner and the office that a reception is called off."""
    _, fields = await _event_fields(payload)
    fields.setdefault("id", payload.get("reception_id"))
    return Rendered(t("receptions.cancelled.notice", lang, by=escape(payload.get("by", "")),
                      **fields))


def meals_detail(value: str, lang: str) -> str | None:
    """The approval card's 工作餐 line as a sentence (stored as figures by the ports)."""
    try:
        data = json.loads(value)
        if not int(data.get("meals") or 0):
            return t("receptions.card.no_meals", lang)
        return t("receptions.card.meals", lang, meals=int(data["meals"]),
                 guests=int(data["guests"]), staff=int(data["staff"]),
                 standard=yuan(Decimal(str(data["standard"]))),
                 cost=yuan(Decimal(str(data["cost"]))))
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
        return None  # a request stored before: shown as it was written


DETAIL_WORDS["receptions.f.meals"] = meals_detail
