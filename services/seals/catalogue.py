"""The seals the office keeps: finding one by what people call it, and keeping the list."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.seals import Seal
from services.approvals import all_flows
from services.errors import InvalidInput, NotAllowed, NotFound
from services.staff import OFFICE_ROLES, require_role

#: Words people drop when they name a seal (合同章 for 合同专用章, 党工委 for 党工委章).
_NOISE = re.compile(r"(专用|公章|印章|章|之印|印)$")
ROLE_WORDS = {"admin": Role.ADMIN, "管理员": Role.ADMIN, "leader": Role.LEADER,
              "领导": Role.LEADER, "office": Role.OFFICE, "办公室": Role.OFFICE,
              "党政办": Role.OFFICE, "staff": Role.STAFF, "职工": Role.STAFF}
KEYS = {"custodian": "custodian", "保管人": "custodian", "监印人": "custodian",
        "flow": "flow", "流程": "flow", "roles": "roles", "角色": "roles", "可用": "roles",
        "active": "active", "启用": "active", "name": "name", "名称": "name"}


def short(name: str) -> str:
    """The part of a seal's name people always say (合同专用章 -> 合同, 党政办章 -> 党政办)."""
    word = re.sub(r"\s+", "", name)
    while True:
        cut = _NOISE.sub("", word)
        if cut == word or not cut:
            return word
        word = cut


async def seals(include_inactive: bool = False) -> list[Seal]:
    query = Seal.all() if include_inactive else Seal.filter(active=True)
    return list(await query.order_by("id").prefetch_related("custodian"))


async def names() -> str:
    return "、".join(s.name for s in await seals())


def match_in(text: str, choices: list[Seal]) -> tuple[Seal | None, str]:
    """The seal a text names (its full name, else the part always said), and the word used."""
    flat = re.sub(r"\s+", "", text)
    for seal in sorted(choices, key=lambda s: -len(s.name)):
        if seal.name in flat:
            return seal, seal.name
    found = [(s, short(s.name)) for s in choices if short(s.name) and short(s.name) in flat]
    if len(found) == 1:
        seal, key = found[0]
        match = re.search(re.escape(key) + r"(?:专用章|专用|公章|印章|章)?", flat)
        return seal, match[0] if match else key
    return None, ""


async def find(text: str) -> Seal:
    """One active seal by what the person typed; unknown or ambiguous names are refused."""
    word = re.sub(r"\s+", "", text or "")
    choices = await seals()
    if not word:
        raise InvalidInput("seals.error.which_seal", known=await names())
    seal, _ = match_in(word, choices)
    if seal is None:
        raise NotFound("seals.error.unknown_seal", name=word[:32], known=await names())
    return seal


def may_use(seal: Seal, staff: Staff) -> bool:
    return not seal.allowed_roles or staff.role.value in seal.allowed_roles


def check_may_use(seal: Seal, staff: Staff) -> None:
    """Refuse a seal the person's role may not ask for, saying who may."""
    if not may_use(seal, staff):
        raise NotAllowed("seals.error.role_refused", seal=seal.name, role=staff.role.value,
                         allowed=",".join(seal.allowed_roles))


def _roles(text: str) -> list[str]:
    chosen: list[str] = []
    for word in re.split(r"[,，、/\s]+", text.strip()):
        if not word or word in ("全部", "所有", "all", "*"):
            continue
        role = ROLE_WORDS.get(word.lower())
        if role is None:
            raise InvalidInput("seals.error.bad_role", value=word[:16])
        if role.value not in chosen:
            chosen.append(role.value)
    return chosen


async def _custodian(text: str) -> Staff | None:
    from services.approvals import find_person

    word = text.strip()
    if word in ("", "无", "none", "-"):
        return None
    return await find_person(word)


async def save_seal(actor: Staff, name: str, pairs: Mapping[str, str], *,
                    create: bool) -> tuple[Seal, bool]:
    """Add a seal or change one (the office keeps the list): custodian, flow, roles, active."""
    require_role(actor, *OFFICE_ROLES)
    name = re.sub(r"\s+", "", name or "")
    if not name or len(name) > 32:
        raise InvalidInput("seals.error.bad_name", value=name[:32])
    values: dict[str, object] = {}
    for key, value in pairs.items():
        field = KEYS.get(key.strip().lower())
        if field is None:
            raise InvalidInput("seals.error.bad_key", key=key[:16],
                               keys="保管人、流程、角色、启用、名称")
        if field == "custodian":
            values["custodian"] = await _custodian(value)
        elif field == "flow":
            flow = value.strip()
            if flow not in all_flows() or not flow.startswith("seal"):
                known = "、".join(k for k in all_flows() if k.startswith("seal"))
                raise InvalidInput("seals.error.bad_flow", value=flow[:32], known=known)
            values["flow"] = flow
        elif field == "roles":
            values["allowed_roles"] = _roles(value)
        elif field == "active":
            values["active"] = value.strip().lower() not in ("0", "否", "no", "false", "停用")
        else:
            new_name = re.sub(r"\s+", "", value)
            if not new_name or len(new_name) > 32:
                raise InvalidInput("seals.error.bad_name", value=new_name[:32])
            values["name"] = new_name
    async with in_transaction():
        seal = await Seal.filter(name=name).select_for_update().first()
        if seal is None:
            if not create:
                raise NotFound("seals.error.unknown_seal", name=name, known=await names())
            seal = await Seal.create(name=str(values.pop("name", name)), **values)
            return seal, True
        if create and not values:
            raise InvalidInput("seals.error.exists", name=name)
        await seal.update_from_dict(values).save()
    return seal, False
