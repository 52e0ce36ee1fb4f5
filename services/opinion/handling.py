"""Handling of negative stories: alerts, 知悉, assignment, notes, 误报, escalation, labels."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.transactions import in_transaction

from models.core import ChatPurpose, OutboxMessage, OutboxStatus, Role, Staff
from models.opinion import (
    OPEN_STATUSES,
    CaseNote,
    CaseStatus,
    FeedbackLabel,
    NoteRequest,
    OpinionCase,
    OpinionCluster,
    OpinionItem,
)
from services import clock, outbox
from services.errors import InvalidInput, NotAllowed, NotFound, StaleAction
from services.opinion import config
from services.opinion.rules import worst_level
from services.staff import chat_for, staff_with_role

#: Roles that act on alerts (admins may always); an assignee may also report it handled.
ACT_ROLES = (Role.LEADER, Role.OFFICE)
MAX_NOTE = 2000
#: Ids beyond a 32-bit integer cannot exist (and would overflow the database's integer).
MAX_ID = 2**31 - 1
ALERT = "opinion.alert"
# A flood of negative items (250 at once) alerts the leaders' group with one digest.
outbox.digestible(ALERT, "digest.kind.opinion_alert")


async def case_of_cluster(cluster_id: int) -> OpinionCase | None:
    return await OpinionCase.get_or_none(cluster_id=cluster_id)


async def _recipients(leaders_private: bool = False) -> list[int]:
    """The leaders' group, the office duty staff and, when escalating, each leader privately."""
    chats: list[int] = []
    group = await chat_for(ChatPurpose.LEADERS)
    if group is not None:
        chats.append(group)
    roles = (Role.OFFICE, Role.LEADER) if leaders_private else (Role.OFFICE,)
    chats += [s.tg_user_id for s in await staff_with_role(*roles)]
    return list(dict.fromkeys(chats))


async def _send_cards(case: OpinionCase, key: str, extra: dict[str, Any],
                      not_before: datetime | None, leaders_private: bool = False) -> None:
    """Queue the case's card to every recipient and remember each card to edit it later."""
    for chat in await _recipients(leaders_private):
        full = f"{key}@{chat}"
        sent = await outbox.emit(ALERT, chat, {"case_id": case.id, **extra}, full,
                                 not_before=not_before)
        if sent is not None:
            case.cards = [*case.cards, [chat, full, extra]]
    await case.save(update_fields=["cards"])


async def open_case(cluster: OpinionCluster, item: OpinionItem, now: datetime) -> OpinionCase:
    """Open the handling record of a negative story and alert at once (red) or after the night."""
    cfg = config.get()
    level = item.level or "yellow"
    not_before = None
    if level != "red" and cfg.in_quiet_hours(now):
        not_before = cfg.quiet_end_after(now)
    case = await OpinionCase.create(
        cluster=cluster, item=item, level=level, created_at=now, alert_at=not_before or now,
        spread_alerted=cluster.source_count,
    )
    await _send_cards(case, f"opinion:alert:{case.id}", {}, not_before)
    return case


async def on_story_grew(case: OpinionCase, cluster: OpinionCluster, now: datetime) -> None:
    """Alert again, once, when a negative story reaches the spread threshold of sources."""
    cfg = config.get()
    if case.status == CaseStatus.FALSE_ALARM or case.spread_alerted >= cfg.spread_sources:
        return
    if cluster.source_count < cfg.spread_sources:
        return
    case.spread_alerted = cluster.source_count
    await case.save(update_fields=["spread_alerted"])
    not_before = None
    if case.level != "red" and cfg.in_quiet_hours(now):
        not_before = cfg.quiet_end_after(now)
    await _send_cards(case, f"opinion:spread:{case.id}", {"spread": cluster.source_count},
                      not_before)


async def on_follow_up(case: OpinionCase, cluster: OpinionCluster, item: OpinionItem,
                       now: datetime, other_report: bool) -> None:
    """Another item joined the case's story: a negative one raises the case's level if it is
    worse, reopens a case closed as handled, and shows on the cards sent (edited, never a second
    alert); a story spreading to more sources still alerts once."""
    if item.neg and case.status != CaseStatus.FALSE_ALARM:
        changed = other_report
        level = worst_level([case.level, item.level])
        if level is not None and level != case.level:
            case.level, changed = level, True
        if case.status == CaseStatus.HANDLED:
            case.status = CaseStatus.HANDLING if case.assignee_id else CaseStatus.PENDING  # type: ignore[attr-defined]
            case.closed_at, case.closed_by = None, None  # type: ignore[assignment]
            changed = True
        if changed:
            await case.save(update_fields=["level", "status", "closed_at", "closed_by_id"])
            await _changed(case)
    await on_story_grew(case, cluster, now)


async def _changed(case: OpinionCase) -> None:
    """Bump the version and queue an edit of every card sent, so all show the new state."""
    case.version += 1
    await case.save(update_fields=["version"])
    # A card still waiting in the outbox is rendered from the new state when it goes out.
    waiting = set(await OutboxMessage.filter(
        dedup_key__in=[c[1] for c in case.cards], status=OutboxStatus.PENDING,
    ).values_list("dedup_key", flat=True))
    for chat, key, extra in case.cards:
        if key in waiting:
            continue
        await outbox.emit(ALERT, int(chat), {"case_id": case.id, **extra, "_edit_of": key},
                          f"{key}:v{case.version}")


async def _locked(case_id: int, actor: Staff, *, assignee_may: bool = False,
                  open_only: bool = True) -> OpinionCase:
    """Lock the case for a change; check who acts and that it is still open."""
    case = None
    if 0 < case_id <= MAX_ID:
        case = await OpinionCase.filter(id=case_id).select_for_update().first()
    if case is None:
        raise NotFound("opinion.error.case_unknown", id=case_id)
    allowed = actor.role == Role.ADMIN or actor.role in ACT_ROLES or (
        assignee_may and case.assignee_id == actor.id)  # type: ignore[attr-defined]
    if not allowed:
        raise NotAllowed(role=actor.role.value)
    if open_only and case.status not in OPEN_STATUSES:
        raise StaleAction(f"opinion.error.closed_{case.status.value}")
    return case


async def acknowledge(actor: Staff, case_id: int) -> bool:
    """Record 知悉 (stops the escalation); False when someone already acknowledged it."""
    async with in_transaction():
        case = await _locked(case_id, actor)
        if case.acknowledged_at is not None:
            return False
        case.acknowledged_at, case.acknowledged_by = clock.now(), actor  # type: ignore[assignment]
        await case.save(update_fields=["acknowledged_at", "acknowledged_by_id"])
        await _changed(case)
    return True


async def _label(case: OpinionCase, neg: int, actor: Staff) -> bool:
    item = await OpinionItem.get(id=case.item_id)  # type: ignore[attr-defined]
    text = f"{item.title}。{item.text}".strip("。")
    label = await FeedbackLabel.get_or_none(case_id=case.id)
    if label is not None and label.neg == neg:
        return False
    if label is None:
        await FeedbackLabel.create(case=case, neg=neg, text=text, staff=actor,
                                   created_at=clock.now())
    else:
        label.neg, label.staff, label.created_at = neg, actor, clock.now()  # type: ignore[assignment]
        await label.save()
    return True


async def confirm(actor: Staff, case_id: int) -> bool:
    """Record a leader's 确认负面 as a label (and as 知悉); False when it was already confirmed."""
    async with in_transaction():
        case = await _locked(case_id, actor)
        changed = await _label(case, 1, actor)
        if case.acknowledged_at is None:
            case.acknowledged_at, case.acknowledged_by = clock.now(), actor  # type: ignore[assignment]
            await case.save(update_fields=["acknowledged_at", "acknowledged_by_id"])
            changed = True
        if changed:
            await _changed(case)
    return changed


#: How long a 误报 can be taken back.
UNDO_FALSE_ALARM = timedelta(days=1)


async def false_alarm(actor: Staff, case_id: int, reason: str = "") -> None:
    """Close the case as 误报 (no negative item anywhere, a daily report that named it counts
    again as a zero report) and keep the label for training, and the reason as a note."""
    from services.opinion import report

    async with in_transaction():
        case = await _locked(case_id, actor)
        now = clock.now()
        if reason:
            await CaseNote.create(case=case, author=actor, text=reason, created_at=now)
        case.status, case.closed_at, case.closed_by = CaseStatus.FALSE_ALARM, now, actor  # type: ignore[assignment]
        if case.acknowledged_at is None:
            case.acknowledged_at, case.acknowledged_by = now, actor  # type: ignore[assignment]
        await case.save()
        await _label(case, 0, actor)
        await report.dismiss_from_reports(case)
        await NoteRequest.filter(case_id=case.id).delete()
        await _changed(case)


async def undo_false_alarm(actor: Staff, case_id: int) -> OpinionCase:
    """Take a 误报 back within a day: the case is open again (as it was before), labelled
    negative again."""
    async with in_transaction():
        case = await _locked(case_id, actor, open_only=False)
        now = clock.now()
        if case.status != CaseStatus.FALSE_ALARM:
            raise StaleAction("opinion.error.undo_not_false_alarm", id=case.id)
        if case.closed_at is None or now - case.closed_at > UNDO_FALSE_ALARM:
            raise StaleAction("opinion.error.undo_expired", id=case.id)
        case.status = CaseStatus.HANDLING if case.assignee_id else CaseStatus.PENDING  # type: ignore[attr-defined]
        case.closed_at, case.closed_by = None, None  # type: ignore[assignment]
        await case.save()
        await _label(case, 1, actor)
        await CaseNote.create(case=case, author=actor, text="撤销误报", created_at=now)
        await _changed(case)
    return case


async def assignable_staff() -> list[Staff]:
    """People a case can be given to."""
    return list(await Staff.filter(active=True).order_by("department", "id").limit(40))


async def assign(actor: Staff, case_id: int, staff_id: int) -> Staff:
    """Give the case to a person (处置中), who is told privately; returns them."""
    async with in_transaction():
        case = await _locked(case_id, actor)
        person = await Staff.get_or_none(id=staff_id, active=True) if staff_id <= MAX_ID else None
        if person is None:
            raise NotFound("error.staff_not_found", id=staff_id)
        if case.assignee_id == person.id:  # type: ignore[attr-defined]
            raise StaleAction("opinion.error.already_assigned", name=person.name)
        now = clock.now()
        case.status, case.assignee, case.assigned_at = CaseStatus.HANDLING, person, now  # type: ignore[assignment]
        if case.acknowledged_at is None:
            case.acknowledged_at, case.acknowledged_by = now, actor  # type: ignore[assignment]
        await case.save()
        await _changed(case)
        await outbox.emit("opinion.assigned", person.tg_user_id,
                          {"case_id": case.id, "by": actor.name},
                          f"opinion:assigned:{case.id}:v{case.version}@{person.tg_user_id}")
    return person


async def request_note(actor: Staff, case_id: int, chat_id: int,
                       purpose: str = "handled") -> OpinionCase:
    """Ask the person for the handling note (or, for a 误报, its reason): their next text
    message in this chat is it."""
    async with in_transaction():
        case = await _locked(case_id, actor, assignee_may=purpose == "handled")
        await NoteRequest.filter(staff_id=actor.id).delete()
        await NoteRequest.create(staff=actor, case=case, chat_id=chat_id, created_at=clock.now(),
                                 purpose=purpose)
    return case


async def pending_note(actor: Staff, chat_id: int) -> NoteRequest | None:
    return await NoteRequest.get_or_none(staff_id=actor.id, chat_id=chat_id)


async def cancel_note(actor: Staff, chat_id: int) -> bool:
    return bool(await NoteRequest.filter(staff_id=actor.id, chat_id=chat_id).delete())


async def take_note(actor: Staff, chat_id: int, text: str) -> OpinionCase | None:
    """Store the note the person was asked for and close the case as 已处置.

    None when no note was asked for here. A bad note is refused and the request stays.
    """
    request = await pending_note(actor, chat_id)
    if request is None:
        return None
    text = text.strip()
    if not text:
        raise InvalidInput("opinion.error.note_empty")
    if len(text) > MAX_NOTE:
        raise InvalidInput("error.too_long", limit=MAX_NOTE)
    if request.purpose == "false_alarm":
        await false_alarm(actor, request.case_id, reason=text)  # type: ignore[attr-defined]
        return await OpinionCase.get(id=request.case_id)  # type: ignore[attr-defined]
    async with in_transaction():
        case = await OpinionCase.filter(id=request.case_id).select_for_update().get()  # type: ignore[attr-defined]
        now = clock.now()
        await CaseNote.create(case=case, author=actor, text=text, created_at=now)
        if case.status in OPEN_STATUSES:
            case.status, case.closed_at, case.closed_by = CaseStatus.HANDLED, now, actor  # type: ignore[assignment]
            if case.acknowledged_at is None:
                case.acknowledged_at, case.acknowledged_by = now, actor  # type: ignore[assignment]
            await case.save()
        await NoteRequest.filter(id=request.id).delete()
        await _changed(case)
    return case


async def escalate_due(now: datetime) -> int:
    """Send again, and to each leader privately, alerts nobody acknowledged in time."""
    cfg = config.get()
    step = cfg.ack_minutes * 60
    count = 0
    candidates = await OpinionCase.filter(
        status=CaseStatus.PENDING, acknowledged_at__isnull=True,
        escalations__lt=cfg.max_escalations,
    ).values_list("id", flat=True)
    for case_id in candidates:
        async with in_transaction():
            case = await OpinionCase.filter(id=case_id).select_for_update().get()
            if case.acknowledged_at is not None or case.status != CaseStatus.PENDING:
                continue
            due = case.alert_at.timestamp() + step * (case.escalations + 1)
            if now.timestamp() < due:
                continue
            if case.level != "red" and cfg.in_quiet_hours(now):
                continue
            case.escalations += 1
            await case.save(update_fields=["escalations"])
            await _send_cards(case, f"opinion:esc:{case.id}:{case.escalations}",
                              {"escalation": case.escalations}, None, leaders_private=True)
            count += 1
    return count


async def case_details(case_id: int) -> dict[str, Any] | None:
    """Everything a card shows about a case, as data."""
    if not 0 < case_id <= MAX_ID:
        return None
    case = await OpinionCase.get_or_none(id=case_id).prefetch_related(
        "item", "assignee", "acknowledged_by", "closed_by", "cluster")
    if case is None:
        return None
    item: OpinionItem = case.item
    notes = await CaseNote.filter(case_id=case.id).order_by("id").prefetch_related("author")
    sources = await OpinionItem.filter(cluster_id=case.cluster.id).distinct().values_list(
        "source_name", flat=True)
    return {
        "id": case.id,
        "status": case.status.value,
        "open": case.status in OPEN_STATUSES,
        "level": case.level,
        "title": item.title or item.text[:60],
        "text": item.text,
        "url": item.url,
        "source": item.source_name,
        "published_at": item.published_at,
        "fetched_at": item.fetched_at,
        "score": item.score,
        "reasons": item.reasons,
        "matched": item.matched_terms,
        "story_size": case.cluster.size,
        "story_sources": sorted(set(sources)),
        "assignee": case.assignee.name if case.assignee else None,
        "acknowledged_by": case.acknowledged_by.name if case.acknowledged_by else None,
        "closed_by": case.closed_by.name if case.closed_by else None,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
        "notes": [{"author": n.author.name if n.author else "", "text": n.text,
                   "at": n.created_at} for n in notes],
    }


async def open_cases() -> list[dict[str, Any]]:
    """The open cases, newest first, as data for /yq."""
    ids = cast(list[int], await OpinionCase.filter(status__in=list(OPEN_STATUSES)).order_by(
        "-created_at").limit(30).values_list("id", flat=True))
    return [d for d in [await case_details(i) for i in ids] if d is not None]


async def history(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every case opened in [start, end), oldest first, for the export."""
    ids = cast(list[int], await OpinionCase.filter(
        created_at__gte=start, created_at__lt=end).order_by("created_at").values_list(
        "id", flat=True))
    return [d for d in [await case_details(i) for i in ids] if d is not None]


async def feedback_rows() -> list[tuple[str, int]]:
    """The leaders' 误报 / 确认负面 labels as (text, neg) rows for `officebot opinion train`."""
    return [(r[0], int(r[1])) for r in await FeedbackLabel.all().order_by("id").values_list(
        "text", "neg") if r[0]]


async def check_can_act(actor: Staff, case_id: int) -> OpinionCase:
    """Raise unless this person may act on this open case (before offering choices)."""
    return await _locked(case_id, actor)


async def is_alert_card(chat_id: int, message_id: int) -> bool:
    """Whether this message is an alert card the outbox sent (and so keeps up to date)."""
    return await OutboxMessage.filter(kind=ALERT, chat_id=chat_id,
                                      tg_message_id=message_id).exists()
