"""The reception rules (公务接待管理规定) as data, and the checks of a plan against them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from models.receptions import Reception


@dataclass(frozen=True)
class Rules:
    """Thresholds that vary by province and unit (read from the settings at the edge)."""

    max_meals: int = 1
    meal_cap_per_person: Decimal = Decimal("150")
    small_accompany_max: int = 3
    small_group_max: int = 10
    large_accompany_ratio: float = 1 / 3
    max_guests: int = 200

    @classmethod
    def from_settings(cls, settings: Any) -> Rules:
        """Build the rules from an object with the `reception_*` settings."""
        if settings is None:
            return cls()
        return cls(
            max_meals=int(settings.reception_max_meals),
            meal_cap_per_person=Decimal(str(settings.reception_meal_cap_per_person)),
            small_accompany_max=int(settings.reception_small_accompany_max),
            small_group_max=int(settings.reception_small_group_max),
            large_accompany_ratio=float(settings.reception_large_accompany_ratio),
            max_guests=int(settings.reception_max_guests),
        )

    def accompany_allowed(self, guests: int) -> int:
        """Return how many accompanying diners a delegation of this size allows."""
        if guests <= self.small_group_max:
            return self.small_accompany_max
        return math.floor(guests * self.large_accompany_ratio + 1e-9)


@dataclass(frozen=True)
class Breach:
    """One failed check: which rule (`code`) and by how much (`params`)."""

    code: str
    params: dict[str, Any]


#: Fields a plan needs before it can be submitted, in the order the planner is asked.
REQUIRED = ("time", "unit", "guest_count", "head", "guests", "purpose", "leader", "meals")


def missing_fields(reception: Reception) -> list[str]:
    """Return the required answers the plan still lacks."""
    have = {
        "time": reception.start is not None,
        "unit": bool(reception.unit),
        "guest_count": reception.guest_count is not None,
        "head": bool(reception.head_name),
        "guests": bool(reception.guests),
        "purpose": bool(reception.purpose),
        "leader": getattr(reception, "host_leader_id", None) is not None,
        "meals": reception.meals is not None,
    }
    return [name for name in REQUIRED if not have[name]]


def check(reception: Reception, rules: Rules) -> list[Breach]:
    """Check the plan against every rule; an empty list means it may be submitted."""
    breaches: list[Breach] = []
    missing = missing_fields(reception)
    if missing:
        breaches.append(Breach("incomplete", {"fields": missing}))
    if not reception.letter_no and not reception.letter_file_id:
        breaches.append(Breach("letter_missing", {}))
    guests = reception.guest_count or 0
    if reception.guests and guests and len(reception.guests) != guests:
        breaches.append(Breach("guest_list", {"listed": len(reception.guests), "count": guests,
                                           "diff": abs(len(reception.guests) - guests)}))
    meals = reception.meals or 0
    if meals > rules.max_meals:
        breaches.append(
            Breach("meals", {"meals": meals, "limit": rules.max_meals,
                             "over": meals - rules.max_meals})
        )
    if meals > 0:
        allowed = rules.accompany_allowed(guests)
        if reception.staff_diners > allowed:
            breaches.append(
                Breach("accompany", {"diners": reception.staff_diners, "limit": allowed,
                                     "guests": guests, "over": reception.staff_diners - allowed})
            )
        standard = Decimal(reception.meal_standard)
        if standard > rules.meal_cap_per_person:
            breaches.append(
                Breach("standard", {"standard": _yuan(standard),
                                    "limit": _yuan(rules.meal_cap_per_person),
                                    "over": _yuan(standard - rules.meal_cap_per_person)})
            )
    return breaches


def _yuan(value: Decimal) -> str:
    """Format yuan without needless decimals (150, 150.5)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"
