"""The Telegram edge: every feature's handlers, registered in one ordered place."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    admin,
    approvals,
    digest,
    documents,
    errors,
    fallback,
    jobs,
    meetings,
    opinion,
    publicity,
    receptions,
    repairs,
    reports,
    rooms,
    routing,
    seals,
    start,
    supplies,
)


def register_all(application: Application) -> None:  # type: ignore[type-arg]
    """Add every handler. Note: order matters!"""
    # Replays never get here: the OnceApplication (handlers.dedup) skips them.
    # Shortcut-keyboard taps before any free-text reading of the same words.
    start.register_shortcuts(application)
    start.register(application)
    admin.register(application)
    approvals.register(application)
    seals.register(application)
    rooms.register(application)
    meetings.register(application)
    opinion.register(application)
    receptions.register(application)
    supplies.register(application)
    repairs.register(application)
    documents.register(application)
    publicity.register(application)
    reports.register(application)
    jobs.register(application)
    digest.register(application)
    # Anything a person said that no feature answered gets an answer.
    fallback.register(application)
    # Last: answer any button press nothing answered, and the one error handler.
    errors.register(application)
    # In groups every message handler acts only on what is addressed to the bot.
    routing.guard_groups(application)
