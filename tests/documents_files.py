"""Documents made in the tests themselves: a small Chinese PDF (text only) and a DOCX."""

from __future__ import annotations

import io
from typing import Any


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text is `lines`, readable by any PDF text extractor.

    The font is a Type0 font whose glyph ids are the characters' code points, with a ToUnicode
    map: no glyphs are embedded (viewers draw boxes), but the text comes out exactly.
    """
    chars = sorted({ord(c) for line in lines for c in line if ord(c) <= 0xFFFF})
    content = ["BT", "/F1 14 Tf", "50 800 Td"]
    for i, line in enumerate(lines):
        if i:
            content.append("0 -24 Td")
        codes = "".join(f"{ord(c):04X}" for c in line if ord(c) <= 0xFFFF)
        content.append(f"<{codes}> Tj")
    content.append("ET")
    stream = "\n".join(content).encode("ascii")
    blocks = []
    for start in range(0, len(chars), 100):
        part = chars[start:start + 100]
        pairs = "\n".join(f"<{c:04X}> <{c:04X}>" for c in part)
        blocks.append(f"{len(part)} beginbfchar\n{pairs}\nendbfchar")
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R "
        b"/DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -120 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def docx(lines: list[str]) -> bytes:
    """A DOCX whose paragraphs are `lines`."""
    from docx import Document

    document = Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


#: A notice as the city's environment bureau would send it (the issue's example).
NOTICE = [
    "宜兴市生态环境局文件",
    "宜环发〔2026〕35号",
    "关于开展冬季大气污染防治",
    "专项检查的通知",
    "各镇（园区、街道）：",
    "为做好今冬大气污染防治工作，现就开展专项检查通知如下。",
    "请各单位于12月20日前将自查报告报送至市局大气环境科。",
    "附件：1.自查表",
    "宜兴市生态环境局",
    "2026年11月20日",
]
#: A classified notice (its mark in the head of the page).
SECRET = [
    "机密★1年",
    "宜兴市国家安全委员会办公室",
    "宜国安办发〔2026〕3号",
    "关于重点目标安全防范工作的通知",
]


def send_photo(sandbox: object, chat_id: int, from_id: int, content: bytes,
               caption: str | None = None) -> int:
    """A user's photo (the sandbox's control API takes documents only): stored and queued as
    Telegram would deliver it. Returns the message id."""
    box: Any = sandbox
    stored = box._store_file(content, "photo.jpg", "image/jpeg", "photos")
    photo = [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
              "width": 1240, "height": 1754, "file_size": len(content)}]
    message = box._add_message(box.chats[chat_id], {"photo": photo, "caption": caption},
                               from_id=from_id, is_bot=False)
    box._queue_update("message", box.api_message(message))
    return int(message.message_id)
