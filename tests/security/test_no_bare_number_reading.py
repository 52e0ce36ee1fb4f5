"""Numbers people type are read in one place: `str.isdigit()` lets '²' through to int()."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The parser of times reads its own numerals; the input boundary is where numbers are read.
ALLOWED = {"services/inputs.py"}


def test_no_feature_reads_a_number_with_isdigit() -> None:
    found = []
    for folder in ("bot", "handlers", "services", "scheduler"):
        for path in (ROOT / folder).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED or name.startswith("services/timeparse"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"\.(isdigit|isnumeric)\(\)", line):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert found == [], "read numbers with services.inputs.to_int / parse_int:\n" + "\n".join(
        found)
