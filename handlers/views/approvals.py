"""Views of approvals: the approver's card, decision news, escalations, unreachable approvers."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup

from handlers import callback as cb
from handlers.common import buttons
from handlers.texts import has, t
from handlers.views import Rendered, view
from models.approvals import (
    ApprovalAction,
    ApprovalRequest,
    AuditAction,
    Delegation,
    RequestStatus,
    Verdict,
)
from models.core import Staff
from services import approvals


def esc(value: object) -> str:
    return html.escape(str(value))


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(approvals.POLICY.tz).strftime("%m-%d %H:%M")


def kind_name(kind: str, lang: str) -> str:
    key = f"approvals.kind.{kind}"
    return t(key, lang) if has(key) else kind


def thing(request: ApprovalRequest, lang: str) -> str:
    """The number a person sees: the thing's own, with its kind (领用单 #3, not the approval's
    number, which stays inside button data)."""
    key = f"approvals.thing.{request.kind}"
    if not has(key) and request.kind.startswith("seal"):
        key = "approvals.thing.seal"  # every seal's own flow (seal_use, seal_use_leader…)
    if has(key):
        return t(key, lang, n=request.subject_id)
    if has(f"approvals.kind.{request.kind}"):
        return t("approvals.thing.other", lang, kind=kind_name(request.kind, lang),
                 n=request.subject_id)
    return t("approvals.thing.approval", lang, n=request.id)  # a kind with no name of its own


def step_name(label: str, lang: str) -> str:
    return t(label, lang) if label and has(label) else (label or "—")


def label_of(key: str, lang: str) -> str:
    """A detail's label: a text key of the calling feature, or plain words."""
    return t(key, lang) if has(key) else key


def card_keyboard(assignee_id: int, lang: str) -> InlineKeyboardMarkup:
    return buttons([
        [(t("approvals.btn.approve", lang), cb.encode("ap", "ok", assignee_id)),
         (t("approvals.btn.reject", lang), cb.encode("ap", "no", assignee_id))],
        [(t("approvals.btn.transfer", lang), cb.encode("ap", "fwd", assignee_id)),
         (t("approvals.btn.add_signer", lang), cb.encode("ap", "add", assignee_id))],
    ])


def colon(lang: str) -> str:
    return ": " if lang == "en" else "："


def paren(text: str, lang: str) -> str:
    return f" ({text})" if lang == "en" else f"（{text}）"


#: Features word a detail they stored as data: label key -> func(value, lang) -> Html or None
DETAIL_WORDS: dict[str, Callable[[str, str], str | None]] = {}


def detail_value(key: str, value: str, lang: str) -> str:
    """A detail's value in the reader's language: worded by its feature, or shown as stored."""
    words = DETAIL_WORDS.get(key)
    worded = words(value, lang) if words is not None else None
    return worded if worded is not None else esc(value)


def request_text(request: ApprovalRequest, requester: Staff, lang: str) -> dict[str, str]:
    details = "".join(f"\n{esc(label_of(k, lang))}{colon(lang)}{detail_value(k, v, lang)}"
                      for k, v in request.details)
    if request.amount is not None:
        details += f"\n{t('approvals.card.amount', lang)}{colon(lang)}{request.amount:,.2f}"
    return {
        "id": str(request.id), "thing": thing(request, lang),
        "kind": esc(kind_name(request.kind, lang)),
        "title": esc(request.title), "requester": esc(requester.name),
        "dept": paren(esc(requester.department), lang) if requester.department else "",
        "when": when(request.created_at), "details": details,
    }


#: What earlier approvers decided and said: the next one decides knowing it.
_OPINIONS = (AuditAction.APPROVE, AuditAction.REJECT, AuditAction.TRANSFER,
             AuditAction.ADD_SIGNER)


async def earlier_opinions(state: approvals.CardState, lang: str) -> str:
    """The earlier steps' decisions and opinions (and who passed the card on, and why)."""
    actions = [a for a in await approvals.history(state.request.id) if a.action in _OPINIONS]
    if not actions:
        return ""
    lines = [history_line(a, lang) for a in actions[-6:]]
    return "\n\n" + t("approvals.card.earlier", lang) + "\n" + "\n".join(lines)


def card_text(state: approvals.CardState, lang: str, note: str = "",
              earlier: str = "") -> Rendered:
    a = state.assignee
    acting = ""
    if state.acting is not None:
        acting = t("approvals.card.acting", lang, name=esc(state.approver.name))
    text = t("approvals.card", lang, **request_text(state.request, state.requester, lang),
             n=state.step_index, total=state.step_count,
             step=esc(step_name(state.step.label, lang)), acting=acting) + earlier
    if state.actionable:
        if note:
            text = t(f"approvals.card.note.{note}", lang) + "\n" + text
        return Rendered(text, card_keyboard(a.id, lang))
    who = esc(state.decided_by.name if state.decided_by else "—")
    if a.verdict == Verdict.APPROVED and state.step_outcome is None:
        result = t("approvals.card.result.waiting", lang)
    elif a.verdict == Verdict.APPROVED:
        result = t("approvals.card.result.approved", lang, who=who, when=when(a.decided_at))
    elif a.verdict == Verdict.REJECTED:
        result = t("approvals.card.result.rejected", lang, who=who, when=when(a.decided_at),
                   reason=esc(a.comment))
    elif a.verdict == Verdict.TRANSFERRED:
        result = t("approvals.card.result.transferred", lang, who=who, when=when(a.decided_at),
                   target=esc(a.comment))
    elif state.request.status == RequestStatus.WITHDRAWN:
        result = t("approvals.card.result.withdrawn", lang)
    elif state.step_outcome is not None:
        result = t("approvals.card.result.closed", lang,
                   who=esc(state.step_decider.name if state.step_decider else "—"),
                   outcome=t(f"approvals.outcome.{state.step_outcome}", lang))
    else:
        result = t("approvals.card.result.ended", lang,
                   status=t(f"approvals.status.{state.request.status.value}", lang))
    return Rendered(f"{text}\n\n{result}")


CardView = Callable[[approvals.CardState, str, str], Awaitable[Rendered]]
#: Request kinds whose feature draws the card itself (its own words and buttons).
CARD_VIEWS: dict[str, CardView] = {}


def card_view(kind: str) -> Callable[[CardView], CardView]:
    """Let a feature render the approver's card of its request kind `func(state, lang, note)`."""

    def register(func: CardView) -> CardView:
        CARD_VIEWS[kind] = func
        return func

    return register


@view("approvals.card")
async def approver_card(payload: dict[str, Any], lang: str) -> Rendered:
    """The card, from the state it has when it is sent (or edited)."""
    state = await approvals.card(int(payload["assignee_id"]))
    if state is None:
        return Rendered(t("approvals.error.unknown", lang))
    note = str(payload.get("note") or "")
    passed = await passed_on(state, lang) if note == "transferred" else ""
    if passed:
        note = ""  # the line saying who passed it on and why takes the note's place
    custom = CARD_VIEWS.get(state.request.kind)
    if custom is not None:
        rendered = await custom(state, lang, note)
    else:
        rendered = card_text(state, lang, note, await earlier_opinions(state, lang))
    if passed and state.actionable:
        rendered = Rendered(passed + "\n" + rendered.text, rendered.keyboard)
    return rendered


async def passed_on(state: approvals.CardState, lang: str) -> str:
    """Who passed this card on to its approver, and why (the transfer's reason)."""
    action = await ApprovalAction.filter(
        request_id=state.request.id, action=AuditAction.TRANSFER,
        target_id=state.assignee.approver_id,  # type: ignore[attr-defined]
    ).order_by("-id").prefetch_related("actor").first()
    if action is None or action.actor is None:
        return ""
    return t("approvals.card.passed", lang, who=esc(action.actor.name),
             reason=esc(action.comment) if action.comment else "—")


def history_line(action: ApprovalAction, lang: str, *, with_request: bool = False) -> str:
    actor = esc(action.actor.name) if action.actor else t("approvals.system", lang)
    behalf = (t("approvals.behalf", lang, name=esc(action.on_behalf_of.name))
              if action.on_behalf_of else "")
    target = f" → {esc(action.target.name)}" if action.target else ""
    short = action.comment if len(action.comment) <= 60 else action.comment[:60] + "…"
    comment = f"{colon(lang)}{esc(short)}" if action.comment else ""
    what = t(f"approvals.action.{action.action.value}", lang)
    if with_request:
        request = action.request
        return t("approvals.audit.line", lang, when=when(action.at),
                 thing=thing(request, lang) if request else "—",
                 kind=esc(kind_name(request.kind, lang)) if request else "",
                 action=what, behalf=behalf, target=target, comment=comment)
    return t("approvals.history.line", lang, when=when(action.at), actor=actor, behalf=behalf,
             action=what, target=target, comment=comment)


@view("approvals.news")
async def news(payload: dict[str, Any], lang: str) -> Rendered:
    """Tell the requester, a CC or an approver what was decided."""
    action = await ApprovalAction.get(id=int(payload["action_id"])).prefetch_related(
        "request__requester", "actor", "target", "on_behalf_of")
    request = action.request
    assert request is not None
    step_label = ""
    if action.step_seq is not None:
        step = await request.steps.filter(seq=action.step_seq).first()
        step_label = esc(step_name(step.label, lang)) if step else ""
    line = t(f"approvals.news.{action.action.value}", lang,
             actor=esc(action.actor.name) if action.actor else t("approvals.system", lang),
             behalf=(t("approvals.behalf", lang, name=esc(action.on_behalf_of.name))
                     if action.on_behalf_of else ""),
             target=esc(action.target.name) if action.target else "",
             comment=esc(action.comment), step=step_label)
    if payload.get("final"):
        line += t("approvals.news.final", lang,
                  status=t(f"approvals.status.{request.status.value}", lang))
    return Rendered(t("approvals.news", lang, thing=thing(request, lang),
                      kind=esc(kind_name(request.kind, lang)), title=esc(request.title),
                      line=line))


@view("approvals.escalated")
async def escalated(payload: dict[str, Any], lang: str) -> Rendered:
    action = await ApprovalAction.get(id=int(payload["action_id"])).prefetch_related("request")
    request = action.request
    assert request is not None
    if action.comment:
        return Rendered(t("approvals.escalated", lang, thing=thing(request, lang),
                          title=esc(request.title),
                          names=esc(action.comment)))
    return Rendered(t("approvals.escalated.nobody", lang, thing=thing(request, lang),
                      title=esc(request.title)))


@view("approvals.unreachable")
async def unreachable(payload: dict[str, Any], lang: str) -> Rendered:
    """Tell the office group who must open the bot before a card can reach them."""
    state = await approvals.card(int(payload["assignee_id"]))
    person = await Staff.get(id=int(payload["staff_id"]))
    if state is None:
        return Rendered(t("approvals.error.unknown", lang))
    return Rendered(t("approvals.unreachable", lang, thing=thing(state.request, lang),
                      title=esc(state.request.title), name=esc(person.name)))


@view("approvals.delegated")
async def delegated(payload: dict[str, Any], lang: str) -> Rendered:
    found = await Delegation.get(id=int(payload["delegation_id"])).prefetch_related("principal")
    return Rendered(t("approvals.delegated", lang, principal=esc(found.principal.name),
                      start=found.starts_on.isoformat(), end=found.ends_on.isoformat()))


@view("approvals.batch_offer")
def batch_offer(payload: dict[str, Any], lang: str) -> Rendered:
    """Offer to approve every waiting card of one kind at once (a confirm step follows)."""
    kind, n = str(payload["kind"]), int(payload["n"])
    return Rendered(
        t("approvals.batch.offer", lang, kind=esc(kind_name(kind, lang)), n=n),
        buttons([[(t("approvals.btn.all", lang, n=n),
                   cb.encode("ap", "all", kind, int(payload["upto"])))]]),
    )


def join_within(lines: list[str], limit: int = 3900) -> str:
    """Join whole lines up to Telegram's size (never cutting through a tag or an entity)."""
    kept, size = [], 0
    for line in lines:
        if size + len(line) + 1 > limit:
            kept.append("…")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


@view("approvals.batch_news")
async def batch_news(payload: dict[str, Any], lang: str) -> Rendered:
    """One message to a requester for everything a batch decided for them."""
    ids = [int(i) for i in payload.get("actions", [])]
    actions = await ApprovalAction.filter(id__in=ids).order_by("id").prefetch_related(
        "request", "actor")
    lines: list[str] = []
    for action in actions:
        request = action.request
        line = t("approvals.batch.news.line", lang, id=request.id,
                 kind=esc(kind_name(request.kind, lang)), title=esc(request.title),
                 status=t(f"approvals.status.{request.status.value}", lang))
        if sum(len(x) for x in lines) + len(line) > 3600:
            lines.append(t("approvals.batch.news.more", lang, n=len(actions) - len(lines)))
            break
        lines.append(line)
    actor = next((a.actor for a in actions if a.actor), None)
    head = t("approvals.batch.news", lang, n=len(actions),
             actor=esc(actor.name) if actor else t("approvals.system", lang))
    return Rendered("\n".join([head, *lines]))


@view("approvals.batch_done")
def batch_done(payload: dict[str, Any], lang: str) -> Rendered:
    """The approver's batch is done."""
    n, skipped = int(payload.get("n") or 0), int(payload.get("skipped") or 0)
    if not n:
        return Rendered(t("approvals.batch.nothing", lang))
    text = t("approvals.batch.done", lang, n=n)
    if skipped:
        text += t("approvals.batch.skipped", lang, n=skipped)
    return Rendered(text)
