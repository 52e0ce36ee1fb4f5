"""Views of the platform's own events: delivery failures and error reports for admins."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup

from handlers.texts import t
from handlers.views import Rendered, view


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
