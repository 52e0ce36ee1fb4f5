"""Publicity (issue 15): the media-report ledger, information pieces and correspondents' scores,
drafting tasks, and the 参阅 reference bulletin.

- `media`: reports typed in one line, pasted as a link or moved in from the opinion watch;
  grouped into stories (the same link, or alike headlines within a week), each counted once at
  the highest level of its outlets (`outlets`, a table the office keeps); merge and split.
- `info`: pieces submitted with files, used (区/市/省) or returned with a reason; `scoring`
  keeps the rules as data; `info.ranking` scores a quarter with each correspondent capped.
- `drafting`: tasks with drafter, deadline, length and brief; DOCX versions returned with
  comments or accepted; `drafting.chase` reminds in working hours.
- `bulletin`: items tagged for the next issue, ordered and annotated, numbered per year at
  签发, rendered as DOCX (`bulletin_docx`), archived and sent to the leaders.

What a person's next message means lives in `prompts` (one row per person and chat).
"""

from __future__ import annotations

from services.publicity import (
    bulletin,
    cards,
    config,
    drafting,
    files,
    info,
    links,
    media,
    outlets,
    parse,
    prompts,
    scoring,
)
from services.publicity.demo import seed_demo
from services.publicity.figures import METRICS, publicity_figures

__all__ = [
    "METRICS",
    "bulletin",
    "cards",
    "config",
    "drafting",
    "files",
    "info",
    "links",
    "media",
    "outlets",
    "parse",
    "prompts",
    "publicity_figures",
    "scoring",
    "seed_demo",
]
