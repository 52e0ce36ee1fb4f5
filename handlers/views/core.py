"""Views of the platform's own events: delivery failures and error reports for admins."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callback as cb
from handlers.texts import t
from handlers.views import Rendered, view
from models.core import Staff


@view("core.delivery_failed")
def delivery_failed(payload: dict[str, Any], lang: str) -> Rendered:
    text = t(
        "delivery_failed",
        lang,
        who=payload.get("who") or "—",
        chat_id=payload.get("chat_id"),
        kind=payload.get("kind"),
        error=payload.get("error"),
    )
    if str(payload.get("error", "")).startswith("forbidden"):
        text += "\n" + t("delivery_failed.forbidden", lang)
    return Rendered(text)


@view("core.error_report")
def error_report(payload: dict[str, Any], lang: str) -> Rendered:
    text = t("error_report", lang, **{k: payload.get(k) for k in
                                      ("error", "user", "chat", "update_id")})
    count = int(payload.get("count") or 1)
    if count > 1:
        text += t("error_report.repeated", lang, n=count)
    return Rendered(text + t("error_report.quiet", lang))


@view("core.joined")
async def joined(payload: dict[str, Any], lang: str) -> Rendered:
    """Someone joined by an invite: who, as what."""
    person = await Staff.get_or_none(id=int(payload.get("staff_id") or 0))
    if person is None:
        return Rendered(t("joined.gone", lang))
    dept = t("start.dept", lang, dept=person.department) if person.department else ""
    return Rendered(t("joined.told", lang, name=person.name,
                      role=t(f"role.{person.role.value}", lang), dept=dept))


@view("core.text")
def plain_text(payload: dict[str, Any], lang: str) -> Rendered:
    """A ready sentence (tests and admin broadcasts)."""
    return Rendered(str(payload.get(lang) or payload.get("text") or ""))


@view("core.reply")
def handed_over_reply(payload: dict[str, Any], lang: str) -> Rendered:
    """A direct reply Telegram failed to take (5xx, timeout), sent again as it was rendered."""
    markup = payload.get("markup")
    keyboard = InlineKeyboardMarkup.de_json(markup, None) if isinstance(markup, dict) else None
    return Rendered(str(payload.get("html") or ""), keyboard)


@view("core.digest")
def digest(payload: dict[str, Any], lang: str) -> Rendered:
    """A storm folded into one message: how many of what, and a button that lists them."""
    from services.outbox import DIGESTIBLE

    parts = [t("digest.part", lang, what=t(DIGESTIBLE.get(kind, "digest.other"), lang), n=n)
             for kind, n in dict(payload.get("kinds") or {}).items()]
    text = t("digest.title", lang, n=int(payload.get("n") or 0), parts="、".join(parts)
             if lang.startswith("zh") else ", ".join(parts))
    head = int(payload.get("head") or 0)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        t("digest.btn.list", lang), callback_data=cb.encode("ob", "dg", head))]])
    return Rendered(text, keyboard)
