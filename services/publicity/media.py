"""The media-report ledger (宣传台账): recording reports, grouping them into stories, counting.

A report is one outlet's piece on one day. Reports of the same story (the same link, or
headlines alike within a week of each other) form one story, counted once at the highest level
of its outlets; the office merges or splits stories by button when the guess is wrong. A report
typed with something missing (an outlet nobody knows, a link that does not open, a date still
to come) waits in a draft row while the bot asks, so nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.core import Role, Staff
from models.opinion import OpinionItem
from models.publicity import (
    LEVEL_RANK,
    MediaOutlet,
    MediaReport,
    MediaStory,
    OutletLevel,
    ReportDraft,
    ReportKind,
)
from services import clock
from services.errors import Conflict, InvalidInput, NotFound, StaleAction
from services.publicity import config, links, outlets, parse, prompts, records
from services.staff import require_role

OFFICE = (Role.OFFICE,)
#: Reports this many days apart may still be one story.
WINDOW_DAYS = 7
#: Headlines at least this alike join a story by themselves...
JOIN_AT = 0.6
#: ...and from this likeness on, the card offers to merge them by button.
SUGGEST_AT = 0.35
#: The earliest report date the ledger takes (anything older is a typo).
FIRST_DAY = date(2000, 1, 1)
PROMPT = "report"


@dataclass
class Recorded:
    """A report entered: its story, whether it joined one, and stories it may belong to."""

    report: MediaReport
    story: MediaStory
    joined: bool
    suggestions: list[tuple[MediaReport, float]] = field(default_factory=list)


@dataclass
class Asked:
    """A report waiting for an answer: what is asked, and what the question needs to say."""

    draft: ReportDraft
    question: str
    params: dict[str, Any] = field(default_factory=dict)


Outcome = Recorded | Asked


def today() -> date:
    return clock.now().astimezone(config.tz()).date()


# ---------------------------------------------------------------------------- entering


async def record_line(actor: Staff, text: str, chat_id: int) -> Outcome:
    """Record '新华日报 头版 2026-12-03 标题', a pasted link or a headline; ask what is missing."""
    require_role(actor, *OFFICE)
    text = text.strip()
    if not text:
        raise InvalidInput("publicity.error.report_empty")
    line = parse.report_line(text, today())
    values: dict[str, Any] = {
        "url": line.url, "kind": line.kind.value if line.kind else "",
        "front_page": line.front_page, "page": line.page, "credit": line.credit,
        "day": line.day.isoformat() if line.day else "",
    }
    words = list(line.words)
    outlet = await outlets.find(words[0]) if words else None
    if outlet is None and len(words) > 1:
        outlet = await outlets.find(words[-1])
        if outlet is not None:
            words = words[:-1]
    elif outlet is not None:
        words = words[1:]
    if outlet is None and line.url:
        outlet = await outlets.by_url(line.url)
    if outlet is None and len(words) > 1:
        values["outlet"] = outlets.check_name(words[0])
        words = words[1:]
    if outlet is not None:
        values["outlet_id"], values["outlet"] = outlet.id, outlet.name
    values["headline"] = " ".join(words)
    draft = await _new_draft(actor, values)
    return await _advance(actor, draft, chat_id)


async def _new_draft(actor: Staff, values: dict[str, Any],
                     opinion_item_id: int | None = None) -> ReportDraft:
    """A person has one report in the making: a new one replaces the old."""
    async with in_transaction():
        await ReportDraft.filter(staff_id=actor.id).delete()
        return await ReportDraft.create(staff=actor, values=values,
                                        opinion_item_id=opinion_item_id,
                                        created_at=clock.now())


async def _advance(actor: Staff, draft: ReportDraft, chat_id: int) -> Outcome:
    """Ask the next missing part, or record the report once everything is known."""
    values = draft.values
    if not values.get("headline") and values.get("url") and not values.get("fetched"):
        page = await links.open_page(values["url"])
        values["fetched"] = True
        if page.ok:
            values["headline"] = page.headline
            if not values.get("day") and page.published is not None:
                values["day"] = page.published.isoformat()
        else:
            values["link_status"], values["link_error"] = page.status, page.error
    if not values.get("headline"):
        return await _ask(actor, draft, chat_id, "headline",
                          status=values.get("link_status") or 0,
                          link=bool(values.get("url")), error=values.get("link_error", ""))
    outlet = await MediaOutlet.get_or_none(id=values["outlet_id"]) \
        if values.get("outlet_id") else None
    if outlet is None and values.get("outlet"):
        outlet = await outlets.find(values["outlet"])
    if outlet is None:
        if values.get("outlet"):
            return await _ask(actor, draft, chat_id, "level", outlet=values["outlet"])
        return await _ask(actor, draft, chat_id, "outlet")
    day = date.fromisoformat(values["day"]) if values.get("day") else today()
    if day > today():
        return await _ask(actor, draft, chat_id, "day", value=day.isoformat(),
                          today=today().isoformat())
    if day < FIRST_DAY:
        return await _ask(actor, draft, chat_id, "day_old", value=day.isoformat())
    recorded = await _create(actor, values, outlet, day, draft.opinion_item_id)
    async with in_transaction():
        await ReportDraft.filter(id=draft.id).delete()
        await prompts.done(actor, PROMPT, draft.id)
    return recorded


async def _ask(actor: Staff, draft: ReportDraft, chat_id: int, question: str,
               **params: Any) -> Asked:
    draft.awaiting = question
    await draft.save(update_fields=["values", "awaiting"])
    await prompts.ask(actor, chat_id, PROMPT, draft.id)
    return Asked(draft, question, {"draft": draft.id, **draft.values, **params})


async def _draft(actor: Staff, draft_id: int) -> ReportDraft:
    draft = await ReportDraft.get_or_none(id=draft_id) if 0 < draft_id <= records.MAX_ID \
        else None
    if draft is None:
        raise StaleAction("publicity.error.draft_gone")
    if draft.staff_id != actor.id:  # type: ignore[attr-defined]
        raise StaleAction("publicity.error.not_your_draft")
    return draft


async def answer(actor: Staff, draft_id: int, text: str, chat_id: int) -> Outcome:
    """Take the person's reply to the question their report draft asked."""
    draft = await _draft(actor, draft_id)
    text = text.strip()
    if not text:
        raise InvalidInput("publicity.error.report_empty")
    values = draft.values
    if draft.awaiting == "headline":
        line = parse.report_line(text, today())
        if line.day is not None and not values.get("day"):
            values["day"] = line.day.isoformat()
        values["headline"] = parse.clean_headline(" ".join(line.words) or text)
    elif draft.awaiting == "outlet":
        outlet = await outlets.find(text)
        if outlet is not None:
            values["outlet_id"], values["outlet"] = outlet.id, outlet.name
        else:
            values["outlet"] = outlets.check_name(text)
    elif draft.awaiting == "level":
        level = outlets.level_of(text)
        return await choose_level(actor, draft.id, level, chat_id)
    elif draft.awaiting in ("day", "day_old"):
        found = parse.day_of(text, today())
        if found is None:
            raise InvalidInput("publicity.error.bad_date", value=text[:20])
        values["day"] = found.isoformat()
    else:
        raise StaleAction("publicity.error.draft_gone")
    draft.values = values
    return await _advance(actor, draft, chat_id)


async def choose_level(actor: Staff, draft_id: int, level: OutletLevel, chat_id: int) -> Outcome:
    """The level of an outlet nobody knew: remember the outlet, then go on with the report."""
    require_role(actor, *OFFICE)
    draft = await _draft(actor, draft_id)
    if draft.awaiting != "level" or not draft.values.get("outlet"):
        raise StaleAction("publicity.error.draft_moved_on")
    name = draft.values["outlet"]
    outlet = await outlets.find(name)
    if outlet is None:
        try:
            outlet = await outlets.add(actor, name, level)
        except Conflict:
            outlet = await outlets.find(name)
    assert outlet is not None
    draft.values["outlet_id"], draft.values["outlet"] = outlet.id, outlet.name
    return await _advance(actor, draft, chat_id)


async def choose_outlet(actor: Staff, draft_id: int, outlet_id: int, chat_id: int) -> Outcome:
    """A known outlet picked by button for a report typed without one."""
    draft = await _draft(actor, draft_id)
    if draft.awaiting != "outlet":
        raise StaleAction("publicity.error.draft_moved_on")
    outlet = await MediaOutlet.get_or_none(id=outlet_id) if 0 < outlet_id <= records.MAX_ID \
        else None
    if outlet is None:
        raise StaleAction("publicity.error.draft_moved_on")
    draft.values["outlet_id"], draft.values["outlet"] = outlet.id, outlet.name
    return await _advance(actor, draft, chat_id)


async def cancel_draft(actor: Staff, draft_id: int) -> None:
    await _draft(actor, draft_id)
    async with in_transaction():
        await ReportDraft.filter(id=draft_id).delete()
        await prompts.done(actor, PROMPT, draft_id)


# ---------------------------------------------------------------------------- from 舆情


async def positive_items(limit: int = 10, days: int = 60) -> list[OpinionItem]:
    """Recent positive news about the park that the watch collected and the ledger lacks."""
    since = clock.now() - timedelta(days=days)
    taken = await MediaReport.exclude(opinion_item_id=None).values_list("opinion_item_id",
                                                                       flat=True)
    return list(await OpinionItem.filter(relevant=True, neg=False, sentiment="positive",
                                         fetched_at__gte=since)
                .exclude(id__in=list(taken) or [0]).order_by("-fetched_at").limit(limit))


async def from_opinion(actor: Staff, item_id: int, chat_id: int) -> Outcome:
    """Move a positive item the opinion watch collected into the ledger (one tap)."""
    require_role(actor, *OFFICE)
    item = await OpinionItem.get_or_none(id=item_id) if 0 < item_id < 2**62 else None
    if item is None:
        raise NotFound("publicity.error.no_opinion_item", id=item_id)
    if item.neg:
        raise InvalidInput("publicity.error.opinion_negative", id=item_id)
    moved = await MediaReport.get_or_none(opinion_item_id=item.id)
    if moved is not None:
        raise Conflict("publicity.error.opinion_moved", id=item_id, report=moved.id)
    published = item.published_at or item.fetched_at
    headline = parse.URL_RE.sub(" ", item.title or (item.text.splitlines()[0]
                                                    if item.text else ""))
    values: dict[str, Any] = {
        "headline": " ".join(headline.split())[:parse.MAX_HEADLINE], "url": item.url,
        "day": published.astimezone(config.tz()).date().isoformat(), "kind": "",
        "front_page": False, "page": "", "credit": "", "fetched": True,
    }
    outlet = await outlets.find(item.source_name) if item.source_name else None
    if outlet is None and item.url:
        outlet = await outlets.by_url(item.url)
    if outlet is not None:
        values["outlet_id"], values["outlet"] = outlet.id, outlet.name
    elif item.source_name and item.source_name != urlsplit(item.url).hostname:
        # A source named by its web address is asked for by name, not taken as an outlet.
        values["outlet"] = outlets.check_name(item.source_name[:outlets.MAX_NAME])
    draft = await _new_draft(actor, values, opinion_item_id=item.id)
    return await _advance(actor, draft, chat_id)


# ---------------------------------------------------------------------------- recording


async def _credit(text: str) -> tuple[str, Staff | None]:
    """A credit names a registered correspondent (their department follows) or a department."""
    text = text.strip()
    if not text:
        return "", None
    person = await Staff.filter(active=True, name=text).first()
    if person is not None:
        return person.department, person
    return text[:64], None


async def _create(actor: Staff, values: dict[str, Any], outlet: MediaOutlet, day: date,
                  opinion_item_id: int | None) -> Recorded:
    headline = parse.clean_headline(values["headline"])
    key = parse.headline_key(headline)
    if not key:
        raise InvalidInput("publicity.error.no_headline")
    url = parse.check_url(values["url"]) if values.get("url") else ""
    link_key = parse.url_key(url)
    if link_key is not None:
        same_link = await MediaReport.get_or_none(outlet_id=outlet.id, url_key=link_key)
        if same_link is not None:
            raise Conflict("publicity.error.duplicate", id=same_link.id, outlet=outlet.name,
                           day=same_link.published_on.isoformat(), headline=same_link.headline)
    window = timedelta(days=WINDOW_DAYS)
    twin = await MediaReport.filter(outlet_id=outlet.id, headline_key=key,
                                    published_on__gte=day - window,
                                    published_on__lte=day + window).first()
    if twin is not None:
        raise Conflict("publicity.error.duplicate", id=twin.id, outlet=outlet.name,
                       day=twin.published_on.isoformat(), headline=twin.headline)
    department, person = await _credit(values.get("credit", ""))
    scored = await candidates(key, link_key, day)
    best = scored[0] if scored and scored[0][1] >= JOIN_AT else None
    try:
        async with in_transaction():
            if best is not None:
                story = await MediaStory.filter(id=best[0].story_id).select_for_update(  # type: ignore[attr-defined]
                ).first()
            else:
                story = None
            if story is None:
                story = await MediaStory.create(title=headline, first_on=day, level=outlet.level,
                                                front_page=bool(values.get("front_page")),
                                                created_at=clock.now())
            report = await MediaReport.create(
                outlet=outlet, level=outlet.level, published_on=day, headline=headline,
                headline_key=key, kind=ReportKind(values["kind"]) if values.get("kind")
                else ReportKind.NEWS, front_page=bool(values.get("front_page")),
                page=str(values.get("page") or "")[:16], credit_department=department,
                credit_staff=person, url=url, url_key=link_key, story=story,
                opinion_item_id=opinion_item_id, added_by=actor, created_at=clock.now(),
            )
            story = await recount(story.id)
    except IntegrityError:
        if opinion_item_id is not None and await MediaReport.exists(
                opinion_item_id=opinion_item_id):
            moved = await MediaReport.get(opinion_item_id=opinion_item_id)
            raise Conflict("publicity.error.opinion_moved", id=opinion_item_id,
                           report=moved.id) from None
        twin = await MediaReport.filter(outlet_id=outlet.id, headline_key=key,
                                        published_on=day).first()
        raise Conflict("publicity.error.duplicate", id=twin.id if twin else 0,
                       outlet=outlet.name, day=day.isoformat(), headline=headline) from None
    assert story is not None
    suggestions = [(r, s) for r, s in scored if SUGGEST_AT <= s < JOIN_AT
                   and r.story_id != story.id][:3]  # type: ignore[attr-defined]
    return Recorded(report, story, best is not None, suggestions)


async def candidates(key: str, link_key: str | None, day: date
                      ) -> list[tuple[MediaReport, float]]:
    """The best report of each story near this one, most alike first (a shared link is 1.0)."""
    window = timedelta(days=WINDOW_DAYS)
    near = await MediaReport.filter(published_on__gte=day - window,
                                    published_on__lte=day + window).order_by("id")
    best: dict[int, tuple[MediaReport, float]] = {}
    for report in near:
        score = 1.0 if link_key is not None and report.url_key == link_key else parse.likeness(
            key, report.headline_key)
        story_id = report.story_id  # type: ignore[attr-defined]
        if story_id not in best or score > best[story_id][1]:
            best[story_id] = (report, score)
    return sorted(best.values(), key=lambda pair: (-pair[1], pair[0].id))


async def recount(story_id: int) -> MediaStory | None:
    """Set a story's level, front page, first day, size and title from its reports (a story
    left without reports is deleted)."""
    reports = list(await MediaReport.filter(story_id=story_id).order_by("published_on", "id"))
    if not reports:
        await MediaStory.filter(id=story_id).delete()
        return None
    top = max(reports, key=lambda r: (LEVEL_RANK[r.level], -r.published_on.toordinal(), -r.id))
    await MediaStory.filter(id=story_id).update(
        level=top.level, front_page=any(r.front_page for r in reports),
        first_on=reports[0].published_on, size=len(reports), title=top.headline)
    return await MediaStory.get(id=story_id)


# ---------------------------------------------------------------------------- the office's edits


async def get_report(report_id: int) -> MediaReport:
    return await records.row(MediaReport, report_id, "publicity.error.no_report")


async def split(actor: Staff, report_id: int) -> MediaStory:
    """Take a report out of its story into a story of its own (not the same story after all)."""
    require_role(actor, *OFFICE)
    report = await get_report(report_id)
    async with in_transaction():
        story = await MediaStory.filter(id=report.story_id).select_for_update().first()  # type: ignore[attr-defined]
        assert story is not None
        if story.size <= 1:
            raise StaleAction("publicity.error.already_alone", id=report_id)
        alone = await MediaStory.create(title=report.headline, first_on=report.published_on,
                                        level=report.level, front_page=report.front_page,
                                        created_at=clock.now())
        await MediaReport.filter(id=report.id).update(story_id=alone.id)
        await recount(story.id)
        result = await recount(alone.id)
    assert result is not None
    return result


async def merge(actor: Staff, report_id: int, other_id: int) -> MediaStory:
    """Put the story of one report together with the story of another (one story, counted once)."""
    require_role(actor, *OFFICE)
    report, other = await get_report(report_id), await get_report(other_id)
    source, target = report.story_id, other.story_id  # type: ignore[attr-defined]
    if source == target:
        raise StaleAction("publicity.error.already_together", id=report_id, other=other_id)
    async with in_transaction():
        locked = await MediaStory.filter(id__in=[source, target]).select_for_update()
        if len(locked) != 2:
            raise StaleAction("publicity.error.already_together", id=report_id, other=other_id)
        await MediaReport.filter(story_id=source).update(story_id=target)
        await MediaStory.filter(id=source).delete()
        result = await recount(target)
    assert result is not None
    return result


async def remove(actor: Staff, report_id: int) -> MediaReport:
    """Take an entry out of the ledger (entered by mistake); its story is recounted."""
    require_role(actor, *OFFICE)
    report = await get_report(report_id)
    async with in_transaction():
        await MediaReport.filter(id=report.id).delete()
        await recount(report.story_id)  # type: ignore[attr-defined]
    return report


async def story_of(report: MediaReport) -> tuple[MediaStory, list[MediaReport]]:
    story = await MediaStory.get(id=report.story_id)  # type: ignore[attr-defined]
    members = list(await MediaReport.filter(story_id=story.id)
                   .order_by("published_on", "id").prefetch_related("outlet"))
    return story, members


# ---------------------------------------------------------------------------- counting


async def figures(first: date, after: date) -> dict[str, int]:
    """Stories first reported in [first, after): each once at its highest level, front pages,
    and the reports (articles) behind them."""
    stories = MediaStory.filter(first_on__gte=first, first_on__lt=after)
    result = {"reports": await stories.count(),
              "front_pages": await stories.filter(front_page=True).count()}
    for level in OutletLevel:
        result[level.value] = await stories.filter(level=level).count()
    result["articles"] = await MediaReport.filter(published_on__gte=first,
                                                  published_on__lt=after).count()
    return result


async def ledger(first: date, after: date) -> list[MediaReport]:
    """The ledger's entries in [first, after), in date order, with outlet, story and credit."""
    return list(await MediaReport.filter(published_on__gte=first, published_on__lt=after)
                .order_by("published_on", "id").prefetch_related("outlet", "story",
                                                                 "credit_staff"))


async def recent(limit: int = 10) -> list[MediaReport]:
    return list(await MediaReport.all().order_by("-published_on", "-id").limit(limit)
                .prefetch_related("outlet", "story"))
