"""The outlet table the office keeps: names, aliases, web domains and levels."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.publicity import MediaOutlet, MediaReport, OutletLevel
from services import clock
from services.errors import Conflict, InvalidInput, NotFound
from services.publicity import parse
from services.staff import require_role

DEFAULTS = Path(__file__).with_name("outlets.yaml")
OFFICE = (Role.OFFICE,)
MAX_NAME = 64


async def ensure_defaults() -> int:
    """Fill an empty outlet table from outlets.yaml once; returns how many were added."""
    if await MediaOutlet.exists():
        return 0
    data = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8")) or {}
    added = 0
    now = clock.now()
    for level, rows in data.items():
        for row in rows or []:
            try:
                async with in_transaction():
                    await MediaOutlet.create(name=row["name"], level=OutletLevel(level),
                                             aliases=list(row.get("aliases") or []),
                                             domains=list(row.get("domains") or []),
                                             created_at=now)
                added += 1
            except IntegrityError:
                continue  # another process seeded it first
    return added


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


async def find(name: str) -> MediaOutlet | None:
    """The outlet with this name or alias (case and spacing aside)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        return None
    await ensure_defaults()
    found = await MediaOutlet.get_or_none(name=name)
    if found is not None:
        return found
    for outlet in await MediaOutlet.all():
        if _same(outlet.name, name) or any(_same(a, name) for a in outlet.aliases):
            return outlet
    return None


async def by_url(url: str) -> MediaOutlet | None:
    """The outlet whose web domain the link is on (the longest matching domain wins)."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return None
    await ensure_defaults()
    best: tuple[int, MediaOutlet] | None = None
    for outlet in await MediaOutlet.all():
        for domain in outlet.domains:
            domain = domain.lower().lstrip(".")
            if (host == domain or host.endswith("." + domain)) and (
                    best is None or len(domain) > best[0]):
                best = (len(domain), outlet)
    return best[1] if best else None


def level_of(text: str) -> OutletLevel:
    found = parse.LEVEL_WORDS.get(text.strip().lower())
    if found is None:
        raise InvalidInput("publicity.error.bad_level", value=text.strip()[:20])
    return found


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("publicity.error.no_outlet")
    if len(name) > MAX_NAME:
        raise InvalidInput("publicity.error.outlet_long", limit=MAX_NAME)
    return name


async def add(actor: Staff | None, name: str, level: OutletLevel,
              domains: list[str] | None = None) -> MediaOutlet:
    """Remember a new outlet and its level (the office's decision, once)."""
    if actor is not None:
        require_role(actor, *OFFICE)
    name = check_name(name)
    existing = await find(name)
    if existing is not None:
        raise Conflict("publicity.error.outlet_exists", name=existing.name,
                       level=existing.level.value)
    try:
        async with in_transaction():
            return await MediaOutlet.create(name=name, level=level, domains=domains or [],
                                            created_at=clock.now(), created_by=actor)
    except IntegrityError:
        found = await MediaOutlet.get(name=name)
        raise Conflict("publicity.error.outlet_exists", name=found.name,
                       level=found.level.value) from None


async def set_level(actor: Staff, name: str, level: OutletLevel) -> tuple[MediaOutlet, int]:
    """Correct an outlet's level, and its reports' and stories' with it; returns the outlet and
    how many reports changed."""
    from services.publicity import media  # the stories are recounted there

    require_role(actor, *OFFICE)
    outlet = await find(name)
    if outlet is None:
        raise NotFound("publicity.error.no_such_outlet", name=name.strip()[:MAX_NAME])
    async with in_transaction():
        outlet = await MediaOutlet.filter(id=outlet.id).select_for_update().first()
        assert outlet is not None
        outlet.level = level
        await outlet.save(update_fields=["level"])
        changed = await MediaReport.filter(outlet_id=outlet.id).exclude(level=level).update(
            level=level)
        stories = await MediaReport.filter(outlet_id=outlet.id).distinct().values_list(
            "story_id", flat=True)
        for story_id in stories:
            await media.recount(int(str(story_id)))
    return outlet, changed


async def listing() -> list[MediaOutlet]:
    await ensure_defaults()
    return list(await MediaOutlet.all().order_by("name"))


async def known(limit: int = 8) -> list[MediaOutlet]:
    """The outlets the office records most, for quick buttons."""
    await ensure_defaults()
    counts: dict[int, int] = {}
    for outlet_id in await MediaReport.all().values_list("outlet_id", flat=True):
        key = int(str(outlet_id))
        counts[key] = counts.get(key, 0) + 1
    every = await MediaOutlet.all().order_by("id")
    every_sorted = sorted(every, key=lambda o: (-counts.get(o.id, 0), o.id))
    return every_sorted[:limit]
