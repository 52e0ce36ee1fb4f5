"""Workbook words in the reader's language: the period row under every title."""

from __future__ import annotations

from datetime import date

from handlers.texts import t


def period_row(first: date, last: date, lang: str) -> str:
    """'期间：2026-11-01 至 2026-11-30' ('Period: … to …'), one day once."""
    if first == last:
        return t("exports.period_day", lang, day=first.isoformat())
    return t("exports.period", lang, first=first.isoformat(), last=last.isoformat())
