"""The catalogue: items, finding them by name or pinyin initials, checking quantities."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.supplies import MoveKind, SupplyItem
from services.errors import Conflict, InvalidInput, NotFound
from services.inputs import clean_name, is_blank, normalize
from services.staff import require_role
from services.supplies import parse
from services.supplies.parse import MAX_QTY

#: Units that may be split; everything else is counted whole.
FRACTIONAL_UNITS = frozenset({"米", "千克", "公斤", "克", "升", "毫升", "kg", "m", "l"})
OFFICE = (Role.OFFICE,)


def initials(name: str) -> str:
    """Pinyin initials of a name, lower case (中性笔 -> zxb, A4纸 -> a4z)."""
    # pypinyin's phrase tables weigh about 50 MB: loaded at the first item named, not at start.
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return re.sub(r"[^a-z0-9]", "", "".join(letters).lower())[:64]


def check_qty(item: SupplyItem, qty: Decimal, *, allow_zero: bool = False) -> Decimal:
    """Refuse zero, negative, huge and (for whole units) fractional quantities."""
    if qty < 0:
        raise InvalidInput("supplies.error.qty_negative", item=item.name)
    if qty == 0 and not allow_zero:
        raise InvalidInput("supplies.error.qty_zero", item=item.name)
    if qty > MAX_QTY:
        raise InvalidInput("supplies.error.qty_huge", item=item.name, max=MAX_QTY)
    if item.whole and qty != qty.to_integral_value():
        raise InvalidInput("supplies.error.qty_fraction", item=item.name, unit=item.unit)
    if qty != qty.quantize(parse.CENT):
        raise InvalidInput("supplies.error.qty_fraction", item=item.name, unit=item.unit)
    return qty.quantize(parse.CENT)


async def items(include_inactive: bool = False) -> list[SupplyItem]:
    query = SupplyItem.all() if include_inactive else SupplyItem.filter(active=True)
    return list(await query.order_by("category", "name", "spec"))


async def search(text: str, limit: int = 30) -> list[SupplyItem]:
    """Items whose name, spec or category contains the text, or whose initials start with it."""
    needle = text.strip().lower()
    found = []
    for item in await items():
        hay = f"{item.name} {item.spec} {item.category}".lower()
        if not needle or needle in hay or item.initials.startswith(needle):
            found.append(item)
    return found[:limit]


async def find(text: str) -> SupplyItem:
    """One item by exact name (or name+spec, or initials), else a unique partial match."""
    needle = text.strip().lower()
    if not needle:
        raise InvalidInput("supplies.error.unknown_item", name="∅", hint="")
    every = await items()
    for test in (
        lambda i: i.name.lower() == needle,
        lambda i: f"{i.name}{i.spec}".lower().replace(" ", "") == needle.replace(" ", ""),
        lambda i: i.initials == needle,
        lambda i: needle in f"{i.name} {i.spec}".lower(),
        lambda i: i.initials.startswith(needle),
    ):
        hits = [i for i in every if test(i)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise InvalidInput("supplies.error.ambiguous_item", name=text.strip(),
                               choices="、".join(_label(i) for i in hits[:8]))
    near = [i for i in every if any(ch in i.name for ch in needle)][:5]
    code = "supplies.error.unknown_item_near" if near else "supplies.error.unknown_item"
    raise InvalidInput(code, name=text.strip(), hint="、".join(i.name for i in near))


def _label(item: SupplyItem) -> str:
    return f"{item.name}（{item.spec}）" if item.spec else item.name


async def get(item_id: int) -> SupplyItem:
    item = await SupplyItem.get_or_none(id=item_id)
    if item is None:
        raise NotFound("supplies.error.item_gone", id=item_id)
    return item


def _item_values(fields: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("category", "spec", "location", "unit"):
        if key in fields:
            values[key] = clean_name(fields[key], key if key in ("spec", "unit") else "name",
                                     max_length=8 if key == "unit" else 32)
    if "unit" in values:
        values["whole"] = values["unit"].lower() not in FRACTIONAL_UNITS
    for key, column in (("safety", "safety_stock"), ("limit", "monthly_limit"),
                        ("price", "unit_price")):
        if key in fields:
            value = parse.number(fields[key], key)
            if value < 0 or value > MAX_QTY * 100:
                raise InvalidInput("supplies.error.bad_number", field=key, value=fields[key])
            values[column] = None if key == "limit" and value == 0 else value.quantize(parse.CENT)
    return values


async def add_item(actor: Staff, text: str) -> SupplyItem:
    """Add an item from 'name 单位 包 类别 … 安全 10 位置 …' (office staff)."""
    require_role(actor, *OFFICE)
    name, fields = parse.fields_of(text)
    if is_blank(name):
        raise InvalidInput("supplies.error.item_name_missing")
    name = clean_name(name, "item")
    if "unit" not in fields:
        raise InvalidInput("supplies.error.unit_missing", name=name)
    values = _item_values(fields)
    if await SupplyItem.filter(name=name, spec=values.get("spec", "")).exists():
        raise Conflict("supplies.error.item_exists", name=name)
    return await SupplyItem.create(name=name, initials=initials(name), **values)


async def edit_item(actor: Staff, text: str) -> SupplyItem:
    """Change an item's catalogue fields (never its stock: that moves only by entries)."""
    require_role(actor, *OFFICE)
    name, fields = parse.fields_of(text)
    item = await find(name)
    values = _item_values(fields)
    if not values:
        raise InvalidInput("supplies.error.nothing_to_change")
    await item.update_from_dict(values).save()
    return item


async def import_rows(rows: Sequence[dict[str, Any]], actor: Staff | None = None) -> int:
    """Create or update items from rows (opening stock becomes an opening entry); the count."""
    from services.supplies.stock import move

    count = 0
    async with in_transaction():
        for number_, row in enumerate(rows, start=2):
            name = normalize(str(row.get("name") or ""), multiline=False).strip()
            if is_blank(name):
                continue
            try:
                name = clean_name(name, "item")
            except InvalidInput as error:
                raise InvalidInput("supplies.error.import_row", row=number_,
                                   detail=error.code) from error
            fields = {k: str(v).strip() for k, v in row.items()
                      if k not in ("name", "stock") and v not in (None, "")}
            fields.setdefault("unit", "个")
            try:
                values = _item_values(fields)
            except InvalidInput as error:
                raise InvalidInput("supplies.error.import_row", row=number_,
                                   detail=error.code) from error
            item, _ = await SupplyItem.get_or_create(
                name=name, spec=values.get("spec", ""), defaults={"initials": initials(name)}
            )
            await item.update_from_dict(values).save()
            stock = str(row.get("stock") or "").strip()
            if stock:
                target = check_qty(item, parse.number(stock), allow_zero=True)
                fresh = await SupplyItem.get(id=item.id)
                if target != fresh.on_hand:
                    # The opening stock is valued at the catalogue's price (the stock register).
                    await move(item.id, target - fresh.on_hand, MoveKind.OPENING,
                               ref="import", by=actor, reason="import",
                               unit_price=fresh.unit_price)
            count += 1
    return count
