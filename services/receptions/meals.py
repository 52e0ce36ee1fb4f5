"""Ordinary official meals (公务用餐) recorded in one line, outside any reception plan.

`/yongcan 12月3日 市发改委 6人 陪同3人 工作餐 标准150` records one meal after checking it
against the reception rules (the per-person standard's cap, the accompanying diners' limit):
a meal that breaks a rule is refused with the rule, never recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from models.core import Staff
from models.receptions import OfficialMeal
from services import clock
from services.errors import InvalidInput
from services.inputs import check_date, clean_name, normalize, parse_decimal, parse_int
from services.receptions.rules import Rules, _yuan

_DIGITS = r"([0-9０-９]{1,6})"
_DAY = re.compile(r"(?:([0-9]{4})\s*年\s*)?([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?"
                  r"|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_STAFF = re.compile(r"(?:陪同|陪餐|accompanying|staff)\s*[:：=]?\s*" + _DIGITS + r"\s*人?"
                    r"|" + _DIGITS + r"\s*(?:staff|hosts?)\b", re.IGNORECASE)
_GUESTS = re.compile(r"(?:来宾|guests?)\s*[:：=]?\s*" + _DIGITS + r"\s*人?"
                     r"|" + _DIGITS + r"\s*(?:人|位|guests?\b)", re.IGNORECASE)
_STANDARD = re.compile(r"(?:标准|standard)\s*[:：=]?\s*([0-9０-９.．]{1,12})\s*(?:元(?:/人)?)?",
                       re.IGNORECASE)
_KIND = re.compile(r"工作餐|自助餐|便餐|working meal|buffet", re.IGNORECASE)
KINDS = {"working meal": "工作餐", "buffet": "自助餐"}


@dataclass(frozen=True)
class MealLine:
    """What one line says: the day, the unit, the diners, the kind and the standard."""

    day: date
    unit: str
    guests: int
    staff: int
    kind: str
    standard: Decimal


def _take(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str] | None, str]:
    found = pattern.search(text)
    if found is None:
        return None, text
    return found, f"{text[:found.start()]} {text[found.end():]}"


def _group(found: re.Match[str]) -> str:
    return next(g for g in found.groups() if g is not None)


def parse(text: str, today: date) -> MealLine:
    """Read a meal line; a line without the unit, the guests or the standard is refused."""
    rest = normalize(text, multiline=False)
    day_match, rest = _take(_DAY, rest)
    day = today
    if day_match is not None:
        g = day_match.groups()
        year, month, mday = (g[3], g[4], g[5]) if g[3] else (g[0], g[1], g[2])
        try:
            day = date(int(year) if year else today.year, int(month), int(mday))
        except ValueError:
            raise InvalidInput("receptions.meal.error.day", value=day_match.group(0)) from None
        if not year and (day - today).days > 183:
            day = day.replace(year=day.year - 1)  # 12月30日 said in January: last year's
        check_date(day, "date")
    staff_match, rest = _take(_STAFF, rest)
    guests_match, rest = _take(_GUESTS, rest)
    standard_match, rest = _take(_STANDARD, rest)
    kind_match, rest = _take(_KIND, rest)
    unit = " ".join(rest.split())
    if not unit or guests_match is None or standard_match is None:
        raise InvalidInput("receptions.meal.usage")
    kind = kind_match.group(0) if kind_match else "工作餐"
    return MealLine(
        day=day,
        unit=clean_name(unit, "meal_unit", max_length=128),
        guests=parse_int(_group(guests_match), "meal_guests", low=1, high=1000),
        staff=parse_int(_group(staff_match), "meal_staff", low=0, high=1000) if staff_match else 0,
        kind=KINDS.get(kind.lower(), kind),
        standard=parse_decimal(standard_match.group(1).replace("．", "."), "meal_standard",
                               high=Decimal("99999")),
    )


def check(line: MealLine, rules: Rules, today: date) -> None:
    """Refuse a meal in the future or beyond the rules (the standard's cap, the accompanying
    diners' limit), saying which rule and by how much."""
    if line.day > today:
        raise InvalidInput("receptions.meal.error.future", day=line.day.isoformat())
    if line.standard > rules.meal_cap_per_person:
        raise InvalidInput("receptions.meal.error.standard", standard=_yuan(line.standard),
                           limit=_yuan(rules.meal_cap_per_person))
    allowed = rules.accompany_allowed(line.guests)
    if line.staff > allowed:
        raise InvalidInput("receptions.meal.error.accompany", staff=line.staff,
                           guests=line.guests, limit=allowed)


def yuan(value: Decimal | str) -> str:
    """Yuan without needless decimals (150, 150.5)."""
    return _yuan(Decimal(value))


async def record(staff: Staff, text: str, rules: Rules, tz: str) -> OfficialMeal:
    """Record one official meal from a line (checked against the rules first)."""
    zone = ZoneInfo(tz)
    today = clock.now().astimezone(zone).date()
    line = parse(text, today)
    check(line, rules, today)
    return await OfficialMeal.create(
        held_at=datetime.combine(line.day, time(12, 0), zone), unit=line.unit,
        guest_diners=line.guests, staff_diners=line.staff, kind=line.kind,
        standard=line.standard, cost=line.standard * (line.guests + line.staff),
        recorded_by=staff, created_at=clock.now())


__all__ = ["MealLine", "check", "parse", "record", "yuan"]
