"""Scoring rules of information pieces, kept as data: points per level, the bonus for a
leader's 批示, and the quarterly cap per correspondent (defaults until the office sets them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.publicity import InfoLevel, PublicitySetting
from services import clock
from services.errors import InvalidInput
from services.staff import require_role

#: Rule -> default value. Points for a piece used by the district's, the city's, the province's
#: information outlet (a piece counts once, at the highest), the 批示 bonus, the cap.
DEFAULTS: dict[str, Decimal] = {
    "points.district": Decimal(1),
    "points.city": Decimal(3),
    "points.province": Decimal(5),
    "bonus.instruction": Decimal(5),
    "cap.quarter": Decimal(30),
}
#: What people type for each rule (both languages).
WORDS = {
    "区": "points.district", "区级": "points.district", "district": "points.district",
    "市": "points.city", "市级": "points.city", "city": "points.city",
    "省": "points.province", "省级": "points.province", "province": "points.province",
    "批示": "bonus.instruction", "instruction": "bonus.instruction",
    "上限": "cap.quarter", "封顶": "cap.quarter", "cap": "cap.quarter",
}  # fmt: skip
MAX_VALUE = Decimal(1000)


@dataclass(frozen=True)
class Rules:
    points: dict[InfoLevel, Decimal]
    bonus: Decimal
    #: Most points one correspondent scores in a quarter (0 = no cap).
    cap: Decimal

    def piece(self, level: InfoLevel | None, instructed: bool) -> Decimal:
        """What one used piece is worth before the cap."""
        if level is None:
            return Decimal(0)
        return self.points[level] + (self.bonus if instructed else Decimal(0))

    def capped(self, raw: Decimal) -> Decimal:
        return min(raw, self.cap) if self.cap > 0 else raw


async def current() -> Rules:
    values = dict(DEFAULTS)
    for row in await PublicitySetting.filter(key__in=list(DEFAULTS)):
        try:
            values[row.key] = Decimal(row.value)
        except InvalidOperation:
            continue
    return Rules({level: values[f"points.{level.value}"] for level in InfoLevel},
                 values["bonus.instruction"], values["cap.quarter"])


async def change(actor: Staff, word: str, value: str) -> tuple[str, Decimal]:
    """Set one rule ('市 3', '上限 40'); returns the rule's key and its new value."""
    require_role(actor, Role.OFFICE)
    key = WORDS.get(word.strip().lower())
    if key is None:
        raise InvalidInput("publicity.error.bad_rule", value=word.strip()[:20])
    try:
        number = Decimal(value.strip().removesuffix("分"))
    except InvalidOperation:
        raise InvalidInput("publicity.error.bad_points", value=value.strip()[:20]) from None
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise InvalidInput("publicity.error.bad_points", value=value.strip()[:20])
    number = number.quantize(Decimal("0.1"))
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    async with in_transaction():
        await PublicitySetting.update_or_create(
            key=key, defaults={"value": str(number), "updated_at": clock.now(),
                               "updated_by": actor})
    return key, number
