"""An issue of 参阅 as a Word document laid out like the printed bulletin: the red masthead,
the issue number and date, a red rule, the contents, the editor's note, then each item with its
source. The bulletin is a Chinese document whatever the reader's language, like the office's
other official forms (接待清单), so its fixed words live here."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from models.publicity import Bulletin, BulletinItem
from services.publicity.config import BULLETIN_UNIT

RED = RGBColor(0xC0, 0x00, 0x00)
SONG, HEI, KAI = "宋体", "黑体", "楷体"
NUMERALS = "一二三四五六七八九十"
MASTHEAD = "参  阅"
DEFAULT_UNIT = BULLETIN_UNIT
#: Width of the text between the margins (A4 less 28 mm on each side).
TEXT_WIDTH = Mm(210 - 2 * 28)


def chinese_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 25 -> 二十五 (items are few)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _font(run_or_style: object, name: str, size: float | None = None, *, bold: bool = False,
          color: RGBColor | None = None) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    element = getattr(run_or_style, "_r", None)
    if element is None:
        element = run_or_style.element  # type: ignore[attr-defined]
    r_pr = element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    if size is not None:
        font.size = Pt(size)
    font.bold = bold
    if color is not None:
        font.color.rgb = color


def _rule(paragraph: Paragraph, color: str = "C00000", size: int = 18) -> None:
    """A line under the paragraph (the red rule of the masthead)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "4"), ("color", color)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    p_pr.append(borders)


def _line(document: object, text: str, font: str = SONG, size: float = 14, *, bold: bool = False,
          color: RGBColor | None = None, align: Any = None,
          indent: bool = False) -> Paragraph:
    paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.space_after = Pt(4)
    _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def render(issue: Bulletin, items: Sequence[BulletinItem], tz: ZoneInfo,
           unit: str = DEFAULT_UNIT) -> bytes:
    """The issue as DOCX bytes."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(28)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    _font(document.styles["Normal"], SONG, 14)
    issued = issue.issued_at.astimezone(tz).date() if issue.issued_at else None
    day = f"{issued.year}年{issued.month}月{issued.day}日" if issued else ""

    _line(document, MASTHEAD, SONG, 48, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER)
    _line(document, f"{issue.year}年第{issue.number}期", SONG, 16,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    byline = _line(document, f"{unit}编\t{day}", SONG, 14)
    byline.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    _rule(byline)

    _line(document, "本期目录", HEI, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
    for index, item in enumerate(items, start=1):
        _line(document, f"{chinese_number(index)}、{item.title}", SONG, 14)
    if issue.editor_note.strip():
        note = document.add_paragraph()
        note.paragraph_format.first_line_indent = Pt(28)
        _font(note.add_run("编者按："), HEI, 14, bold=True)
        _font(note.add_run(issue.editor_note.strip()), KAI, 14)
    rule = document.add_paragraph()
    _rule(rule, "000000", 6)

    for index, item in enumerate(items, start=1):
        _line(document, f"{chinese_number(index)}、{item.title}", HEI, 16, bold=True)
        source = "来源：" + (item.source or "—")
        if item.published_on is not None:
            source += f"　{item.published_on.isoformat()}"
        _line(document, source, KAI, 12)
        for text in item.body.splitlines():
            if text.strip():
                _line(document, text.strip(), SONG, 14, indent=True)
        if item.url:
            _line(document, f"原文链接：{item.url}", SONG, 10.5)

    end = _line(document, "", SONG, 12)
    _rule(end, "000000", 6)
    _line(document, f"报：园区领导　　　　送：各部门　　　　{unit}　{day}印发", SONG, 12)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
