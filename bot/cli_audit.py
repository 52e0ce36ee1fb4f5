"""`officebot admin audit --since DATE`: the approvals' audit trail as an XLSX workbook."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from handlers.texts import t


async def write_audit(since: date, out: Path, tz: Any, lang: str = "zh_CN") -> int:
    """Write every approval action since the local date to `out`; returns the rows written."""
    from handlers.views.approvals import kind_name
    from services import approvals

    actions = await approvals.audit_since(datetime.combine(since, time(0, 0), tz))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("approvals.xlsx.sheet", lang)
    sheet.append(t("approvals.xlsx.header", lang).split("|"))
    for a in actions:
        request = a.request
        sheet.append([
            a.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            request.id if request else "",
            kind_name(request.kind, lang) if request else "",
            request.title if request else "",
            t(f"approvals.action.{a.action.value}", lang),
            a.actor.name if a.actor else t("approvals.system", lang),
            a.on_behalf_of.name if a.on_behalf_of else "",
            a.target.name if a.target else "",
            a.step_seq if a.step_seq is not None else "",
            a.comment,
        ])
    for column, width in zip("ABCDEFGHIJ", (20, 10, 12, 30, 10, 12, 12, 12, 8, 40),
                             strict=True):
        sheet.column_dimensions[column].width = width
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return len(actions)


async def audit_command(since: date, out: Path, settings: Any = None) -> int:
    """Open the database, export the audit trail since the date, print where it went."""
    from bot.cli import _open_database, _settings
    from bot.db import close_db

    settings = settings or _settings()
    await _open_database(settings)
    try:
        count = await write_audit(since, out, settings.tz, settings.locale)
    finally:
        await close_db()
    print(f"wrote {count} approval actions since {since.isoformat()} to {out}")
    return 0
