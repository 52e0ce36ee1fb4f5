"""Text from outside made safe to store: no control characters, NFC, within its length.

Items reach the pipeline from the ingest API, polled feeds and staff by hand; text pasted from
Word or scraped from a page carries NUL, vertical tabs and lone surrogates, which PostgreSQL
refuses, SQLite stores, and openpyxl later cannot write. Everything goes through
`clean_item_text` before it is judged or stored.
"""

from __future__ import annotations

import re
from datetime import datetime

from services.errors import InvalidInput
from services.inputs import (
    FIRST_YEAR,
    LAST_YEAR,
    count_unwanted,
    date_in_range,
    is_blank,
    normalize,
)

__all__ = ["clean_item_text", "in_calendar_range", "is_blank", "removed_characters"]

#: Dates outside these years are typing or encoding mistakes (0001-01-01, 9999-12-31).
EARLIEST_YEAR, LATEST_YEAR = FIRST_YEAR, LAST_YEAR
_SPACES = re.compile(r"[ \t]+")
_LINE_ENDS = re.compile(r"[ \t]*\n[ \t]*")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_item_text(value: str, *, limit: int | None = None, multiline: bool = False,
                    field: str = "text") -> str:
    """Drop control characters and lone surrogates, normalise to NFC, trim, bound the length.

    A multi-line field keeps its line breaks (at most one empty line in a row); in a one-line
    field every break and tab becomes a space. Raises InvalidInput `opinion.ingest.too_long`
    (naming `field` and `limit`) when the cleaned text is longer than `limit` characters.
    """
    # The shared input boundary (services.inputs): controls gone, breaks as newlines, NFC.
    text = normalize(value)
    if multiline:
        text = _BLANK_LINES.sub("\n\n", _LINE_ENDS.sub("\n", _SPACES.sub(" ", text)))
    else:
        text = _SPACES.sub(" ", text.replace("\n", " "))
    text = text.strip()
    if limit is not None and len(text) > limit:
        raise InvalidInput("opinion.ingest.too_long", field=field, limit=limit)
    return text


def removed_characters(value: str) -> int:
    """How many characters `clean_item_text` drops outright (controls, lone surrogates)."""
    return count_unwanted(value)


def in_calendar_range(moment: datetime) -> bool:
    """True for a date between EARLIEST_YEAR and LATEST_YEAR (both included)."""
    return date_in_range(moment)
