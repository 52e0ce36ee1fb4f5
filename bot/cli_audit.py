"""`officebot admin audit --since DATE`: the approvals' audit trail as an XLSX workbook."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from handlers.texts import t
from handlers.views.exports import period_row
from services import exports

#: The audit's columns: (row key, width, kind), in the order of the header text.
COLUMNS = (("at", 18, "datetime"), ("request", 10, "int"), ("kind", 12, "text"),
           ("title", 30, "text"), ("action", 10, "text"), ("actor", 12, "text"),
           ("on_behalf_of", 12, "text"), ("target", 12, "text"), ("step", 8, "int"),
           ("comment", 40, "text"))


async def write_audit(since: date, out: Path, tz: Any, lang: str = "zh_CN") -> int:
    """Write every approval action since the local date to `out`; returns the rows written.

    Nothing is written when there is no action (NothingToExport).
    """
    from handlers.views.approvals import kind_name
    from services import approvals, clock

    actions = await approvals.audit_since(datetime.combine(since, time(0, 0), tz))
    rows = []
    for a in actions:
        request = a.request
        rows.append({
            "at": a.at, "request": request.id if request else None,
            "kind": kind_name(request.kind, lang) if request else "",
            "title": request.title if request else "",
            "action": t(f"approvals.action.{a.action.value}", lang),
            "actor": a.actor.name if a.actor else t("approvals.system", lang),
            "on_behalf_of": a.on_behalf_of.name if a.on_behalf_of else "",
            "target": a.target.name if a.target else "", "step": a.step_seq,
            "comment": a.comment,
        })
    title = t("approvals.xlsx.sheet", lang)
    today = clock.now().astimezone(tz).date()
    data = exports.workbook([exports.Sheet(
        name=title, title=title,
        period=period_row(since, max(since, today), lang),
        columns=[exports.Column(key, head, width, kind) for (key, width, kind), head in zip(
            COLUMNS, t("approvals.xlsx.header", lang).split("|"), strict=True)],
        rows=rows, total_label=t("exports.total", lang))], tz)
    await asyncio.to_thread(_save, out, data)
    return len(actions)


def _save(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


async def audit_command(since: date, out: Path, settings: Any = None) -> int:
    """Open the database, export the audit trail since the date, print where it went."""
    from bot.cli import _open_database, _settings
    from bot.db import close_db

    settings = settings or _settings()
    await _open_database(settings)
    try:
        count = await write_audit(since, out, settings.tz, settings.locale)
    except exports.NothingToExport:
        print(f"no approval action since {since.isoformat()}: nothing written")
        return 0
    finally:
        await close_db()
    print(f"wrote {count} approval actions since {since.isoformat()} to {out}")
    return 0
