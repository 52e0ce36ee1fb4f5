"""Files the feature keeps: attachments of pieces, draft versions, issued bulletins."""

from __future__ import annotations

from models.core import Staff
from models.publicity import InfoPiece, PublicityFile
from services import clock
from services.errors import InvalidInput
from services.publicity import records

#: Telegram lets a bot download files up to 20 MB; the office's documents are far smaller.
MAX_BYTES = 20 * 1024 * 1024
MAX_NAME = 200


def check(name: str, size: int) -> str:
    name = (name or "").strip() or "file"
    if size <= 0:
        raise InvalidInput("publicity.error.file_empty", name=name[:60])
    if size > MAX_BYTES:
        raise InvalidInput("publicity.error.file_big", name=name[:60],
                           limit=MAX_BYTES // (1024 * 1024))
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot else name[:MAX_NAME]
    return name


async def store(by: Staff | None, name: str, content: bytes,
                info: InfoPiece | None = None) -> PublicityFile:
    """Keep a file (inside the caller's transaction)."""
    name = check(name, len(content))
    return await PublicityFile.create(name=name, content=content, size=len(content),
                                      uploaded_by=by, created_at=clock.now(), info=info)


async def get(file_id: int) -> PublicityFile:
    return await records.row(PublicityFile, file_id, "publicity.error.no_file")


def is_docx(name: str, content: bytes) -> bool:
    """A Word document (.docx): the name says so and the bytes are a zip package."""
    return name.lower().endswith(".docx") and content[:2] == b"PK"
