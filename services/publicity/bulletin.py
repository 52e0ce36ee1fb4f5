"""The reference bulletin (参阅): items tagged for the next issue, edited (order, drops, 编者按),
issued with the year's next number, rendered as DOCX, sent to the leaders and archived."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.opinion import OpinionItem
from models.publicity import (
    Bulletin,
    BulletinItem,
    BulletinStatus,
    ItemKind,
    MediaReport,
    PublicityFile,
    PublicitySetting,
)
from services import clock
from services.errors import Conflict, InvalidInput, NotFound, StaleAction
from services.publicity import (
    cards,
    config,
    files,
    links,
    outlets,
    parse,
    prompts,
    records,
)
from services.staff import require_role

TAGGERS = (Role.OFFICE,)
EDITORS = (Role.OFFICE, Role.LEADER)
MAX_TITLE, MAX_SOURCE, MAX_BODY, MAX_NOTE, MAX_ITEMS = 300, 128, 20_000, 1000, 30
PROMPT_NOTE, PROMPT_TITLE = "note", "title"
ISSUED = "publicity.bulletin"
UNIT_KEY = "bulletin.unit"


def name_of(issue: Bulletin) -> str:
    return f"参阅{issue.year}年第{issue.number}期"


async def draft() -> Bulletin:
    """The issue being compiled (made when first needed; the database allows one)."""
    found = await Bulletin.get_or_none(draft_slot=1)
    if found is not None:
        return found
    try:
        async with in_transaction():
            return await Bulletin.create(draft_slot=1, created_at=clock.now())
    except IntegrityError:
        return await Bulletin.get(draft_slot=1)


async def items(bulletin_id: int) -> list[BulletinItem]:
    return list(await BulletinItem.filter(bulletin_id=bulletin_id).order_by("position", "id"))


async def _open_draft(bulletin_id: int | None = None) -> Bulletin:
    """The draft, locked; a button of an issued issue is refused with its number."""
    if bulletin_id is not None:
        issue = await records.row(Bulletin, bulletin_id, "publicity.error.no_bulletin",
                                  locked=True)
        if issue.status == BulletinStatus.ISSUED:
            raise StaleAction("publicity.error.bulletin_issued", year=issue.year,
                              number=issue.number)
        return issue
    current = await draft()
    locked = await Bulletin.filter(id=current.id).select_for_update().first()
    assert locked is not None
    return locked


async def _append(actor: Staff, **values: Any) -> BulletinItem:
    async with in_transaction():
        issue = await _open_draft()
        count = await BulletinItem.filter(bulletin_id=issue.id).count()
        if count >= MAX_ITEMS:
            raise InvalidInput("publicity.error.bulletin_full", limit=MAX_ITEMS)
        last = await BulletinItem.filter(bulletin_id=issue.id).order_by("-position").first()
        try:
            async with in_transaction():
                return await BulletinItem.create(
                    bulletin=issue, position=(last.position + 1) if last else 1,
                    added_by=actor, added_at=clock.now(), **values)
        except IntegrityError:
            raise Conflict("publicity.error.item_twice") from None


async def add_text(actor: Staff, text: str, chat_id: int) -> tuple[BulletinItem, bool]:
    """Tag a pasted policy text (first line its title, a 来源 line its source) or a link (its
    page's headline); returns the item and whether its title is still asked for."""
    require_role(actor, *TAGGERS)
    text = text.strip()
    if not text:
        raise InvalidInput("publicity.error.item_empty")
    if len(text) > MAX_BODY:
        raise InvalidInput("publicity.error.item_long", limit=MAX_BODY)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = lines[0].split()
    if first and parse.URL_RE.fullmatch(first[0]):
        url = parse.check_url(first[0])
        if len(first) > 1:
            title, body = " ".join(first[1:]), "\n".join(lines[1:])
        else:
            title, body = (lines[1] if len(lines) > 1 else ""), "\n".join(lines[2:])
        published = None
        if not title:
            page = await links.open_page(url)
            title, published = page.headline, page.published
        outlet = await outlets.by_url(url)
        source = outlet.name if outlet else (url.split("/")[2] if "//" in url else "")
        asked = not title
        item = await _append(actor, kind=ItemKind.LINK, title=(title or url)[:MAX_TITLE],
                             source=source[:MAX_SOURCE], published_on=published, url=url,
                             body=body[:MAX_BODY])
        if asked:
            await prompts.ask(actor, chat_id, PROMPT_TITLE, item.id)
        return item, asked
    title, source, body_lines = lines[0], "", []
    for line in lines[1:]:
        head, sep, rest = line.replace("：", ":").partition(":")
        if sep and head.strip() in ("来源", "出处", "source") and not source:
            source = rest.strip()
        else:
            body_lines.append(line)
    found = parse.URL_RE.search(text)
    item = await _append(actor, kind=ItemKind.TEXT, title=title[:MAX_TITLE],
                         source=source[:MAX_SOURCE], body="\n".join(body_lines),
                         url=found.group(0)[:1000] if found else "")
    return item, False


async def add_opinion(actor: Staff, item_id: int) -> BulletinItem:
    """Tag an item the opinion watch collected."""
    require_role(actor, *TAGGERS)
    found = await OpinionItem.get_or_none(id=item_id) if 0 < item_id < 2**62 else None
    if found is None:
        raise NotFound("publicity.error.no_opinion_item", id=item_id)
    title = " ".join(parse.URL_RE.sub(" ", found.title or (
        found.text.splitlines()[0] if found.text else "")).split()) or found.url
    published = found.published_at or found.fetched_at
    body = found.text if found.text.strip() != title.strip() else ""
    return await _append(actor, kind=ItemKind.OPINION, title=title[:MAX_TITLE],
                         source=found.source_name[:MAX_SOURCE], body=body[:MAX_BODY],
                         url=found.url, opinion_item_id=found.id,
                         published_on=published.astimezone(config.tz()).date())


async def add_report(actor: Staff, report_id: int) -> BulletinItem:
    """Tag an entry of the media-report ledger."""
    require_role(actor, *TAGGERS)
    report = await MediaReport.get_or_none(id=report_id).prefetch_related("outlet") \
        if 0 < report_id < 2**31 else None
    if report is None:
        raise NotFound("publicity.error.no_report", id=report_id)
    return await _append(actor, kind=ItemKind.MEDIA, title=report.headline,
                         source=report.outlet.name, published_on=report.published_on,
                         url=report.url, report=report)


async def set_title(actor: Staff, item_id: int, title: str) -> BulletinItem:
    """The title of a tagged link whose page did not say it."""
    require_role(actor, *TAGGERS)
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("publicity.error.item_empty")
    async with in_transaction():
        item = await _item(item_id)
        await _open_draft(item.bulletin_id)  # type: ignore[attr-defined]
        item.title = title[:MAX_TITLE]
        await item.save(update_fields=["title"])
        await prompts.done(actor, PROMPT_TITLE, item.id)
    return item


async def _item(item_id: int) -> BulletinItem:
    item = await BulletinItem.get_or_none(id=item_id) if 0 < item_id < 2**31 else None
    if item is None:
        raise StaleAction("publicity.error.item_gone", id=item_id)
    return item


async def move(actor: Staff, item_id: int, step: int) -> Bulletin:
    """Move an item up (-1) or down (+1) in the issue."""
    require_role(actor, *EDITORS)
    async with in_transaction():
        item = await _item(item_id)
        issue = await _open_draft(item.bulletin_id)  # type: ignore[attr-defined]
        ordered = await items(issue.id)
        index = next(i for i, it in enumerate(ordered) if it.id == item.id)
        other = index + step
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
            for position, each in enumerate(ordered, start=1):
                if each.position != position:
                    await BulletinItem.filter(id=each.id).update(position=position)
    return issue


async def drop(actor: Staff, item_id: int) -> Bulletin:
    require_role(actor, *EDITORS)
    async with in_transaction():
        item = await _item(item_id)
        issue = await _open_draft(item.bulletin_id)  # type: ignore[attr-defined]
        await BulletinItem.filter(id=item.id).delete()
    return issue


async def ask_note(actor: Staff, bulletin_id: int, chat_id: int) -> Bulletin:
    require_role(actor, *EDITORS)
    async with in_transaction():
        issue = await _open_draft(bulletin_id)
        await prompts.ask(actor, chat_id, PROMPT_NOTE, issue.id)
    return issue


async def set_note(actor: Staff, bulletin_id: int, text: str) -> Bulletin:
    """The editor's note (编者按); '无' clears it."""
    require_role(actor, *EDITORS)
    text = text.strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput("publicity.error.note_long", limit=MAX_NOTE)
    async with in_transaction():
        issue = await _open_draft(bulletin_id)
        issue.editor_note = "" if text in ("无", "none", "-") else text
        await issue.save(update_fields=["editor_note"])
        await prompts.done(actor, PROMPT_NOTE, issue.id)
    return issue


async def sign_off(actor: Staff, bulletin_id: int) -> Bulletin:
    """签发: give the issue the year's next number, freeze it, render and archive the DOCX and
    send it to the leaders."""
    require_role(actor, *EDITORS)
    now = clock.now()
    year = now.astimezone(config.tz()).year
    async with in_transaction():
        issue = await _open_draft(bulletin_id)
        if not await BulletinItem.exists(bulletin_id=issue.id):
            raise InvalidInput("publicity.error.bulletin_empty")
        last = await Bulletin.filter(year=year).exclude(number=None).order_by("-number").first()
        issue.year, issue.number = year, (last.number + 1 if last and last.number else 1)
        issue.status, issue.draft_slot = BulletinStatus.ISSUED, None
        issue.issued_at, issue.issued_by = now, actor  # type: ignore[assignment]
        await issue.save(update_fields=["year", "number", "status", "draft_slot", "issued_at",
                                        "issued_by_id"])
    await archive(issue.id)
    return await Bulletin.get(id=issue.id)


async def archive(bulletin_id: int) -> Bulletin:
    """Render an issued bulletin once, keep the file, and queue it for the leaders (idempotent:
    an issue signed off just before a crash is finished by the sweep)."""
    issue = await Bulletin.get(id=bulletin_id)
    if issue.status != BulletinStatus.ISSUED or issue.file_id is not None:  # type: ignore[attr-defined]
        return issue
    content = await asyncio.to_thread(_render, issue, await items(issue.id),
                                      config.tz(), await unit())
    async with in_transaction():
        locked = await Bulletin.filter(id=issue.id).select_for_update().first()
        assert locked is not None
        if locked.file_id is not None:  # type: ignore[attr-defined]
            return locked
        stored = await files.store(None, f"{name_of(locked)}.docx", content)
        await Bulletin.filter(id=locked.id).update(file_id=stored.id)
        await cards.to_leaders(ISSUED, {"bulletin_id": locked.id}, f"pub.bulletin:{locked.id}")
    return await Bulletin.get(id=issue.id)


async def unit() -> str:
    """The editing unit printed under the masthead (a setting, the office's own name)."""
    found = await PublicitySetting.get_or_none(key=UNIT_KEY)
    return found.value if found else config.BULLETIN_UNIT


def _render(*args: Any) -> bytes:
    """The bulletin as DOCX (python-docx is imported here, in the worker thread, at the first
    issue: a replica that never renders one does not carry it)."""
    from services.publicity import bulletin_docx

    return bulletin_docx.render(*args)


async def set_unit(actor: Staff, name: str) -> str:
    require_role(actor, *TAGGERS)
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise InvalidInput("publicity.error.bad_unit", limit=60)
    await PublicitySetting.update_or_create(key=UNIT_KEY, defaults={
        "value": name, "updated_at": clock.now(), "updated_by": actor})
    return name


async def finish_unarchived() -> int:
    """Archive issues signed off but not yet rendered (a crash between the two steps)."""
    done = 0
    for issue in await Bulletin.filter(status=BulletinStatus.ISSUED, file_id=None):
        await archive(issue.id)
        done += 1
    return done


async def issued_file(bulletin_id: int) -> tuple[Bulletin, PublicityFile]:
    """An issued bulletin and its archived DOCX (rendered now if a crash left it without)."""
    issue = await Bulletin.get_or_none(id=bulletin_id) if 0 < bulletin_id < 2**31 else None
    if issue is None or issue.status != BulletinStatus.ISSUED:
        raise StaleAction("publicity.error.not_issued")
    issue = await archive(issue.id)
    stored = await PublicityFile.get(id=issue.file_id)  # type: ignore[attr-defined]
    return issue, stored


async def issues(limit: int = 20) -> list[Bulletin]:
    return list(await Bulletin.filter(status=BulletinStatus.ISSUED)
                .order_by("-issued_at", "-id").limit(limit))


async def issue_by_number(year: int, number: int) -> Bulletin:
    found = await Bulletin.get_or_none(year=year, number=number, status=BulletinStatus.ISSUED) \
        if 0 < number < 10_000 and 2000 <= year <= 2100 else None
    if found is None:
        raise NotFound("publicity.error.no_issue", year=year, number=number)
    return found


async def figures(first: date, after: date) -> dict[str, int]:
    """Issues signed off in [first, after)."""
    tz = config.tz()
    start, end = datetime.combine(first, time(0), tz), datetime.combine(after, time(0), tz)
    return {"bulletins": await Bulletin.filter(status=BulletinStatus.ISSUED,
                                               issued_at__gte=start, issued_at__lt=end).count()}
