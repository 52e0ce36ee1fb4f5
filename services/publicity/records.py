"""Finding one of the feature's rows by the number a person typed or a button carried."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.models import Model

from models.core import Staff
from services import outbox
from services.errors import NotFound

M = TypeVar("M", bound=Model)
#: The largest id the database holds: a longer typed number names nothing.
MAX_ID = 2**31 - 1


async def row(model: type[M], row_id: int, code: str, *, locked: bool = False) -> M:
    """The row with this id (locked for the caller's transaction when asked), or NotFound with
    the text code and the id."""
    found = None
    if 0 < row_id <= MAX_ID:
        query = model.filter(id=row_id)
        found = await (query.select_for_update() if locked else query).first()
    if found is None:
        raise NotFound(code, id=row_id)
    return found


async def tell(staff_id: int, kind: str, payload: dict[str, Any], key: str) -> None:
    """Queue a message for one staff member (inside the caller's transaction)."""
    await outbox.emit_to_staff(await Staff.get(id=staff_id), kind, payload, key)
