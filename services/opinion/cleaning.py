"""Text from outside made safe to store: no control characters, NFC, within its length.

Items reach the pipeline from the ingest API, polled feeds and staff by hand; text pasted from
Word or scraped from a page carries NUL, vertical tabs and lone surrogates, which PostgreSQL
refuses, SQLite stores, and openpyxl later cannot write. Everything goes through
`clean_item_text` before it is judged or stored.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from services.errors import InvalidInput

#: Dates outside these years are typing or encoding mistakes (0001-01-01, 9999-12-31).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100

# Line breaks as Word, old Macs and Unicode write them: a newline in a multi-line field.
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Other C0/C1 controls, DEL, lone surrogates, the byte-order mark and the two non-characters
# U+FFFE/U+FFFF: nothing a reader would miss.
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
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
    text = _DROP.sub("", _BREAKS.sub("\n", value))
    text = unicodedata.normalize("NFC", text)
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
    return len(_DROP.findall(value))


def is_blank(text: str) -> bool:
    """True when nothing would show: only spaces and invisible format characters."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def in_calendar_range(moment: datetime) -> bool:
    """True for a date between EARLIEST_YEAR and LATEST_YEAR (both included)."""
    return EARLIEST_YEAR <= moment.year <= LATEST_YEAR
