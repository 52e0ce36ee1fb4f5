"""Closing a reception after the event: what actually happened, its cost, the meals it counts."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from models.core import Staff
from models.receptions import Reception, ReceptionMeal, ReceptionStatus
from services import clock
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.receptions import parsing
from services.receptions.rules import Breach, Rules
from services.receptions.rules import check as check_rules

_GUESTS = re.compile(r"^(实到|来宾|人数|实到人数)")
_MEALS = re.compile(r"^(用餐|就餐)")
_COST = re.compile(r"^(.+?)[\s:：]*(\d+(?:\.\d+)?)\s*元?$")
MAX_COST = Decimal("1000000")


async def _locked(staff: Staff, reception_id: int) -> Reception:
    from services.receptions.plan import may_change

    found = await Reception.filter(id=reception_id).select_for_update().first()
    if found is None:
        raise NotFound("receptions.error.not_found", id=reception_id)
    if not may_change(staff, found):
        raise NotAllowed("receptions.error.not_yours")
    if found.status == ReceptionStatus.COMPLETED:
        raise StaleAction("receptions.error.already_completed")
    if found.status != ReceptionStatus.APPROVED:
        raise StaleAction("receptions.error.complete_needs_approval", status=found.status.value)
    return found


async def ask_actuals(staff: Staff, reception_id: int) -> Reception:
    """Open the question for the actual figures (after the reception has started)."""
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id)
        if reception.start is not None and reception.start > now:
            raise InvalidInput("receptions.error.not_held_yet")
        reception.step, reception.step_at, reception.editing = "complete", now, False
        await reception.save(update_fields=["step", "step_at", "editing"])
        return reception


def parse_actuals(text: str, rules: Rules) -> dict[str, Any]:
    """Read 实到 N / 用餐 M次 来宾G人 陪餐S人 / one cost item a line ("餐费 1200")."""
    guests: int | None = None
    meals: tuple[int, int, int] | None = None
    costs: list[list[str]] = []
    for number, raw in enumerate(parsing.normalise(text).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _GUESTS.match(line):
            guests = parsing.whole_number(_GUESTS.sub("", line), "receptions.error.count_format")
        elif _MEALS.match(line):
            found = parsing.numbers(_MEALS.sub("", line))
            if found == [0] or (not found and parsing.is_none(_MEALS.sub("", line))):
                meals = (0, 0, 0)
            elif len(found) == 3 and all(n == int(n) for n in found):
                meals = (int(found[0]), int(found[1]), int(found[2]))
            else:
                raise InvalidInput("receptions.error.actual_meals_format", line=number)
        else:
            match = _COST.match(line)
            if match is None:
                raise InvalidInput("receptions.error.actual_line", line=number, text=line[:40])
            amount = Decimal(match.group(2))
            if amount > MAX_COST:
                raise InvalidInput("receptions.error.cost_too_big", value=match.group(2))
            costs.append([match.group(1).strip()[:32], f"{amount:.2f}"])
    if guests is None or meals is None:
        raise InvalidInput("receptions.error.actuals_missing")
    if guests < 1 or guests > rules.max_guests:
        raise InvalidInput("receptions.error.count_too_big" if guests else
                           "receptions.error.count_zero", value=guests, limit=rules.max_guests)
    if meals[0] > 10:
        raise InvalidInput("receptions.error.meals_range", value=meals[0])
    if meals[1] > guests:
        raise InvalidInput("receptions.error.guest_diners_over", diners=meals[1], guests=guests)
    if meals[0] > 0 and meals[1] + meals[2] == 0:
        raise InvalidInput("receptions.error.no_diners")
    return {"guests": guests, "meals": meals, "costs": costs}


async def record_actuals(staff: Staff, reception_id: int, text: str, rules: Rules) -> Reception:
    """Record the actual figures, count its meals toward the year, and close the record."""
    figures = parse_actuals(text, rules)
    now = clock.now()
    async with in_transaction():
        reception = await _locked(staff, reception_id)
        if reception.step != "complete":
            raise StaleAction("receptions.error.no_question")
        meals, guest_diners, staff_diners = figures["meals"]
        costs: list[list[str]] = figures["costs"]
        total = sum((Decimal(amount) for _, amount in costs), Decimal(0))
        reception.actual_guests = figures["guests"]
        reception.actual_meals = meals
        reception.actual_guest_diners, reception.actual_staff_diners = guest_diners, staff_diners
        reception.costs, reception.cost_total = costs, total
        reception.status = ReceptionStatus.COMPLETED
        reception.completed_at = reception.updated_at = now
        reception.completed_by = staff  # type: ignore[assignment]
        reception.step, reception.step_at = None, None
        await reception.save()
        meal_cost = sum((Decimal(a) for item, a in costs if "餐" in item), Decimal(0))
        for _ in range(meals):
            await ReceptionMeal.create(
                reception=reception, held_at=reception.start or now,
                guest_diners=guest_diners, staff_diners=staff_diners,
                cost=(meal_cost / meals).quantize(Decimal("0.01")),
            )
        return reception


def planned_cost(reception: Reception) -> Decimal:
    """The meal cost the plan allowed: meals × diners × standard."""
    meals = reception.meals or 0
    diners = reception.guest_diners + reception.staff_diners
    return (Decimal(meals) * diners * Decimal(reception.meal_standard)).quantize(Decimal("0.01"))


def differences(reception: Reception) -> list[tuple[str, str, str]]:
    """Return (field, planned, actual) for every figure that differs from the plan."""
    pairs = [
        ("guest_count", reception.guest_count, reception.actual_guests),
        ("meals", reception.meals or 0, reception.actual_meals),
        ("guest_diners", reception.guest_diners, reception.actual_guest_diners),
        ("staff_diners", reception.staff_diners, reception.actual_staff_diners),
    ]
    found = [(name, str(a), str(b)) for name, a, b in pairs if b is not None and a != b]
    meal_cost = sum((Decimal(a) for item, a in reception.costs if "餐" in item), Decimal(0))
    if meal_cost != planned_cost(reception):
        found.append(("meal_cost", f"{planned_cost(reception):.2f}", f"{meal_cost:.2f}"))
    return found


def actual_breaches(reception: Reception, rules: Rules) -> list[Breach]:
    """Check what actually happened against the meal rules (shown as warnings on closing)."""
    if reception.actual_meals is None:
        return []
    shadow = Reception(
        unit=reception.unit, letter_no=reception.letter_no or "-",
        guest_count=reception.actual_guests, meals=reception.actual_meals,
        guest_diners=reception.actual_guest_diners or 0,
        staff_diners=reception.actual_staff_diners or 0,
        meal_standard=_actual_standard(reception),
    )
    return [b for b in check_rules(shadow, rules) if b.code in ("meals", "accompany", "standard")]


def _actual_standard(reception: Reception) -> Decimal:
    meals = reception.actual_meals or 0
    diners = (reception.actual_guest_diners or 0) + (reception.actual_staff_diners or 0)
    meal_cost = sum((Decimal(a) for item, a in reception.costs if "餐" in item), Decimal(0))
    if not meals or not diners:
        return Decimal(0)
    return (meal_cost / meals / diners).quantize(Decimal("0.01"))
