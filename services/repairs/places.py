"""The places and the outside companies the office keeps for repairs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.core import Staff
from models.repairs import RepairCompany, RepairPlace
from services.errors import InvalidInput, NotFound
from services.staff import OFFICE_ROLES, require_role

#: A first word that names a place (a building, a floor, a room) rather than the fault.
_PLACE_WORD = re.compile(r"^\s*(\S{1,16}?(?:号楼|楼|馆|厅|中心|大厦|厂房|仓库|食堂|车库|室))"
                         r"(?=\s|$|\d|[\u4e00-\u9fff])")


@dataclass(frozen=True)
class Found:
    """What a report's text says of its place: the place, or the unknown word it used."""

    place: RepairPlace | None
    unknown: str
    rest: str


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pattern(key: str) -> re.Pattern[str]:
    """The place's words with any spaces between them (3号楼 2楼 会议室 = 3号楼2楼会议室)."""
    return re.compile(r"(?<![0-9A-Za-z])" + r"\s*".join(re.escape(c) for c in key))


async def places(include_inactive: bool = False) -> list[RepairPlace]:
    query = RepairPlace.all() if include_inactive else RepairPlace.filter(active=True)
    return list(await query.order_by("building", "spot", "id"))


async def buildings() -> list[str]:
    seen: list[str] = []
    for place in await places():
        if place.building not in seen:
            seen.append(place.building)
    return seen


async def in_building(building: str) -> list[RepairPlace]:
    return [p for p in await places() if p.building == building]


async def find_in(text: str) -> Found:
    """The place a report names at its start (the longest listed one), and the rest."""
    chosen: RepairPlace | None = None
    span: tuple[int, int] | None = None
    for place in await places():
        key = _flat(place.building + place.spot)
        match = _pattern(key).search(text)
        if match and (chosen is None or len(key) > len(_flat(chosen.building + chosen.spot))):
            chosen, span = place, match.span()
    if chosen is not None and span is not None:
        return Found(chosen, "", (text[:span[0]] + " " + text[span[1]:]).strip())
    word = _PLACE_WORD.match(text)
    if word:
        return Found(None, word[1][:64], text[word.end():].strip())
    return Found(None, "", text.strip())


async def place_by_id(place_id: int) -> RepairPlace:
    place = await RepairPlace.get_or_none(id=place_id, active=True)
    if place is None:
        raise NotFound("repairs.error.place_gone")
    return place


async def save_place(actor: Staff, building: str, spot: str) -> tuple[RepairPlace, bool]:
    """Add a place (or switch a listed one on again); the office keeps the list."""
    require_role(actor, *OFFICE_ROLES)
    building, spot = _flat(building), " ".join(spot.split())
    if not building or len(building) > 32 or len(spot) > 64:
        raise InvalidInput("repairs.error.bad_place", value=f"{building} {spot}".strip()[:64])
    name = f"{building} {spot}".strip()
    async with in_transaction():
        place = await RepairPlace.filter(name=name).select_for_update().first()
        if place is not None:
            place.active = True
            await place.save(update_fields=["active"])
            return place, False
        return await RepairPlace.create(building=building, spot=spot, name=name), True


async def remove_place(actor: Staff, name: str) -> RepairPlace:
    """Take a place off the list (its past repairs keep it)."""
    require_role(actor, *OFFICE_ROLES)
    place = await RepairPlace.get_or_none(name=" ".join(name.split()))
    if place is None:
        raise NotFound("repairs.error.unknown_place", name=name[:64],
                       known="、".join(await buildings()))
    place.active = False
    await place.save(update_fields=["active"])
    return place


async def companies(include_inactive: bool = False) -> list[RepairCompany]:
    query = RepairCompany.all() if include_inactive else RepairCompany.filter(active=True)
    return list(await query.order_by("id"))


async def save_company(actor: Staff, name: str, contact: str = "", phone: str = ""
                       ) -> tuple[RepairCompany, bool]:
    """Add an outside company or change its contact (the office keeps the list)."""
    require_role(actor, *OFFICE_ROLES)
    name = _flat(name)
    if not name or len(name) > 64 or len(contact) > 32 or len(phone) > 32:
        raise InvalidInput("repairs.error.bad_company", value=name[:64])
    async with in_transaction():
        company = await RepairCompany.filter(name=name).select_for_update().first()
        if company is None:
            return await RepairCompany.create(name=name, contact=contact, phone=phone), True
        company.contact, company.phone, company.active = (contact or company.contact,
                                                          phone or company.phone, True)
        await company.save()
        return company, False


async def find_company(text: str) -> RepairCompany | None:
    """An active company the text names (its whole name, or a part of it that is unique)."""
    word = _flat(text)
    if not word:
        return None
    listed = await companies()
    exact = [c for c in listed if c.name == word]
    if exact:
        return exact[0]
    partial = [c for c in listed if word in c.name]
    return partial[0] if len(partial) == 1 else None
