"""`officebot parse-time`: JSON lines of texts in, one JSON line of parse results out each."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from services import clock
from services.timeparse.api import parse_time
from services.timeparse.result import TimeParse


def jsonable(r: TimeParse) -> dict[str, Any]:
    """Return the JSON-line shape of a parse."""
    return {
        "status": r.status,
        "start": r.start.isoformat() if r.start else None,
        "end": r.end.isoformat() if r.end else None,
        "grain": r.grain,
        "duration": r.duration.total_seconds() if r.duration is not None else None,
        "recurrence": r.recurrence,
        "workdays_only": r.workdays_only,
        "deadline": r.deadline,
        "question": r.question,
        "question_params": dict(r.question_params),
        "rest": r.rest,
        "part": r.part,
    }


def main_parse_time(stdin: TextIO, stdout: TextIO, tz: str = "Asia/Shanghai") -> int:
    """Read JSON lines of texts, write one JSON line of parse results per input line."""
    zone = ZoneInfo(tz)
    for line in stdin:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            raw = obj.get("now")
            if raw is None:
                now = clock.now().astimezone(zone)
            else:
                now = datetime.fromisoformat(str(raw))
                if now.tzinfo is None:
                    now = now.replace(tzinfo=zone)
            need_start = bool(obj.get("need_start", False))
            out: dict[str, Any] = jsonable(
                parse_time(obj["text"], now, tz=tz, need_start=need_start)
            )
        except Exception as exc:  # one bad line must not stop the stream
            out = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
