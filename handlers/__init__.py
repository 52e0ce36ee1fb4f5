"""The Telegram edge: every feature's handlers, registered in one ordered place."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    admin,
    approvals,
    jobs,
    opinion,
    publicity,
    receptions,
    reports,
    rooms,
    start,
    supplies,
)
from handlers.errors import on_error


def register_all(application: Application) -> None:  # type: ignore[type-arg]
    """Add every handler. Note: order matters!"""
    # Replays never get here: the OnceApplication (handlers.dedup) skips them.
    # Shortcut-keyboard taps before any free-text reading of the same words.
    start.register_shortcuts(application)
    start.register(application)
    admin.register(application)
    approvals.register(application)
    rooms.register(application)
    opinion.register(application)
    receptions.register(application)
    supplies.register(application)
    publicity.register(application)
    reports.register(application)
    jobs.register(application)
    application.add_error_handler(on_error)
